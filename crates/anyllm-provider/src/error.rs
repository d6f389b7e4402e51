//! The unified error of every anyllm call.

use messages_convert::ConvertError;
use messages_types::{ErrorKind, ErrorResponse, Nullable};

/// Everything that can go wrong in an anyllm call.
///
/// API errors (a non-2xx status, or an `error` event mid-stream) and
/// transport errors are [`Error::Http`]; everything detected before a request
/// is sent has its own variant naming the field, env var or provider.
/// Secrets never appear in the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A transport failure or an error response from the API.
    #[error(transparent)]
    Http(#[from] messages_http::Error),
    /// The request or response could not be converted.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    /// Client-side validation rejected the request before sending it.
    #[error("invalid request: `{field}`: {message}")]
    Validation {
        /// The offending field, as a path (e.g. `messages[2].content[0].tool_use_id`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// No API key was given and the provider's env var is unset.
    #[error("missing API key for provider `{provider}`: set the {env_var} environment variable or pass an api_key")]
    MissingApiKey {
        /// The provider.
        provider: String,
        /// The env var to set.
        env_var: String,
    },
    /// The model string or option named a provider that is not registered.
    #[error("unknown provider `{name}`; known providers: {}", .known.join(", "))]
    UnknownProvider {
        /// The name given.
        name: String,
        /// Every registered provider name.
        known: Vec<String>,
    },
    /// The provider does not offer this operation (e.g. `count_tokens`).
    #[error("provider `{provider}` does not support {operation}")]
    Unsupported {
        /// The provider.
        provider: String,
        /// The operation.
        operation: &'static str,
    },
    /// A stream broke its protocol (e.g. the first event is not
    /// `message_start`), or was used after it ended.
    #[error("stream error: {0}")]
    Stream(String),
    /// Bad client configuration (an invalid header, base URL or option).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The async runtime could not be used: a blocking call made from inside
    /// an async runtime, or a runtime that failed to start.
    #[error("runtime error: {0}")]
    Runtime(String),
}

impl Error {
    /// A [`Error::Validation`] for `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Http(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// How long the API asked to wait before retrying (`retry-after`,
    /// `retry-after-ms`, Google's `RetryInfo`), when it said.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::Http(e) => e.retry_after(),
            _ => None,
        }
    }

    /// The API's request id (`request-id` header or body field), when known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Http(e) => e.request_id(),
            _ => None,
        }
    }

    /// The class of this error (`invalid_request_error`,
    /// `authentication_error`, `rate_limit_error`, `api_error`, …): the one
    /// [`ErrorKind`] of the workspace, as `std::io::Error::kind`. Transport
    /// and API errors answer [`messages_http::Error::kind`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Http(e) => e.kind(),
            Self::Validation { .. } | Self::Convert(ConvertError::Unsupported { .. }) => {
                ErrorKind::InvalidRequest
            }
            Self::MissingApiKey { .. } => ErrorKind::Authentication,
            Self::UnknownProvider { .. } | Self::Unsupported { .. } | Self::InvalidConfig(_) => {
                ErrorKind::InvalidRequest
            }
            Self::Convert(_) | Self::Stream(_) | Self::Runtime(_) => ErrorKind::Api,
        }
    }

    /// The error as an Anthropic error body
    /// (`{"type":"error","error":{"type":…,"message":…},"request_id":…}`).
    /// For API errors the message is the API's own.
    pub fn to_error_response(&self) -> ErrorResponse {
        let message = match self {
            Self::Http(e) => e.message().map_or_else(|| e.to_string(), str::to_owned),
            other => other.to_string(),
        };
        let mut body = ErrorResponse::new(self.kind(), message);
        if let Some(id) = self.request_id() {
            body.request_id = Nullable::Value(id.to_owned());
        }
        body
    }
}
