//! Ollama error bodies → Anthropic error bodies.
//!
//! Ollama reports an error as `{"error": "text"}` (OLL `StatusError`): as
//! the body of a non-2xx response, or as one NDJSON line in the middle of a
//! stream whose 200 status was already sent. Cloud models add `signin_url`
//! to a 401 (kept as an extra field). The kind follows the status; without
//! one (mid-stream) it is read from the text (`not found` → `not_found_error`,
//! `unauthorized` → `authentication_error`, `does not support` →
//! `invalid_request_error`), else `api_error`.

use messages_types::{ErrorKind, ErrorObject, ErrorResponse, Extra, Nullable};
use serde_json::Value;

/// The Anthropic error object for an Ollama `error` value (usually a string;
/// an object's `message` is read too) and the HTTP status, if any.
pub fn error_object(error: &Value, status: Option<u16>) -> ErrorObject {
    let message = match error {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| error.to_string(), str::to_owned),
        other => other.to_string(),
    };
    let lower = message.to_ascii_lowercase();
    let kind = match status {
        Some(s) => ErrorKind::from_status(s),
        None if lower.contains("not found") => ErrorKind::NotFound,
        None if lower.contains("unauthorized") => ErrorKind::Authentication,
        None if lower.contains("does not support") => ErrorKind::InvalidRequest,
        None => ErrorKind::Api,
    };
    ErrorObject {
        kind,
        message,
        extra: Extra::new(),
    }
}

/// Converts a non-2xx Ollama response body into an Anthropic error body.
///
/// ```
/// use messages_convert::ollama::error_response;
/// use messages_types::ErrorKind;
/// let e = error_response(404, br#"{"error":"model \"nope\" not found, try pulling it first"}"#);
/// assert_eq!(e.error.kind, ErrorKind::NotFound);
/// let e = error_response(401, br#"{"error":"unauthorized","signin_url":"https://ollama.com/connect"}"#);
/// assert_eq!(e.error.kind, ErrorKind::Authentication);
/// assert_eq!(e.error.extra["signin_url"], "https://ollama.com/connect");
/// ```
pub fn error_response(status: u16, body: &[u8]) -> ErrorResponse {
    let value: Option<Value> = serde_json::from_slice(body).ok();
    let error = match value {
        Some(Value::Object(mut map)) => match map.remove("error") {
            Some(e) => {
                let mut obj = error_object(&e, Some(status));
                obj.extra = map;
                obj
            }
            None => fallback(status, body),
        },
        _ => fallback(status, body),
    };
    ErrorResponse {
        kind: "error".to_owned(),
        error,
        request_id: Nullable::Absent,
        extra: Extra::new(),
    }
}

fn fallback(status: u16, body: &[u8]) -> ErrorObject {
    ErrorObject {
        kind: ErrorKind::from_status(status),
        message: crate::error::excerpt(body, 500),
        extra: Extra::new(),
    }
}
