//! The OpenAI Responses API (`POST /responses`) as providers
//! ([`OpenAiResponses`], one per [`RESPONSES_PROVIDERS`] row), and the rule
//! that sends some `openai` / `azureopenai` calls through it
//! ([`EndpointPolicy`]).
//!
//! The conversion is `messages_convert::openai_responses`; reasoning comes
//! back as thinking blocks whose signature carries the encrypted reasoning
//! item, and goes out again on the next turn (`store: false`), so a tool loop
//! with a reasoning model keeps its reasoning — which Chat Completions
//! cannot do.
//!
//! # Which endpoint `openai` and `azureopenai` use
//!
//! [`EndpointPolicy::Auto`] (the default for those two rows): a request that
//! has tools **and** enabled thinking (`thinking.type` `enabled` or
//! `adaptive`) goes to the Responses API; every other request goes to Chat
//! Completions. Force either endpoint with
//! [`OpenAiCompatible::with_endpoint_policy`](crate::OpenAiCompatible::with_endpoint_policy),
//! or for the registry's providers with the environment variable
//! [`ENDPOINT_ENV`] (`ANYLLM_OPENAI_API` = `auto` | `chat` | `responses`,
//! read by [`providers_with_env`](crate::providers_with_env); any other value
//! makes every call of those providers an `InvalidConfig` error). Addressing
//! `openai-responses:MODEL` (or `azureopenai-responses:DEPLOYMENT`) always
//! uses the Responses API. No header or `extra_body` field changes the
//! endpoint.
//!
//! Azure OpenAI serves the Responses API only on its OpenAI-compatible v1
//! surface: `POST {endpoint}/openai/v1/responses`, with the deployment name as
//! `model` in the body and no `api-version` (the v1 API needs none; the
//! dated `api-version` of the Chat Completions deployment URL does not apply
//! to it).
//!
//! ```
//! use anyllm_openai::{responses_spec, OpenAiResponses};
//! use anyllm_provider::{ApiKey, CallContext, Provider};
//! use messages_types::MessageCreateParams;
//!
//! let p = OpenAiResponses::new(*responses_spec("openai-responses").unwrap());
//! let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "gpt-5-mini", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let mut ctx = CallContext::new("https://api.openai.com/v1");
//! ctx.api_key = Some(ApiKey::new("sk-test"));
//! let req = p.build_request(&params, &ctx).unwrap();
//! assert_eq!(req.uri(), "https://api.openai.com/v1/responses");
//! let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
//! assert_eq!(body["max_output_tokens"], 64);
//! assert_eq!(body["store"], false);
//! ```

use anyllm_provider::{ApiFamily, CallContext, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter};
use bytes::Bytes;
use messages_convert::openai_responses::{self, ResponsesError};
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams, ThinkingConfig};

use crate::provider::{auth_headers, classify_openai_error, missing_base_url};
use crate::table::Auth;

/// The environment variable that sets the [`EndpointPolicy`] of the
/// registry's `openai` and `azureopenai` providers.
pub const ENDPOINT_ENV: &str = "ANYLLM_OPENAI_API";

/// Which OpenAI endpoint an `openai` / `azureopenai` call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EndpointPolicy {
    /// Chat Completions, except a request with tools and enabled thinking,
    /// which goes to the Responses API ([`wants_responses`]).
    #[default]
    Auto,
    /// Always Chat Completions.
    ChatCompletions,
    /// Always the Responses API.
    Responses,
}

impl EndpointPolicy {
    /// Parses the [`ENDPOINT_ENV`] value: `auto`, `chat` (or
    /// `chat_completions`), `responses`; case-insensitive.
    ///
    /// ```
    /// use anyllm_openai::EndpointPolicy;
    /// assert_eq!(EndpointPolicy::parse("Responses"), Some(EndpointPolicy::Responses));
    /// assert_eq!(EndpointPolicy::parse("chat"), Some(EndpointPolicy::ChatCompletions));
    /// assert_eq!(EndpointPolicy::parse("both"), None);
    /// ```
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Self::Auto),
            "chat" | "chat_completions" | "chat-completions" => Some(Self::ChatCompletions),
            "responses" => Some(Self::Responses),
            _ => None,
        }
    }

    /// Whether a call for `params` goes to the Responses API.
    pub fn uses_responses(self, params: &MessageCreateParams) -> bool {
        match self {
            Self::Auto => wants_responses(params),
            Self::ChatCompletions => false,
            Self::Responses => true,
        }
    }
}

