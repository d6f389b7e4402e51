//! Folding stream events into the [`Message`] they describe, the way the
//! official SDKs do (`MessageStream` / `accumulate_event`).
//!
//! * The first event must be `message_start`; its message is the starting point.
//! * `content_block_start` appends the block (its index must be the next one).
//! * `text_delta` / `thinking_delta` are concatenated, `citations_delta` appended,
//!   `signature_delta` replaces the signature.
//! * `input_json_delta` fragments are buffered per block (appending is all a
//!   fragment costs, so long tool inputs stay linear); a snapshot asked for
//!   with [`MessageAccumulator::snapshot`] shows the buffer parsed as partial
//!   JSON ([`crate::partial_json`]) at that moment, and the buffer is parsed
//!   strictly at `content_block_stop` (an empty buffer keeps the block's
//!   input, `{}`). A buffer that is not valid JSON there waits for the
//!   stop reason: when the message stopped at `max_tokens` the input was cut
//!   off and is repaired ([`crate::partial_json::repair_cut_off`]: complete
//!   values kept, the cut one dropped, nothing invented), as the SDKs show a
//!   cut tool input; any other stop reason (or none) makes it
//!   [`AccumulateError::InvalidToolInput`].
//! * The text, thinking, signature, tool-input and citation bytes folded in
//!   are counted; past [`MessageAccumulator::max_bytes`] (default
//!   [`DEFAULT_MAX_MESSAGE_BYTES`], 64 MiB as for whole bodies) folding stops
//!   with [`AccumulateError::TooLarge`].
//! * `message_delta` sets `stop_reason`, `stop_sequence`, `stop_details` and
//!   `container` when present, and overwrites each usage count it carries.
//! * `ping` and event, block or delta types this crate does not know are ignored
//!   (blocks of an unknown type still get their text/thinking/input/citations
//!   fields updated generically, so e.g. a future `mcp_tool_use` fills in).
//!
//! Problems are typed errors, never panics: an event before `message_start`,
//! an index that does not exist, a delta that does not fit its block, a tool
//! input that is not JSON at block stop, an `error` event.
//!
//! ```
//! use messages_types::accumulate::MessageAccumulator;
//! use messages_types::StreamEvent;
//!
//! let sse_data = [
//!     r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}"#,
//!     r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}"#,
//!     r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}}"#,
//!     r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"is\", \"days\": 2}"}}"#,
//!     r#"{"type":"content_block_stop","index":0}"#,
//!     r#"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":12}}"#,
//!     r#"{"type":"message_stop"}"#,
//! ];
//! let mut acc = MessageAccumulator::new();
//! for (i, data) in sse_data.iter().enumerate() {
//!     let event: StreamEvent = serde_json::from_str(data).unwrap();
//!     acc.push(&event).unwrap();
//!     if i == 2 {
//!         // Live view: the cut-off string is not shown yet.
//!         let live = acc.snapshot().unwrap();
//!         assert_eq!(live.tool_uses().next().unwrap().input, serde_json::json!({}));
//!     }
//! }
//! let message = acc.finish().unwrap();
//! assert_eq!(message.tool_uses().next().unwrap().input["city"], "Paris");
//! assert_eq!(message.usage.output_tokens, Some(12));
//! assert_eq!(message.usage.input_tokens, Some(5));
//! ```

use serde_json::Value;

use crate::citation::Citation;
use crate::content::ContentBlock;
use crate::error::ErrorObject;
use crate::nullable::Nullable;
use crate::partial_json::{parse_partial, PartialMode};
use crate::response::{Message, Usage};
use crate::stream::{ContentDelta, MessageDeltaEvent, StreamEvent};

