//! Whole `/v2/chat` response (CO `v2/types/v2chat_response.py`).

use std::borrow::Cow;

use serde::Deserialize;

use crate::shared::null_default;
use serde_json::{Map, Value};

messages_types::open_enum! {
    /// Why generation stopped (`chat_finish_reason.py`).
    pub enum FinishReason {
        /// The model finished its answer.
        Complete = "COMPLETE",
        /// A stop sequence matched.
        StopSequence = "STOP_SEQUENCE",
        /// The output token limit was reached.
        MaxTokens = "MAX_TOKENS",
        /// The model called tools.
        ToolCall = "TOOL_CALL",
        /// Generation failed.
        Error = "ERROR",
        /// Generation timed out.
        Timeout = "TIMEOUT",
    }
}

/// The response body.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ChatResponse<'a> {
    /// Generation id.
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    /// Why generation stopped.
    #[serde(default)]
    pub finish_reason: Option<FinishReason>,
    /// The assistant message.
    #[serde(borrow, default)]
    pub message: Option<ResponseMessage<'a>>,
    /// Token counts.
    #[serde(default)]
    pub usage: Option<CohereUsage>,
}

/// `message` of a response.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ResponseMessage<'a> {
    /// Text and thinking parts.
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub content: Vec<ContentPart<'a>>,
    /// Text written before the tool calls.
    #[serde(borrow, default)]
    pub tool_plan: Option<Cow<'a, str>>,
    /// Tool calls.
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub tool_calls: Vec<ToolCallIn<'a>>,
    /// Citations of documents and tool results.
    #[serde(default, deserialize_with = "null_default")]
    pub citations: Vec<CohereCitation>,
}

/// A content part: `{type: text, text}` or `{type: thinking, thinking}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ContentPart<'a> {
    /// `text`, `thinking`, or a kind this crate does not know.
    #[serde(rename = "type", borrow, default)]
    pub kind: Option<Cow<'a, str>>,
    /// The text of a text part.
    #[serde(borrow, default)]
    pub text: Option<Cow<'a, str>>,
    /// The reasoning of a thinking part.
    #[serde(borrow, default)]
    pub thinking: Option<Cow<'a, str>>,
}

impl ContentPart<'_> {
    /// `true` for a thinking part (by type, or by a `thinking` field alone).
    pub fn is_thinking(&self) -> bool {
        match self.kind.as_deref() {
            Some(k) => k == "thinking",
            None => self.thinking.is_some() && self.text.is_none(),
        }
    }
}

/// A tool call as received (every field optional, as in the SDK).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ToolCallIn<'a> {
    /// Call id.
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    /// Name and arguments.
    #[serde(borrow, default)]
    pub function: Option<FunctionIn<'a>>,
}

/// A tool call's function as received.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct FunctionIn<'a> {
    /// Tool name.
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    /// Arguments (a JSON string, or a fragment of one in a stream).
    #[serde(borrow, default)]
    pub arguments: Option<Cow<'a, str>>,
}

/// A citation (`citation.py`): a span of the generated text and its sources.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct CohereCitation {
    /// First character of the span in the generated text.
    #[serde(default)]
    pub start: Option<u64>,
    /// End of the span (exclusive).
    #[serde(default)]
    pub end: Option<u64>,
    /// The cited span.
    #[serde(default)]
    pub text: Option<String>,
    /// What supports it.
    #[serde(default, deserialize_with = "null_default")]
    pub sources: Vec<CitationSource>,
    /// Which content part the span is in.
    #[serde(default)]
    pub content_index: Option<usize>,
    /// `TEXT_CONTENT`, `THINKING_CONTENT` or `PLAN`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// A citation source: `{type: document, id, document}` or `{type: tool, id, tool_output}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct CitationSource {
    /// `document` or `tool`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The document or tool-output id.
    #[serde(default)]
    pub id: Option<String>,
    /// The cited document's fields.
    #[serde(default)]
    pub document: Option<Map<String, Value>>,
}

/// `usage` (`usage.py`). Counts are floats in the SDK; they are read as numbers
/// and rounded.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct CohereUsage {
    /// Billed units (kept aside in `usage.billed_units`).
    #[serde(default)]
    pub billed_units: Option<Map<String, Value>>,
    /// Token counts.
    #[serde(default)]
    pub tokens: Option<TokenCounts>,
    /// Prompt tokens served from Cohere's cache.
    #[serde(default)]
    pub cached_tokens: Option<f64>,
}

/// `usage.tokens`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct TokenCounts {
    /// Prompt tokens.
    #[serde(default)]
    pub input_tokens: Option<f64>,
    /// Generated tokens (reasoning included).
    #[serde(default)]
    pub output_tokens: Option<f64>,
    /// Reasoning tokens, where the model reasons.
    #[serde(default)]
    pub reasoning_tokens: Option<f64>,
}
