//! [`OpenAiCompatible`]: one table row as an [`anyllm_provider::Provider`].

use std::sync::Arc;

use anyllm_provider::{ApiFamily, CallContext, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use messages_convert::openai_chat::{self, error_response, request_body, ResponseContext};
use messages_http::Authorize;
use messages_types::{ErrorKind, Message, MessageCreateParams};

use crate::responses::EndpointPolicy;
use crate::table::{Auth, Endpoint, ProviderSpec};

/// The Azure OpenAI `api-version` used when none is configured.
pub const AZURE_API_VERSION: &str = "2024-10-21";

/// The Azure AI Model Inference `api-version` used when none is configured
/// (the version the `azure-ai-inference` SDKs call).
pub const AZURE_INFERENCE_API_VERSION: &str = "2024-05-01-preview";

/// An OpenAI-compatible provider described by a [`ProviderSpec`].
#[derive(Debug, Clone)]
pub struct OpenAiCompatible {
    spec: ProviderSpec,
    info: ProviderInfo,
    api_version: String,
    authorizer: Option<Arc<dyn Authorize>>,
    endpoint_policy: Result<EndpointPolicy, String>,
}

/// The rows whose calls follow [`EndpointPolicy::Auto`] by default (the
/// providers that also serve the Responses API for the same key and
/// models); every other row always uses Chat Completions.
pub const AUTO_RESPONSES_ROWS: &[&str] = &["openai", "azureopenai"];

impl OpenAiCompatible {
    /// The provider for a table row.
    pub fn new(spec: ProviderSpec) -> Self {
        let info = ProviderInfo::new(
            spec.name,
            ApiFamily::OpenAiChat,
            spec.default_base_url,
            spec.key_env,
            spec.key_policy,
        )
        .with_base_url_env(spec.base_url_env)
        .with_base_url_env_aliases(crate::aliases::base_url_env_aliases(spec.name));
        let api_version = match spec.endpoint {
            Endpoint::AzureInference(_) => AZURE_INFERENCE_API_VERSION,
            _ => AZURE_API_VERSION,
        };
        let endpoint_policy = if AUTO_RESPONSES_ROWS.contains(&spec.name) {
            EndpointPolicy::Auto
        } else {
            EndpointPolicy::ChatCompletions
        };
        Self {
            spec,
            info,
            api_version: api_version.to_owned(),
            authorizer: None,
            endpoint_policy: Ok(endpoint_policy),
        }
    }

    /// Authorizes every attempt with `auth` (e.g. an Entra ID token for the
    /// `azure` row: [`crate::azure_entra_authorizer`]) instead of a key; the
    /// row's key is then not required.
    pub fn with_authorizer(mut self, auth: Arc<dyn Authorize>) -> Self {
        self.authorizer = Some(auth);
        self
    }

    /// Which endpoint calls go to (see [`crate::responses`]): `Auto` routes a
    /// request with tools and enabled thinking to the Responses API,
    /// `ChatCompletions` / `Responses` force one. Default: `Auto` for
    /// `openai` and `azureopenai` ([`AUTO_RESPONSES_ROWS`]), `ChatCompletions`
    /// for every other row.
    ///
    /// ```
    /// use anyllm_openai::{EndpointPolicy, OpenAiCompatible};
    /// use anyllm_provider::{ApiKey, CallContext, Provider};
    /// let openai = OpenAiCompatible::new(*anyllm_openai::spec("openai").unwrap())
    ///     .with_endpoint_policy(EndpointPolicy::Responses);
    /// let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
    ///     "model": "gpt-5-mini", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
    /// })).unwrap();
    /// let mut ctx = CallContext::new("https://api.openai.com/v1");
    /// ctx.api_key = Some(ApiKey::new("sk-test"));
    /// assert_eq!(openai.build_request(&params, &ctx).unwrap().uri(), "https://api.openai.com/v1/responses");
    /// ```
    pub fn with_endpoint_policy(mut self, policy: EndpointPolicy) -> Self {
        self.endpoint_policy = Ok(policy);
        self
    }

    /// The policy as read from [`ENDPOINT_ENV`](crate::ENDPOINT_ENV): a value
    /// [`EndpointPolicy::parse`] does not know makes every call an
    /// `InvalidConfig` error naming it (never silently `Auto`).
    pub fn with_endpoint_policy_setting(mut self, value: &str) -> Self {
        self.endpoint_policy = EndpointPolicy::parse(value).ok_or_else(|| {
            format!(
                "{}=`{value}` is not one of auto, chat, responses",
                crate::ENDPOINT_ENV
            )
        });
        self
    }

    /// Whether a call for `params` goes to the Responses API.
    fn routes_to_responses(&self, params: &MessageCreateParams) -> Result<bool, Error> {
        match &self.endpoint_policy {
            Ok(p) => Ok(p.uses_responses(params)),
            Err(message) => Err(Error::InvalidConfig(message.clone())),
        }
    }

    fn responses_url(&self, ctx: &CallContext) -> Result<String, Error> {
        if ctx.base_url.is_empty() {
            return self.url_missing_base();
        }
        let path = match self.spec.endpoint {
            Endpoint::AzureDeployment => crate::ResponsesEndpoint::AzureV1.path(),
            Endpoint::Path(_) | Endpoint::AzureInference(_) => "/responses",
        };
        Ok(ctx.url(path))
    }

    fn url_missing_base<T>(&self) -> Result<T, Error> {
        Err(missing_base_url(self.spec.name, self.spec.base_url_env))
    }

    /// The Azure OpenAI `api-version` query parameter (Azure rows only).
    pub fn with_api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// The row this provider was built from.
    pub fn spec(&self) -> &ProviderSpec {
        &self.spec
    }

    fn url(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<String, Error> {
        if ctx.base_url.is_empty() {
            return self.url_missing_base();
        }
        match self.spec.endpoint {
            Endpoint::Path(path) => {
                let url = ctx.url(path);
                // Local servers are often configured as `host:port` (Ollama's
                // own `OLLAMA_HOST=127.0.0.1:11434`): plain HTTP, as their
                // default is. Hosted providers never get a scheme added (the
                // key must not go out over plain HTTP): a bare host stays an error.
                if !url.contains("://") && self.spec.default_base_url.starts_with("http://") {
                    Ok(format!("http://{url}"))
                } else {
                    Ok(url)
                }
            }
            Endpoint::AzureInference(path) => {
                if !valid_api_version(&self.api_version) {
                    return Err(Error::InvalidConfig("invalid Azure api-version".into()));
                }
                Ok(ctx.url(&format!("{path}?api-version={}", self.api_version)))
            }
            Endpoint::AzureDeployment => {
                let ok = |s: &str| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                };
                if !ok(&params.model) {
                    return Err(Error::validation(
                        "model",
                        "an Azure OpenAI deployment name may only contain letters, digits, `-`, `_` and `.`",
                    ));
                }
                if !ok(&self.api_version) {
                    return Err(Error::InvalidConfig("invalid Azure OpenAI api-version".into()));
                }
                Ok(ctx.url(&format!(
                    "/openai/deployments/{}/chat/completions?api-version={}",
                    params.model, self.api_version
                )))
            }
        }
    }

    fn headers(&self, ctx: &CallContext) -> Result<HeaderMap, Error> {
        // With an authorizer (e.g. an Entra ID token), the key is optional.
        let key_policy = match (&self.authorizer, self.spec.key_policy) {
            (Some(_), KeyPolicy::Required) => KeyPolicy::Optional,
            (_, policy) => policy,
        };
        auth_headers(self.spec.name, self.spec.key_env, key_policy, self.spec.auth, ctx)
    }

    fn response_context<'a>(&'a self, params: &'a MessageCreateParams) -> ResponseContext<'a> {
        ResponseContext {
            dialect: &self.spec.dialect,
            stop_sequences: params.stop_sequences.as_deref().unwrap_or_default(),
            model: &params.model,
        }
    }
}

fn valid_api_version(v: &str) -> bool {
    !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The error for a row without a default base URL when the call gives none.
pub(crate) fn missing_base_url(name: &str, base_url_env: Option<&str>) -> Error {
    let env = base_url_env.unwrap_or("a base-URL environment variable");
    Error::InvalidConfig(format!(
        "provider `{name}` has no default base URL: pass api_base or set {env}"
    ))
}

/// The `accept` and key headers of an OpenAI-style call (shared by the
/// Chat Completions and Responses providers).
pub(crate) fn auth_headers(
    name: &str,
    key_env: &[&str],
    key_policy: KeyPolicy,
    auth: Auth,
    ctx: &CallContext,
) -> Result<HeaderMap, Error> {
    let mut h = HeaderMap::new();
    let accept = if ctx.stream {
        "text/event-stream"
    } else {
        "application/json"
    };
    h.insert(http::header::ACCEPT, HeaderValue::from_static(accept));
    match (&ctx.api_key, key_policy) {
        (Some(key), KeyPolicy::Required | KeyPolicy::Optional) => match auth {
            Auth::Bearer => {
                h.insert(http::header::AUTHORIZATION, key.bearer()?);
            }
            Auth::Header(header) => {
                // `from_bytes`, not `from_static`: a row built by a caller
                // with a malformed name is a typed error, not a panic.
                let header = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                    Error::InvalidConfig(format!(
                        "provider `{name}`: `{header}` is not a valid header name"
                    ))
                })?;
                h.insert(header, key.header_value()?);
            }
        },
        (None, KeyPolicy::Required) => {
            let env = key_env.first().copied().unwrap_or("");
            ctx.require_key(name, env)?;
        }
        _ => {}
    }
    Ok(h)
}

