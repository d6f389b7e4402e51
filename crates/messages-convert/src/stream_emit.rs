//! A reusable state machine that turns high-level streaming calls
//! ("some text arrived", "a tool call started", "the model finished") into a
//! **valid Anthropic event sequence**.
//!
//! Every provider stream converter (OpenAI Chat Completions, Gemini, …) feeds an
//! [`EventEmitter`] instead of building [`StreamEvent`]s itself, so the grammar
//! rules live in one place:
//!
//! * `message_start` comes first, `message_stop` last, `message_delta` right
//!   before it;
//! * each content block is started once, receives deltas only while open, and is
//!   stopped once; block indexes start at 0 and increase by one;
//! * at most one block is open at a time (as in real Anthropic streams).
//!
//! Parallel tool calls whose argument fragments interleave (OpenAI routes them
//! by `index`) are handled without ever emitting a delta after its block's
//! stop: a tool call streams live; when the next one starts, the live one is
//! closed if its arguments are already complete JSON (the usual sequential
//! case: every call streams live), otherwise the new one is buffered and
//! emitted whole (start, one `input_json_delta`, stop) as soon as the live
//! one closes. Accumulating the events gives the same message either way; only
//! the liveness of the buffered calls differs. Text or thinking that arrives
//! while a call's arguments are still incomplete (Chat Completions allows
//! content and argument fragments in any order) waits the same way, as a
//! block of its own after the call, instead of closing the call early.
//!
//! ```
//! use messages_convert::stream_emit::{EventEmitter, Finish, MessageMeta};
//! use messages_types::{StopReason, StreamEvent};
//!
//! let mut em = EventEmitter::new();
//! let mut out = Vec::new();
//! em.start(MessageMeta::new("msg_1", "m"), &mut out).unwrap();
//! em.text("Hel", &mut out).unwrap();
//! em.text("lo", &mut out).unwrap();
//! em.tool_call_start(0, "call_1", "get_weather", &mut out).unwrap();
//! em.tool_args(0, "{\"city\":", &mut out).unwrap();
//! em.tool_args(0, "\"Paris\"}", &mut out).unwrap();
//! em.finish(Finish::new(Some(StopReason::ToolUse)), &mut out).unwrap();
//! let names: Vec<&str> = out.iter().map(|e| e.type_name()).collect();
//! assert_eq!(names, [
//!     "message_start",
//!     "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
//!     "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
//!     "message_delta", "message_stop",
//! ]);
//! ```

use messages_types::{
    ContentBlock, ContentBlockDeltaEvent, ContentBlockStartEvent, ContentBlockStopEvent, ContentDelta,
    ErrorEvent, ErrorObject, Extra, InputJsonDelta, Message, MessageDelta, MessageDeltaEvent,
    MessageStartEvent, MessageStopEvent, Nullable, Role, SignatureDelta, StopDetails, StopReason,
    StreamEvent, TextBlock, TextDelta, ThinkingBlock, ThinkingDelta, ToolUseBlock, Usage,
};

use crate::ConvertError;

/// What `message_start` says about the message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessageMeta {
    /// The message id (`msg_…`).
    pub id: String,
    /// The model that answers.
    pub model: String,
    /// Usage known at the start (often only `input_tokens`, or nothing).
    /// Absent counts are sent as 0, as Anthropic does.
    pub usage: Usage,
    /// Extra top-level fields of the message object.
    pub extra: Extra,
}

impl MessageMeta {
    /// Meta with an id and a model, and no usage yet.
    pub fn new(id: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            model: model.into(),
            ..Self::default()
        }
    }
}

/// How the message ended: the fields of the closing `message_delta`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Finish {
    /// Why the model stopped.
    pub stop_reason: Option<StopReason>,
    /// Which custom stop sequence matched.
    pub stop_sequence: Option<String>,
    /// Stop details (e.g. a refusal's category).
    pub stop_details: Option<StopDetails>,
    /// The final, cumulative usage.
    pub usage: Usage,
}

impl Finish {
    /// A finish with a stop reason and no usage.
    pub fn new(stop_reason: Option<StopReason>) -> Self {
        Self {
            stop_reason,
            ..Self::default()
        }
    }

