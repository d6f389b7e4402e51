//! Responses stream → Anthropic stream events.
//!
//! Events are dispatched on the payload's `type` (as the OpenAI SDK does; the
//! SSE `event:` name is only a fallback when the payload has none):
//!
//! | Responses event | Anthropic |
//! |---|---|
//! | `response.created` / `in_progress` / `queued` | `message_start` (once; id `msg_` + the response id) |
//! | `response.output_item.added` | closes the open block; a `function_call` starts a `tool_use` block (id = `call_id`) |
//! | `response.reasoning_summary_text.delta`, `response.reasoning_text.delta` (only while the item has no summary) | `thinking_delta`; a blank line between summary parts (`response.reasoning_summary_part.added` with `summary_index` > 0) |
//! | `response.content_part.added` | closes the open block (one text block per content part) |
//! | `response.output_text.delta` | `text_delta` |
//! | `response.content_part.done` (`output_text`) | a `citations_delta` per `url_citation` annotation of the part (as [`from_response`](super::from_response) converts them), on the part's text block |
//! | `response.refusal.delta` | `text_delta`, and the stop reason `refusal` |
//! | `response.function_call_arguments.delta` | `input_json_delta` |
//! | `response.function_call_arguments.done`, `response.output_item.done` (function call) | the part of the final arguments not streamed yet, if any |
//! | `response.output_item.done` (reasoning) | the thinking text when none was streamed, then a `signature_delta` carrying the item ([`signature`](super::signature)); `encrypted_content` is taken here, never from `.added` |
//! | `response.output_item.done` (message) | the item's text when none was streamed |
//! | `response.output_item.done` (web search) | `server_tool_use` + `web_search_tool_result` blocks, whole |
//! | `response.completed` / `response.incomplete` | `message_delta` (stop reason and usage from the response, as in [`from_response`](super::from_response)) + `message_stop` |
//! | `response.failed` | an `error` event ([`failed_error`](super::failed_error)) |
//! | `error`, or a payload with a top-level `error` | an `error` event (classified as in the Chat family) |
//!
//! Skipped, by rule: every other event type — the `.done` events whose
//! content the deltas already carried (`response.output_text.done`,
//! `response.reasoning_summary_*.done`, …),
//! progress events (`response.web_search_call.searching`, …), and any event
//! of a tool or modality the request conversion never asks for (file search,
//! code interpreter, MCP, image generation, audio, shell) or of a future API
//! version. `response.output_text.annotation.added` is skipped as well: the
//! finished part carries all its annotations. Annotations without an
//! Anthropic citation kind (`file_citation`, `file_path`, …) cannot be added
//! to a streamed block (the whole-response conversion keeps them on the block
//! as `annotations`), nor can citations of a part whose text had to wait
//! behind an unfinished tool call. A `data: [DONE]` payload is
//! ignored. Events are keyed by `output_index` (item ids are not stable on
//! every server).
//!
//! A stream that ends without `response.completed`, `response.incomplete`,
//! `response.failed` or `error` is an error ([`finish`](ResponsesStreamConverter::finish)).

use std::collections::HashMap;

use messages_types::{
    CitationsDelta, ContentBlock, ContentBlockDeltaEvent, ContentDelta, ErrorObject, Extra, StreamEvent,
};

use super::response::{
    failed_error, reasoning_signature, reasoning_text, response_usage, stop_reason, url_citation,
    web_search_blocks, StopFacts,
};
use super::wire::{OutputItem, OutputPart, Response, ResponseStreamEvent};
use crate::openai_chat::error::error_object;
use crate::openai_chat::response::message_id;
use crate::openai_chat::wire::{NativeError, NativeErrorField};
use crate::stream_emit::{EventEmitter, Finish, MessageMeta};
use crate::ConvertError;

/// What is known about one output item while it streams.
#[derive(Debug, Clone, Default)]
struct ItemState {
    /// A function call's emitter key was started.
    tool_started: bool,
    /// The argument text forwarded so far.
    args: String,
    /// Some text or thinking of this item was emitted.
    emitted: bool,
    /// A summary delta arrived (reasoning text deltas are then ignored).
    summary_seen: bool,
}