/// Classified by status, corrected by the body's error code where the
/// status says less than the code (shared by the Chat Completions and
/// Responses providers).
pub(crate) fn classify_openai_error(response: http::Response<Bytes>) -> Error {
    let (parts, body) = response.into_parts();
    let http_status = parts.status;
    let status = http_status.as_u16();
    let native = error_response(status, &body);
    let err = messages_http::Error::from_response(http_status, parts.headers, body);
    let by_status = ErrorKind::from_status(status);
    let by_code = native.error.kind;
    let corrected = by_code != by_status
        && matches!(
            by_code,
            ErrorKind::NotFound | ErrorKind::Billing | ErrorKind::Authentication
        );
    if corrected {
        Error::Http(err.with_kind(by_code))
    } else {
        Error::Http(err)
    }
}

impl Provider for OpenAiCompatible {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn authorizer(&self, _ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        Ok(self.authorizer.clone())
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        if self.routes_to_responses(params)? {
            let url = self.responses_url(ctx)?;
            return crate::responses::build_responses_request(&url, headers, params, ctx);
        }
        let url = self.url(params, ctx)?;
        let body = request_body(params, &self.spec.dialect, ctx.stream, &ctx.extra_body)?;
        ctx.json_post(&url, headers, body)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        if self.routes_to_responses(params)? {
            return crate::responses::parse_responses_body(params, response.body());
        }
        Ok(openai_chat::response(
            response.body(),
            &self.response_context(params),
        )?)
    }

    /// The Responses converter for a call [`Self::with_endpoint_policy`]
    /// routed there (`build_request` already refused an invalid policy).
    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        if self.routes_to_responses(params).unwrap_or(false) {
            return crate::responses::responses_stream(params);
        }
        Box::new(openai_chat::stream(&self.response_context(params)))
    }

    /// Classified by status, corrected by the body's error code where the
    /// status says less than the code: a 400 `invalid_model` is
    /// `not_found_error`, a 429 `insufficient_quota` is `billing_error`.
    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        classify_openai_error(response)
    }
}
