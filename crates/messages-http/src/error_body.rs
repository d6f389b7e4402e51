//! Generic parsing of the error bodies providers send.
//!
//! One parser understands every shape seen in the wild:
//!
//! * Anthropic `{"type":"error","error":{"type","message"},"request_id"}`
//! * OpenAI and compatibles `{"error":{"message","type","param","code"}}`
//! * Google `{"error":{"code":429,"message","status","details":[…]}}` (with
//!   `ErrorInfo.reason` and `RetryInfo.retryDelay` picked out of `details`)
//! * Mistral / FastAPI `{"detail":"…"}` or `{"detail":[{"msg":…}]}`
//! * Ollama `{"error":"…"}`
//! * Bedrock `{"message":"…"}` (and `{"Message":"…"}`)
//! * IBM Cloud (watsonx.ai) `{"errors":[{"code","message"}],"trace","status_code"}`
//!
//! Bodies that are not JSON keep `message = None`; the raw bytes stay on the
//! [`ApiError`](crate::ApiError).

use std::time::Duration;

use serde_json::{Map, Value};

/// The parsed parts of a provider error body. Every field is public so a
/// provider can correct or complete them (see [`crate::ApiError::details`]).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ErrorDetails {
    /// The provider's error type: Anthropic `error.type` (`overloaded_error`),
    /// OpenAI `error.type` (`invalid_request_error`).
    pub error_type: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
    /// A code: OpenAI `error.code` (`context_length_exceeded`) or Google's numeric `error.code`.
    pub code: Option<String>,
    /// OpenAI `error.param`: the request field at fault.
    pub param: Option<String>,
    /// Google `error.status` (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`).
    pub status: Option<String>,
    /// Google `ErrorInfo.reason` from `error.details` (`API_KEY_INVALID`).
    pub reason: Option<String>,
    /// Google `RetryInfo.retryDelay` from `error.details`.
    pub retry_delay: Option<Duration>,
    /// A request id carried in the body (Anthropic `request_id`).
    pub request_id: Option<String>,
}

impl ErrorDetails {
    /// Parses an error body. Never fails: unknown shapes give empty details.
    ///
    /// ```
    /// use messages_http::ErrorDetails;
    /// let d = ErrorDetails::parse(br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#);
    /// assert_eq!(d.error_type.as_deref(), Some("overloaded_error"));
    /// assert_eq!(d.message.as_deref(), Some("Overloaded"));
    /// let d = ErrorDetails::parse(br#"{"detail":"Unauthorized"}"#);
    /// assert_eq!(d.message.as_deref(), Some("Unauthorized"));
    /// ```
    pub fn parse(body: &[u8]) -> Self {
        let mut d = Self::default();
        let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(trim_ascii(body)) else {
            return d;
        };
        d.request_id = str_field(&root, "request_id");
        match root.get("error") {
            Some(Value::Object(err)) => d.fill_from_error_object(err),
            Some(Value::String(s)) => d.message = Some(s.clone()),
            _ => {}
        }
        // IBM Cloud (watsonx.ai) `{"errors":[{"code","message"}],"trace","status_code"}`.
        if let (None, Some(Value::Array(errors))) = (&d.message, root.get("errors")) {
            if let Some(Value::Object(first)) = errors.first() {
                d.message = str_field(first, "message");
                d.code = scalar_field(first, "code");
            }
        }
        if d.message.is_none() {
            d.message = str_field(&root, "message")
                .or_else(|| str_field(&root, "Message"))
                .or_else(|| detail_message(root.get("detail")));
        }
        if d.error_type.is_none() && root.get("error").is_none() {
            // Bedrock puts the exception name in `__type` or `type`.
            d.error_type = str_field(&root, "__type").or_else(|| match root.get("type") {
                Some(Value::String(t)) if t != "error" => Some(t.clone()),
                _ => None,
            });
        }
        if d.code.is_none() {
            d.code = scalar_field(&root, "code");
        }
        d
    }

