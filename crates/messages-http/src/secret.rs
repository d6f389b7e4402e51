//! Secrets (API keys, tokens) that never show up in `Debug`, `Display`, logs or errors.

use std::fmt;

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::Error;

/// A secret string such as an API key or a bearer token.
///
/// `Debug` and `Display` print `[REDACTED]`; the value is only reachable through
/// [`SecretString::expose`]. Header values built from it are marked sensitive
/// (see [`HeaderValue::set_sensitive`]), so `http`'s own `Debug` hides them too
/// and HTTP/2 never adds them to the HPACK table.
///
/// ```
/// use messages_http::SecretString;
/// let key = SecretString::new("sk-ant-123");
/// assert_eq!(format!("{key:?}"), "SecretString([REDACTED])");
/// assert_eq!(key.to_string(), "[REDACTED]");
/// assert_eq!(key.expose(), "sk-ant-123");
/// let h = key.header_value_with_prefix("Bearer ").unwrap();
/// assert!(h.is_sensitive());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Box<str>);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into().into_boxed_str())
    }

    /// Reads a secret from an environment variable; `None` when unset or empty.
    pub fn from_env(var: &str) -> Option<Self> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Some(Self::new(v)),
            _ => None,
        }
    }

    /// The secret itself. Call this only where the value is sent on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A sensitive header value `prefix + secret` (e.g. `"Bearer "`).
    ///
    /// The error never contains the secret.
    pub fn header_value_with_prefix(&self, prefix: &str) -> Result<HeaderValue, Error> {
        let mut s = String::with_capacity(prefix.len() + self.0.len());
        s.push_str(prefix);
        s.push_str(&self.0);
        let mut v = HeaderValue::from_str(&s).map_err(|_| {
            Error::InvalidRequest("the secret contains characters not allowed in a header".into())
        })?;
        v.set_sensitive(true);
        Ok(v)
    }

    /// A sensitive header value holding the bare secret (for `x-api-key` and the like).
    pub fn header_value(&self) -> Result<HeaderValue, Error> {
        self.header_value_with_prefix("")
    }

    /// A sensitive `Bearer <secret>` value for the `authorization` header.
    pub fn bearer(&self) -> Result<HeaderValue, Error> {
        self.header_value_with_prefix("Bearer ")
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([REDACTED])")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

/// Header names whose values are credentials and are never printed.
pub const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "x-goog-api-key",
    "api-key",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
    "x-auth-token",
];

/// `true` when `name` carries a credential ([`SENSITIVE_HEADERS`], plus any name
/// containing `token`, `secret` or `api-key`).
pub fn is_sensitive_header(name: &HeaderName) -> bool {
    let n = name.as_str();
    SENSITIVE_HEADERS.contains(&n)
        || n.contains("token")
        || n.contains("secret")
        || n.contains("api-key")
        || n.contains("apikey")
}

/// Marks every credential header in `headers` as sensitive.
pub fn mark_sensitive(headers: &mut HeaderMap) {
    for (name, value) in headers.iter_mut() {
        if is_sensitive_header(name) {
            value.set_sensitive(true);
        }
    }
}

/// `Debug` view of a header map that prints `[REDACTED]` for credentials and
/// for any value marked sensitive.
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use messages_http::RedactedHeaders;
/// let mut h = HeaderMap::new();
/// h.insert("x-api-key", HeaderValue::from_static("sk-secret"));
/// h.insert("content-type", HeaderValue::from_static("application/json"));
/// let s = format!("{:?}", RedactedHeaders(&h));
/// assert!(!s.contains("sk-secret"));
/// assert!(s.contains("application/json"));
/// ```
pub struct RedactedHeaders<'a>(pub &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_sensitive_header(name) {
                m.entry(&name.as_str(), &"[REDACTED]");
            } else {
                m.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            }
        }
        m.finish()
    }
}
