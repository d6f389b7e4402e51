//! Server-sent stream events of `POST /v1/messages` with `stream: true`.

use serde::{Deserialize, Serialize};

use crate::citation::Citation;
use crate::common::Extra;
use crate::content::ContentBlock;
use crate::error::ErrorObject;
use crate::macros::tagged_union;
use crate::nullable::Nullable;
use crate::response::{Container, Message, StopDetails, StopReason, Usage};

tagged_union! {
    /// One event of a Messages stream. The SSE `event:` name equals [`StreamEvent::type_name`].
    pub enum StreamEvent {
        /// First event: the message with empty content.
        MessageStart(Box<MessageStartEvent>) = "message_start",
        /// A content block begins (text/thinking/tool_use empty; result blocks whole).
        ContentBlockStart(Box<ContentBlockStartEvent>) = "content_block_start",
        /// An increment to the block at `index`.
        ContentBlockDelta(ContentBlockDeltaEvent) = "content_block_delta",
        /// The block at `index` is complete.
        ContentBlockStop(ContentBlockStopEvent) = "content_block_stop",
        /// Top-level changes: stop reason and cumulative usage.
        MessageDelta(Box<MessageDeltaEvent>) = "message_delta",
        /// Last event.
        MessageStop(MessageStopEvent) = "message_stop",
        /// Keep-alive.
        Ping(PingEvent) = "ping",
        /// An error mid-stream.
        Error(Box<ErrorEvent>) = "error",
    }
}

/// `message_start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageStartEvent {
    /// The message so far (empty content).
    pub message: Message,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `content_block_start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentBlockStartEvent {
    /// Index of the new block.
    pub index: usize,
    /// The block's initial state.
    pub content_block: ContentBlock,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `content_block_delta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentBlockDeltaEvent {
    /// Index of the block.
    pub index: usize,
    /// The increment.
    pub delta: ContentDelta,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `content_block_stop`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentBlockStopEvent {
    /// Index of the block.
    pub index: usize,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `delta` of a `message_delta` event.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageDelta {
    /// Why the model stopped.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub stop_reason: Nullable<StopReason>,
    /// Which stop sequence matched.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub stop_sequence: Nullable<String>,
    /// Stop details.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub stop_details: Nullable<StopDetails>,
    /// Container info.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub container: Nullable<Container>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `message_delta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageDeltaEvent {
    /// Stop fields.
    pub delta: MessageDelta,
    /// Cumulative usage; each present count overwrites the accumulated one.
    #[serde(default)]
    pub usage: Usage,
    /// Fields not modelled by this crate (e.g. `context_management`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `message_stop`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageStopEvent {
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ping`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PingEvent {
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `error` event (same body as an HTTP error response).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEvent {
    /// The error.
    pub error: ErrorObject,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

tagged_union! {
    /// The increment carried by a `content_block_delta`.
    pub enum ContentDelta {
        /// Text to append to a text block.
        TextDelta(TextDelta) = "text_delta",
        /// A fragment of a tool_use block's input JSON.
        InputJsonDelta(InputJsonDelta) = "input_json_delta",
        /// Thinking text to append.
        ThinkingDelta(ThinkingDelta) = "thinking_delta",
        /// The thinking block's signature (replaces the previous one).
        SignatureDelta(SignatureDelta) = "signature_delta",
        /// A citation to append to a text block.
        CitationsDelta(Box<CitationsDelta>) = "citations_delta",
    }
}

/// `text_delta`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TextDelta {
    /// The text.
    pub text: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `input_json_delta`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InputJsonDelta {
    /// A fragment of JSON text (the first is often empty).
    pub partial_json: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `thinking_delta`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ThinkingDelta {
    /// The thinking text.
    pub thinking: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `signature_delta`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SignatureDelta {
    /// The signature.
    pub signature: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `citations_delta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CitationsDelta {
    /// The citation.
    pub citation: Citation,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event is moved several times between the parser and the
    /// caller (decoded, queued, returned by `poll_next`): the rare large
    /// payloads (`message_start`'s whole message, a block start, the final
    /// usage, an error, a citation) are boxed so those moves stay small.
    /// Was 664 bytes with everything inline; 88 (`ContentDelta` 56) boxed.
    #[test]
    fn stream_events_stay_small() {
        let size = std::mem::size_of::<StreamEvent>();
        assert!(size <= 96, "StreamEvent grew to {size} bytes");
        let delta = std::mem::size_of::<ContentDelta>();
        assert!(delta <= 56, "ContentDelta grew to {delta} bytes");
    }
}
