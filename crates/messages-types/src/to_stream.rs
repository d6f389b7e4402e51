//! The inverse of [`crate::accumulate`]: a whole [`Message`] as the stream
//! of events the API would have sent for it.
//!
//! Useful to serve `stream: true` from a provider answer that was not
//! streamed, in test servers, and as a check: accumulating the events gives
//! back the same message.
//!
//! ```
//! use messages_types::accumulate::accumulate;
//! use messages_types::grammar::validate_stream;
//! use messages_types::Message;
//!
//! let json = r#"{"id":"msg_1","type":"message","role":"assistant","model":"m",
//!   "content":[{"type":"text","text":"Let me look."},
//!              {"type":"tool_use","id":"toolu_1","name":"search","input":{"q":"rust"}}],
//!   "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":20}}"#;
//! let msg: Message = serde_json::from_str(json).unwrap();
//! let events = msg.to_stream_events();
//! assert_eq!(events.len(), 9);
//! validate_stream(&events).unwrap();
//! assert_eq!(accumulate(&events).unwrap(), msg);
//! ```

use serde_json::{Map, Value};

use crate::common::Extra;
use crate::content::{ContentBlock, TextBlock, ThinkingBlock};
use crate::nullable::Nullable;
use crate::response::Message;
use crate::stream::{CitationsDelta, ContentDelta, MessageDelta, MessageDeltaEvent, StreamEvent};

impl Message {
    /// The events of a stream that accumulates to this message:
    /// `message_start` (empty content), for each block `content_block_start`,
    /// its deltas and `content_block_stop`, then `message_delta` (stop fields
    /// and the full usage) and `message_stop`.
    ///
    /// Text arrives as one `text_delta` after its `citations_delta`s, thinking
    /// as one `thinking_delta` then one `signature_delta`, tool inputs as one
    /// `input_json_delta` (an empty one for `{}`, as the API does); blocks of
    /// other kinds arrive whole in their `content_block_start`.
    pub fn to_stream_events(&self) -> Vec<StreamEvent> {
        let mut start = self.clone();
        start.content = Vec::new();
        start.stop_reason = None;
        start.stop_sequence = None;
        start.stop_details = Nullable::Absent;
        start.container = None;
        let mut events = Vec::with_capacity(self.content.len() * 3 + 3);
        events.push(StreamEvent::message_start(start));
        for (index, block) in self.content.iter().enumerate() {
            push_block(&mut events, index, block);
        }
        events.push(StreamEvent::MessageDelta(Box::new(MessageDeltaEvent {
            delta: MessageDelta {
                stop_reason: self.stop_reason.clone().into(),
                stop_sequence: self.stop_sequence.clone().into(),
                stop_details: self.stop_details.clone(),
                container: self.container.clone().map_or(Nullable::Absent, Nullable::Value),
                extra: Extra::new(),
            },
            usage: self.usage.clone(),
            extra: Extra::new(),
        })));
        events.push(StreamEvent::message_stop());
        events
    }
}

fn push_block(events: &mut Vec<StreamEvent>, index: usize, block: &ContentBlock) {
    match block {
        ContentBlock::Text(t) => {
            let citations = match &t.citations {
                Nullable::Value(list) if !list.is_empty() => list.clone(),
                _ => Vec::new(),
            };
            let start = TextBlock {
                text: String::new(),
                citations: if citations.is_empty() {
                    t.citations.clone()
                } else {
                    Nullable::Absent
                },
                cache_control: t.cache_control.clone(),
                extra: t.extra.clone(),
            };
            events.push(StreamEvent::content_block_start(index, ContentBlock::Text(start)));
            for citation in citations {
                events.push(StreamEvent::content_block_delta(
                    index,
                    ContentDelta::CitationsDelta(Box::new(CitationsDelta {
                        citation,
                        extra: Extra::new(),
                    })),
                ));
            }
            if !t.text.is_empty() {
                events.push(StreamEvent::text_delta(index, t.text.clone()));
            }
        }
        ContentBlock::Thinking(t) => {
            let start = ThinkingBlock {
                thinking: String::new(),
                signature: String::new(),
                extra: t.extra.clone(),
            };
            events.push(StreamEvent::content_block_start(
                index,
                ContentBlock::Thinking(start),
            ));
            if !t.thinking.is_empty() {
                events.push(StreamEvent::thinking_delta(index, t.thinking.clone()));
            }
            if !t.signature.is_empty() {
                events.push(StreamEvent::signature_delta(index, t.signature.clone()));
            }
        }
        ContentBlock::ToolUse(t) => {
            let mut start = t.clone();
            start.input = Value::Object(Map::new());
            events.push(StreamEvent::content_block_start(
                index,
                ContentBlock::ToolUse(start),
            ));
            events.push(StreamEvent::input_json_delta(index, input_json(&t.input)));
        }
        ContentBlock::ServerToolUse(t) => {
            let mut start = t.clone();
            start.input = Value::Object(Map::new());
            events.push(StreamEvent::content_block_start(
                index,
                ContentBlock::ServerToolUse(start),
            ));
            events.push(StreamEvent::input_json_delta(index, input_json(&t.input)));
        }
        other => events.push(StreamEvent::content_block_start(index, other.clone())),
    }
    events.push(StreamEvent::content_block_stop(index));
}

/// The input as JSON text; `{}` becomes `""` (what the API sends for a
/// tool called without arguments).
fn input_json(input: &Value) -> String {
    match input {
        Value::Object(m) if m.is_empty() => String::new(),
        v => v.to_string(),
    }
}
