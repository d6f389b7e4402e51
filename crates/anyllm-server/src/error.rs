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
