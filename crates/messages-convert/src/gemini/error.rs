//! Google's error body → the Anthropic error kinds, with the retry delay
//! taken from `RetryInfo`.
//!
//! ```
//! use messages_convert::gemini::error::classify_error;
//! use messages_types::ErrorKind;
//! let body = br#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",
//!   "status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",
//!   "reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#;
//! let e = classify_error(400, body);
//! assert_eq!(e.kind, ErrorKind::Authentication);
//! ```

use std::time::Duration;

use messages_types::{ErrorKind, ErrorResponse};
use serde::{Deserialize, Serialize};

/// `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoogleErrorBody {
    /// The error.
    pub error: GoogleErrorObject,
}

/// Google's `google.rpc.Status` as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GoogleErrorObject {
    /// The HTTP status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// The canonical status (`INVALID_ARGUMENT`, `RESOURCE_EXHAUSTED`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Typed details (`ErrorInfo`, `RetryInfo`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// One entry of `details` (the fields of `ErrorInfo` and `RetryInfo`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// The detail's type URL.
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub type_url: Option<String>,
    /// `ErrorInfo.reason`, e.g. `API_KEY_INVALID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `RetryInfo.retryDelay`, e.g. `"34.4s"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_delay: Option<String>,
}

/// A classified Gemini error.
#[derive(Debug, Clone, PartialEq)]
pub struct GeminiError {
    /// The HTTP status.
    pub http_status: u16,
    /// The Anthropic error kind it corresponds to.
    pub kind: ErrorKind,
    /// The message (Google's, or a generic one when the body had none).
    pub message: String,
    /// Google's canonical status, when given.
    pub google_status: Option<String>,
    /// `ErrorInfo.reason`, when given.
    pub reason: Option<String>,
    /// `RetryInfo.retryDelay`, when given.
    pub retry_after: Option<Duration>,
    /// `true` when the message says the prompt is longer than the context window.
    pub context_length_exceeded: bool,
}

impl GeminiError {
    /// The Anthropic error body for this error.
    pub fn to_error_response(&self) -> ErrorResponse {
        ErrorResponse::new(self.kind.clone(), self.message.clone())
    }
}

/// Parses a protobuf JSON duration (`"34.4s"`); `None` for anything else,
/// including values a [`Duration`] cannot hold (negative, not finite, huge).
///
/// ```
/// use messages_convert::gemini::error::parse_duration;
/// use std::time::Duration;
/// assert_eq!(parse_duration("34.4s"), Some(Duration::from_millis(34_400)));
/// assert_eq!(parse_duration("1e300s"), None);
/// ```
pub fn parse_duration(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    Duration::try_from_secs_f64(secs).ok()
}

/// Classifies an error response from its HTTP status and body. Never fails:
/// a body that is not Google's shape is classified by status alone, and a
/// bounded excerpt of it (500 bytes, as for the other families) is kept in
/// the message.
///
/// ```
/// use messages_convert::gemini::error::classify_error;
/// let e = classify_error(422, b"<html><body>Unprocessable: field foo</body></html>");
/// assert_eq!(e.message, "Gemini API error (HTTP 422): <html><body>Unprocessable: field foo</body></html>");
/// ```
pub fn classify_error(http_status: u16, body: &[u8]) -> GeminiError {
    let object = serde_json::from_slice::<GoogleErrorBody>(body.trim_ascii())
        .map(|b| b.error)
        .ok();
    let mut e = classify_object(http_status, object.as_ref());
    let raw = body.trim_ascii();
    if object.is_none() && !raw.is_empty() {
        e.message = format!("{}: {}", e.message, crate::error::excerpt(raw, 500));
    }
    e
}

