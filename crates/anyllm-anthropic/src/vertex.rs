//! The `vertexaianthropic` provider: Claude on Google Cloud Vertex AI.
//!
//! Wire shape (from the official `anthropic` Python SDK's `AnthropicVertex`
//! client, `src/anthropic/lib/vertex/_client.py`, and Google's "Use Claude
//! models" / "Count tokens" pages):
//! - `POST {base}/publishers/anthropic/models/{model}:rawPredict`
//!   (`:streamRawPredict` when streaming), where `base` is
//!   `https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}`
//!   (`https://aiplatform.googleapis.com/…` for the `global` location);
//! - body: the Anthropic body without `model`, with
//!   `anthropic_version: "vertex-2023-10-16"` (kept when the params carry
//!   their own) and the call's betas as `anthropic_beta: [..]`;
//! - count tokens: `POST {base}/publishers/anthropic/models/count-tokens:rawPredict`,
//!   the count-tokens body with `model` kept and `anthropic_version` added;
//! - replies and stream events are the Anthropic API's own (parsed losslessly).

use std::sync::Arc;

use anyllm_provider::credentials::{BearerAuth, GoogleCredentials, SharedTokenResolver};
use anyllm_provider::google_cloud::fill_vertex_base_url;
use anyllm_provider::{
    ApiFamily, Authorize, CallContext, Env, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter,
};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};
use serde_json::{Map, Value};

use crate::provider::{decode, stream_flag};
use crate::stream::AnthropicStreamConverter;

/// The error of a call whose base URL needs a project none was given for.
const MISSING_PROJECT: &str =
    "Claude on Vertex AI needs a project: set GOOGLE_CLOUD_PROJECT or use VertexAnthropicProvider::new";

/// The `anthropic_version` Vertex AI expects in the body.
pub const VERTEX_ANTHROPIC_VERSION: &str = "vertex-2023-10-16";

/// The location used when neither the provider nor `GOOGLE_CLOUD_LOCATION` names one.
pub const VERTEX_DEFAULT_LOCATION: &str = "us-east5";

const BASE_TEMPLATE: &str =
    "https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}";

const TOKEN_ENV: &[&str] = &["VERTEXAI_ACCESS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN"];

