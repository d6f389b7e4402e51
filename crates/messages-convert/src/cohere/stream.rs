//! Cohere v2 chat stream → Anthropic stream events.
//!
//! Each SSE event (its `event:` name, when the server sends one, else the
//! payload's `type`) maps as follows:
//!
//! | Cohere event | Anthropic |
//! |---|---|
//! | `message-start` | `message_start` (id `msg_` + Cohere's id, the requested model) |
//! | `content-start` | closes the open block; its text or thinking (if any) starts a block |
//! | `content-delta` | `text_delta` / `thinking_delta` |
//! | `content-end` | `content_block_stop` |
//! | `tool-plan-delta` | a text block of its own (the plan), `text_delta` |
//! | `tool-call-start` / `-delta` | a `tool_use` block (id `call_{n}` when missing), `input_json_delta` |
//! | `tool-call-end` | nothing (the block stops when the next one starts or at the end) |
//! | `citation-start` | `citations_delta` on the open text block, for the kinds [`citations`](super::citations) maps; others dropped as documented there |
//! | `citation-end` | nothing |
//! | `message-end` | `message_delta` (stop reason, usage by [`finish`](super::finish)) + `message_stop`; with `delta.error`, or `ERROR` / `TIMEOUT`, an `error` event instead |
//! | `[DONE]` | the end of the stream ([`CohereStreamConverter::finish`]) |
//! | `debug`, and any event type this crate does not know | skipped: they carry no message content (forward compatible) |
//!
//! A stream that ends without `message-end` never said why it stopped:
//! [`finish`](CohereStreamConverter::finish) ends it with an Anthropic
//! `error` event (kind `api_error`) after the events already delivered.

use messages_types::{CitationsDelta, ContentDelta, ErrorKind, ErrorObject, Extra, StreamEvent};
use serde::Deserialize;

use super::citations::{cites_thinking, to_anthropic};
use super::finish::{finish_error, stop_reason, to_anthropic_usage};
use super::response::ResponseContext;
use super::wire::{
    CitationMessage, CohereUsage, ContentMessage, Event, EventType, FinishReason, Ignored, ToolCallMessage,
    ToolPlanMessage,
};
use crate::openai_chat::response::message_id;
use crate::stream_emit::{EventEmitter, Finish, MessageMeta};
use crate::ConvertError;

/// Converts the SSE events of one Cohere `/v2/chat` stream, in order, into a
/// valid Anthropic event sequence.
///
/// ```
/// use messages_convert::cohere::{CohereStreamConverter, ResponseContext};
/// let mut conv = CohereStreamConverter::new(&ResponseContext::new("command-a-03-2025"));
/// let mut events = Vec::new();
/// for (name, data) in [
///     ("message-start", r#"{"id":"g1","type":"message-start","delta":{"message":{"role":"assistant"}}}"#),
///     ("content-start", r#"{"index":0,"type":"content-start","delta":{"message":{"content":{"type":"text","text":""}}}}"#),
///     ("content-delta", r#"{"index":0,"type":"content-delta","delta":{"message":{"content":{"text":"Hi"}}}}"#),
///     ("content-end", r#"{"index":0,"type":"content-end"}"#),
///     ("message-end", r#"{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"tokens":{"input_tokens":5,"output_tokens":1}}}}"#),
/// ] {
///     conv.push(Some(name), data.as_bytes(), &mut events).unwrap();
/// }
/// let kinds: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
/// assert_eq!(kinds, ["message_start", "content_block_start", "content_block_delta",
///     "content_block_stop", "message_delta", "message_stop"]);
/// ```
#[derive(Debug, Clone)]
pub struct CohereStreamConverter {
    model: String,
    stop_sequences: Vec<String>,
    emitter: EventEmitter,
    /// The open block is a text block this converter opened.
    text_open: bool,
    /// The open text block is the tool plan.
    in_plan: bool,
    /// Cohere tool-call indexes seen (emitter keys).
    tool_keys: Vec<u64>,
    finish_reason: Option<FinishReason>,
    usage: Option<CohereUsage>,
    /// `message-end` arrived.
    saw_end: bool,
}

