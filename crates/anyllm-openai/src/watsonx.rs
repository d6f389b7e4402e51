//! The `watsonx` provider: IBM watsonx.ai chat, the OpenAI Chat family
//! through [`Dialect::WATSONX`] (its docs list what differs).
//!
//! Wire shape (IBM's watsonx.ai API reference, "Infer text chat" and
//! "Infer text chat event stream"; the `ibm-watsonx-ai` Python SDK):
//! `POST {url}/ml/v1/text/chat?version={date}` (whole) and
//! `POST {url}/ml/v1/text/chat_stream?version={date}` (server-sent events,
//! `event: message` with a Chat Completions chunk in `data`), where `url` is
//! the regional endpoint (`WATSONX_URL`, e.g. `https://us-south.ml.cloud.ibm.com`);
//! `Authorization: Bearer <IAM token>`, the token exchanged for the IBM
//! Cloud API key (`WATSONX_API_KEY`) at IBM Cloud IAM.

use std::sync::{Arc, Mutex};

use anyllm_provider::credentials::{BearerAuth, OAuthTokenExchange, IBM_IAM_TOKEN_URL};
use anyllm_provider::{
    ApiFamily, ApiKey, Authorize, CallContext, Env, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter,
};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, ACCEPT};
use messages_convert::openai_chat::{self, to_chat_request, Dialect, ResponseContext};
use messages_types::{Message, MessageCreateParams};
use serde_json::{Map, Value};

/// The `version` query parameter used when `WATSONX_API_VERSION` does not set one
/// (the API answers as it did on that date).
pub const WATSONX_API_VERSION: &str = "2024-10-17";

/// The watsonx provider's description: key `WATSONX_API_KEY` (an IBM Cloud
/// API key, exchanged for IAM tokens), base URL `WATSONX_URL`.
pub const WATSONX_INFO: ProviderInfo = ProviderInfo::new(
    "watsonx",
    ApiFamily::OpenAiChat,
    "https://us-south.ml.cloud.ibm.com",
    &["WATSONX_API_KEY"],
    KeyPolicy::Required,
)
.with_base_url_env(Some("WATSONX_URL"))
.with_settings_env(&[
    "WATSONX_PROJECT_ID",
    "WATSONX_SPACE_ID",
    "WATSONX_API_VERSION",
    "WATSONX_IAM_URL",
]);

/// Where the project or deployment space of the calls is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatsonxScope {
    /// `project_id` in the body.
    Project(String),
    /// `space_id` in the body.
    Space(String),
}

/// The last API key's token hook: tokens cached across calls, refreshed ahead
/// of expiry; a different key gets a new hook.
type AuthSlot = Arc<Mutex<Option<(ApiKey, Arc<dyn Authorize>)>>>;

/// IBM watsonx.ai chat.
///
/// ```
/// use anyllm_openai::{WatsonxProvider, WatsonxScope};
/// use anyllm_provider::{ApiKey, CallContext, Provider};
/// use messages_types::MessageCreateParams;
///
/// let wx = WatsonxProvider::new(Some(WatsonxScope::Project("proj-1".into())));
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "ibm/granite-3-8b-instruct", "max_tokens": 64,
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut ctx = CallContext::new("https://us-south.ml.cloud.ibm.com");
/// ctx.api_key = Some(ApiKey::new("ibm-cloud-api-key"));
/// let req = wx.build_request(&params, &ctx).unwrap();
/// assert_eq!(req.uri(), "https://us-south.ml.cloud.ibm.com/ml/v1/text/chat?version=2024-10-17");
/// let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
/// assert_eq!(body["model_id"], "ibm/granite-3-8b-instruct");
/// assert_eq!(body["project_id"], "proj-1");
/// // The IAM token goes on per attempt, through the provider's hook.
/// assert!(wx.authorizer(&ctx).unwrap().is_some());
/// ```
#[derive(Debug, Clone)]
pub struct WatsonxProvider {
    info: ProviderInfo,
    scope: Option<WatsonxScope>,
    version: String,
    token_url: String,
    auth: AuthSlot,
}

impl WatsonxProvider {
    /// A provider for calls in `scope` (`None`: the caller puts
    /// `project_id` / `space_id` in `extra_body`).
    pub fn new(scope: Option<WatsonxScope>) -> Self {
        Self {
            info: WATSONX_INFO,
            scope,
            version: WATSONX_API_VERSION.to_owned(),
            token_url: IBM_IAM_TOKEN_URL.to_owned(),
            auth: Arc::default(),
        }
    }