/// Converts the SSE events of one Responses stream, in order, into a valid
/// Anthropic event sequence (rules in the [module docs](self)).
///
/// ```
/// use messages_convert::openai_responses::ResponsesStreamConverter;
/// let mut conv = ResponsesStreamConverter::new("gpt-5-mini");
/// let mut events = Vec::new();
/// for data in [
///     r#"{"type":"response.created","response":{"id":"resp_1","model":"gpt-5-mini","status":"in_progress","output":[]}}"#,
///     r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}}"#,
///     r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"Hi"}"#,
///     r#"{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[],
///        "usage":{"input_tokens":5,"output_tokens":1}}}"#,
/// ] {
///     conv.push(None, data.as_bytes(), &mut events).unwrap();
/// }
/// conv.finish(&mut events).unwrap();
/// let kinds: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
/// assert_eq!(kinds, ["message_start", "content_block_start", "content_block_delta",
///     "content_block_stop", "message_delta", "message_stop"]);
/// ```
#[derive(Debug, Clone)]
pub struct ResponsesStreamConverter {
    model: String,
    emitter: EventEmitter,
    items: HashMap<u64, ItemState>,
    refusal: bool,
    searches: u64,
    /// The last emitter call opened or extended a text block that is still
    /// open (so a `citations_delta` may target it).
    text_open: bool,
}

impl ResponsesStreamConverter {
    /// A converter for one stream; `model` is the requested model, used when
    /// the stream names none.
    pub fn new(model: &str) -> Self {
        Self {
            model: model.to_owned(),
            emitter: EventEmitter::new(),
            items: HashMap::new(),
            refusal: false,
            searches: 0,
            text_open: false,
        }
    }

    /// `true` once a terminal event (or an error) ended the stream.
    pub fn is_done(&self) -> bool {
        self.emitter.is_done()
    }

    /// Converts one SSE event: its `event:` name, if any, and its `data`.
    /// Events after the end are ignored.
    pub fn push(
        &mut self,
        event: Option<&str>,
        data: &[u8],
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        let data = data.trim_ascii();
        if data.is_empty() || data == b"[DONE]" || self.emitter.is_done() {
            return Ok(());
        }
        let mut ev: ResponseStreamEvent<'_> = serde_json::from_slice(data)
            .map_err(|e| ConvertError::decode("responses stream event", &e, data))?;
        if ev.kind.is_empty() {
            if let Some(name) = event {
                ev.kind = name.to_owned().into();
            }
        }
        self.push_event(ev, out)
    }