    fn fill_from_error_object(&mut self, err: &Map<String, Value>) {
        self.error_type = str_field(err, "type");
        self.message = str_field(err, "message");
        self.code = scalar_field(err, "code");
        self.param = scalar_field(err, "param");
        self.status = str_field(err, "status");
        if let Some(Value::Array(details)) = err.get("details") {
            for item in details {
                let Value::Object(item) = item else { continue };
                let kind = item.get("@type").and_then(Value::as_str).unwrap_or("");
                if kind.ends_with("google.rpc.ErrorInfo") {
                    self.reason = str_field(item, "reason");
                } else if kind.ends_with("google.rpc.RetryInfo") {
                    self.retry_delay = item
                        .get("retryDelay")
                        .and_then(Value::as_str)
                        .and_then(parse_google_duration);
                }
            }
        }
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn str_field(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn scalar_field(m: &Map<String, Value>, key: &str) -> Option<String> {
    match m.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn detail_message(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let msgs: Vec<&str> = items
                .iter()
                .filter_map(|i| i.get("msg").and_then(Value::as_str))
                .collect();
            (!msgs.is_empty()).then(|| msgs.join("; "))
        }
        Value::Object(o) => str_field(o, "message").or_else(|| str_field(o, "msg")),
        _ => None,
    }
}

/// Parses a protobuf JSON duration such as `"34.4s"` or `"1s"`.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(messages_http::parse_google_duration("34.5s"), Some(Duration::from_millis(34_500)));
/// assert_eq!(messages_http::parse_google_duration("x"), None);
/// ```
pub fn parse_google_duration(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    // `try_`: a huge value from the server is no duration, not a panic.
    Duration::try_from_secs_f64(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_shape() {
        let d = ErrorDetails::parse(
            br#"{"error":{"message":"too long","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
        );
        assert_eq!(d.error_type.as_deref(), Some("invalid_request_error"));
        assert_eq!(d.code.as_deref(), Some("context_length_exceeded"));
        assert_eq!(d.param.as_deref(), Some("messages"));
        assert_eq!(d.message.as_deref(), Some("too long"));
    }

    #[test]
    fn google_shape_with_details() {
        let d = ErrorDetails::parse(
            br#"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34.4s"}]}}"#,
        );
        assert_eq!(d.code.as_deref(), Some("400"));
        assert_eq!(d.status.as_deref(), Some("INVALID_ARGUMENT"));
        assert_eq!(d.reason.as_deref(), Some("API_KEY_INVALID"));
        assert_eq!(d.retry_delay, Some(Duration::from_millis(34_400)));
    }

    #[test]
    fn ollama_bedrock_mistral_anthropic() {
        assert_eq!(
            ErrorDetails::parse(br#"{"error":"model not found"}"#)
                .message
                .as_deref(),
            Some("model not found")
        );
        let b = ErrorDetails::parse(br#"{"message":"The security token is invalid"}"#);
        assert_eq!(b.message.as_deref(), Some("The security token is invalid"));
        let m = ErrorDetails::parse(br#"{"detail":[{"msg":"field required"},{"msg":"bad"}]}"#);
        assert_eq!(m.message.as_deref(), Some("field required; bad"));
        let a = ErrorDetails::parse(
            br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"},"request_id":"req_1"}"#,
        );
        assert_eq!(a.error_type.as_deref(), Some("rate_limit_error"));
        assert_eq!(a.request_id.as_deref(), Some("req_1"));
    }

    #[test]
    fn out_of_range_google_durations_are_ignored() {
        assert_eq!(parse_google_duration("1e30s"), None);
        assert_eq!(parse_google_duration("-1s"), None);
        assert_eq!(parse_google_duration("NaNs"), None);
        assert_eq!(parse_google_duration("infs"), None);
        assert_eq!(parse_google_duration("0s"), Some(Duration::ZERO));
        let d = ErrorDetails::parse(
            br#"{"error":{"code":429,"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1e300s"}]}}"#,
        );
        assert_eq!(d.retry_delay, None);
    }

    #[test]
    fn ibm_cloud_errors_array() {
        let b = ErrorDetails::parse(
            br#"{"errors":[{"code":"authentication_token_expired","message":"Failed to authenticate the request due to an expired token"}],"trace":"t1","status_code":401}"#,
        );
        assert_eq!(
            b.message.as_deref(),
            Some("Failed to authenticate the request due to an expired token")
        );
        assert_eq!(b.code.as_deref(), Some("authentication_token_expired"));
    }

    #[test]
    fn non_json_gives_empty_details() {
        assert_eq!(ErrorDetails::parse(b"<html>502</html>"), ErrorDetails::default());
        assert_eq!(ErrorDetails::parse(b""), ErrorDetails::default());
    }
}