fn info(key_policy: KeyPolicy) -> ProviderInfo {
    ProviderInfo::new(
        "vertexaianthropic",
        ApiFamily::AnthropicMessages,
        BASE_TEMPLATE,
        TOKEN_ENV,
        key_policy,
    )
    .with_base_url_env(Some("VERTEXAI_ANTHROPIC_BASE_URL"))
    .with_settings_env(&[
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_CLOUD_LOCATION",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ])
}

/// Claude on Vertex AI (see the [module docs](self) for the wire shape).
///
/// Authentication is `Authorization: Bearer <token>`: the call's key
/// (explicit, or `VERTEXAI_ACCESS_TOKEN` / `GOOGLE_OAUTH_ACCESS_TOKEN`, e.g.
/// `gcloud auth print-access-token`) when there is one, else the credential
/// resolver's token (for [`VertexAnthropicProvider::from_env`]: Google
/// Application Default Credentials), cached, refreshed ahead of expiry and
/// once after a 401, as the `vertexai` provider does.
///
/// ```
/// use anyllm_anthropic::VertexAnthropicProvider;
/// use anyllm_provider::{ApiKey, CallContext, Provider};
/// use messages_types::MessageCreateParams;
///
/// let vertex = VertexAnthropicProvider::new("my-project", "global");
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "claude-sonnet-4-5@20250929", "max_tokens": 64,
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut ctx = CallContext::new(vertex.info().default_base_url);
/// ctx.api_key = Some(ApiKey::new("ya29.token"));
/// let req = vertex.build_request(&params, &ctx).unwrap();
/// assert_eq!(req.uri(), "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict");
/// let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
/// assert_eq!(body["anthropic_version"], "vertex-2023-10-16");
/// assert!(body.get("model").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct VertexAnthropicProvider {
    info: ProviderInfo,
    project: Option<String>,
    location: String,
    authorizer: Option<Arc<dyn Authorize>>,
}

impl VertexAnthropicProvider {
    /// A provider for `project` in `location` (e.g. `us-east5`, `europe-west1`, `global`);
    /// calls need a token (the call's key) until [`Self::with_credentials`] gives a resolver.
    pub fn new(project: impl Into<String>, location: impl Into<String>) -> Self {
        Self {
            info: info(KeyPolicy::Required),
            project: Some(project.into()),
            location: location.into(),
            authorizer: None,
        }
    }

    /// Project from `GOOGLE_CLOUD_PROJECT` (or `GCLOUD_PROJECT`,
    /// `ANTHROPIC_VERTEX_PROJECT_ID`), location from `GOOGLE_CLOUD_LOCATION`
    /// (or `GOOGLE_CLOUD_REGION`, `CLOUD_ML_REGION`, else
    /// [`VERTEX_DEFAULT_LOCATION`]), and Google Application Default
    /// Credentials when a call has no token. Nothing is read for the
    /// credentials until a call needs a token; a missing project is reported
    /// when a call is built.
    pub fn from_env(env: &dyn Env) -> Self {
        let project = [
            "GOOGLE_CLOUD_PROJECT",
            "GCLOUD_PROJECT",
            "ANTHROPIC_VERTEX_PROJECT_ID",
        ]
        .iter()
        .find_map(|k| env.var(k));
        let location = ["GOOGLE_CLOUD_LOCATION", "GOOGLE_CLOUD_REGION", "CLOUD_ML_REGION"]
            .iter()
            .find_map(|k| env.var(k))
            .unwrap_or_else(|| VERTEX_DEFAULT_LOCATION.to_owned());
        Self {
            info: info(KeyPolicy::Optional),
            project,
            location,
            authorizer: Some(Arc::new(BearerAuth::new(Arc::new(GoogleCredentials::from_env(
                env,
            ))))),
        }
    }

    /// Uses `resolver` for calls without a token (cached in this provider,
    /// shared by its clones); the key becomes optional.
    pub fn with_credentials(mut self, resolver: SharedTokenResolver) -> Self {
        self.authorizer = Some(Arc::new(BearerAuth::new(resolver)));
        self.info = info(KeyPolicy::Optional);
        self
    }

    /// The project, if known.
    pub fn project(&self) -> Option<&str> {
        self.project.as_deref()
    }

    /// The location.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The context's base URL with `{project}` / `{location}` filled in
    /// (an explicit base URL without them is used as is).
    fn base_url(&self, ctx: &CallContext) -> Result<String, Error> {
        fill_vertex_base_url(
            &ctx.base_url,
            self.project.as_deref(),
            &self.location,
            MISSING_PROJECT,
        )
    }

    fn model_url(&self, model: &str, method: &str, ctx: &CallContext) -> Result<String, Error> {
        // Vertex model ids hold letters, digits, `-`, `.` and `@` (`claude-opus-4-1@20250805`).
        let ok = !model.is_empty()
            && model
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
        if !ok {
            return Err(Error::validation(
                "model",
                "a Vertex AI model id may only hold letters, digits, `-`, `_`, `.` and `@`",
            ));
        }
        Ok(format!(
            "{}/publishers/anthropic/models/{model}:{method}",
            self.base_url(ctx)?
        ))
    }

    fn headers(&self, ctx: &CallContext) -> Result<HeaderMap, Error> {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        match &ctx.api_key {
            Some(key) => {
                h.insert(AUTHORIZATION, key.bearer()?);
            }
            // The per-attempt hook adds the token.
            None if self.authorizer.is_some() => {}
            None => {
                ctx.require_key(self.info.name, TOKEN_ENV[0])?;
            }
        }
        Ok(h)
    }

    /// The Vertex body: `anthropic_version` set unless given, betas as
    /// `anthropic_beta`, then the call's `extra_body`.
    fn body(mut map: Map<String, Value>, ctx: &CallContext) -> Result<Vec<u8>, Error> {
        map.entry("anthropic_version")
            .or_insert_with(|| Value::from(VERTEX_ANTHROPIC_VERSION));
        if !ctx.betas.is_empty() {
            map.insert("anthropic_beta".to_owned(), Value::from(ctx.betas.clone()));
        }
        ctx.merge_extra_body(&mut map);
        serde_json::to_vec(&map).map_err(|e| Error::InvalidConfig(format!("encoding the request: {e}")))
    }
}

/// `value` (a request type) as a JSON object.
fn object<T: serde::Serialize>(value: &T) -> Result<Map<String, Value>, Error> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::InvalidConfig(
            "the request is not a JSON object".to_owned(),
        )),
        Err(e) => Err(Error::InvalidConfig(format!("encoding the request: {e}"))),
    }
}

impl Provider for VertexAnthropicProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        let method = if ctx.stream {
            "streamRawPredict"
        } else {
            "rawPredict"
        };
        let url = self.model_url(&params.model, method, ctx)?;
        let mut map = object(params)?;
        map.remove("model");
        match stream_flag(params, ctx) {
            Some(s) => map.insert("stream".to_owned(), Value::Bool(s)),
            None => map.remove("stream"),
        };
        ctx.json_post(&url, headers, Self::body(map, ctx)?)
    }

    /// The Anthropic API's own limits, as for `anthropic`.
    fn validate(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<(), Error> {
        crate::validate::validate(params, &crate::validate::call_betas(ctx))
    }

    fn parse_response(
        &self,
        _params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        decode("message", response.body())
    }

    fn stream_converter(&self, _params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(AnthropicStreamConverter::new())
    }

    /// `count-tokens:rawPredict`, the model named in the body.
    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        let url = format!(
            "{}/publishers/anthropic/models/count-tokens:rawPredict",
            self.base_url(ctx)?
        );
        ctx.json_post(&url, headers, Self::body(object(params)?, ctx)?)
    }

    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        decode("count_tokens response", response.body())
    }

    /// The credential resolver's hook, for calls without a token of their own.
    fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        if ctx.api_key.is_some() {
            return Ok(None);
        }
        Ok(self.authorizer.clone())
    }
}