    /// The same finish with `usage`.
    pub fn with_usage(mut self, usage: Usage) -> Self {
        self.usage = usage;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Streaming,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenKind {
    Text,
    Thinking,
    /// A live tool call: position in `tools`.
    Tool(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ToolState {
    Live,
    Pending,
    Closed,
}

#[derive(Debug, Clone)]
struct ToolCall {
    key: Option<u64>,
    id: String,
    name: String,
    args: String,
    state: ToolState,
}

/// `true` when `args` is non-empty and not valid JSON.
fn args_cut_off(args: &str) -> bool {
    !args.trim().is_empty() && serde_json::from_str::<serde::de::IgnoredAny>(args).is_err()
}

#[derive(Debug, Clone)]
enum Pending {
    Tool(usize),
    Block(Box<ContentBlock>),
    /// A text or thinking block that arrived while a tool call's arguments
    /// were incomplete: emitted as start, these deltas, stop.
    Deltas(OpenKind, Vec<ContentDelta>),
}

/// Builds a valid Anthropic event sequence from high-level calls.
///
/// Each method appends the events it produces to `out`. Content before
/// [`start`](Self::start), content after [`finish`](Self::finish) or
/// [`error`](Self::error), and argument fragments for an unknown tool key give
/// a [`ConvertError::Invalid`] and emit nothing. [`finish`](Self::finish) on an
/// emitter that never started emits nothing: an empty stream stays empty.
#[derive(Debug, Clone)]
pub struct EventEmitter {
    phase: Phase,
    next_index: usize,
    open: Option<(usize, OpenKind)>,
    tools: Vec<ToolCall>,
    pending: Vec<Pending>,
}

impl Default for EventEmitter {
    fn default() -> Self {
        Self::new()
    }
}

fn invalid(message: impl Into<String>) -> ConvertError {
    ConvertError::Invalid {
        what: "stream",
        message: message.into(),
    }
}

fn delta(index: usize, delta: ContentDelta) -> StreamEvent {
    StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent {
        index,
        delta,
        extra: Extra::new(),
    })
}

fn block_start(index: usize, content_block: ContentBlock) -> StreamEvent {
    StreamEvent::ContentBlockStart(Box::new(ContentBlockStartEvent {
        index,
        content_block,
        extra: Extra::new(),
    }))
}

fn block_stop(index: usize) -> StreamEvent {
    StreamEvent::ContentBlockStop(ContentBlockStopEvent {
        index,
        extra: Extra::new(),
    })
}

fn json_delta(index: usize, partial_json: &str) -> StreamEvent {
    delta(
        index,
        ContentDelta::InputJsonDelta(InputJsonDelta {
            partial_json: partial_json.to_owned(),
            extra: Extra::new(),
        }),
    )
}

/// The empty block a text or thinking block starts as.
fn empty_block(kind: OpenKind) -> ContentBlock {
    match kind {
        OpenKind::Thinking => ContentBlock::Thinking(ThinkingBlock::default()),
        _ => ContentBlock::Text(TextBlock::default()),
    }
}

fn tool_start_block(id: &str, name: &str) -> ContentBlock {
    ContentBlock::ToolUse(ToolUseBlock {
        id: id.to_owned(),
        name: name.to_owned(),
        input: serde_json::Value::Object(serde_json::Map::new()),
        cache_control: None,
        extra: Extra::new(),
    })
}

impl EventEmitter {
    /// A fresh emitter, before `message_start`.
    pub fn new() -> Self {
        Self {
            phase: Phase::Idle,
            next_index: 0,
            open: None,
            tools: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// `true` once [`start`](Self::start) was called.
    pub fn is_started(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// `true` once [`finish`](Self::finish) or [`error`](Self::error) was called.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Number of content blocks started so far.
    pub fn block_count(&self) -> usize {
        self.next_index
    }

    /// `true` when some tool call received arguments that do not parse as
    /// JSON — the sign of a call cut off by the token limit.
    pub fn has_incomplete_tool_call(&self) -> bool {
        self.tools.iter().any(|t| args_cut_off(&t.args))
    }

    /// `true` when at least one tool call was started.
    pub fn has_tool_calls(&self) -> bool {
        !self.tools.is_empty()
    }

    /// `true` when a tool call with `key` exists (live, pending or closed).
    pub fn has_tool_key(&self, key: u64) -> bool {
        self.tools.iter().any(|t| t.key == Some(key))
    }

    /// Emits `message_start`. Must be called exactly once, first.
    pub fn start(&mut self, meta: MessageMeta, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.phase != Phase::Idle {
            return Err(invalid("message_start emitted twice"));
        }
        let mut usage = meta.usage;
        usage.input_tokens.get_or_insert(0);
        usage.output_tokens.get_or_insert(0);
        let message = Message {
            id: meta.id,
            kind: "message".to_owned(),
            role: Role::Assistant,
            model: meta.model,
            content: Vec::new(),
            stop_reason: None,
            stop_sequence: None,
            stop_details: Nullable::Absent,
            container: None,
            usage,
            extra: meta.extra,
        };
        out.push(StreamEvent::MessageStart(Box::new(MessageStartEvent {
            message,
            extra: Extra::new(),
        })));
        self.phase = Phase::Streaming;
        Ok(())
    }

    fn check_streaming(&self) -> Result<(), ConvertError> {
        match self.phase {
            Phase::Streaming => Ok(()),
            Phase::Idle => Err(invalid("content before message_start")),
            Phase::Done => Err(invalid("content after the message ended")),
        }
    }

    fn new_index(&mut self) -> usize {
        let i = self.next_index;
        self.next_index += 1;
        i
    }

    /// Closes the open block, then emits every buffered block whole.
    fn close_open(&mut self, out: &mut Vec<StreamEvent>) {
        if let Some((index, kind)) = self.open.take() {
            if let OpenKind::Tool(pos) = kind {
                if let Some(t) = self.tools.get_mut(pos) {
                    t.state = ToolState::Closed;
                }
            }
            out.push(block_stop(index));
        }
        for pending in std::mem::take(&mut self.pending) {
            match pending {
                Pending::Tool(pos) => {
                    if pos >= self.tools.len() {
                        continue;
                    }
                    let index = self.new_index();
                    let Some(t) = self.tools.get_mut(pos) else {
                        continue;
                    };
                    out.push(block_start(index, tool_start_block(&t.id, &t.name)));
                    if !t.args.is_empty() {
                        out.push(json_delta(index, &t.args));
                    }
                    out.push(block_stop(index));
                    t.state = ToolState::Closed;
                }
                Pending::Block(block) => {
                    let index = self.new_index();
                    out.push(block_start(index, *block));
                    out.push(block_stop(index));
                }
                Pending::Deltas(kind, deltas) => {
                    let index = self.new_index();
                    out.push(block_start(index, empty_block(kind)));
                    out.extend(deltas.into_iter().map(|d| delta(index, d)));
                    out.push(block_stop(index));
                }
            }
        }
    }

    /// `true` while the live tool call, or a buffered one, holds arguments
    /// that are not yet valid JSON: closing it now would strand its next
    /// fragment, so text and thinking wait in the buffer.
    fn args_in_flight(&self) -> bool {
        let cut = |pos: usize| self.tools.get(pos).is_some_and(|t| args_cut_off(&t.args));
        matches!(self.open, Some((_, OpenKind::Tool(pos))) if cut(pos))
            || self
                .pending
                .iter()
                .any(|p| matches!(p, Pending::Tool(pos) if cut(*pos)))
    }

    /// `true` when the live tool call and every buffered one hold complete
    /// JSON arguments (so closing them can never strand a later fragment).
    fn open_calls_complete(&self) -> bool {
        let complete = |pos: usize| {
            self.tools.get(pos).is_some_and(|t| {
                !t.args.trim().is_empty() && serde_json::from_str::<serde::de::IgnoredAny>(&t.args).is_ok()
            })
        };
        let live_ok = match self.open {
            Some((_, OpenKind::Tool(pos))) => complete(pos),
            _ => true,
        };
        live_ok
            && self.pending.iter().all(|p| match p {
                Pending::Tool(pos) => complete(*pos),
                Pending::Block(_) | Pending::Deltas(..) => true,
            })
    }

    fn live_tool_open(&self) -> bool {
        matches!(self.open, Some((_, OpenKind::Tool(_))))
    }

    /// Makes sure a block of `kind` (text or thinking) is open; returns its index.
    fn ensure_open(&mut self, kind: OpenKind, out: &mut Vec<StreamEvent>) -> usize {
        if let Some((index, open)) = self.open {
            if open == kind {
                return index;
            }
        }
        self.close_open(out);
        let index = self.new_index();
        out.push(block_start(index, empty_block(kind)));
        self.open = Some((index, kind));
        index
    }

    /// Emits `d` into the open block of `kind` (text or thinking), opening one
    /// when the open block is of another kind; while a tool call's arguments
    /// are in flight, buffers it (see [`Self::args_in_flight`]).
    pub(crate) fn delta_into(
        &mut self,
        kind: OpenKind,
        d: ContentDelta,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        self.check_streaming()?;
        if self.args_in_flight() {
            match self.pending.last_mut() {
                Some(Pending::Deltas(k, deltas)) if *k == kind => deltas.push(d),
                _ => self.pending.push(Pending::Deltas(kind, vec![d])),
            }
            return Ok(());
        }
        let index = self.ensure_open(kind, out);
        out.push(delta(index, d));
        Ok(())
    }

    /// Appends text; opens a text block when the open block is not one.
    /// Empty text is ignored (it would open an empty block).
    pub fn text(&mut self, text: &str, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if text.is_empty() {
            return self.check_streaming();
        }
        let d = ContentDelta::TextDelta(TextDelta {
            text: text.to_owned(),
            extra: Extra::new(),
        });
        self.delta_into(OpenKind::Text, d, out)
    }

    /// Appends thinking text; opens a thinking block when needed.
    /// Empty text is ignored.
    pub fn thinking(&mut self, thinking: &str, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if thinking.is_empty() {
            return self.check_streaming();
        }
        let d = ContentDelta::ThinkingDelta(ThinkingDelta {
            thinking: thinking.to_owned(),
            extra: Extra::new(),
        });
        self.delta_into(OpenKind::Thinking, d, out)
    }

    /// Sets the open thinking block's signature (a `signature_delta`); when no
    /// thinking block is open, opens an empty one to carry it.
    pub fn signature(&mut self, signature: &str, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let d = ContentDelta::SignatureDelta(SignatureDelta {
            signature: signature.to_owned(),
            extra: Extra::new(),
        });
        self.delta_into(OpenKind::Thinking, d, out)
    }

    /// Starts a tool call whose argument fragments will arrive under `key`
    /// (OpenAI's tool-call `index`). Streams live unless another tool call is
    /// still open, in which case it is buffered and emitted whole later.
    pub fn tool_call_start(
        &mut self,
        key: u64,
        id: &str,
        name: &str,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        self.check_streaming()?;
        if self.has_tool_key(key) {
            return Err(invalid(format!("tool call key {key} started twice")));
        }
        let pos = self.tools.len();
        // A live call whose arguments are already a complete JSON value can
        // only receive whitespace: close it so this one streams live too.
        let live = !self.live_tool_open() || self.open_calls_complete();
        self.tools.push(ToolCall {
            key: Some(key),
            id: id.to_owned(),
            name: name.to_owned(),
            args: String::new(),
            state: if live { ToolState::Live } else { ToolState::Pending },
        });
        if live {
            self.close_open(out);
            let index = self.new_index();
            out.push(block_start(index, tool_start_block(id, name)));
            self.open = Some((index, OpenKind::Tool(pos)));
        } else {
            self.pending.push(Pending::Tool(pos));
        }
        Ok(())
    }

    /// Appends an argument fragment to the tool call started under `key`.
    /// Empty fragments are ignored. A fragment for a tool call whose block is
    /// already stopped is an error (it is never emitted after the stop).
    pub fn tool_args(
        &mut self,
        key: u64,
        fragment: &str,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        self.check_streaming()?;
        let Some(pos) = self.tools.iter().position(|t| t.key == Some(key)) else {
            return Err(invalid(format!("arguments for unknown tool call key {key}")));
        };
        if fragment.is_empty() {
            return Ok(());
        }
        let open_index = match self.open {
            Some((index, OpenKind::Tool(p))) if p == pos => Some(index),
            _ => None,
        };
        let Some(tool) = self.tools.get_mut(pos) else {
            return Err(invalid("tool call table out of sync"));
        };
        match tool.state {
            // Whitespace after a complete value changes nothing.
            ToolState::Closed if fragment.trim().is_empty() => {}
            ToolState::Closed => {
                return Err(invalid(format!(
                    "arguments for tool call key {key} after its block stopped"
                )))
            }
            ToolState::Pending => tool.args.push_str(fragment),
            ToolState::Live => {
                tool.args.push_str(fragment);
                if let Some(index) = open_index {
                    out.push(json_delta(index, fragment));
                }
            }
        }
        Ok(())
    }

    /// A tool call that arrives whole (Mistral, Gemini): start, one
    /// `input_json_delta` with `arguments` (omitted when empty), stop.
    /// Buffered like any other block while a live tool call is open.
    pub fn tool_call_whole(
        &mut self,
        id: &str,
        name: &str,
        arguments: &str,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        self.check_streaming()?;
        let pos = self.tools.len();
        self.tools.push(ToolCall {
            key: None,
            id: id.to_owned(),
            name: name.to_owned(),
            args: arguments.to_owned(),
            state: ToolState::Pending,
        });
        self.pending.push(Pending::Tool(pos));
        if !self.live_tool_open() {
            self.close_open(out);
        }
        Ok(())
    }

    /// A block that arrives whole in its `content_block_start` (e.g.
    /// `redacted_thinking`, a server tool result): start, stop.
    pub fn block_whole(
        &mut self,
        block: ContentBlock,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        self.check_streaming()?;
        self.pending.push(Pending::Block(Box::new(block)));
        if !self.live_tool_open() {
            self.close_open(out);
        }
        Ok(())
    }

    /// Stops the open block, if any, and emits the buffered ones, so that the
    /// next content starts a fresh block (e.g. a second thinking block right
    /// after one). A live tool call whose arguments are incomplete is closed
    /// as it is (see [`Self::finish`] for what becomes of them).
    ///
    /// ```
    /// use messages_convert::stream_emit::{EventEmitter, MessageMeta};
    /// let mut em = EventEmitter::new();
    /// let mut out = Vec::new();
    /// em.start(MessageMeta::new("msg_1", "m"), &mut out).unwrap();
    /// em.thinking("a", &mut out).unwrap();
    /// em.close_block(&mut out).unwrap();
    /// em.signature("sig", &mut out).unwrap();
    /// assert_eq!(em.block_count(), 2);
    /// ```
    pub fn close_block(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        self.check_streaming()?;
        self.close_open(out);
        Ok(())
    }

    /// Closes the open block (and emits buffered ones), then `message_delta`
    /// and `message_stop`. On an emitter that never started, emits nothing.
    ///
    /// Tool arguments that are not valid JSON are never rewritten here: when
    /// the message stopped at the token limit (`max_tokens`) they were cut
    /// off, and go out as received (as the Anthropic API streams a cut tool
    /// call; accumulating repairs them without inventing a value, see
    /// [`messages_types::partial_json::repair_cut_off`]). With any other stop
    /// reason, or when they are not even the beginning of a JSON document,
    /// they are a [`ConvertError::InvalidToolArguments`] naming the call,
    /// and nothing more is emitted.
    pub fn finish(&mut self, finish: Finish, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        match self.phase {
            Phase::Idle => {
                self.phase = Phase::Done;
                return Ok(());
            }
            Phase::Done => return Err(invalid("message finished twice")),
            Phase::Streaming => {}
        }
        let at_limit = finish.stop_reason == Some(StopReason::MaxTokens);
        let invalid = self.tools.iter().find(|t| {
            args_cut_off(&t.args)
                && (!at_limit || messages_types::partial_json::repair_cut_off(t.args.trim()).is_err())
        });
        if let Some(t) = invalid {
            self.phase = Phase::Done;
            return Err(ConvertError::invalid_tool_arguments(&t.id, &t.name, &t.args));
        }
        self.close_open(out);
        out.push(StreamEvent::MessageDelta(Box::new(MessageDeltaEvent {
            delta: MessageDelta {
                stop_reason: finish.stop_reason.into(),
                stop_sequence: finish.stop_sequence.into(),
                stop_details: match finish.stop_details {
                    Some(d) => Nullable::Value(d),
                    None => Nullable::Absent,
                },
                container: Nullable::Absent,
                extra: Extra::new(),
            },
            usage: finish.usage,
            extra: Extra::new(),
        })));
        out.push(StreamEvent::MessageStop(MessageStopEvent::default()));
        self.phase = Phase::Done;
        Ok(())
    }

    /// Ends the stream with an `error` event after the events so far, as the
    /// Anthropic API does; nothing may follow it.
    pub fn error(&mut self, error: ErrorObject, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.phase == Phase::Done {
            return Err(invalid("error after the message ended"));
        }
        out.push(StreamEvent::Error(Box::new(ErrorEvent {
            error,
            extra: Extra::new(),
        })));
        self.phase = Phase::Done;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A minimal grammar check, independent of the emitter's own bookkeeping:
    /// message_start first; blocks started once with increasing indexes, at
    /// most one open, deltas only on the open block and of its kind; stops
    /// once; message_delta then message_stop last; or an error last.
    fn check_grammar(events: &[StreamEvent]) -> Result<(), String> {
        if events.is_empty() {
            return Ok(());
        }
        let mut open: Option<(usize, &'static str)> = None;
        let mut next = 0usize;
        let mut saw_delta = false;
        for (i, ev) in events.iter().enumerate() {
            let last = i + 1 == events.len();
            match ev {
                StreamEvent::MessageStart(_) if i == 0 => {}
                StreamEvent::Error(_) if last => return Ok(()),
                _ if i == 0 => return Err(format!("first event is {}", ev.type_name())),
                StreamEvent::ContentBlockStart(s) => {
                    if saw_delta || open.is_some() || s.index != next {
                        return Err(format!("bad start at {i}"));
                    }
                    let kind = match &s.content_block {
                        ContentBlock::Text(_) => "text",
                        ContentBlock::Thinking(_) => "thinking",
                        ContentBlock::ToolUse(_) => "tool_use",
                        _ => "other",
                    };
                    open = Some((s.index, kind));
                    next += 1;
                }
                StreamEvent::ContentBlockDelta(d) => {
                    let Some((idx, kind)) = open else {
                        return Err(format!("delta with no open block at {i}"));
                    };
                    let ok = matches!(
                        (kind, &d.delta),
                        ("text", ContentDelta::TextDelta(_))
                            | ("thinking", ContentDelta::ThinkingDelta(_))
                            | ("thinking", ContentDelta::SignatureDelta(_))
                            | ("tool_use", ContentDelta::InputJsonDelta(_))
                    );
                    if idx != d.index || !ok {
                        return Err(format!("bad delta at {i}"));
                    }
                }
                StreamEvent::ContentBlockStop(s) => {
                    if open.map(|o| o.0) != Some(s.index) {
                        return Err(format!("bad stop at {i}"));
                    }
                    open = None;
                }
                StreamEvent::MessageDelta(_) => {
                    if open.is_some() || saw_delta {
                        return Err(format!("bad message_delta at {i}"));
                    }
                    saw_delta = true;
                }
                StreamEvent::MessageStop(_) if last && saw_delta => return Ok(()),
                _ => return Err(format!("unexpected {} at {i}", ev.type_name())),
            }
        }
        Err("stream did not end with message_stop or error".into())
    }

    /// Folds events into (block kinds, texts/args per block).
    fn fold(events: &[StreamEvent]) -> Vec<(String, String)> {
        let mut blocks: Vec<(String, String)> = Vec::new();
        for ev in events {
            match ev {
                StreamEvent::ContentBlockStart(s) => {
                    let (k, t) = match &s.content_block {
                        ContentBlock::Text(t) => ("text".to_owned(), t.text.clone()),
                        ContentBlock::Thinking(t) => ("thinking".to_owned(), t.thinking.clone()),
                        ContentBlock::ToolUse(t) => (format!("tool:{}:{}", t.id, t.name), String::new()),
                        other => (other.type_name().to_owned(), String::new()),
                    };
                    blocks.push((k, t));
                }
                StreamEvent::ContentBlockDelta(d) => {
                    let b = &mut blocks[d.index];
                    match &d.delta {
                        ContentDelta::TextDelta(t) => b.1.push_str(&t.text),
                        ContentDelta::ThinkingDelta(t) => b.1.push_str(&t.thinking),
                        ContentDelta::InputJsonDelta(t) => b.1.push_str(&t.partial_json),
                        ContentDelta::SignatureDelta(s) => b.1.push_str(&format!("[sig:{}]", s.signature)),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        blocks
    }

    fn started() -> (EventEmitter, Vec<StreamEvent>) {
        let mut em = EventEmitter::new();
        let mut out = Vec::new();
        em.start(MessageMeta::new("msg_1", "m"), &mut out).unwrap();
        (em, out)
    }

    #[test]
    fn empty_stream_emits_nothing() {
        let mut em = EventEmitter::new();
        let mut out = Vec::new();
        em.finish(Finish::new(Some(StopReason::EndTurn)), &mut out)
            .unwrap();
        assert!(out.is_empty());
        assert!(em.is_done());
    }

    #[test]
    fn thinking_then_text_then_tool() {
        let (mut em, mut out) = started();
        em.thinking("hmm", &mut out).unwrap();
        em.signature("sig", &mut out).unwrap();
        em.text("", &mut out).unwrap();
        em.text("Hi", &mut out).unwrap();
        em.tool_call_start(0, "c1", "f", &mut out).unwrap();
        em.tool_args(0, "", &mut out).unwrap();
        em.tool_args(0, "{}", &mut out).unwrap();
        em.finish(Finish::new(Some(StopReason::ToolUse)), &mut out)
            .unwrap();
        check_grammar(&out).unwrap();
        assert_eq!(
            fold(&out),
            vec![
                ("thinking".into(), "hmm[sig:sig]".into()),
                ("text".into(), "Hi".into()),
                ("tool:c1:f".into(), "{}".into()),
            ]
        );
        let StreamEvent::MessageDelta(d) = &out[out.len() - 2] else {
            panic!()
        };
        assert_eq!(d.delta.stop_reason, Nullable::Value(StopReason::ToolUse));
    }

    #[test]
    fn interleaved_parallel_tool_calls_never_delta_after_stop() {
        let (mut em, mut out) = started();
        em.tool_call_start(0, "a", "fa", &mut out).unwrap();
        em.tool_args(0, "{\"x\":", &mut out).unwrap();
        em.tool_call_start(1, "b", "fb", &mut out).unwrap();
        em.tool_args(1, "{\"y\":", &mut out).unwrap();
        em.tool_args(0, "1}", &mut out).unwrap();
        em.tool_args(1, "2}", &mut out).unwrap();
        em.finish(Finish::new(Some(StopReason::ToolUse)), &mut out)
            .unwrap();
        check_grammar(&out).unwrap();
        assert_eq!(
            fold(&out),
            vec![
                ("tool:a:fa".into(), "{\"x\":1}".into()),
                ("tool:b:fb".into(), "{\"y\":2}".into()),
            ]
        );
        assert!(!em.has_incomplete_tool_call());
    }

    #[test]
    fn sequential_tool_calls_all_stream_live() {
        let (mut em, mut out) = started();
        em.tool_call_start(0, "a", "fa", &mut out).unwrap();
        em.tool_args(0, "{\"x\":1}", &mut out).unwrap();
        let before = out.len();
        em.tool_call_start(1, "b", "fb", &mut out).unwrap();
        // The complete first call is stopped and the second one started at once.
        let kinds: Vec<&str> = out[before..].iter().map(StreamEvent::type_name).collect();
        assert_eq!(kinds, ["content_block_stop", "content_block_start"]);
        em.tool_args(1, "{\"y\":", &mut out).unwrap();
        assert!(matches!(out.last(), Some(StreamEvent::ContentBlockDelta(d)) if d.index == 1));
        em.tool_args(0, "  ", &mut out).unwrap();
        assert!(em.tool_args(0, "x", &mut out).is_err());
        em.tool_args(1, "2}", &mut out).unwrap();
        em.finish(Finish::new(Some(StopReason::ToolUse)), &mut out)
            .unwrap();
        check_grammar(&out).unwrap();
        assert_eq!(
            fold(&out),
            vec![
                ("tool:a:fa".into(), "{\"x\":1}".into()),
                ("tool:b:fb".into(), "{\"y\":2}".into()),
            ]
        );
    }

    #[test]
    fn late_fragment_after_stop_is_an_error_and_emits_nothing() {
        let (mut em, mut out) = started();
        em.tool_call_start(0, "a", "fa", &mut out).unwrap();
        em.tool_args(0, "{}", &mut out).unwrap();
        em.text("then text", &mut out).unwrap();
        let before = out.len();
        assert!(em.tool_args(0, "}", &mut out).is_err());
        assert_eq!(out.len(), before);
    }

    #[test]
    fn text_amid_argument_fragments_waits_for_the_call() {
        let (mut em, mut out) = started();
        em.tool_call_start(0, "a", "fa", &mut out).unwrap();
        em.tool_args(0, "{\"x\":", &mut out).unwrap();
        em.text("\n", &mut out).unwrap();
        em.thinking("hm", &mut out).unwrap();
        em.signature("s", &mut out).unwrap();
        em.text("!", &mut out).unwrap();
        em.tool_args(0, "1}", &mut out).unwrap();
        assert!(!em.has_incomplete_tool_call());
        em.text("after", &mut out).unwrap();
        em.finish(Finish::new(Some(StopReason::ToolUse)), &mut out)
            .unwrap();
        check_grammar(&out).unwrap();
        assert_eq!(
            fold(&out),
            vec![
                ("tool:a:fa".into(), "{\"x\":1}".into()),
                ("text".into(), "\n".into()),
                ("thinking".into(), "hm[sig:s]".into()),
                ("text".into(), "!".into()),
                ("text".into(), "after".into()),
            ]
        );
    }

    #[test]
    fn close_block_starts_a_fresh_block() {
        let (mut em, mut out) = started();
        em.close_block(&mut out).unwrap();
        em.thinking("a", &mut out).unwrap();
        em.signature("s1", &mut out).unwrap();
        em.close_block(&mut out).unwrap();
        em.close_block(&mut out).unwrap();
        em.signature("s2", &mut out).unwrap();
        em.finish(Finish::new(Some(StopReason::EndTurn)), &mut out)
            .unwrap();
        check_grammar(&out).unwrap();
        assert_eq!(
            fold(&out),
            vec![
                ("thinking".into(), "a[sig:s1]".into()),
                ("thinking".into(), "[sig:s2]".into()),
            ]
        );
        assert!(em.close_block(&mut out).is_err());
        assert!(EventEmitter::new().close_block(&mut out).is_err());
    }

    #[test]
    fn whole_tool_calls_and_blocks() {
        let (mut em, mut out) = started();
        em.text("a", &mut out).unwrap();
        em.tool_call_whole("c1", "f", "{\"a\":1}", &mut out).unwrap();
        em.tool_call_whole("c2", "g", "", &mut out).unwrap();
        em.finish(Finish::new(Some(StopReason::ToolUse)), &mut out)
            .unwrap();
        check_grammar(&out).unwrap();
        assert_eq!(
            fold(&out),
            vec![
                ("text".into(), "a".into()),
                ("tool:c1:f".into(), "{\"a\":1}".into()),
                ("tool:c2:g".into(), String::new()),
            ]
        );
    }

    #[test]
    fn error_ends_the_stream() {
        let (mut em, mut out) = started();
        em.text("partial", &mut out).unwrap();
        let err = ErrorObject {
            kind: messages_types::ErrorKind::Overloaded,
            message: "busy".into(),
            extra: Extra::new(),
        };
        em.error(err, &mut out).unwrap();
        check_grammar(&out).unwrap();
        assert!(em.text("more", &mut out).is_err());
        assert!(em.finish(Finish::default(), &mut out).is_err());
    }

    #[test]
    fn misuse_is_a_typed_error() {
        let mut em = EventEmitter::new();
        let mut out = Vec::new();
        assert!(em.text("x", &mut out).is_err());
        em.start(MessageMeta::new("m", "m"), &mut out).unwrap();
        assert!(em.start(MessageMeta::new("m", "m"), &mut out).is_err());
        assert!(em.tool_args(3, "x", &mut out).is_err());
        em.tool_call_start(3, "a", "b", &mut out).unwrap();
        assert!(em.tool_call_start(3, "a", "b", &mut out).is_err());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Text(String),
        Thinking(String),
        Signature,
        ToolStart(u64),
        ToolArgs(u64, String),
        Whole,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            "[a-z]{0,3}".prop_map(Op::Text),
            "[a-z]{0,3}".prop_map(Op::Thinking),
            Just(Op::Signature),
            (0u64..4).prop_map(Op::ToolStart),
            ((0u64..4), "[a-z{}]{0,3}").prop_map(|(k, s)| Op::ToolArgs(k, s)),
            Just(Op::Whole),
        ]
    }

    proptest! {
        /// Whatever the call sequence, the output is a valid event sequence and
        /// every accepted fragment ends up in its own block, in order.
        #[test]
        fn any_call_sequence_gives_a_valid_stream(ops in proptest::collection::vec(op(), 0..40)) {
            let (mut em, mut out) = started();
            let mut expected_args: std::collections::HashMap<u64, String> = Default::default();
            for op in ops {
                match op {
                    Op::Text(t) => em.text(&t, &mut out).unwrap(),
                    Op::Thinking(t) => em.thinking(&t, &mut out).unwrap(),
                    Op::Signature => em.signature("s", &mut out).unwrap(),
                    Op::ToolStart(k) => {
                        let fresh = !em.has_tool_key(k);
                        prop_assert_eq!(em.tool_call_start(k, &format!("id{k}"), "f", &mut out).is_ok(), fresh);
                        if fresh { expected_args.insert(k, String::new()); }
                    }
                    Op::ToolArgs(k, s) => {
                        let before = out.len();
                        if em.tool_args(k, &s, &mut out).is_ok() {
                            if let Some(a) = expected_args.get_mut(&k) { a.push_str(&s) }
                        } else {
                            prop_assert_eq!(out.len(), before);
                        }
                    }
                    Op::Whole => em.tool_call_whole("w", "g", "{}", &mut out).unwrap(),
                }
                prop_assert!(check_grammar_prefix(&out).is_ok());
            }
            // Cut off by the token limit: arguments go out as received.
            let mut ended = em.clone();
            let mut ended_out = out.clone();
            let any_invalid = expected_args.values().any(|a| args_cut_off(a));
            let natural = ended.finish(Finish::new(Some(StopReason::EndTurn)), &mut ended_out);
            prop_assert_eq!(natural.is_err(), any_invalid, "invalid arguments with end_turn are an error");
            let not_a_prefix = expected_args.values().any(|a| {
                args_cut_off(a) && messages_types::partial_json::repair_cut_off(a.trim()).is_err()
            });
            let at_limit = em.finish(Finish::new(Some(StopReason::MaxTokens)), &mut out);
            prop_assert_eq!(at_limit.is_err(), not_a_prefix, "only garbage fails at the token limit");
            if at_limit.is_err() {
                prop_assert!(check_grammar_prefix(&out).is_ok());
                return Ok(());
            }
            prop_assert!(check_grammar(&out).is_ok(), "{:?}", check_grammar(&out));
            for (k, args) in expected_args {
                let id = format!("tool:id{k}:f");
                let got = fold(&out).into_iter().find(|b| b.0 == id).map(|b| b.1);
                prop_assert_eq!(got, Some(args));
            }
        }
    }

    /// A prefix of a valid stream: valid once finished with a synthetic end.
    fn check_grammar_prefix(events: &[StreamEvent]) -> Result<(), String> {
        let mut v = events.to_vec();
        let open = v.iter().fold(None, |open, e| match e {
            StreamEvent::ContentBlockStart(s) => Some(s.index),
            StreamEvent::ContentBlockStop(_) => None,
            _ => open,
        });
        if let Some(i) = open {
            v.push(block_stop(i));
        }
        v.push(StreamEvent::MessageDelta(Box::new(MessageDeltaEvent {
            delta: MessageDelta::default(),
            usage: Usage::default(),
            extra: Extra::new(),
        })));
        v.push(StreamEvent::MessageStop(MessageStopEvent::default()));
        check_grammar(&v)
    }
}