/// Why an event could not be folded into the message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AccumulateError {
    /// The first event was not `message_start` (or no event came at all).
    #[error("stream did not start with message_start (got {event})")]
    NotStarted {
        /// The event type that came instead (`end of stream` at finish).
        event: String,
    },
    /// A second `message_start`.
    #[error("message_start received twice")]
    DuplicateMessageStart,
    /// An event after `message_stop`.
    #[error("{event} after message_stop")]
    AfterStop {
        /// The event type.
        event: String,
    },
    /// `content_block_start` with an index other than the next one.
    #[error("content_block_start for index {found}, expected index {expected}")]
    UnexpectedBlockIndex {
        /// The next free index.
        expected: usize,
        /// The index received.
        found: usize,
    },
    /// A delta or stop for a block that was never started.
    #[error("{event} for block {index}, which does not exist")]
    NoSuchBlock {
        /// The event type.
        event: String,
        /// The index received.
        index: usize,
    },
    /// A delta or second stop for a block that was already stopped.
    #[error("{event} for block {index}, which was already stopped")]
    BlockStopped {
        /// The event type.
        event: String,
        /// The block index.
        index: usize,
    },
    /// A delta whose kind does not fit the block's kind.
    #[error("{delta} cannot apply to the {block} block at index {index}")]
    DeltaMismatch {
        /// The block index.
        index: usize,
        /// The delta type.
        delta: String,
        /// The block type.
        block: String,
    },
    /// A tool input that is not valid JSON when its block stopped.
    #[error("tool input of block {index} is not valid JSON: {message}")]
    InvalidToolInput {
        /// The block index.
        index: usize,
        /// The parser's message.
        message: String,
    },
    /// The stream ended early (no `message_stop`, or a block never stopped).
    #[error("stream ended before {missing}")]
    Incomplete {
        /// What was still missing.
        missing: String,
    },
    /// The stream carried an `error` event.
    #[error("stream error {}: {}", .0.kind, .0.message)]
    Api(ErrorObject),
    /// The accumulated message grew past the size limit.
    #[error("the accumulated message exceeds {limit} bytes")]
    TooLarge {
        /// The limit in bytes ([`MessageAccumulator::max_bytes`]).
        limit: usize,
    },
}

/// Default size limit of an accumulated message: 64 MiB, like the limit of a
/// whole (non-streamed) response body.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Folds a whole stream into its message (see [`MessageAccumulator`]).
///
/// ```
/// use messages_types::accumulate::accumulate;
/// use messages_types::{ContentBlock, Message, StopReason, StreamEvent, Usage};
/// let events = [
///     StreamEvent::message_start(Message::new("msg_1", "m", vec![])),
///     StreamEvent::content_block_start(0, ContentBlock::text("")),
///     StreamEvent::text_delta(0, "Hel"),
///     StreamEvent::text_delta(0, "lo"),
///     StreamEvent::content_block_stop(0),
///     StreamEvent::message_delta(Some(StopReason::EndTurn), Usage::new(4, 2)),
///     StreamEvent::message_stop(),
/// ];
/// assert_eq!(accumulate(&events).unwrap().text(), "Hello");
/// ```
pub fn accumulate<'a>(events: impl IntoIterator<Item = &'a StreamEvent>) -> Result<Message, AccumulateError> {
    let mut acc = MessageAccumulator::new().live_tool_inputs(false);
    for e in events {
        acc.push(e)?;
    }
    acc.finish()
}

/// Per-block bookkeeping next to the message.
#[derive(Debug, Clone, Default)]
struct BlockState {
    /// Buffered `input_json_delta` fragments.
    json: String,
    /// Fragments arrived since the block's input was last parsed from `json`.
    json_dirty: bool,
    stopped: bool,
    /// Set at block stop when `json` is not valid JSON: the parser's message
    /// (repaired if the message stops at `max_tokens`, else an error).
    invalid: Option<String>,
}

/// Folds [`StreamEvent`]s into a [`Message`]. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct MessageAccumulator {
    message: Option<Message>,
    blocks: Vec<BlockState>,
    stopped: bool,
    live_inputs: bool,
    partial_mode: PartialMode,
    /// Bytes of content folded in so far, and the limit.
    bytes: usize,
    max_bytes: usize,
}

impl Default for MessageAccumulator {
    fn default() -> Self {
        Self::new()
    }
}