/// The automatic rule: a request with at least one tool and thinking
/// enabled (`enabled` or `adaptive`). Chat Completions cannot hand the
/// reasoning back, so such a tool loop would lose it between calls.
///
/// ```
/// let p: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "o4-mini", "max_tokens": 2048, "thinking": {"type": "enabled", "budget_tokens": 1024},
///     "tools": [{"name": "f", "input_schema": {"type": "object"}}],
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// assert!(anyllm_openai::wants_responses(&p));
/// ```
pub fn wants_responses(params: &MessageCreateParams) -> bool {
    let has_tools = params.tools.as_ref().is_some_and(|t| !t.is_empty());
    let thinking = matches!(
        params.thinking,
        Some(ThinkingConfig::Enabled(_)) | Some(ThinkingConfig::Adaptive(_))
    );
    has_tools && thinking
}

/// How a Responses provider's URL is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponsesEndpoint {
    /// `{base_url}{path}`; count_tokens at `{base_url}{path}/input_tokens`
    /// when the row has it.
    Path(&'static str),
    /// Azure OpenAI's v1 surface: `{endpoint}/openai/v1/responses`.
    AzureV1,
}

impl ResponsesEndpoint {
    /// The path after the base URL.
    pub fn path(self) -> &'static str {
        match self {
            Self::Path(p) => p,
            Self::AzureV1 => "/openai/v1/responses",
        }
    }
}

/// One provider of the Responses API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponsesSpec {
    /// Name used in `provider:model`.
    pub name: &'static str,
    /// Base URL when neither `api_base` nor the env var is set (`""`: none).
    pub default_base_url: &'static str,
    /// Env vars holding the key, tried in order.
    pub key_env: &'static [&'static str],
    /// Env var overriding the base URL.
    pub base_url_env: Option<&'static str>,
    /// Whether a key is required.
    pub key_policy: KeyPolicy,
    /// How the key is sent.
    pub auth: Auth,
    /// How the URL is built.
    pub endpoint: ResponsesEndpoint,
    /// Whether the provider counts tokens at `POST {path}/input_tokens`.
    pub count_tokens: bool,
}

const RESPONSES: ResponsesEndpoint = ResponsesEndpoint::Path("/responses");

const fn hosted(
    name: &'static str,
    default_base_url: &'static str,
    key_env: &'static [&'static str],
    base_url_env: &'static str,
) -> ResponsesSpec {
    ResponsesSpec {
        name,
        default_base_url,
        key_env,
        base_url_env: Some(base_url_env),
        key_policy: KeyPolicy::Required,
        auth: Auth::Bearer,
        endpoint: RESPONSES,
        count_tokens: false,
    }
}

/// Every Responses API provider. Keys and base-URL variables are those of
/// the same provider's Chat Completions row.
pub const RESPONSES_PROVIDERS: &[ResponsesSpec] = &[
    ResponsesSpec {
        count_tokens: true,
        ..hosted(
            "openai-responses",
            "https://api.openai.com/v1",
            &["OPENAI_API_KEY"],
            "OPENAI_BASE_URL",
        )
    },
    hosted(
        "xai-responses",
        "https://api.x.ai/v1",
        &["XAI_API_KEY"],
        "XAI_BASE_URL",
    ),
    ResponsesSpec {
        auth: Auth::Header("api-key"),
        endpoint: ResponsesEndpoint::AzureV1,
        ..hosted(
            "azureopenai-responses",
            "",
            &["AZURE_OPENAI_API_KEY"],
            "AZURE_OPENAI_ENDPOINT",
        )
    },
    hosted(
        "openrouter-responses",
        "https://openrouter.ai/api/v1",
        &["OPENROUTER_API_KEY"],
        "OPENROUTER_BASE_URL",
    ),
    ResponsesSpec {
        key_policy: KeyPolicy::Optional,
        ..hosted(
            "openai-responses-compatible",
            "",
            &["OPENAI_RESPONSES_COMPATIBLE_API_KEY"],
            "OPENAI_RESPONSES_COMPATIBLE_BASE_URL",
        )
    },
];

