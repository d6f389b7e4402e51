//! Conversion errors.

/// Why a conversion failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The target provider cannot express a field of the request, and no
    /// documented lossless-enough mapping exists.
    #[error("{provider} does not support `{field}`{}", detail_suffix(.detail))]
    Unsupported {
        /// The provider (e.g. `openai`, `gemini`).
        provider: String,
        /// The Anthropic-format field, as a path (e.g. `top_k`, `messages[2].content[0].source`).
        field: String,
        /// Optional explanation.
        detail: Option<String>,
    },
    /// The input is not valid for the conversion (e.g. a `tool_result` whose
    /// tool name cannot be recovered, or an unparsable provider payload).
    #[error("invalid {what}: {message}")]
    Invalid {
        /// What was being converted (`request`, `response`, `stream chunk`, …).
        what: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A tool call whose arguments are not valid JSON in a reply that was
    /// not cut off by the token limit (a cut one is repaired instead).
    #[error("tool call `{id}` (`{name}`) has arguments that are not valid JSON: {message}; arguments start: {excerpt}")]
    InvalidToolArguments {
        /// The tool call's id.
        id: String,
        /// The tool's name.
        name: String,
        /// The JSON parser's message.
        message: String,
        /// A bounded excerpt of the arguments.
        excerpt: String,
    },
    /// The provider's payload could not be decoded as JSON of the expected shape.
    #[error("decoding {what}: {message}; payload starts: {excerpt}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's message.
        message: String,
        /// A bounded excerpt of the payload.
        excerpt: String,
    },
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
}

impl ConvertError {
    /// An `Unsupported` error for `field` on `provider`.
    pub fn unsupported(provider: impl Into<String>, field: impl Into<String>) -> Self {
        Self::Unsupported {
            provider: provider.into(),
            field: field.into(),
            detail: None,
        }
    }

    /// An `Unsupported` error with an explanation.
    pub fn unsupported_because(
        provider: impl Into<String>,
        field: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self::Unsupported {
            provider: provider.into(),
            field: field.into(),
            detail: Some(detail.into()),
        }
    }

    /// An `InvalidToolArguments` error for the call `id` (`name`) whose
    /// arguments are `arguments`, keeping at most 200 bytes of them.
    pub fn invalid_tool_arguments(id: &str, name: &str, arguments: &str) -> Self {
        let message = match serde_json::from_str::<serde::de::IgnoredAny>(arguments) {
            Err(e) => e.to_string(),
            Ok(_) => "not a JSON value".to_owned(),
        };
        Self::InvalidToolArguments {
            id: id.to_owned(),
            name: name.to_owned(),
            message,
            excerpt: excerpt(arguments.as_bytes(), 200),
        }
    }

    /// A `Decode` error for `payload`, keeping at most 200 bytes of it.
    pub fn decode(what: &'static str, err: &serde_json::Error, payload: &[u8]) -> Self {
        Self::Decode {
            what,
            message: err.to_string(),
            excerpt: excerpt(payload, 200),
        }
    }
}

/// The first `max` bytes of `payload` as lossy UTF-8, with `…` when cut.
pub fn excerpt(payload: &[u8], max: usize) -> String {
    let cut = payload.len() > max;
    let mut s = String::from_utf8_lossy(&payload[..payload.len().min(max)]).into_owned();
    if cut {
        s.push('…');
    }
    s
}
