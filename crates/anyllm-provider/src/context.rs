//! Everything a provider needs to build one HTTP request besides the params.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use serde_json::{Map, Value};

use crate::{ApiKey, Error};

/// The resolved settings of one call, handed to [`crate::Provider::build_request`].
///
/// Built by the client (`anyllm::Client`) from its configuration, the
/// environment and per-call options; providers only read it.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CallContext {
    /// The API key (explicit, else from the provider's env var), if any.
    pub api_key: Option<ApiKey>,
    /// The env var the key was read from (`None` when explicit) — lets a
    /// provider with several key variables (Anthropic's `ANTHROPIC_API_KEY`
    /// vs `ANTHROPIC_AUTH_TOKEN`) send each its own way.
    pub api_key_env: Option<&'static str>,
    /// The base URL without a trailing slash (explicit `api_base`, else the
    /// provider's base-URL env var, else its default).
    pub base_url: String,
    /// Extra headers to send (client default headers, then per-call headers).
    /// Providers insert them after their own, so these win.
    pub headers: HeaderMap,
    /// Beta feature names (Anthropic sends them comma-joined in `anthropic-beta`).
    pub betas: Vec<String>,
    /// Provider-specific fields applied to the native request body (the
    /// Python `**kwargs` escape hatch), by one rule for every provider —
    /// JSON Merge Patch, RFC 7396 ([`messages_convert::merge_patch`]):
    /// objects merge key by key, recursively, so
    /// `{"generationConfig": {"seed": 7}}` adds a Gemini seed and keeps the
    /// converted generation settings; any other value (string, number,
    /// array, boolean) replaces what the conversion produced; `null`
    /// removes the key. Providers serialize their body with it through
    /// [`messages_convert::merge_patch::to_vec_with_patch`].
    pub extra_body: Map<String, Value>,
    /// Whether the call streams. Providers set their native stream flag (and
    /// endpoint) from this, not from `params.stream`.
    pub stream: bool,
}

impl fmt::Debug for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may carry credentials: print names only.
        let header_names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("CallContext")
            .field("api_key", &self.api_key)
            .field("api_key_env", &self.api_key_env)
            .field("base_url", &self.base_url)
            .field("headers", &header_names)
            .field("betas", &self.betas)
            .field("extra_body", &self.extra_body.keys().collect::<Vec<_>>())
            .field("stream", &self.stream)
            .finish()
    }
}

impl CallContext {
    /// A context for `base_url` with no key, headers or extras.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: trim_base(base_url.into()),
            ..Self::default()
        }
    }

    /// The same context for a streaming (`true`) or whole (`false`) call.
    ///
    /// ```
    /// use anyllm_provider::CallContext;
    /// assert!(CallContext::new("http://127.0.0.1:9").with_stream(true).stream);
    /// ```
    pub fn with_stream(mut self, stream: bool) -> Self {
        self.stream = stream;
        self
    }

    /// `base_url` joined with `path` (exactly one `/` between them).
    ///
    /// ```
    /// use anyllm_provider::CallContext;
    /// let ctx = CallContext::new("https://api.anthropic.com/");
    /// assert_eq!(ctx.url("/v1/messages"), "https://api.anthropic.com/v1/messages");
    /// ```
    pub fn url(&self, path: &str) -> String {
        let base = self.base_url.trim_end_matches('/');
        let path = path.trim_start_matches('/');
        format!("{base}/{path}")
    }

    /// The API key, or [`Error::MissingApiKey`] naming `env_var`.
    pub fn require_key(&self, provider: &str, env_var: &str) -> Result<&ApiKey, Error> {
        self.api_key.as_ref().ok_or_else(|| Error::MissingApiKey {
            provider: provider.to_owned(),
            env_var: env_var.to_owned(),
        })
    }

    /// Applies [`CallContext::extra_body`] to a native JSON object body
    /// (JSON Merge Patch: objects merge recursively, other values replace,
    /// `null` removes).
    ///
    /// ```
    /// use anyllm_provider::CallContext;
    /// use serde_json::{json, Map, Value};
    /// let mut ctx = CallContext::new("http://127.0.0.1:9");
    /// ctx.extra_body.insert("generationConfig".into(), json!({"seed": 7}));
    /// ctx.extra_body.insert("stream_options".into(), Value::Null);
    /// let mut body: Map<String, Value> = serde_json::from_value(json!({
    ///     "generationConfig": {"maxOutputTokens": 64}, "stream_options": {"include_usage": true}
    /// })).unwrap();
    /// ctx.merge_extra_body(&mut body);
    /// assert_eq!(Value::Object(body), json!({"generationConfig": {"maxOutputTokens": 64, "seed": 7}}));
    /// ```
    pub fn merge_extra_body(&self, body: &mut Map<String, Value>) {
        messages_convert::merge_patch::merge_patch_map(body, &self.extra_body);
    }

    /// A `POST url` JSON request: `content-type: application/json`, then the
    /// provider's `headers`, then the context's extra headers (which win).
    /// Credential headers (`authorization`, `x-api-key`, …) are marked
    /// sensitive, so the request's `Debug` never shows them.
    pub fn json_post(
        &self,
        url: &str,
        provider_headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<http::Request<Bytes>, Error> {
        let mut builder = http::Request::post(url);
        if let Some(h) = builder.headers_mut() {
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            for (name, value) in provider_headers.iter() {
                h.insert(name.clone(), value.clone());
            }
            for (name, value) in self.headers.iter() {
                h.insert(name.clone(), value.clone());
            }
            // Credentials given as plain extra headers are hidden from `Debug` too.
            messages_http::mark_sensitive(h);
        }
        builder.body(Bytes::from(body)).map_err(|e| {
            let url = without_userinfo(url);
            Error::InvalidConfig(format!("building the request for {url}: {e}"))
        })
    }
}

/// `url` with any `user:password@` part replaced (credentials are never echoed).
fn without_userinfo(url: &str) -> Cow<'_, str> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest.get(..authority_end).and_then(|a| a.rfind('@')) {
        Some(at) => {
            let host_on = rest.get(at + 1..).unwrap_or("");
            let sep = if scheme.is_empty() { "" } else { "://" };
            Cow::Owned(format!("{scheme}{sep}[REDACTED]@{host_on}"))
        }
        None => Cow::Borrowed(url),
    }
}

/// A header value from a string, or [`Error::InvalidConfig`] naming the header
/// (the value itself is not echoed: it may be a secret).
pub fn header_value(name: &str, value: &str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value)
        .map_err(|_| Error::InvalidConfig(format!("invalid characters in the `{name}` header value")))?;
    if name.eq_ignore_ascii_case("authorization") || name.to_ascii_lowercase().contains("key") {
        v.set_sensitive(true);
    }
    Ok(v)
}

fn trim_base(s: String) -> String {
    s.trim_end_matches('/').to_owned()
}
