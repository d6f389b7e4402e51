//! `finish_reason`, keeping values this crate does not know.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a choice finished. Servers send more than OpenAI documents (`eos`,
/// `model_length`, `error`, …): anything else is kept in [`FinishReason::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FinishReason {
    /// Natural stop or a stop sequence.
    Stop,
    /// The token limit.
    Length,
    /// The model called tools.
    ToolCalls,
    /// Legacy single function call.
    FunctionCall,
    /// Output blocked by a content filter.
    ContentFilter,
    /// Any other value, verbatim.
    Other(String),
}

impl FinishReason {
    /// `true` for `""`: a server that sends every field's zero value says
    /// nothing by it (the reason is then inferred from the content).
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Other(s) if s.is_empty())
    }

    /// The value as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ToolCalls => "tool_calls",
            Self::FunctionCall => "function_call",
            Self::ContentFilter => "content_filter",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for FinishReason {
    fn from(s: &str) -> Self {
        match s {
            "stop" => Self::Stop,
            "length" => Self::Length,
            "tool_calls" => Self::ToolCalls,
            "function_call" => Self::FunctionCall,
            "content_filter" => Self::ContentFilter,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for FinishReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FinishReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FinishReason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = FinishReason;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a finish_reason string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FinishReason, E> {
                Ok(FinishReason::from(v))
            }
        }
        d.deserialize_str(V)
    }
}