fn decode<'a, T: Deserialize<'a>>(data: &'a [u8]) -> Result<T, ConvertError> {
    serde_json::from_slice(data).map_err(|e| ConvertError::decode("cohere stream event", &e, data))
}

impl CohereStreamConverter {
    /// A converter for one stream.
    pub fn new(ctx: &ResponseContext<'_>) -> Self {
        Self {
            model: ctx.model.to_owned(),
            stop_sequences: ctx.stop_sequences.to_vec(),
            emitter: EventEmitter::new(),
            text_open: false,
            in_plan: false,
            tool_keys: Vec::new(),
            finish_reason: None,
            usage: None,
            saw_end: false,
        }
    }

    /// `true` once the stream ended (`message-end`, `[DONE]`, an error, or
    /// [`finish`](Self::finish)).
    pub fn is_done(&self) -> bool {
        self.emitter.is_done()
    }

    /// Converts one SSE event: its `event:` name (if any) and its `data`.
    /// Events after the end are ignored.
    pub fn push(
        &mut self,
        event: Option<&str>,
        data: &[u8],
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        let data = data.trim_ascii();
        if data.is_empty() || self.emitter.is_done() {
            return Ok(());
        }
        if data == b"[DONE]" {
            return self.finish(out);
        }
        let named;
        let kind: &str = match event.filter(|e| !e.is_empty() && *e != "message") {
            Some(e) => e,
            None => {
                let t: EventType<'_> = decode(data)?;
                named = t.kind.map(|k| k.into_owned()).unwrap_or_default();
                &named
            }
        };
        match kind {
            "message-start" => {
                let ev: Event<'_, Ignored> = decode(data)?;
                self.start(ev.id.as_deref(), out)
            }
            "content-start" | "content-delta" => {
                self.start(None, out)?;
                let ev: Event<'_, ContentMessage<'_>> = decode(data)?;
                if kind == "content-start" {
                    self.close(out)?;
                }
                let part = ev.delta.and_then(|d| d.message).and_then(|m| m.content);
                if let Some(part) = part {
                    if part.is_thinking() {
                        if let Some(t) = part.thinking.as_deref().filter(|t| !t.is_empty()) {
                            self.text_open = false;
                            self.emitter.thinking(t, out)?;
                        }
                    } else if let Some(t) = part.text.as_deref().filter(|t| !t.is_empty()) {
                        self.text_open = true;
                        self.emitter.text(t, out)?;
                    }
                }
                Ok(())
            }
            "content-end" => {
                self.start(None, out)?;
                self.close(out)
            }
            "tool-plan-delta" => {
                self.start(None, out)?;
                let ev: Event<'_, ToolPlanMessage<'_>> = decode(data)?;
                let plan = ev.delta.and_then(|d| d.message).and_then(|m| m.tool_plan);
                if let Some(p) = plan.as_deref().filter(|p| !p.is_empty()) {
                    if !self.in_plan {
                        self.close(out)?;
                        self.in_plan = true;
                    }
                    self.text_open = true;
                    self.emitter.text(p, out)?;
                }
                Ok(())
            }
            "tool-call-start" | "tool-call-delta" => {
                self.start(None, out)?;
                let ev: Event<'_, ToolCallMessage<'_>> = decode(data)?;
                let key = ev.index.unwrap_or(self.tool_keys.len() as u64);
                let call = ev
                    .delta
                    .and_then(|d| d.message)
                    .and_then(|m| m.tool_calls)
                    .unwrap_or_default();
                let function = call.function.unwrap_or_default();
                self.text_open = false;
                self.in_plan = false;
                if !self.tool_keys.contains(&key) {
                    let n = self.tool_keys.len();
                    let id = call
                        .id
                        .as_deref()
                        .filter(|id| !id.is_empty())
                        .map_or_else(|| format!("call_{n}"), str::to_owned);
                    self.tool_keys.push(key);
                    self.emitter.tool_call_start(
                        key,
                        &id,
                        function.name.as_deref().unwrap_or_default(),
                        out,
                    )?;
                }
                if let Some(args) = function.arguments.as_deref() {
                    self.emitter.tool_args(key, args, out)?;
                }
                Ok(())
            }
            "citation-start" => {
                let ev: Event<'_, CitationMessage> = decode(data)?;
                let Some(c) = ev.delta.and_then(|d| d.message).and_then(|m| m.citations) else {
                    return Ok(());
                };
                if cites_thinking(&c) || !self.text_open || self.emitter.has_incomplete_tool_call() {
                    return Ok(());
                }
                let Some(index) = self.emitter.block_count().checked_sub(1) else {
                    return Ok(());
                };
                for citation in to_anthropic(&c) {
                    out.push(StreamEvent::content_block_delta(
                        index,
                        ContentDelta::CitationsDelta(Box::new(CitationsDelta {
                            citation,
                            extra: Extra::new(),
                        })),
                    ));
                }
                Ok(())
            }
            "message-end" => {
                let ev: Event<'_, Ignored> = decode(data)?;
                let delta = ev.delta;
                if let Some(d) = &delta {
                    if let Some(e) = d.error.as_deref() {
                        let err =
                            finish_error(d.finish_reason.as_ref(), Some(e)).unwrap_or_else(|| ErrorObject {
                                kind: ErrorKind::Api,
                                message: e.to_owned(),
                                extra: Extra::new(),
                            });
                        return self.emitter.error(err, out);
                    }
                    if let Some(err) = finish_error(d.finish_reason.as_ref(), None) {
                        return self.emitter.error(err, out);
                    }
                }
                if let Some(d) = delta {
                    self.finish_reason = d.finish_reason;
                    self.usage = d.usage;
                }
                self.saw_end = true;
                self.start(None, out)?;
                self.finish(out)
            }
            // `citation-end`, `tool-call-end`, `debug` and unknown events.
            _ => Ok(()),
        }
    }