impl MessageAccumulator {
    /// An empty accumulator; live tool inputs parsed with [`PartialMode::Sdk`].
    pub fn new() -> Self {
        Self {
            message: None,
            blocks: Vec::new(),
            stopped: false,
            live_inputs: true,
            partial_mode: PartialMode::Sdk,
            bytes: 0,
            max_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }

    /// Whether snapshots show tool inputs still streaming, parsed from their
    /// partial JSON (default `true`, like the SDK). Either way a fragment
    /// costs only its append: the partial parse happens when a snapshot is
    /// asked for. Off, inputs are filled in at block stop only.
    pub fn live_tool_inputs(mut self, on: bool) -> Self {
        self.live_inputs = on;
        self
    }

    /// Limits the bytes of content (text, thinking, signatures, tool-input
    /// JSON, citations) folded in; past it [`MessageAccumulator::push`] fails
    /// with [`AccumulateError::TooLarge`]. Default [`DEFAULT_MAX_MESSAGE_BYTES`].
    pub fn max_bytes(mut self, limit: usize) -> Self {
        self.max_bytes = limit;
        self
    }

    /// How cut-off strings show in live tool inputs (default [`PartialMode::Sdk`]).
    pub fn partial_mode(mut self, mode: PartialMode) -> Self {
        self.partial_mode = mode;
        self
    }

    /// The message so far (`None` before `message_start`). Tool inputs still
    /// streaming are shown parsed from their partial JSON (parsed now, from
    /// the fragments received since the last snapshot: asking after every
    /// fragment costs a parse of the buffer each time, so ask when showing).
    pub fn snapshot(&mut self) -> Option<&Message> {
        self.refresh_tool_inputs();
        self.message.as_ref()
    }

    /// Parses the partial JSON of every open tool input that changed since
    /// the last refresh into its block.
    fn refresh_tool_inputs(&mut self) {
        let Some(message) = self.message.as_mut() else {
            return;
        };
        if !self.live_inputs {
            return;
        }
        for (block, state) in message.content.iter_mut().zip(self.blocks.iter_mut()) {
            if !state.json_dirty || state.stopped {
                continue;
            }
            state.json_dirty = false;
            // A prefix that can never become JSON shows nothing new; the
            // strict parse at block stop reports it.
            if let Ok(Some(v)) = parse_partial(&state.json, self.partial_mode) {
                set_input(block, v);
            }
        }
    }

    /// `true` once `message_stop` was seen.
    pub fn is_complete(&self) -> bool {
        self.stopped
    }

    /// The message so far, by value, whatever state the stream is in.
    pub fn into_snapshot(mut self) -> Option<Message> {
        self.refresh_tool_inputs();
        self.message
    }

    /// Bytes of content folded in so far (what [`Self::max_bytes`] limits).
    pub fn content_bytes(&self) -> usize {
        self.bytes
    }

    /// The finished message; an error unless the stream reached `message_stop`
    /// with every block stopped.
    pub fn finish(self) -> Result<Message, AccumulateError> {
        let Some(message) = self.message else {
            return Err(AccumulateError::NotStarted {
                event: "end of stream".to_owned(),
            });
        };
        check_no_invalid_input(&self.blocks)?;
        if let Some(i) = self.blocks.iter().position(|b| !b.stopped) {
            return Err(AccumulateError::Incomplete {
                missing: format!("content_block_stop for block {i}"),
            });
        }
        if !self.stopped {
            return Err(AccumulateError::Incomplete {
                missing: "message_stop".to_owned(),
            });
        }
        Ok(message)
    }

    /// Folds one event in.
    pub fn push(&mut self, event: &StreamEvent) -> Result<(), AccumulateError> {
        if let StreamEvent::Error(e) = event {
            return Err(AccumulateError::Api(e.error.clone()));
        }
        if self.stopped && !matches!(event, StreamEvent::Ping(_)) {
            return Err(AccumulateError::AfterStop {
                event: event.type_name().to_owned(),
            });
        }
        if let StreamEvent::MessageStart(start) = event {
            if self.message.is_some() {
                return Err(AccumulateError::DuplicateMessageStart);
            }
            self.message = Some(start.message.clone());
            return Ok(());
        }
        let Some(message) = self.message.as_mut() else {
            return match event {
                StreamEvent::Ping(_) => Ok(()),
                other => Err(AccumulateError::NotStarted {
                    event: other.type_name().to_owned(),
                }),
            };
        };
        match event {
            StreamEvent::ContentBlockStart(start) => {
                let expected = message.content.len();
                if start.index != expected {
                    return Err(AccumulateError::UnexpectedBlockIndex {
                        expected,
                        found: start.index,
                    });
                }
                message.content.push(start.content_block.clone());
                self.blocks.push(BlockState::default());
                Ok(())
            }
            StreamEvent::ContentBlockDelta(d) => {
                self.bytes = self.bytes.saturating_add(delta_bytes(&d.delta));
                if self.bytes > self.max_bytes {
                    return Err(AccumulateError::TooLarge {
                        limit: self.max_bytes,
                    });
                }
                let (block, state) = block_mut(message, &mut self.blocks, d.index, event)?;
                apply_delta(block, state, &d.delta, d.index)
            }
            StreamEvent::ContentBlockStop(s) => {
                let (block, state) = block_mut(message, &mut self.blocks, s.index, event)?;
                state.stopped = true;
                if state.json.is_empty() {
                    return Ok(());
                }
                match serde_json::from_str::<Value>(&state.json) {
                    Ok(input) => {
                        state.json = String::new();
                        set_input(block, input);
                    }
                    // Cut off by the token limit, or invalid: the stop reason decides.
                    Err(e) => state.invalid = Some(e.to_string()),
                }
                Ok(())
            }
            StreamEvent::MessageDelta(d) => {
                apply_message_delta(message, d);
                if message.stop_reason == Some(crate::StopReason::MaxTokens) {
                    repair_cut_inputs(message, &mut self.blocks)
                } else {
                    check_no_invalid_input(&self.blocks)
                }
            }
            StreamEvent::MessageStop(_) => {
                self.stopped = true;
                Ok(())
            }
            // Handled above, or ignored: pings and event types from the future.
            StreamEvent::MessageStart(_)
            | StreamEvent::Error(_)
            | StreamEvent::Ping(_)
            | StreamEvent::Unknown(_) => Ok(()),
        }
    }
}

/// Repairs every stopped tool input that was not valid JSON: the message
/// stopped at the token limit, so it was cut off.
fn repair_cut_inputs(message: &mut Message, blocks: &mut [BlockState]) -> Result<(), AccumulateError> {
    for (index, (block, state)) in message.content.iter_mut().zip(blocks.iter_mut()).enumerate() {
        let Some(parse_error) = state.invalid.take() else {
            continue;
        };
        let json = std::mem::take(&mut state.json);
        match crate::partial_json::repair_cut_off(&json) {
            Ok(v) => set_input(block, v.unwrap_or_else(|| Value::Object(serde_json::Map::new()))),
            // Not even the beginning of a JSON document: not a cut.
            Err(_) => {
                return Err(AccumulateError::InvalidToolInput {
                    index,
                    message: parse_error,
                })
            }
        }
    }
    Ok(())
}

/// The first stopped tool input that is not valid JSON, as an error.
fn check_no_invalid_input(blocks: &[BlockState]) -> Result<(), AccumulateError> {
    match blocks
        .iter()
        .enumerate()
        .find_map(|(i, b)| b.invalid.as_ref().map(|m| (i, m)))
    {
        Some((index, message)) => Err(AccumulateError::InvalidToolInput {
            index,
            message: message.clone(),
        }),
        None => Ok(()),
    }
}

/// The block at `index` and its state, if it exists and is still open.
fn block_mut<'a>(
    message: &'a mut Message,
    blocks: &'a mut [BlockState],
    index: usize,
    event: &StreamEvent,
) -> Result<(&'a mut ContentBlock, &'a mut BlockState), AccumulateError> {
    match (message.content.get_mut(index), blocks.get_mut(index)) {
        (Some(block), Some(state)) if !state.stopped => Ok((block, state)),
        (Some(_), Some(_)) => Err(AccumulateError::BlockStopped {
            event: event.type_name().to_owned(),
            index,
        }),
        _ => Err(AccumulateError::NoSuchBlock {
            event: event.type_name().to_owned(),
            index,
        }),
    }
}

