//! Native error bodies → Anthropic error bodies.
//!
//! OpenAI-compatible servers disagree on the shape: `{"error": {message,
//! type, code, param}}` (OpenAI, Groq, DeepSeek, llama.cpp), `{"error":
//! "text"}` (Venice), `{"message", "type", "code"}` at the top level
//! (Mistral), `{"detail": "text"}` (Mistral 401). All of them are read here
//! (errors are the cold path, so a `serde_json::Value` is fine).

use messages_types::{ErrorKind, ErrorObject, ErrorResponse, Extra, Nullable};
use serde_json::Value;

use super::wire::{NativeError, NativeErrorField};

/// The Anthropic error type for a native error: known codes and types first
/// (`model_not_found` → `not_found_error`, `invalid_api_key` →
/// `authentication_error`, `insufficient_quota` → `billing_error`,
/// `rate_limit_exceeded` → `rate_limit_error`, context-length errors →
/// `invalid_request_error`), else by HTTP status.
pub fn error_kind(status: Option<u16>, kind: Option<&str>, code: Option<&str>) -> ErrorKind {
    let hints = [code, kind];
    let has = |needle: &str| hints.iter().flatten().any(|h| h.contains(needle));
    if has("not_found") || has("invalid_model") {
        ErrorKind::NotFound
    } else if has("invalid_api_key") || has("authentication") || has("unauthorized") {
        ErrorKind::Authentication
    } else if has("insufficient_quota") || has("billing") || has("payment") {
        ErrorKind::Billing
    } else if has("rate_limit") {
        ErrorKind::RateLimit
    } else if has("context_length") || has("exceed_context") {
        ErrorKind::InvalidRequest
    } else if has("overloaded") {
        ErrorKind::Overloaded
    } else if let Some(s) = status {
        ErrorKind::from_status(s)
    } else if has("server_error") || has("internal") {
        ErrorKind::Api
    } else if has("invalid_request") || has("invalid") {
        ErrorKind::InvalidRequest
    } else {
        ErrorKind::Api
    }
}

fn code_str(code: &Option<Value>) -> Option<String> {
    match code {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The Anthropic error object for a native error (mid-stream or in a body).
/// The native `code` and `param` are kept as extra fields of the error
/// object; a native error without a message is named by its code or type.
pub fn error_object(native: &NativeErrorField, status: Option<u16>) -> ErrorObject {
    let (message, kind, code, param) = match native {
        NativeErrorField::Message(m) => (m.clone(), None, None, None),
        NativeErrorField::Object(NativeError {
            message,
            kind,
            code,
            param,
        }) => (
            message.clone().unwrap_or_default(),
            kind.clone(),
            code_str(code),
            param.as_ref().filter(|p| !p.is_null()),
        ),
    };
    let mut extra = Extra::new();
    if let Some(c) = &code {
        extra.insert("code".to_owned(), Value::String(c.clone()));
    }
    if let Some(p) = param {
        extra.insert("param".to_owned(), p.clone());
    }
    let message = if message.is_empty() {
        code.clone()
            .or_else(|| kind.clone())
            .unwrap_or_else(|| "unknown error".to_owned())
    } else {
        message
    };
    ErrorObject {
        kind: error_kind(status, kind.as_deref(), code.as_deref()),
        message,
        extra,
    }
}

/// Converts a non-2xx response body into an Anthropic error body. Anything
/// unreadable keeps (a bounded excerpt of) the raw body as the message.
///
/// ```
/// use messages_convert::openai_chat::error_response;
/// use messages_types::ErrorKind;
/// let e = error_response(404, br#"{"error":{"code":"model_not_found","message":"no such model","type":"invalid_request_error"}}"#);
/// assert_eq!(e.error.kind, ErrorKind::NotFound);
/// assert_eq!(e.error.message, "no such model");
/// let e = error_response(400, br#"{"error":{"message":"bad","type":"invalid_request_error","param":"temperature","code":null}}"#);
/// assert_eq!(e.error.extra["param"], "temperature");
/// let e = error_response(401, br#"{"detail":"Invalid API Key"}"#);
/// assert_eq!(e.error.kind, ErrorKind::Authentication);
/// ```
pub fn error_response(status: u16, body: &[u8]) -> ErrorResponse {
    let value: Option<Value> = serde_json::from_slice(body).ok();
    let native = value.as_ref().and_then(native_error);
    let error = match native {
        Some(n) => error_object(&n, Some(status)),
        None => ErrorObject {
            kind: ErrorKind::from_status(status),
            message: crate::error::excerpt(body, 500),
            extra: Extra::new(),
        },
    };
    ErrorResponse {
        kind: "error".to_owned(),
        error,
        request_id: Nullable::Absent,
        extra: Extra::new(),
    }
}

/// Reads the native error out of any of the known body shapes.
pub fn native_error(v: &Value) -> Option<NativeErrorField> {
    if let Some(e) = v.get("error") {
        return serde_json::from_value(e.clone()).ok();
    }
    if let Some(Value::String(d)) = v.get("detail") {
        return Some(NativeErrorField::Object(NativeError {
            message: Some(d.clone()),
            kind: None,
            code: None,
            param: None,
        }));
    }
    if let Some(Value::String(m)) = v.get("message") {
        return Some(NativeErrorField::Object(NativeError {
            message: Some(m.clone()),
            kind: v.get("type").and_then(Value::as_str).map(str::to_owned),
            code: v.get("code").cloned(),
            param: v.get("param").cloned(),
        }));
    }
    None
}
