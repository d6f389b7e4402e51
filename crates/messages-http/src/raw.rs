//! A parsed value together with the response metadata it came with.

use std::fmt;

use http::{HeaderMap, StatusCode};

use crate::headers::{request_id_of, RateLimits};
use crate::secret::RedactedHeaders;

/// A response value beside its status, headers, request id and rate-limit
/// headers (what the Anthropic SDK calls `with_raw_response`).
///
/// ```
/// use http::{HeaderMap, StatusCode};
/// use messages_http::RawResponse;
/// let raw = RawResponse::new(StatusCode::OK, HeaderMap::new(), "body");
/// let len = raw.map(|b| b.len());
/// assert_eq!(len.body, 4);
/// ```
///
/// `Debug` redacts credential headers (`set-cookie` and the like).
#[derive(Clone)]
#[non_exhaustive]
pub struct RawResponse<T> {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// `request-id` / `x-request-id`.
    pub request_id: Option<String>,
    /// `anthropic-ratelimit-*` / `x-ratelimit-*` headers.
    pub rate_limits: RateLimits,
    /// The value (raw bytes, a body stream, or a parsed response).
    pub body: T,
}

impl<T: fmt::Debug> fmt::Debug for RawResponse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("request_id", &self.request_id)
            .field("rate_limits", &self.rate_limits)
            .field("body", &self.body)
            .finish()
    }
}

impl<T> RawResponse<T> {
    /// Builds one, reading request id and rate limits from `headers`.
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Self {
            status,
            request_id: request_id_of(&headers),
            rate_limits: RateLimits::from_headers(&headers),
            headers,
            body,
        }
    }

    /// Replaces the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> RawResponse<U> {
        RawResponse {
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            rate_limits: self.rate_limits,
            body: f(self.body),
        }
    }

    /// Replaces the value with a fallible conversion, keeping the metadata.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<RawResponse<U>, E> {
        Ok(RawResponse {
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            rate_limits: self.rate_limits,
            body: f(self.body)?,
        })
    }

    /// Drops the metadata.
    pub fn into_body(self) -> T {
        self.body
    }

    /// One header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn debug_redacts_credential_headers() {
        let mut h = HeaderMap::new();
        h.insert("set-cookie", HeaderValue::from_static("session=SECRET-COOKIE"));
        h.insert("request-id", HeaderValue::from_static("req_1"));
        let shown = format!("{:?}", RawResponse::new(StatusCode::OK, h, "body"));
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("req_1") && shown.contains("body"), "{shown}");
    }
}