/// The bytes a delta adds to the message (what the size limit counts).
fn delta_bytes(delta: &ContentDelta) -> usize {
    match delta {
        ContentDelta::TextDelta(d) => d.text.len(),
        ContentDelta::ThinkingDelta(d) => d.thinking.len(),
        ContentDelta::SignatureDelta(d) => d.signature.len(),
        ContentDelta::InputJsonDelta(d) => d.partial_json.len(),
        ContentDelta::CitationsDelta(d) => serde_json::to_vec(&d.citation).map_or(0, |v| v.len()),
        ContentDelta::Unknown(v) => v.to_string().len(),
    }
}

fn apply_delta(
    block: &mut ContentBlock,
    state: &mut BlockState,
    delta: &ContentDelta,
    index: usize,
) -> Result<(), AccumulateError> {
    let mismatch = |block: &ContentBlock| AccumulateError::DeltaMismatch {
        index,
        delta: delta.type_name().to_owned(),
        block: block.type_name().to_owned(),
    };
    match (delta, &mut *block) {
        (ContentDelta::TextDelta(d), ContentBlock::Text(t)) => t.text.push_str(&d.text),
        (ContentDelta::CitationsDelta(d), ContentBlock::Text(t)) => {
            push_citation(&mut t.citations, d.citation.clone());
        }
        (ContentDelta::ThinkingDelta(d), ContentBlock::Thinking(t)) => {
            t.thinking.push_str(&d.thinking);
        }
        (ContentDelta::SignatureDelta(d), ContentBlock::Thinking(t)) => {
            t.signature.clone_from(&d.signature);
        }
        (
            ContentDelta::InputJsonDelta(d),
            ContentBlock::ToolUse(_) | ContentBlock::ServerToolUse(_) | ContentBlock::Unknown(_),
        ) => {
            // Only the append here: the partial parse waits for a snapshot.
            state.json.push_str(&d.partial_json);
            state.json_dirty |= !d.partial_json.is_empty();
        }
        (d, ContentBlock::Unknown(Value::Object(obj))) => apply_generic(obj, d),
        // A delta type from the future: ignored, as the SDKs do.
        (ContentDelta::Unknown(_), _) => {}
        (_, b) => return Err(mismatch(b)),
    }
    Ok(())
}

