//! Chat Completions stream → Anthropic stream events.

use crate::signature::SignatureOrigin;
use messages_types::{ContentBlock, ErrorKind, ErrorObject, Extra, StreamEvent, Usage};

use super::error::error_object;
use super::response::{detail_event, message_id, zero_usage, DetailEvent, ResponseContext};
use super::stop::{stop_reason, stopped_at_token_limit, StopFacts};
use super::think_tags::{Segment, ThinkTagSplitter};
use super::usage::{service_tier, to_anthropic_usage};
use super::wire::{ChatChunk, ChatUsage, ContentField, Delta, FinishReason, StopMatch};
use crate::stream_emit::{EventEmitter, Finish, MessageMeta};
use crate::ConvertError;

/// A tool call in flight: OpenAI `index` → emitter key and call id.
#[derive(Debug, Clone)]
struct Slot {
    index: u32,
    key: u64,
    id: String,
    /// Some argument text was forwarded.
    has_args: bool,
}

/// Converts the `data:` payloads of one Chat Completions stream, in order,
/// into a valid Anthropic event sequence.
///
/// * the first chunk opens the message (`message_start`, id `msg_` + the
///   chunk id); reasoning (`reasoning_content` / `reasoning`, Mistral thinking
///   parts, `<think>` tags where the dialect says) becomes a thinking block,
///   content a text block, a `refusal` text plus a `refusal` stop;
/// * a tool call opens at the first fragment of a new `index` (or a new `id`
///   at a known index: some servers reuse index 0); argument fragments are
///   routed by index, and calls that arrive whole work the same way;
/// * `finish_reason` and usage are remembered: usage often comes in a
///   trailing chunk with no choices; `[DONE]` (or [`finish`](Self::finish) at
///   end of body) closes the blocks and emits `message_delta` + `message_stop`;
/// * an `{"error": …}` payload ends the stream with an Anthropic `error` event
///   after the events so far.
///
/// ```
/// use messages_convert::openai_chat::{ChunkConverter, Dialect, ResponseContext};
/// let mut conv = ChunkConverter::new(&ResponseContext::new(&Dialect::OPENAI, "gpt-4.1-mini"));
/// let mut events = Vec::new();
/// for data in [
///     r#"{"id":"c1","model":"gpt-4.1-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"}}]}"#,
///     r#"{"id":"c1","model":"gpt-4.1-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
///     r#"{"id":"c1","model":"gpt-4.1-mini","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}"#,
///     "[DONE]",
/// ] {
///     conv.push(data.as_bytes(), &mut events).unwrap();
/// }
/// let kinds: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
/// assert_eq!(kinds, ["message_start", "content_block_start", "content_block_delta",
///     "content_block_stop", "message_delta", "message_stop"]);
/// ```
#[derive(Debug, Clone)]
pub struct ChunkConverter {
    stop_sequences: Vec<String>,
    model: String,
    emitter: EventEmitter,
    think: Option<ThinkTagSplitter>,
    slots: Vec<Slot>,
    next_key: u64,
    finish_reason: Option<FinishReason>,
    native_finish_reason: Option<String>,
    matched: Option<StopMatch>,
    usage: Option<ChatUsage>,
    service_tier: Option<String>,
    refusal: bool,
    signature_origin: SignatureOrigin,
}

impl ChunkConverter {
    /// A converter for one stream.
    pub fn new(ctx: &ResponseContext<'_>) -> Self {
        Self {
            stop_sequences: ctx.stop_sequences.to_vec(),
            model: ctx.model.to_owned(),
            emitter: EventEmitter::new(),
            think: ctx.dialect.think_tags.then(ThinkTagSplitter::new),
            slots: Vec::new(),
            next_key: 0,
            finish_reason: None,
            native_finish_reason: None,
            matched: None,
            usage: None,
            service_tier: None,
            refusal: false,
            signature_origin: ctx.dialect.signature_origin,
        }
    }

    /// `true` once the stream ended (`[DONE]`, an error, or [`finish`](Self::finish)).
    pub fn is_done(&self) -> bool {
        self.emitter.is_done()
    }