    fn start(&mut self, id: Option<&str>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_started() {
            return Ok(());
        }
        self.emitter
            .start(MessageMeta::new(message_id(id), self.model.as_str()), out)
    }

    fn close(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        self.text_open = false;
        self.in_plan = false;
        self.emitter.close_block(out)
    }

    /// End of the stream: closes open blocks and emits `message_delta` (stop
    /// reason and usage from `message-end`) and `message_stop`; a started
    /// stream that never sent `message-end` ends with an `error` event
    /// instead (it never said why it stopped). A stream that produced
    /// nothing emits nothing; calling it again does nothing.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        if self.emitter.is_started() && !self.saw_end {
            return self.emitter.error(
                ErrorObject {
                    kind: ErrorKind::Api,
                    message: "the Cohere stream ended without `message-end`".to_owned(),
                    extra: Extra::new(),
                },
                out,
            );
        }
        let has_calls = self.emitter.has_tool_calls();
        let (reason, stop_sequence) =
            stop_reason(self.finish_reason.as_ref(), has_calls, &self.stop_sequences)
                .unwrap_or((messages_types::StopReason::EndTurn, None));
        self.emitter.finish(
            Finish {
                stop_reason: Some(reason),
                stop_sequence,
                stop_details: None,
                usage: to_anthropic_usage(self.usage.as_ref()),
            },
            out,
        )
    }
}

impl crate::StreamConverter for CohereStreamConverter {
    /// Each SSE event (its `event:` name and `data`) goes to
    /// [`CohereStreamConverter::push`]; Cohere streams carry no other frame kind.
    fn on_frame(&mut self, frame: crate::Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        match frame {
            crate::Frame::Sse { event, data } => self.push(event, data, out),
            other => Err(crate::stream::unexpected_frame(super::request::PROVIDER, &other)),
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        CohereStreamConverter::finish(self, out)
    }
}
