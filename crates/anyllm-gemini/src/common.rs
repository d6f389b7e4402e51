//! What the Gemini and Vertex AI providers share: the model path, the body,
//! response and error handling (the stream converter is the family's own,
//! [`messages_convert::gemini::stream`]).

use bytes::Bytes;
use http::StatusCode;
use messages_convert::gemini::error::classify_error as classify_google_error;
use messages_convert::gemini::message_from_slice;
use messages_convert::gemini::wire::CountTokensResponse as GeminiCountTokens;
use messages_types::{CountTokensResponse, Extra, Message, MessageCreateParams};
use serde::Serialize;

use anyllm_provider::{CallContext, Error};

/// The resource name of a model: `models/{model}` for a bare id, the id
/// itself when it already names a resource (`models/…`, `tunedModels/…`).
/// Characters that would change the URL's meaning are refused.
pub(crate) fn model_resource(model: &str) -> Result<String, Error> {
    let bad = model.is_empty()
        || model
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | '@')))
        || model.split('/').any(|segment| matches!(segment, "" | "." | ".."));
    if bad {
        return Err(Error::validation(
            "model",
            format!(
                "`{model}` is not a Gemini model id (letters, digits, `-`, `.`, `_`, `/`, `@`; \
                 no empty, `.` or `..` path segments)"
            ),
        ));
    }
    Ok(if model.contains('/') {
        model.to_owned()
    } else {
        format!("models/{model}")
    })
}

/// The method suffix: `:generateContent` or `:streamGenerateContent?alt=sse`.
pub(crate) fn method_suffix(stream: bool) -> &'static str {
    if stream {
        ":streamGenerateContent?alt=sse"
    } else {
        ":generateContent"
    }
}

/// Serializes a native body with the call's `extra_body` applied by the
/// seam's one rule (JSON Merge Patch, see [`CallContext::extra_body`]):
/// objects merge key by key (so `{"generationConfig": {"seed": 7}}` adds a
/// seed and keeps the converted settings), other values replace, `null`
/// removes.
pub(crate) fn body_bytes<T: Serialize>(body: &T, ctx: &CallContext) -> Result<Vec<u8>, Error> {
    Ok(messages_convert::merge_patch::to_vec_with_patch(
        body,
        &ctx.extra_body,
    )?)
}

/// A whole `generateContent` response → [`Message`] (model from the request
/// when the response has no `modelVersion`).
pub(crate) fn parse_message(params: &MessageCreateParams, body: &[u8]) -> Result<Message, Error> {
    let mut message = message_from_slice(body)?;
    if message.model.is_empty() {
        message.model = params.model.clone();
    }
    Ok(message)
}

/// The `countTokens` response → Anthropic's `{input_tokens}`.
pub(crate) fn parse_count_tokens(body: &[u8]) -> Result<CountTokensResponse, Error> {
    let counted: GeminiCountTokens = serde_json::from_slice(body)
        .map_err(|e| messages_convert::ConvertError::decode("Gemini countTokens response", &e, body))?;
    Ok(CountTokensResponse {
        input_tokens: counted.total_tokens,
        extra: Extra::new(),
    })
}

/// A non-2xx response → the typed error, classified from Google's body
/// (`API_KEY_INVALID` → authentication, `RESOURCE_EXHAUSTED` → rate limit,
/// `UNAVAILABLE` → overloaded, …) with `retry_after` from `RetryInfo` when
/// no header gave one.
pub(crate) fn classify(response: http::Response<Bytes>) -> Error {
    let (parts, body) = response.into_parts();
    let status: StatusCode = parts.status;
    let google = classify_google_error(status.as_u16(), &body);
    // Google's body names the class more precisely than the status.
    let mut error = messages_http::Error::from_response(status, parts.headers, body).with_kind(google.kind);
    if let Some(api) = error.api_error_mut() {
        if api.retry_after.is_none() {
            api.retry_after = google.retry_after;
        }
        if api.details.message.is_none() {
            api.details.message = Some(google.message);
        }
    }
    Error::Http(error)
}