/// Classifies an already parsed error object (e.g. one sent mid-stream).
pub fn classify_object(http_status: u16, object: Option<&GoogleErrorObject>) -> GeminiError {
    let status = object.and_then(|o| o.status.clone());
    let details = object.map(|o| o.details.as_slice()).unwrap_or_default();
    let reason = details.iter().find_map(|d| d.reason.clone());
    let retry_after = details
        .iter()
        .find_map(|d| d.retry_delay.as_deref().and_then(parse_duration));
    let message = object
        .map(|o| o.message.clone())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("Gemini API error (HTTP {http_status})"));
    let lower = message.to_ascii_lowercase();
    let status_is = |s: &str| status.as_deref() == Some(s);
    let kind = if reason.as_deref() == Some("API_KEY_INVALID")
        || lower.contains("api key not valid")
        || lower.contains("api key expired")
        || lower.contains("unregistered callers")
    {
        // A bad, expired or missing key: Google says 400 or 403, it is authentication.
        ErrorKind::Authentication
    } else if (status_is("FAILED_PRECONDITION") || status_is("PERMISSION_DENIED"))
        && lower.contains("billing")
    {
        ErrorKind::Billing
    } else {
        match status.as_deref() {
            Some("UNAUTHENTICATED") => ErrorKind::Authentication,
            Some("PERMISSION_DENIED") => ErrorKind::Permission,
            Some("NOT_FOUND") => ErrorKind::NotFound,
            Some("RESOURCE_EXHAUSTED") => ErrorKind::RateLimit,
            Some("INVALID_ARGUMENT") | Some("FAILED_PRECONDITION") | Some("OUT_OF_RANGE") => {
                ErrorKind::InvalidRequest
            }
            Some("UNAVAILABLE") => ErrorKind::Overloaded,
            Some("DEADLINE_EXCEEDED") => ErrorKind::Timeout,
            Some("ALREADY_EXISTS") | Some("ABORTED") => ErrorKind::Conflict,
            Some("INTERNAL") | Some("UNKNOWN") => ErrorKind::Api,
            _ => ErrorKind::from_status(object.and_then(|o| o.code).unwrap_or(http_status)),
        }
    };
    let context_length_exceeded =
        lower.contains("input token count") && (lower.contains("exceeds") || lower.contains("maximum"));
    GeminiError {
        http_status,
        kind,
        message,
        google_status: status,
        reason,
        retry_after,
        context_length_exceeded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_with_retry_info() {
        let body = br#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",
            "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},
            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34.4s"}]}}"#;
        let e = classify_error(429, body);
        assert_eq!(e.kind, ErrorKind::RateLimit);
        assert_eq!(e.retry_after, Some(Duration::from_millis(34_400)));
        assert_eq!(e.message, "Quota exceeded");
    }

    #[test]
    fn statuses_map_to_kinds() {
        for (http, status, kind) in [
            (404, "NOT_FOUND", ErrorKind::NotFound),
            (403, "PERMISSION_DENIED", ErrorKind::Permission),
            (503, "UNAVAILABLE", ErrorKind::Overloaded),
            (500, "INTERNAL", ErrorKind::Api),
            (504, "DEADLINE_EXCEEDED", ErrorKind::Timeout),
            (400, "INVALID_ARGUMENT", ErrorKind::InvalidRequest),
            (401, "UNAUTHENTICATED", ErrorKind::Authentication),
        ] {
            let body = format!(r#"{{"error":{{"code":{http},"message":"m","status":"{status}"}}}}"#);
            assert_eq!(classify_error(http, body.as_bytes()).kind, kind, "{status}");
        }
    }

    #[test]
    fn missing_key_and_billing() {
        let no_key = br#"{"error":{"code":403,"message":"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.","status":"PERMISSION_DENIED"}}"#;
        assert_eq!(classify_error(403, no_key).kind, ErrorKind::Authentication);
        let billing = br#"{"error":{"code":400,"message":"This API method requires billing to be enabled.","status":"FAILED_PRECONDITION"}}"#;
        assert_eq!(classify_error(400, billing).kind, ErrorKind::Billing);
        // A quota message that mentions billing stays a rate limit.
        let quota = br#"{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED"}}"#;
        assert_eq!(classify_error(429, quota).kind, ErrorKind::RateLimit);
    }

    #[test]
    fn non_json_body_falls_back_to_status() {
        let e = classify_error(502, b"<html>bad gateway</html>");
        assert_eq!(e.kind, ErrorKind::Api);
        assert!(e.message.contains("502"));
        assert!(e.message.contains("<html>bad gateway</html>"), "{}", e.message);
        // Bounded: a huge page is cut.
        let page = format!("<html>{}</html>", "x".repeat(100_000));
        let e = classify_error(422, page.as_bytes());
        assert_eq!(e.kind, ErrorKind::Unprocessable);
        assert!(
            e.message.starts_with("Gemini API error (HTTP 422): <html>xxx"),
            "{}",
            e.message
        );
        assert!(e.message.len() < 600, "{}", e.message.len());
        assert_eq!(classify_error(429, b"").kind, ErrorKind::RateLimit);
    }

    #[test]
    fn out_of_range_retry_delays_are_ignored() {
        for delay in ["1e300s", "-1s", "NaNs", "infs", "12", "s"] {
            assert_eq!(parse_duration(delay), None, "{delay}");
        }
        let body = br#"{"error":{"code":429,"message":"q","status":"RESOURCE_EXHAUSTED",
            "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1e300s"}]}}"#;
        let e = classify_error(429, body);
        assert_eq!((e.kind, e.retry_after), (ErrorKind::RateLimit, None));
    }

    #[test]
    fn context_length() {
        let body = br#"{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}"#;
        let e = classify_error(400, body);
        assert!(e.context_length_exceeded);
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
    }
}
