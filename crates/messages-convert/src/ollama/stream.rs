//! Ollama `/api/chat` NDJSON stream → Anthropic stream events.
//!
//! Every line is a [`ChatResponse`]:
//!
//! * the first line opens the message (`message_start`: id and model as in
//!   the [whole response](super::response));
//! * `message.thinking` fragments → a thinking block, `message.content`
//!   fragments → a text block (a change of kind closes the open block);
//! * tool calls arrive whole: each is a `tool_use` block with its input in
//!   one `input_json_delta` (id `call_{n}` when absent, `n` counting the
//!   reply's calls);
//! * the `done: true` line closes the blocks and emits `message_delta`
//!   (stop reason and usage as in the whole response) and `message_stop`;
//!   lines after it are ignored;
//! * an `{"error": …}` line ends the stream with an Anthropic `error` event
//!   after the events already delivered ([`error_object`]).
//!
//! A stream cut off before `done` never said why it stopped:
//! [`finish`](OllamaStreamConverter::finish) ends it with an Anthropic
//! `error` event (kind `api_error`) after the events already delivered.

use messages_types::{ErrorKind, ErrorObject, Extra, StreamEvent};

use super::error::error_object;
use super::response::{message_id, stop_reason, tool_call_id, tool_input, usage};
use super::wire::{ChatResponse, DoneReason};
use crate::stream_emit::{EventEmitter, Finish, MessageMeta};
use crate::ConvertError;

/// Converts the NDJSON lines of one Ollama `/api/chat` stream, in order,
/// into a valid Anthropic event sequence.
///
/// ```
/// use messages_convert::ollama::OllamaStreamConverter;
/// let mut conv = OllamaStreamConverter::new("qwen3:4b");
/// let mut events = Vec::new();
/// for line in [
///     r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56Z","message":{"role":"assistant","content":"Hi"},"done":false}"#,
///     r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:57Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":9,"eval_count":1}"#,
/// ] {
///     conv.push(line.as_bytes(), &mut events).unwrap();
/// }
/// let kinds: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
/// assert_eq!(kinds, ["message_start", "content_block_start", "content_block_delta",
///     "content_block_stop", "message_delta", "message_stop"]);
/// ```
#[derive(Debug, Clone)]
pub struct OllamaStreamConverter {
    model: String,
    emitter: EventEmitter,
    tool_calls: usize,
    done_reason: Option<DoneReason>,
    counts: (Option<u64>, Option<u64>),
    /// The `done: true` line arrived.
    saw_done: bool,
}

impl OllamaStreamConverter {
    /// A converter for one stream of a request for `model`.
    pub fn new(model: &str) -> Self {
        Self {
            model: model.to_owned(),
            emitter: EventEmitter::new(),
            tool_calls: 0,
            done_reason: None,
            counts: (None, None),
            saw_done: false,
        }
    }

    /// `true` once the stream ended (`done`, an error, or [`finish`](Self::finish)).
    pub fn is_done(&self) -> bool {
        self.emitter.is_done()
    }

    /// Converts one NDJSON line. Blank lines and lines after the end are ignored.
    pub fn push(&mut self, line: &[u8], out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let line = line.trim_ascii();
        if line.is_empty() || self.emitter.is_done() {
            return Ok(());
        }
        let chunk: ChatResponse<'_> =
            serde_json::from_slice(line).map_err(|e| ConvertError::decode("ollama stream line", &e, line))?;
        self.push_chunk(chunk, out)
    }

    /// Converts one decoded line.
    pub fn push_chunk(
        &mut self,
        chunk: ChatResponse<'_>,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        if let Some(err) = &chunk.error {
            return self.emitter.error(error_object(err, None), out);
        }
        if !self.emitter.is_started() {
            let meta = MessageMeta::new(
                message_id(chunk.created_at.as_deref()),
                chunk.model.as_deref().unwrap_or(&self.model),
            );
            self.emitter.start(meta, out)?;
        }
        if let Some(msg) = &chunk.message {
            if let Some(t) = msg.thinking.as_deref() {
                self.emitter.thinking(t, out)?;
            }
            if let Some(t) = msg.content.as_deref() {
                self.emitter.text(t, out)?;
            }
            for call in &msg.tool_calls {
                let id = tool_call_id(call, self.tool_calls);
                self.tool_calls += 1;
                let name = call
                    .function
                    .as_ref()
                    .and_then(|f| f.name.as_deref())
                    .unwrap_or_default();
                let args = tool_input(call).to_string();
                self.emitter.tool_call_whole(&id, name, &args, out)?;
            }
        }
        if chunk.done {
            self.done_reason = chunk.done_reason;
            self.counts = (chunk.prompt_eval_count, chunk.eval_count);
            self.saw_done = true;
            return self.finish(out);
        }
        Ok(())
    }

    /// End of the stream: closes open blocks and emits `message_delta` and
    /// `message_stop`; a started stream that never sent its `done` line ends
    /// with an `error` event instead (it never said why it stopped). A
    /// stream that produced nothing emits nothing; calling it again does
    /// nothing.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        if self.emitter.is_started() && !self.saw_done {
            return self.emitter.error(
                ErrorObject {
                    kind: ErrorKind::Api,
                    message: "the Ollama stream ended without its `done` line".to_owned(),
                    extra: Extra::new(),
                },
                out,
            );
        }
        let reason = stop_reason(self.done_reason.as_ref(), self.tool_calls > 0);
        self.emitter.finish(
            Finish::new(Some(reason)).with_usage(usage(self.counts.0, self.counts.1)),
            out,
        )
    }
}

impl crate::StreamConverter for OllamaStreamConverter {
    /// Each NDJSON line ([`Frame::Line`](crate::Frame::Line); an SSE event's
    /// `data` is read the same way) goes to [`OllamaStreamConverter::push`].
    fn on_frame(&mut self, frame: crate::Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        match frame.json_payload() {
            Some(line) => self.push(line, out),
            None => Err(crate::stream::unexpected_frame(super::request::PROVIDER, &frame)),
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        OllamaStreamConverter::finish(self, out)
    }
}
