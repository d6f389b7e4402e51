//! Native error bodies → Anthropic error bodies.
//!
//! The Responses API answers errors with the same `{"error": {message, type,
//! param, code}}` body as Chat Completions, and the servers that speak both
//! (xAI, OpenRouter, llama.cpp) share their error shapes across them, so the
//! Chat family's classification applies unchanged
//! ([`openai_chat::error`](crate::openai_chat::error)). A response that
//! reports `status: failed` in a 200 body is classified by
//! [`failed_error`](super::failed_error).

use messages_types::ErrorResponse;

/// Converts a non-2xx response body into an Anthropic error body (the Chat
/// family's rules: known codes and types first, else the HTTP status).
///
/// ```
/// use messages_convert::openai_responses::error_response;
/// use messages_types::ErrorKind;
/// let e = error_response(400, br#"{"error":{"code":"model_not_found","message":"The requested model 'x' does not exist.","param":"model","type":"invalid_request_error"}}"#);
/// assert_eq!(e.error.kind, ErrorKind::NotFound);
/// assert_eq!(e.error.extra["param"], "model");
/// ```
pub fn error_response(status: u16, body: &[u8]) -> ErrorResponse {
    crate::openai_chat::error::error_response(status, body)
}