/// Applies a known delta to a block of an unknown type by field name.
fn apply_generic(obj: &mut serde_json::Map<String, Value>, delta: &ContentDelta) {
    fn append(obj: &mut serde_json::Map<String, Value>, field: &str, s: &str) {
        match obj.get_mut(field) {
            Some(Value::String(t)) => t.push_str(s),
            _ => {
                obj.insert(field.to_owned(), Value::String(s.to_owned()));
            }
        }
    }
    match delta {
        ContentDelta::TextDelta(d) => append(obj, "text", &d.text),
        ContentDelta::ThinkingDelta(d) => append(obj, "thinking", &d.thinking),
        ContentDelta::SignatureDelta(d) => {
            obj.insert("signature".to_owned(), Value::String(d.signature.clone()));
        }
        ContentDelta::CitationsDelta(d) => {
            let c = serde_json::to_value(&d.citation).unwrap_or(Value::Null);
            match obj.get_mut("citations") {
                Some(Value::Array(a)) => a.push(c),
                _ => {
                    obj.insert("citations".to_owned(), Value::Array(vec![c]));
                }
            }
        }
        ContentDelta::InputJsonDelta(_) | ContentDelta::Unknown(_) => {}
    }
}

fn push_citation(citations: &mut Nullable<Vec<Citation>>, c: Citation) {
    match citations.as_mut() {
        Some(list) => list.push(c),
        None => *citations = Nullable::Value(vec![c]),
    }
}

fn set_input(block: &mut ContentBlock, input: Value) {
    match block {
        ContentBlock::ToolUse(t) => t.input = input,
        ContentBlock::ServerToolUse(t) => t.input = input,
        ContentBlock::Unknown(Value::Object(obj)) => {
            obj.insert("input".to_owned(), input);
        }
        _ => {}
    }
}

fn apply_message_delta(message: &mut Message, d: &MessageDeltaEvent) {
    let delta = &d.delta;
    match &delta.stop_reason {
        Nullable::Value(r) => message.stop_reason = Some(r.clone()),
        Nullable::Null => message.stop_reason = None,
        Nullable::Absent => {}
    }
    match &delta.stop_sequence {
        Nullable::Value(s) => message.stop_sequence = Some(s.clone()),
        Nullable::Null => message.stop_sequence = None,
        Nullable::Absent => {}
    }
    if !delta.stop_details.is_absent() {
        message.stop_details = delta.stop_details.clone();
    }
    match &delta.container {
        Nullable::Value(c) => message.container = Some(c.clone()),
        Nullable::Null => message.container = None,
        Nullable::Absent => {}
    }
    for (k, v) in delta.extra.iter().chain(d.extra.iter()) {
        message.extra.insert(k.clone(), v.clone());
    }
    merge_usage(&mut message.usage, &d.usage);
}

/// Overwrites every count present in `update` (counts are cumulative).
pub fn merge_usage(usage: &mut Usage, update: &Usage) {
    fn set<T: Clone>(dst: &mut Option<T>, src: &Option<T>) {
        if let Some(v) = src {
            *dst = Some(v.clone());
        }
    }
    set(&mut usage.input_tokens, &update.input_tokens);
    set(&mut usage.output_tokens, &update.output_tokens);
    set(
        &mut usage.cache_creation_input_tokens,
        &update.cache_creation_input_tokens,
    );
    set(
        &mut usage.cache_read_input_tokens,
        &update.cache_read_input_tokens,
    );
    set(&mut usage.cache_creation, &update.cache_creation);
    set(&mut usage.server_tool_use, &update.server_tool_use);
    set(&mut usage.service_tier, &update.service_tier);
    set(&mut usage.inference_geo, &update.inference_geo);
    set(&mut usage.output_tokens_details, &update.output_tokens_details);
    for (k, v) in &update.extra {
        usage.extra.insert(k.clone(), v.clone());
    }
}
