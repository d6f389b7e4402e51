//! One Responses stream event (the `data:` payload of an SSE event).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use super::response::{OutputItem, Response};

/// A stream event: every documented payload field the conversion reads, in
/// one flat struct (the `type` says which are present). Unknown fields are
/// ignored; deltas borrow from the payload when they have no escapes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResponseStreamEvent<'a> {
    /// The event type, e.g. `response.output_text.delta`.
    #[serde(rename = "type", default, borrow)]
    pub kind: Cow<'a, str>,
    /// Lifecycle events: the response so far (whole in the terminal events).
    #[serde(default)]
    pub response: Option<Response>,
    /// `response.output_item.added` / `.done`: the item.
    #[serde(default)]
    pub item: Option<OutputItem>,
    /// Which output item the event is about.
    #[serde(default)]
    pub output_index: Option<u64>,
    /// Which summary part (`response.reasoning_summary_*`).
    #[serde(default)]
    pub summary_index: Option<u64>,
    /// Which content part (`response.content_part.*`, text deltas).
    #[serde(default)]
    pub content_index: Option<u64>,
    /// Text, refusal, reasoning or argument fragment.
    #[serde(default, borrow)]
    pub delta: Option<Cow<'a, str>>,
    /// `response.function_call_arguments.done`: the whole arguments.
    #[serde(default)]
    pub arguments: Option<String>,
    /// `response.content_part.added`: the part.
    #[serde(default)]
    pub part: Option<Value>,
    /// `error` events: the code.
    #[serde(default)]
    pub code: Option<Value>,
    /// `error` events: the message.
    #[serde(default)]
    pub message: Option<String>,
    /// `error` events: the parameter.
    #[serde(default)]
    pub param: Option<Value>,
    /// A bare `{"error": …}` payload (the SDKs raise on a top-level `error`).
    #[serde(default)]
    pub error: Option<Value>,
}