    /// Converts one SSE `data` payload. Payloads after the end are ignored.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let data = data.trim_ascii();
        if data.is_empty() || self.emitter.is_done() {
            return Ok(());
        }
        if data == b"[DONE]" {
            return self.finish(out);
        }
        let chunk: ChatChunk<'_> =
            serde_json::from_slice(data).map_err(|e| ConvertError::decode("stream chunk", &e, data))?;
        self.push_chunk(chunk, out)
    }

    /// Converts one decoded chunk.
    pub fn push_chunk(
        &mut self,
        chunk: ChatChunk<'_>,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        if let Some(err) = &chunk.error {
            self.flush_think(out)?;
            return self.emitter.error(error_object(err, None), out);
        }
        if !self.emitter.is_started() {
            let meta = MessageMeta::new(
                message_id(chunk.id.as_deref()),
                chunk.model.as_deref().unwrap_or(&self.model),
            );
            self.emitter.start(meta, out)?;
        }
        for choice in chunk.choices.into_iter().filter(|c| c.index == 0) {
            if let Some(delta) = choice.delta {
                self.delta(delta, out)?;
            }
            // `""` (zero-valued servers send it on every chunk) never
            // replaces a real reason; alone, it ends the stream with a reason
            // inferred from the content.
            if let Some(r) = choice.finish_reason {
                if !r.is_empty() || self.finish_reason.is_none() {
                    self.finish_reason = Some(r);
                }
            }
            if let Some(n) = choice.native_finish_reason.filter(|n| !n.is_empty()) {
                self.native_finish_reason = Some(n.into_owned());
            }
            if choice.stop_reason.is_some() {
                self.matched = choice.stop_reason;
            }
        }
        if let Some(u) = chunk.usage {
            self.usage = Some(*u);
        }
        if let Some(t) = chunk.service_tier {
            self.service_tier = Some(t.into_owned());
        }
        Ok(())
    }

    fn text(&mut self, t: &str, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let Some(splitter) = self.think.as_mut() else {
            return self.emitter.text(t, out);
        };
        let emitter = &mut self.emitter;
        let mut result = Ok(());
        splitter.feed(t, |seg| {
            if result.is_ok() {
                result = match seg {
                    Segment::Text(s) => emitter.text(s, out),
                    Segment::Thinking(s) => emitter.thinking(s, out),
                };
            }
        });
        result
    }

    fn flush_think(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let Some(splitter) = self.think.as_mut() else {
            return Ok(());
        };
        if !self.emitter.is_started() || self.emitter.is_done() {
            return Ok(());
        }
        let emitter = &mut self.emitter;
        let mut result = Ok(());
        splitter.finish(|seg| {
            if result.is_ok() {
                result = match seg {
                    Segment::Text(s) => emitter.text(s, out),
                    Segment::Thinking(s) => emitter.thinking(s, out),
                };
            }
        });
        result
    }

    fn delta(&mut self, delta: Delta<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if let Some(r) = delta.reasoning_content.as_deref().or(delta.reasoning.as_deref()) {
            self.emitter.thinking(r, out)?;
        }
        for d in &delta.reasoning_details {
            match detail_event(d, self.signature_origin) {
                Some(DetailEvent::Signature(sig)) => self.emitter.signature(&sig, out)?,
                Some(DetailEvent::Redacted(r)) => {
                    self.emitter.block_whole(ContentBlock::RedactedThinking(r), out)?;
                }
                None => {}
            }
        }
        match &delta.content {
            Some(ContentField::Text(t)) => self.text(t, out)?,
            Some(ContentField::Parts(parts)) => {
                for p in parts {
                    match (p.thinking_text(), &p.text) {
                        (Some(th), _) => self.emitter.thinking(&th, out)?,
                        (None, Some(t)) => self.text(t, out)?,
                        (None, None) => {}
                    }
                }
            }
            None => {}
        }
        if let Some(r) = delta.refusal.as_deref().filter(|r| !r.is_empty()) {
            self.refusal = true;
            self.emitter.text(r, out)?;
        }
        for (pos, tc) in delta.tool_calls.iter().enumerate() {
            let index = tc.index.unwrap_or(u32::try_from(pos).unwrap_or(u32::MAX));
            let slot = self.slots.iter().position(|s| s.index == index);
            let id = tc.id.as_deref().filter(|id| !id.is_empty());
            let fresh = match (slot, id) {
                (None, _) => true,
                (Some(s), Some(id)) => self.slots.get(s).is_some_and(|s| s.id != id),
                (Some(_), None) => false,
            };
            let function = tc.function.as_ref();
            let name = function.and_then(|f| f.name.as_deref()).unwrap_or_default();
            let no_args = function
                .and_then(|f| f.arguments.as_ref())
                .is_none_or(|a| a.as_str().is_empty());
            if fresh && id.is_none() && name.is_empty() && no_args {
                // A zero-valued entry (`{"id": "", "function": {"name": "", "arguments": ""}}`), not a call.
                continue;
            }
            let key = if fresh {
                let key = self.next_key;
                self.next_key += 1;
                let id = id.map_or_else(|| format!("call_{key}"), str::to_owned);
                self.emitter.tool_call_start(key, &id, name, out)?;
                let new = Slot {
                    index,
                    key,
                    id,
                    has_args: false,
                };
                match slot.and_then(|s| self.slots.get_mut(s)) {
                    Some(s) => *s = new,
                    None => self.slots.push(new),
                }
                key
            } else {
                match slot.and_then(|s| self.slots.get(s)) {
                    Some(s) => s.key,
                    None => continue,
                }
            };
            if let Some(args) = function.and_then(|f| f.arguments.as_ref()) {
                let slot = self.slots.iter_mut().find(|s| s.key == key);
                let first = slot.as_ref().is_some_and(|s| !s.has_args);
                // Groq sends `null` for a call without arguments: that is `{}`.
                if first && args.as_str().trim() == "null" {
                    continue;
                }
                if let Some(s) = slot {
                    s.has_args |= !args.as_str().is_empty();
                }
                self.emitter.tool_args(key, args.as_str(), out)?;
            }
        }
        Ok(())
    }

    /// End of the stream: closes open blocks and emits `message_delta` (stop
    /// reason by [`stop_reason`], usage) and `message_stop`. A stream that
    /// produced nothing emits nothing; calling it again does nothing.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        self.flush_think(out)?;
        if self.emitter.is_started() && self.finish_reason.is_none() && self.native_finish_reason.is_none() {
            // No chunk said why the model stopped (`choices: null` or empty
            // throughout, or a cut body): an error, as for Gemini, not an
            // empty message.
            return self.emitter.error(
                ErrorObject {
                    kind: ErrorKind::Api,
                    message: "the stream ended without a finish_reason".to_owned(),
                    extra: Extra::new(),
                },
                out,
            );
        }
        let (reason, stop_sequence) = stop_reason(&StopFacts {
            finish_reason: self.finish_reason.as_ref(),
            native_finish_reason: self.native_finish_reason.as_deref(),
            matched: self.matched.as_ref(),
            stop_sequences: &self.stop_sequences,
            has_tool_calls: self.emitter.has_tool_calls(),
            // Cut arguments count only at the token limit; otherwise the
            // emitter reports them as invalid.
            incomplete_tool_call: stopped_at_token_limit(
                self.finish_reason.as_ref(),
                self.native_finish_reason.as_deref(),
            ) && self.emitter.has_incomplete_tool_call(),
            refusal: self.refusal,
        });
        let mut usage: Usage = self
            .usage
            .as_ref()
            .map(to_anthropic_usage)
            .unwrap_or_else(zero_usage);
        usage.service_tier = self
            .service_tier
            .as_deref()
            .and_then(service_tier)
            .map(str::to_owned);
        self.emitter.finish(
            Finish {
                stop_reason: Some(reason),
                stop_sequence,
                stop_details: None,
                usage,
            },
            out,
        )
    }
}

impl crate::StreamConverter for ChunkConverter {
    /// An SSE event's `data` (or an NDJSON line, as some local servers
    /// stream) goes to [`ChunkConverter::push`].
    fn on_frame(&mut self, frame: crate::Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        match frame.json_payload() {
            Some(data) => self.push(data, out),
            None => Err(crate::stream::unexpected_frame("OpenAI-compatible", &frame)),
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        ChunkConverter::finish(self, out)
    }
}
