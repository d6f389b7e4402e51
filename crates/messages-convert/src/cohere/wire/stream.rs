//! `/v2/chat` stream events (CO `v2/types/v2chat_stream_response.py`).
//!
//! Every event is `{type, index?, id?, delta?}`; what `delta.message` holds
//! depends on the type, so the payload is decoded in two steps: its `type`
//! (or the SSE `event:` name) first, then the shape of that type.

use std::borrow::Cow;

use serde::Deserialize;

use super::response::{CohereCitation, CohereUsage, ContentPart, FinishReason, ToolCallIn};

/// The envelope of every event; `M` is the shape of `delta.message`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(bound(deserialize = "M: Deserialize<'de>"))]
pub struct Event<'a, M> {
    /// The event type (`message-start`, `content-delta`, …).
    #[serde(rename = "type", borrow, default)]
    pub kind: Option<Cow<'a, str>>,
    /// Content-part, tool-call or citation index (separate index spaces).
    #[serde(default)]
    pub index: Option<u64>,
    /// Generation id (`message-start`).
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    /// The event's data.
    #[serde(default = "Option::default")]
    pub delta: Option<EventDelta<M>>,
}

/// `delta` of an event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(bound(deserialize = "M: Deserialize<'de>"))]
pub struct EventDelta<M> {
    /// The message increment.
    #[serde(default = "Option::default")]
    pub message: Option<M>,
    /// `message-end`: why generation stopped.
    #[serde(default)]
    pub finish_reason: Option<FinishReason>,
    /// `message-end`: token counts.
    #[serde(default)]
    pub usage: Option<CohereUsage>,
    /// `message-end`: an error on a 200 stream.
    #[serde(default)]
    pub error: Option<String>,
}

/// Just the `type` of an event (to pick its shape when there is no `event:` name).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventType<'a> {
    /// The event type.
    #[serde(rename = "type", borrow, default)]
    pub kind: Option<Cow<'a, str>>,
}

/// `delta.message` of `content-start` / `content-delta`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ContentMessage<'a> {
    /// One content part (an object, not a list).
    #[serde(borrow, default)]
    pub content: Option<ContentPart<'a>>,
}

/// `delta.message` of `tool-plan-delta`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ToolPlanMessage<'a> {
    /// A fragment of the tool plan.
    #[serde(borrow, default)]
    pub tool_plan: Option<Cow<'a, str>>,
}

/// `delta.message` of `tool-call-start` / `tool-call-delta`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ToolCallMessage<'a> {
    /// One tool call (an object, not a list).
    #[serde(borrow, default)]
    pub tool_calls: Option<ToolCallIn<'a>>,
}

/// `delta.message` of `citation-start`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CitationMessage {
    /// One citation (an object, not a list).
    #[serde(default)]
    pub citations: Option<CohereCitation>,
}

/// A `delta.message` this conversion does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Ignored {}
