//! The `cohere` provider: `POST {base}/v2/chat` with a bearer key.

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use messages_convert::cohere::{self, ResponseContext};
use messages_http::ApiError;
use messages_types::ErrorKind;
use messages_types::{Message, MessageCreateParams};

use anyllm_provider::{ApiFamily, CallContext, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter};

/// The `cohere` provider's description.
pub const COHERE_INFO: ProviderInfo = ProviderInfo::new(
    "cohere",
    ApiFamily::CohereChat,
    "https://api.cohere.com",
    &["COHERE_API_KEY", "CO_API_KEY"],
    KeyPolicy::Required,
)
.with_base_url_env(Some("CO_API_URL"));

/// Cohere v2 chat: bearer authentication, `POST /v2/chat` under the base URL.
#[derive(Debug, Clone)]
pub struct CohereProvider {
    info: ProviderInfo,
}

impl Default for CohereProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl CohereProvider {
    /// The provider with its standard settings ([`COHERE_INFO`]).
    pub fn new() -> Self {
        Self { info: COHERE_INFO }
    }
}

fn response_context(params: &MessageCreateParams) -> ResponseContext<'_> {
    ResponseContext {
        model: &params.model,
        stop_sequences: params.stop_sequences.as_deref().unwrap_or_default(),
    }
}

/// The kind an Anthropic error type names, else the status's class.
fn api_kind(kind: &ErrorKind, status: http::StatusCode) -> ErrorKind {
    match kind {
        ErrorKind::Other(_) => ErrorKind::from_status(status.as_u16()),
        known => known.clone(),
    }
}

impl Provider for CohereProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let key = ctx.require_key(self.info.name, "COHERE_API_KEY")?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, key.bearer()?);
        let accept = if ctx.stream {
            "text/event-stream"
        } else {
            "application/json"
        };
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        let body = cohere::request_body(params, ctx.stream, &ctx.extra_body)?;
        ctx.json_post(&ctx.url("/v2/chat"), headers, body)
    }

    /// A whole reply → [`Message`]; a reply that finished with `ERROR` or
    /// `TIMEOUT` is a typed API error carrying Cohere's body.
    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        let (parts, body) = response.into_parts();
        if let Some(failed) = cohere::error::failed_generation(&body) {
            let kind = api_kind(&failed.error.kind, parts.status);
            let mut api = ApiError::new(parts.status, parts.headers, body);
            api.details.message = Some(failed.error.message);
            return Err(Error::Http(messages_http::Error::from_api(api).with_kind(kind)));
        }
        Ok(cohere::response(&body, &response_context(params))?)
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(cohere::stream(&response_context(params)))
    }

    /// Cohere's `{"message": …}` error body; the kind from the status
    /// ([`cohere::error::error_kind`]: 498 → authentication, 499 → API error).
    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        let (parts, body) = response.into_parts();
        let converted = cohere::error_response(parts.status.as_u16(), &body);
        let kind = api_kind(&converted.error.kind, parts.status);
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