/// The Responses row named `name`.
///
/// ```
/// let x = anyllm_openai::responses_spec("xai-responses").unwrap();
/// assert_eq!(x.default_base_url, "https://api.x.ai/v1");
/// ```
pub fn responses_spec(name: &str) -> Option<&'static ResponsesSpec> {
    RESPONSES_PROVIDERS.iter().find(|p| p.name == name)
}

/// A Responses API provider described by a [`ResponsesSpec`].
#[derive(Debug, Clone)]
pub struct OpenAiResponses {
    spec: ResponsesSpec,
    info: ProviderInfo,
}

impl OpenAiResponses {
    /// The provider for a row.
    pub fn new(spec: ResponsesSpec) -> Self {
        let info = ProviderInfo::new(
            spec.name,
            ApiFamily::OpenAiResponses,
            spec.default_base_url,
            spec.key_env,
            spec.key_policy,
        )
        .with_base_url_env(spec.base_url_env);
        Self { spec, info }
    }

    /// The row this provider was built from.
    pub fn spec(&self) -> &ResponsesSpec {
        &self.spec
    }

    fn url(&self, ctx: &CallContext, suffix: &str) -> Result<String, Error> {
        if ctx.base_url.is_empty() {
            return Err(missing_base_url(self.spec.name, self.spec.base_url_env));
        }
        Ok(ctx.url(&format!("{}{suffix}", self.spec.endpoint.path())))
    }

    fn headers(&self, ctx: &CallContext) -> Result<http::HeaderMap, Error> {
        auth_headers(
            self.spec.name,
            self.spec.key_env,
            self.spec.key_policy,
            self.spec.auth,
            ctx,
        )
    }
}

/// The Responses request of a call, at `url` (shared with the `openai` /
/// `azureopenai` providers when they route a call here).
pub(crate) fn build_responses_request(
    url: &str,
    headers: http::HeaderMap,
    params: &MessageCreateParams,
    ctx: &CallContext,
) -> Result<http::Request<Bytes>, Error> {
    let body = openai_responses::request_body(params, ctx.stream, &ctx.extra_body)?;
    ctx.json_post(url, headers, body)
}

/// A whole Responses body as a [`Message`]; a `failed` response is the typed
/// API error its code names (as the same error inside a stream is).
pub(crate) fn parse_responses_body(params: &MessageCreateParams, body: &[u8]) -> Result<Message, Error> {
    match openai_responses::response(body, &params.model) {
        Ok(m) => Ok(m),
        Err(ResponsesError::Failed(e)) => {
            let payload = serde_json::to_vec(&e).unwrap_or_default();
            Err(Error::Http(messages_http::Error::from_stream_error(&payload)))
        }
        Err(ResponsesError::Convert(e)) => Err(e.into()),
        Err(other) => Err(Error::Stream(other.to_string())),
    }
}

/// A fresh Responses stream converter for a call answering `params`.
pub(crate) fn responses_stream(params: &MessageCreateParams) -> Box<dyn StreamConverter> {
    Box::new(openai_responses::stream(&params.model))
}

impl Provider for OpenAiResponses {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        let url = self.url(ctx, "")?;
        build_responses_request(&url, headers, params, ctx)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        parse_responses_body(params, response.body())
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        responses_stream(params)
    }

    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        classify_openai_error(response)
    }

    /// `POST {base}/responses/input_tokens` where the provider has it
    /// (OpenAI); `Unsupported` elsewhere.
    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        if !self.spec.count_tokens {
            return Err(Error::Unsupported {
                provider: self.spec.name.to_owned(),
                operation: "count_tokens",
            });
        }
        let mut ctx = ctx.clone();
        ctx.stream = false;
        let headers = self.headers(&ctx)?;
        let url = self.url(&ctx, "/input_tokens")?;
        let body = openai_responses::input_tokens_body(params, &ctx.extra_body)?;
        ctx.json_post(&url, headers, body)
    }

    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        if !self.spec.count_tokens {
            return Err(Error::Unsupported {
                provider: self.spec.name.to_owned(),
                operation: "count_tokens",
            });
        }
        Ok(openai_responses::parse_input_tokens(response.body())?)
    }
}
