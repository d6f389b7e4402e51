//! Cohere error bodies → Anthropic error bodies.
//!
//! Cohere answers a failed call with an HTTP status and `{"message": "…"}`
//! (docs.cohere.com `errors-reference`; some gateways add `id` or `data`,
//! kept as extra fields). The kind follows the status, with Cohere's own
//! statuses mapped too:
//!
//! | Status | Anthropic `error.type` |
//! |---|---|
//! | 400, 422 | `invalid_request_error`, `unprocessable_entity_error` |
//! | 401, **498** (invalid token) | `authentication_error` |
//! | 402, 403, 404 | `billing_error`, `permission_error`, `not_found_error` |
//! | 429 | `rate_limit_error` (its `Retry-After` headers are read by the HTTP layer's retry loop, not here) |
//! | **499** (request cancelled) | `api_error`, with `status: 499` kept |
//! | 500, 501 | `api_error` |
//! | 503 | `overloaded_error` |
//! | 504 | `timeout_error` |
//!
//! A body that is not JSON or has no `message` keeps (a bounded excerpt of)
//! the raw body as the message.

use messages_types::{ErrorKind, ErrorObject, ErrorResponse, Extra, Nullable};
use serde_json::Value;

/// The Anthropic error type for a Cohere HTTP status.
pub fn error_kind(status: u16) -> ErrorKind {
    match status {
        498 => ErrorKind::Authentication,
        499 | 501 => ErrorKind::Api,
        503 => ErrorKind::Overloaded,
        s => ErrorKind::from_status(s),
    }
}

/// Converts a non-2xx Cohere response body into an Anthropic error body.
///
/// ```
/// use messages_convert::cohere::error_response;
/// use messages_types::ErrorKind;
/// let e = error_response(498, br#"{"message":"invalid api token"}"#);
/// assert_eq!(e.error.kind, ErrorKind::Authentication);
/// assert_eq!(e.error.message, "invalid api token");
/// let e = error_response(429, br#"{"message":"You are using a Trial key, which is limited to 10 API calls / minute."}"#);
/// assert_eq!(e.error.kind, ErrorKind::RateLimit);
/// let e = error_response(502, b"<html>bad gateway</html>");
/// assert_eq!(e.error.message, "<html>bad gateway</html>");
/// ```
pub fn error_response(status: u16, body: &[u8]) -> ErrorResponse {
    let value: Option<Value> = serde_json::from_slice(body).ok();
    let mut extra = Extra::new();
    let message = match value {
        Some(Value::Object(mut map)) => match map.remove("message") {
            Some(Value::String(m)) => {
                extra = map;
                m
            }
            _ => crate::error::excerpt(body, 500),
        },
        _ => crate::error::excerpt(body, 500),
    };
    if status == 499 {
        extra.insert("status".to_owned(), Value::from(status));
    }
    ErrorResponse {
        kind: "error".to_owned(),
        error: ErrorObject {
            kind: error_kind(status),
            message,
            extra,
        },
        request_id: Nullable::Absent,
        extra: Extra::new(),
    }
}

/// The Anthropic error body for a 200 response whose generation failed
/// (`finish_reason` `ERROR` → `api_error`, `TIMEOUT` → `timeout_error`), or
/// `None` for any other body. A provider checks this before
/// [`parse_response`](super::parse_response), which refuses such a body.
///
/// ```
/// use messages_convert::cohere::error::failed_generation;
/// use messages_types::ErrorKind;
/// let e = failed_generation(br#"{"id":"g","finish_reason":"TIMEOUT","message":{"role":"assistant"}}"#).unwrap();
/// assert_eq!(e.error.kind, ErrorKind::Timeout);
/// assert!(failed_generation(br#"{"id":"g","finish_reason":"COMPLETE"}"#).is_none());
/// ```
pub fn failed_generation(body: &[u8]) -> Option<ErrorResponse> {
    #[derive(serde::Deserialize)]
    struct Finish {
        #[serde(default)]
        finish_reason: Option<super::wire::FinishReason>,
    }
    let finish: Finish = serde_json::from_slice(body).ok()?;
    let error = super::finish::finish_error(finish.finish_reason.as_ref(), None)?;
    Some(ErrorResponse {
        kind: "error".to_owned(),
        error,
        request_id: Nullable::Absent,
        extra: Extra::new(),
    })
}