    /// Converts one decoded event.
    pub fn push_event(
        &mut self,
        ev: ResponseStreamEvent<'_>,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        if let Some(err) = &ev.error {
            let native: NativeErrorField = serde_json::from_value(err.clone())
                .unwrap_or_else(|_| NativeErrorField::Message(err.to_string()));
            return self.emitter.error(error_object(&native, None), out);
        }
        let index = ev.output_index.unwrap_or(0);
        if !matches!(
            ev.kind.as_ref(),
            "response.output_text.delta"
                | "response.output_text.done"
                | "response.output_text.annotation.added"
                | "response.content_part.done"
        ) {
            self.text_open = false;
        }
        match ev.kind.as_ref() {
            "response.created" | "response.in_progress" | "response.queued" => {
                self.start(ev.response.as_ref(), out)?;
            }
            "response.output_item.added" => {
                self.start(None, out)?;
                self.emitter.close_block(out)?;
                if let Some(item) = &ev.item {
                    self.item_added(index, item, out)?;
                }
            }
            "response.output_item.done" => {
                self.start(None, out)?;
                if let Some(item) = &ev.item {
                    self.item_done(index, item, out)?;
                }
            }
            "response.content_part.added" => {
                self.start(None, out)?;
                self.emitter.close_block(out)?;
            }
            "response.reasoning_summary_part.added" => {
                self.start(None, out)?;
                if ev.summary_index.unwrap_or(0) > 0 {
                    self.emitter.thinking("\n\n", out)?;
                }
            }
            "response.reasoning_summary_text.delta" => {
                self.start(None, out)?;
                let state = self.items.entry(index).or_default();
                state.summary_seen = true;
                if let Some(d) = ev.delta.as_deref() {
                    state.emitted |= !d.is_empty();
                    self.emitter.thinking(d, out)?;
                }
            }
            "response.reasoning_text.delta" => {
                self.start(None, out)?;
                let state = self.items.entry(index).or_default();
                if let (false, Some(d)) = (state.summary_seen, ev.delta.as_deref()) {
                    state.emitted |= !d.is_empty();
                    self.emitter.thinking(d, out)?;
                }
            }
            "response.output_text.delta" => {
                self.start(None, out)?;
                if let Some(d) = ev.delta.as_deref() {
                    self.items.entry(index).or_default().emitted |= !d.is_empty();
                    self.text(d, out)?;
                }
            }
            "response.content_part.done" => {
                let part = ev.part.map(serde_json::from_value::<OutputPart>);
                if let Some(Ok(part)) = part {
                    self.cite(&part, out);
                }
            }
            "response.refusal.delta" => {
                self.start(None, out)?;
                self.refusal = true;
                if let Some(d) = ev.delta.as_deref() {
                    self.items.entry(index).or_default().emitted |= !d.is_empty();
                    self.emitter.text(d, out)?;
                }
            }
            "response.refusal.done" => self.refusal = true,
            "response.function_call_arguments.delta" => {
                self.start(None, out)?;
                if let Some(d) = ev.delta.as_deref() {
                    self.tool_args(index, d, out)?;
                }
            }
            "response.function_call_arguments.done" => {
                if let Some(args) = ev.arguments.as_deref() {
                    self.complete_args(index, args, out)?;
                }
            }
            "response.completed" | "response.incomplete" => {
                self.start(ev.response.as_ref(), out)?;
                let response = ev.response.unwrap_or_default();
                self.finish_with(&response, out)?;
            }
            "response.failed" => {
                let response = ev.response.unwrap_or_default();
                let error = failed_error(&response).error;
                self.emitter.error(error, out)?;
            }
            "error" => {
                let native = NativeErrorField::Object(NativeError {
                    message: ev.message.clone(),
                    kind: None,
                    code: ev.code.clone(),
                    param: ev.param.clone(),
                });
                self.emitter.error(error_object(&native, None), out)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Text of an `output_text` part; remembers whether it went into a
    /// block that is still open (it waits behind a tool call whose arguments
    /// are incomplete otherwise).
    fn text(&mut self, text: &str, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if text.is_empty() {
            return Ok(());
        }
        let waits = self.emitter.has_incomplete_tool_call();
        self.emitter.text(text, out)?;
        self.text_open = !waits;
        Ok(())
    }

    /// The `url_citation` annotations of a finished `output_text` part, as
    /// `citations_delta` events on its text block — the block the last text
    /// delta went into, still open. Annotations of a part whose block is no
    /// longer open, and those of other kinds, cannot be attached in a stream
    /// (the whole-response conversion keeps them).
    fn cite(&mut self, part: &OutputPart, out: &mut Vec<StreamEvent>) {
        let Some(index) = self.emitter.block_count().checked_sub(1) else {
            return;
        };
        if !self.text_open || part.kind != "output_text" {
            return;
        }
        let text = part.text.as_deref().unwrap_or("");
        for a in &part.annotations {
            if let Some(citation) = url_citation(a, text) {
                out.push(StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent {
                    index,
                    delta: ContentDelta::CitationsDelta(Box::new(CitationsDelta {
                        citation,
                        extra: Extra::new(),
                    })),
                    extra: Extra::new(),
                }));
            }
        }
    }

    fn start(&mut self, response: Option<&Response>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_started() {
            return Ok(());
        }
        let id = response.and_then(|r| r.id.as_deref());
        let model = response.and_then(|r| r.model.as_deref()).unwrap_or(&self.model);
        self.emitter.start(MessageMeta::new(message_id(id), model), out)
    }

    fn item_added(
        &mut self,
        index: u64,
        item: &OutputItem,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        if item.kind == "function_call" {
            self.start_tool(index, item, out)?;
            let args = item.arguments_text();
            if !args.is_empty() {
                self.tool_args(index, &args, out)?;
            }
        }
        Ok(())
    }

    fn start_tool(
        &mut self,
        index: u64,
        item: &OutputItem,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        let state = self.items.entry(index).or_default();
        if state.tool_started {
            return Ok(());
        }
        state.tool_started = true;
        let name = item.name.as_deref().unwrap_or_default();
        self.emitter
            .tool_call_start(index, &super::response::call_id(item), name, out)
    }

    fn tool_args(
        &mut self,
        index: u64,
        fragment: &str,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        let state = self.items.entry(index).or_default();
        if !state.tool_started {
            // Arguments for a call never announced: nothing to attach them to.
            return Err(ConvertError::Invalid {
                what: "stream",
                message: format!("function call arguments for output {index} before its item"),
            });
        }
        state.args.push_str(fragment);
        self.emitter.tool_args(index, fragment, out)
    }

    /// Forwards the part of the final `arguments` not streamed yet. Final
    /// arguments that disagree with what was streamed leave the streamed ones.
    fn complete_args(
        &mut self,
        index: u64,
        args: &str,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        let Some(state) = self.items.get(&index) else {
            return Ok(());
        };
        if !state.tool_started {
            return Ok(());
        }
        if let Some(rest) = args.strip_prefix(state.args.as_str()) {
            if !rest.is_empty() {
                let rest = rest.to_owned();
                self.tool_args(index, &rest, out)?;
            }
        }
        Ok(())
    }

    fn item_done(
        &mut self,
        index: u64,
        item: &OutputItem,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        let emitted = self.items.get(&index).is_some_and(|s| s.emitted);
        match item.kind.as_str() {
            "reasoning" => {
                if !emitted {
                    self.emitter.thinking(&reasoning_text(item), out)?;
                }
                let sig = reasoning_signature(item);
                if !sig.is_empty() {
                    self.emitter.signature(&sig, out)?;
                }
                self.emitter.close_block(out)?;
            }
            "message" if !emitted => {
                for part in &item.content {
                    let text = match part.kind.as_str() {
                        "output_text" => part.text.as_deref(),
                        "refusal" => {
                            self.refusal = true;
                            part.refusal.as_deref().or(part.text.as_deref())
                        }
                        _ => None,
                    };
                    if let Some(t) = text.filter(|t| !t.is_empty()) {
                        self.emitter.close_block(out)?;
                        self.text(t, out)?;
                        self.cite(part, out);
                        self.text_open = false;
                    }
                }
            }
            "function_call" => {
                self.start_tool(index, item, out)?;
                self.complete_args(index, &item.arguments_text(), out)?;
            }
            "web_search_call" => {
                self.searches += 1;
                let (call, result) = web_search_blocks(item);
                self.emitter.block_whole(ContentBlock::ServerToolUse(call), out)?;
                self.emitter
                    .block_whole(ContentBlock::WebSearchToolResult(result), out)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish_with(&mut self, r: &Response, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let refusal_in_output = r
            .output
            .iter()
            .any(|i| i.content.iter().any(|p| p.kind == "refusal"));
        let tool_in_output = r.output.iter().any(|i| i.kind == "function_call");
        let facts = StopFacts {
            status: r.status.clone(),
            incomplete_reason: r.incomplete_details.as_ref().and_then(|d| d.reason.clone()),
            tool_calls: self.emitter.has_tool_calls() || tool_in_output,
            refusal: self.refusal || refusal_in_output,
        };
        let usage = response_usage(r, self.searches);
        self.emitter.finish(
            Finish {
                stop_reason: Some(stop_reason(&facts)),
                stop_sequence: None,
                stop_details: None,
                usage,
            },
            out,
        )
    }

    /// End of the body. A stream already ended by a terminal event or an
    /// error emits nothing more; one that stopped before is an error (the
    /// reply is incomplete), never a silent end. The caller may still show
    /// the events so far.
    pub fn finish(&mut self, _out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        Err(ConvertError::Invalid {
            what: "stream",
            message: "the Responses stream ended without response.completed, response.incomplete, \
                      response.failed or error"
                .to_owned(),
        })
    }

    /// The error object a caller can emit after [`finish`](Self::finish)
    /// failed, ending the Anthropic stream with an `error` event.
    pub fn truncated_error(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        self.emitter.error(
            ErrorObject {
                kind: messages_types::ErrorKind::Api,
                message: "the stream ended before the response was complete".to_owned(),
                extra: messages_types::Extra::new(),
            },
            out,
        )
    }
}

impl crate::StreamConverter for ResponsesStreamConverter {
    /// An SSE event (its `event:` name and `data`) goes to
    /// [`ResponsesStreamConverter::push`]; an NDJSON line is taken as the
    /// `data` of an unnamed event.
    fn on_frame(&mut self, frame: crate::Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        match frame {
            crate::Frame::Sse { event, data } => self.push(event, data, out),
            crate::Frame::Line(line) => self.push(None, line, out),
            other => Err(crate::stream::unexpected_frame(super::PROVIDER, &other)),
        }
    }

    /// [`ResponsesStreamConverter::finish`]: a stream without a terminal
    /// event is an error.
    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        ResponsesStreamConverter::finish(self, out)
    }
}
