//! Anthropic error bodies as HTTP responses, and the server's own errors.

use anyllm::{Error, ErrorKind, ErrorResponse};

/// A failure to configure or start the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Listening or serving failed.
    #[error("server I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// An error answer: HTTP status and Anthropic body.
#[derive(Debug, Clone)]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: u16,
    /// The Anthropic error body (boxed: errors stay off the hot path's stack).
    pub body: Box<ErrorResponse>,
    /// Seconds for a `retry-after` header.
    pub retry_after: Option<u64>,
}

impl ApiFailure {
    /// A failure of `kind` with its usual status.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            status: kind.status(),
            body: Box::new(ErrorResponse::new(kind, message.into())),
            retry_after: None,
        }
    }

    /// An upstream (or client-library) error, mapped through [`Error::kind`].
    /// Upstream credentials problems are the gateway's, not the client's.
    pub fn from_upstream(e: &Error) -> Self {
        match e {
            Error::MissingApiKey { provider, .. } => Self::new(
                ErrorKind::Api,
                format!("the gateway has no credentials for provider `{provider}`"),
            ),
            Error::UnknownProvider { name, .. } => {
                Self::new(ErrorKind::NotFound, format!("unknown provider `{name}`"))
            }
            _ => {
                let body = Box::new(e.to_error_response());
                let kind = e.kind();
                Self {
                    status: kind.status(),
                    body,
                    retry_after: e.retry_after().map(|d| d.as_secs().max(1)),
                }
            }
        }
    }
}

/// The upstream credentials the gateway holds, to blank out of every error it
/// passes on: an upstream may echo the key it received in its error message
/// (e.g. "Incorrect API key provided: …"), and that text must never reach a
/// client.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    secrets: std::sync::Arc<[String]>,
}

/// Never the secrets themselves: only how many there are.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

/// What replaces a secret in an error text.
const REDACTED: &str = "[REDACTED]";

/// Shorter values are not treated as secrets (they would blank ordinary words).
const MIN_SECRET_LEN: usize = 8;

impl Redactor {
    /// A redactor of `secrets` (short or empty values are ignored).
    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut list: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.len() >= MIN_SECRET_LEN)
            .collect();
        // Longest first, so a key containing another is blanked whole.
        list.sort_by_key(|s| std::cmp::Reverse(s.len()));
        list.dedup();
        Self { secrets: list.into() }
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    pub(crate) fn redact(&self, text: String) -> String {
        if !self.secrets.iter().any(|s| text.contains(s.as_str())) {
            return text;
        }
        let mut out = text;
        for s in self.secrets.iter() {
            out = out.replace(s.as_str(), REDACTED);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Redactor;

    #[test]
    fn redacts_every_secret_and_never_debugs_one() {
        let r = Redactor::new([
            "sk-long-secret".to_owned(),
            "sk-long-secret-2".to_owned(),
            "short".to_owned(),
        ]);
        assert_eq!(
            r.redact("a sk-long-secret-2 b sk-long-secret c short".to_owned()),
            "a [REDACTED] b [REDACTED] c short"
        );
        assert_eq!(r.redact("nothing here".to_owned()), "nothing here");
        let debug = format!("{r:?}");
        assert!(!debug.contains("sk-long") && debug.contains('2'), "{debug}");
    }
}
