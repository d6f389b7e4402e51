//! Constructors for building responses and streams by hand — what a
//! converter from another provider's format needs.
//!
//! ```
//! use messages_types::{ContentBlock, Message, StopReason, StreamEvent, Usage};
//! use messages_types::grammar::validate_stream;
//!
//! let mut msg = Message::new("msg_1", "gpt-4o", vec![]);
//! let events = vec![
//!     StreamEvent::message_start(msg.clone()),
//!     StreamEvent::content_block_start(0, ContentBlock::text("")),
//!     StreamEvent::text_delta(0, "Hello"),
//!     StreamEvent::content_block_stop(0),
//!     StreamEvent::message_delta(Some(StopReason::EndTurn), Usage::new(12, 1)),
//!     StreamEvent::message_stop(),
//! ];
//! validate_stream(&events).unwrap();
//! msg.content.push(ContentBlock::text("Hello"));
//! assert_eq!(msg.text(), "Hello");
//! ```

use crate::common::{Extra, Role};
use crate::content::ContentBlock;
use crate::error::{ErrorKind, ErrorObject};
use crate::nullable::Nullable;
use crate::request::{CountTokensParams, MessageCreateParams};
use crate::response::{Message, StopReason, Usage};
use crate::stream::{
    ContentBlockDeltaEvent, ContentBlockStartEvent, ContentBlockStopEvent, ContentDelta, ErrorEvent,
    InputJsonDelta, MessageDelta, MessageDeltaEvent, MessageStartEvent, MessageStopEvent, PingEvent,
    SignatureDelta, StreamEvent, TextDelta, ThinkingDelta,
};

impl Message {
    /// An assistant message with `type: message`, no stop reason yet
    /// (`stop_reason` and `stop_sequence` serialize as `null`, as in
    /// `message_start`) and empty usage.
    pub fn new(id: impl Into<String>, model: impl Into<String>, content: Vec<ContentBlock>) -> Self {
        Self {
            id: id.into(),
            kind: "message".to_owned(),
            role: Role::Assistant,
            model: model.into(),
            content,
            stop_reason: None,
            stop_sequence: None,
            stop_details: Nullable::Absent,
            container: None,
            usage: Usage::default(),
            extra: Extra::new(),
        }
    }
}

impl Usage {
    /// Usage with input and output token counts.
    pub fn new(input_tokens: u64, output_tokens: u64) -> Self {
        Self {
            input_tokens: Some(input_tokens),
            output_tokens: Some(output_tokens),
            ..Self::default()
        }
    }
}

impl From<&MessageCreateParams> for CountTokensParams {
    /// The count-tokens body for a request: model, messages, system, tools,
    /// tool_choice, thinking and output_config (nothing else).
    fn from(p: &MessageCreateParams) -> Self {
        Self {
            model: p.model.clone(),
            messages: p.messages.clone(),
            system: p.system.clone(),
            tools: p.tools.clone(),
            tool_choice: p.tool_choice.clone(),
            thinking: p.thinking.clone(),
            output_config: p.output_config.clone(),
            extra: Extra::new(),
        }
    }
}

impl StreamEvent {
    /// `message_start` with the given message (normally empty content).
    pub fn message_start(message: Message) -> Self {
        Self::MessageStart(Box::new(MessageStartEvent {
            message,
            extra: Extra::new(),
        }))
    }

    /// `content_block_start`.
    pub fn content_block_start(index: usize, content_block: ContentBlock) -> Self {
        Self::ContentBlockStart(Box::new(ContentBlockStartEvent {
            index,
            content_block,
            extra: Extra::new(),
        }))
    }

    /// `content_block_delta` with any delta.
    pub fn content_block_delta(index: usize, delta: ContentDelta) -> Self {
        Self::ContentBlockDelta(ContentBlockDeltaEvent {
            index,
            delta,
            extra: Extra::new(),
        })
    }

    /// `content_block_delta` with a `text_delta`.
    pub fn text_delta(index: usize, text: impl Into<String>) -> Self {
        Self::content_block_delta(
            index,
            ContentDelta::TextDelta(TextDelta {
                text: text.into(),
                extra: Extra::new(),
            }),
        )
    }

    /// `content_block_delta` with an `input_json_delta`.
    pub fn input_json_delta(index: usize, partial_json: impl Into<String>) -> Self {
        Self::content_block_delta(
            index,
            ContentDelta::InputJsonDelta(InputJsonDelta {
                partial_json: partial_json.into(),
                extra: Extra::new(),
            }),
        )
    }

    /// `content_block_delta` with a `thinking_delta`.
    pub fn thinking_delta(index: usize, thinking: impl Into<String>) -> Self {
        Self::content_block_delta(
            index,
            ContentDelta::ThinkingDelta(ThinkingDelta {
                thinking: thinking.into(),
                extra: Extra::new(),
            }),
        )
    }

    /// `content_block_delta` with a `signature_delta`.
    pub fn signature_delta(index: usize, signature: impl Into<String>) -> Self {
        Self::content_block_delta(
            index,
            ContentDelta::SignatureDelta(SignatureDelta {
                signature: signature.into(),
                extra: Extra::new(),
            }),
        )
    }

    /// `content_block_stop`.
    pub fn content_block_stop(index: usize) -> Self {
        Self::ContentBlockStop(ContentBlockStopEvent {
            index,
            extra: Extra::new(),
        })
    }

    /// `message_delta` with a stop reason (`None` serializes as `null`),
    /// `stop_sequence: null` and the cumulative usage.
    pub fn message_delta(stop_reason: Option<StopReason>, usage: Usage) -> Self {
        Self::MessageDelta(Box::new(MessageDeltaEvent {
            delta: MessageDelta {
                stop_reason: stop_reason.into(),
                stop_sequence: Nullable::Null,
                ..MessageDelta::default()
            },
            usage,
            extra: Extra::new(),
        }))
    }

    /// `message_stop`.
    pub fn message_stop() -> Self {
        Self::MessageStop(MessageStopEvent::default())
    }

    /// `ping`.
    pub fn ping() -> Self {
        Self::Ping(PingEvent::default())
    }

    /// The event as one server-sent-event frame:
    /// `event: <type>\ndata: <json>\n\n` (what the API sends; handy for
    /// proxies and test servers).
    ///
    /// ```
    /// use messages_types::StreamEvent;
    /// assert_eq!(
    ///     StreamEvent::content_block_stop(0).to_sse().unwrap(),
    ///     "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    /// );
    /// ```
    pub fn to_sse(&self) -> Result<String, serde_json::Error> {
        let data = serde_json::to_string(self)?;
        let name = self.type_name();
        let mut out = String::with_capacity(data.len() + name.len() + 16);
        out.push_str("event: ");
        out.push_str(name);
        out.push_str("\ndata: ");
        out.push_str(&data);
        out.push_str("\n\n");
        Ok(out)
    }

    /// An `error` event.
    pub fn error(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::Error(Box::new(ErrorEvent {
            error: ErrorObject {
                kind,
                message: message.into(),
                extra: Extra::new(),
            },
            extra: Extra::new(),
        }))
    }
}