    /// Scope from `WATSONX_PROJECT_ID` (else `WATSONX_SPACE_ID`), `version`
    /// from `WATSONX_API_VERSION`, the IAM token URL from `WATSONX_IAM_URL`
    /// (default [`IBM_IAM_TOKEN_URL`]).
    pub fn from_env(env: &dyn Env) -> Self {
        let scope = env
            .var("WATSONX_PROJECT_ID")
            .map(WatsonxScope::Project)
            .or_else(|| env.var("WATSONX_SPACE_ID").map(WatsonxScope::Space));
        let mut p = Self::new(scope);
        if let Some(v) = env.var("WATSONX_API_VERSION") {
            p.version = v;
        }
        if let Some(url) = env.var("WATSONX_IAM_URL") {
            p.token_url = url;
        }
        p
    }

    /// Uses another IAM token endpoint (a private IBM Cloud or a test server).
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// Uses another `version` date.
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    fn url(&self, ctx: &CallContext) -> Result<String, Error> {
        let ok = !self.version.is_empty() && self.version.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(Error::InvalidConfig(
                "the watsonx API version must be a date like 2024-10-17".to_owned(),
            ));
        }
        let path = if ctx.stream {
            "/ml/v1/text/chat_stream"
        } else {
            "/ml/v1/text/chat"
        };
        Ok(format!("{}?version={}", ctx.url(path), self.version))
    }

    /// The Chat Completions body in watsonx's field names (see [`Dialect::WATSONX`]).
    fn body(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<Vec<u8>, Error> {
        // Built as a whole (non-streaming) request: the stream is an endpoint, not a flag.
        let chat = to_chat_request(params, &Dialect::WATSONX, false)?;
        let Ok(Value::Object(mut map)) = serde_json::to_value(&chat) else {
            return Err(Error::InvalidConfig(
                "the chat request is not a JSON object".to_owned(),
            ));
        };
        rename(&mut map, "model", "model_id");
        if matches!(map.get("tool_choice"), Some(Value::String(_))) {
            rename(&mut map, "tool_choice", "tool_choice_option");
        }
        match &self.scope {
            Some(WatsonxScope::Project(id)) => {
                map.insert("project_id".to_owned(), Value::from(id.as_str()));
            }
            Some(WatsonxScope::Space(id)) => {
                map.insert("space_id".to_owned(), Value::from(id.as_str()));
            }
            None => {}
        }
        ctx.merge_extra_body(&mut map);
        serde_json::to_vec(&map).map_err(|e| Error::InvalidConfig(format!("encoding the request: {e}")))
    }

    fn response_context<'a>(&self, params: &'a MessageCreateParams) -> ResponseContext<'a> {
        ResponseContext {
            dialect: &Dialect::WATSONX,
            stop_sequences: params.stop_sequences.as_deref().unwrap_or_default(),
            model: &params.model,
        }
    }
}

fn rename(map: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(v) = map.remove(from) {
        map.insert(to.to_owned(), v);
    }
}

impl Provider for WatsonxProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        ctx.require_key(self.info.name, "WATSONX_API_KEY")?;
        let mut headers = HeaderMap::new();
        let accept = if ctx.stream {
            "text/event-stream"
        } else {
            "application/json"
        };
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        ctx.json_post(&self.url(ctx)?, headers, self.body(params, ctx)?)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        Ok(openai_chat::response(
            response.body(),
            &self.response_context(params),
        )?)
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(openai_chat::stream(&self.response_context(params)))
    }

    /// The IAM token hook for the call's API key: the same hook (and cached
    /// token) while the key stays the same.
    fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        let key = ctx.require_key(self.info.name, "WATSONX_API_KEY")?;
        let mut slot = self
            .auth
            .lock()
            .map_err(|_| Error::Runtime("the watsonx token cache lock is poisoned".to_owned()))?;
        if let Some((cached_key, hook)) = slot.as_ref() {
            if cached_key.expose() == key.expose() {
                return Ok(Some(hook.clone()));
            }
        }
        let exchange = OAuthTokenExchange::ibm_iam(key.clone()).with_token_url(self.token_url.clone());
        let hook: Arc<dyn Authorize> = Arc::new(BearerAuth::new(Arc::new(exchange)));
        *slot = Some((key.clone(), hook.clone()));
        Ok(Some(hook))
    }
}
