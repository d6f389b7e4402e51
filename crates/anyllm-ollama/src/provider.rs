//! The `ollama` provider: `POST {OLLAMA_HOST}/api/chat`, NDJSON streams.

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use messages_convert::ollama::{self, ThinkStyle};
use messages_types::ErrorKind;
use messages_types::{Message, MessageCreateParams};

use anyllm_provider::{
    ApiFamily, CallContext, Error, Framing, KeyPolicy, Provider, ProviderInfo, StreamConverter,
};

/// The `ollama` provider's description: no key (one is sent as a bearer
/// token only when configured, for servers behind an authenticating proxy).
pub const OLLAMA_INFO: ProviderInfo = ProviderInfo::new(
    "ollama",
    ApiFamily::OllamaChat,
    "http://localhost:11434",
    &[],
    KeyPolicy::None,
)
.with_base_url_env(Some("OLLAMA_HOST"));

/// Ollama's native chat API.
#[derive(Debug, Clone)]
pub struct OllamaProvider {
    info: ProviderInfo,
}

impl Default for OllamaProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl OllamaProvider {
    /// The provider with its standard settings ([`OLLAMA_INFO`]).
    pub fn new() -> Self {
        Self { info: OLLAMA_INFO }
    }
}

/// How `model` takes `think`: levels for `gpt-oss` models (Ollama's
/// documented exception), a bool for every other thinking model.
///
/// ```
/// use anyllm_ollama::think_style;
/// use messages_convert::ollama::ThinkStyle;
/// assert_eq!(think_style("gpt-oss:20b"), ThinkStyle::Levels);
/// assert_eq!(think_style("qwen3:4b"), ThinkStyle::Bool);
/// ```
pub fn think_style(model: &str) -> ThinkStyle {
    if model.starts_with("gpt-oss") {
        ThinkStyle::Levels
    } else {
        ThinkStyle::Bool
    }
}

/// `{base}/api/chat`; a base without a scheme (`OLLAMA_HOST=127.0.0.1:11434`,
/// Ollama's own spelling) is plain HTTP, as Ollama's default is.
fn chat_url(ctx: &CallContext) -> String {
    let url = ctx.url("/api/chat");
    if url.contains("://") {
        url
    } else {
        format!("http://{url}")
    }
}

impl Provider for OllamaProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let mut headers = HeaderMap::new();
        let accept = if ctx.stream {
            "application/x-ndjson"
        } else {
            "application/json"
        };
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        if let Some(key) = &ctx.api_key {
            headers.insert(AUTHORIZATION, key.bearer()?);
        }
        let body = ollama::request_body(params, ctx.stream, think_style(&params.model), &ctx.extra_body)?;
        ctx.json_post(&chat_url(ctx), headers, body)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        Ok(ollama::response(response.body(), &params.model)?)
    }

    fn framing(&self) -> Framing {
        ollama::FRAMING
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(ollama::stream(&params.model))
    }

    /// Ollama's `{"error": …}` body; the kind from the status.
    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        let (parts, body) = response.into_parts();
        let converted = ollama::error_response(parts.status.as_u16(), &body);
        let kind = match converted.error.kind {
            ErrorKind::Other(_) => ErrorKind::from_status(parts.status.as_u16()),
            known => known,
        };
        let mut error =
            messages_http::Error::from_response(parts.status, parts.headers, body).with_kind(kind);
        if let Some(api) = error.api_error_mut() {
            if api.details.message.is_none() {
                api.details.message = Some(converted.error.message);
            }
        }
        Error::Http(error)
    }
}
