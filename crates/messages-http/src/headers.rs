//! Reading request ids and rate-limit headers.

use http::HeaderMap;

/// The request id of a response: `request-id` (Anthropic), else `x-request-id`
/// (OpenAI and most others), else `x-amzn-requestid` (Bedrock).
pub fn request_id_of(headers: &HeaderMap) -> Option<String> {
    ["request-id", "x-request-id", "x-amzn-requestid"]
        .iter()
        .find_map(|n| headers.get(*n))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The rate-limit headers of a response, kept verbatim: every
/// `anthropic-ratelimit-*` and `x-ratelimit-*` header plus `retry-after`.
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use messages_http::RateLimits;
/// let mut h = HeaderMap::new();
/// h.insert("anthropic-ratelimit-requests-remaining", HeaderValue::from_static("49"));
/// h.insert("x-ratelimit-remaining-tokens", HeaderValue::from_static("1000"));
/// h.insert("content-type", HeaderValue::from_static("application/json"));
/// let r = RateLimits::from_headers(&h);
/// assert_eq!(r.len(), 2);
/// assert_eq!(r.requests_remaining(), Some(49));
/// assert_eq!(r.tokens_remaining(), Some(1000));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimits {
    entries: Vec<(String, String)>,
}

impl RateLimits {
    /// Collects the rate-limit headers of `headers`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let entries = headers
            .iter()
            .filter(|(n, _)| {
                let n = n.as_str();
                n.starts_with("anthropic-ratelimit-")
                    || n.starts_with("x-ratelimit-")
                    || n == "retry-after"
                    || n == "retry-after-ms"
            })
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        Self { entries }
    }

    /// Every rate-limit header as `(name, value)`, names lower-case.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }

    /// Number of rate-limit headers.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when the response had none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// One header's value by (lower-case) name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn number(&self, names: &[&str]) -> Option<u64> {
        names
            .iter()
            .find_map(|n| self.get(n))
            .and_then(|v| v.trim().parse().ok())
    }

    /// Requests left in the window (`anthropic-ratelimit-requests-remaining` /
    /// `x-ratelimit-remaining-requests`).
    pub fn requests_remaining(&self) -> Option<u64> {
        self.number(&[
            "anthropic-ratelimit-requests-remaining",
            "x-ratelimit-remaining-requests",
        ])
    }

    /// Request limit of the window.
    pub fn requests_limit(&self) -> Option<u64> {
        self.number(&["anthropic-ratelimit-requests-limit", "x-ratelimit-limit-requests"])
    }

    /// Tokens left in the window (`anthropic-ratelimit-tokens-remaining` /
    /// `x-ratelimit-remaining-tokens`).
    pub fn tokens_remaining(&self) -> Option<u64> {
        self.number(&[
            "anthropic-ratelimit-tokens-remaining",
            "x-ratelimit-remaining-tokens",
        ])
    }

    /// Token limit of the window.
    pub fn tokens_limit(&self) -> Option<u64> {
        self.number(&["anthropic-ratelimit-tokens-limit", "x-ratelimit-limit-tokens"])
    }

    /// When the request window resets, as sent (RFC 3339 for Anthropic, a
    /// duration such as `6m0s` for OpenAI).
    pub fn requests_reset(&self) -> Option<&str> {
        self.get("anthropic-ratelimit-requests-reset")
            .or_else(|| self.get("x-ratelimit-reset-requests"))
    }

    /// When the token window resets, as sent.
    pub fn tokens_reset(&self) -> Option<&str> {
        self.get("anthropic-ratelimit-tokens-reset")
            .or_else(|| self.get("x-ratelimit-reset-tokens"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn request_id_precedence() {
        let mut h = HeaderMap::new();
        h.insert("x-request-id", HeaderValue::from_static("x"));
        assert_eq!(request_id_of(&h).as_deref(), Some("x"));
        h.insert("request-id", HeaderValue::from_static("r"));
        assert_eq!(request_id_of(&h).as_deref(), Some("r"));
        assert_eq!(request_id_of(&HeaderMap::new()), None);
    }
}
