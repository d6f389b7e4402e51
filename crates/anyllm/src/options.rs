//! Per-call options.

use std::time::Duration;

use anyllm_provider::ApiKey;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

/// Options of one call; anything unset falls back to the client's settings.
///
/// ```
/// use std::time::Duration;
/// let opts = anyllm::RequestOptions::new()
///     .provider("anthropic")
///     .timeout(Duration::from_secs(30))
///     .beta("interleaved-thinking-2025-05-14")
///     .extra_body("service_tier", serde_json::json!("auto"));
/// assert_eq!(opts.betas.len(), 1);
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// The provider to call. When set, the model string is used as is (a
    /// leading `name:` equal to this provider is stripped); see
    /// [`crate::Client::route`].
    pub provider: Option<String>,
    /// The API key for this call.
    pub api_key: Option<ApiKey>,
    /// The base URL for this call.
    pub api_base: Option<String>,
    /// The timeout of this call: the whole call, a stream's body included
    /// (as the SDKs' `timeout`).
    pub timeout: Option<Duration>,
    /// Retries for this call.
    pub max_retries: Option<u32>,
    /// Extra headers for this call (they override the client's).
    pub headers: HeaderMap,
    /// Beta names (Anthropic: `anthropic-beta`).
    pub betas: Vec<String>,
    /// Provider-specific fields applied to the native request body as a
    /// JSON Merge Patch (objects merge recursively, other values replace,
    /// `null` removes; see `anyllm_provider::CallContext::extra_body`).
    pub extra_body: Map<String, Value>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Routes to `provider`.
    pub fn provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// Uses this API key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// Uses this base URL.
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.api_base = Some(url.into());
        self
    }

    /// Sets the request timeout.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Sets the retry count.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Adds a beta name.
    pub fn beta(mut self, beta: impl Into<String>) -> Self {
        self.betas.push(beta.into());
        self
    }

    /// Applies `key: value` to the provider's native request body (JSON
    /// Merge Patch: an object merges into the converted one, `null` removes
    /// the converted key, anything else replaces it).
    pub fn extra_body(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra_body.insert(key.into(), value);
        self
    }
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestOptions")
            .field("provider", &self.provider)
            .field("api_key", &self.api_key)
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &messages_http::RedactedHeaders(&self.headers))
            .field("betas", &self.betas)
            .field("extra_body", &self.extra_body.keys().collect::<Vec<_>>())
            .finish()
    }
}
