//! Gemini `streamGenerateContent?alt=sse` chunks → Anthropic stream events.
//!
//! Every SSE event is a whole `GenerateContentResponse` holding the next
//! parts; the last one carries `finishReason`; usage is cumulative. Feed each
//! event's `data` to [`GeminiStream::push_data`] and call
//! [`GeminiStream::finish`] at the end of the body.

use messages_types::{ErrorKind, ErrorObject, Extra, StreamEvent};

use super::blocks::{BlockSink, PartWalker};
use super::error::classify_object;
use super::finish::{stop_reason, usage, with_searches};
use super::response::{first_candidate, message_id};
use super::wire::{FinishReason, GenerateContentResponse, GroundingMetadata, PromptFeedback, UsageMetadata};
use crate::stream_emit::{EventEmitter, Finish, MessageMeta};
use crate::ConvertError;

/// Converts a Gemini stream into a valid Anthropic event sequence.
///
/// ```
/// use messages_convert::gemini::GeminiStream;
/// let mut stream = GeminiStream::new();
/// let mut events = Vec::new();
/// stream.push_data(br#"{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}],"responseId":"r"}"#, &mut events).unwrap();
/// stream.push_data(br#"{"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP"}],"responseId":"r"}"#, &mut events).unwrap();
/// stream.finish(&mut events).unwrap();
/// let names: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
/// assert_eq!(names, ["message_start", "content_block_start", "content_block_delta",
///     "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
/// ```
#[derive(Debug, Clone)]
pub struct GeminiStream {
    emitter: EventEmitter,
    walker: Option<PartWalker>,
    usage: Option<UsageMetadata>,
    finish_reason: Option<FinishReason>,
    finish_message: Option<String>,
    feedback: Option<PromptFeedback>,
    grounding: Option<GroundingMetadata>,
    model: String,
}

impl Default for GeminiStream {
    fn default() -> Self {
        Self::new()
    }
}

/// The emitter as a block sink.
struct EmitterSink<'a> {
    emitter: &'a mut EventEmitter,
    out: &'a mut Vec<StreamEvent>,
}

impl BlockSink for EmitterSink<'_> {
    fn text(&mut self, text: &str) -> Result<(), ConvertError> {
        self.emitter.text(text, self.out)
    }
    fn thinking(&mut self, thinking: &str) -> Result<(), ConvertError> {
        self.emitter.thinking(thinking, self.out)
    }
    fn signature(&mut self, signature: &str) -> Result<(), ConvertError> {
        self.emitter.signature(signature, self.out)
    }
    fn tool_use(&mut self, id: &str, name: &str, input: &serde_json::Value) -> Result<(), ConvertError> {
        let arguments = serde_json::to_string(input).map_err(|e| ConvertError::Invalid {
            what: "stream chunk",
            message: format!("function call arguments: {e}"),
        })?;
        self.emitter.tool_call_whole(id, name, &arguments, self.out)
    }
    fn whole(&mut self, block: messages_types::ContentBlock) -> Result<(), ConvertError> {
        self.emitter.block_whole(block, self.out)
    }
    fn close(&mut self) -> Result<(), ConvertError> {
        self.emitter.close_block(self.out)
    }
}

impl GeminiStream {
    /// A converter for one stream.
    pub fn new() -> Self {
        Self {
            emitter: EventEmitter::new(),
            walker: None,
            usage: None,
            finish_reason: None,
            finish_message: None,
            feedback: None,
            grounding: None,
            model: String::new(),
        }
    }

    /// A converter that reports `model` when the chunks carry no `modelVersion`.
    pub fn with_model(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            ..Self::new()
        }
    }

    /// Decodes one SSE `data` payload and converts it. Blank payloads (and an
    /// OpenAI-style `[DONE]` some proxies append) are ignored.
    pub fn push_data(&mut self, data: &[u8], out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let trimmed = data.trim_ascii();
        if trimmed.is_empty() || trimmed == b"[DONE]" {
            return Ok(());
        }
        let mut chunk: GenerateContentResponse = serde_json::from_slice(data)
            .map_err(|e| ConvertError::decode("Gemini stream chunk", &e, data))?;
        let usage = chunk.usage_metadata.take();
        self.convert(&chunk, usage, out)
    }

    /// Converts one decoded chunk.
    pub fn push_chunk(
        &mut self,
        chunk: &GenerateContentResponse,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        self.convert(chunk, chunk.usage_metadata.clone(), out)
    }

    fn convert(
        &mut self,
        chunk: &GenerateContentResponse,
        chunk_usage: Option<UsageMetadata>,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            // An error event ended the stream: whatever follows is dropped.
            return Ok(());
        }
        if let Some(error) = &chunk.error {
            // An error event may come first: then it is the whole stream.
            let classified = classify_object(error.code.unwrap_or(500), Some(error));
            return self.emitter.error(
                ErrorObject {
                    kind: classified.kind,
                    message: classified.message,
                    extra: Extra::new(),
                },
                out,
            );
        }
        if !self.emitter.is_started() {
            self.start(chunk, chunk_usage.as_ref(), out)?;
        }
        if chunk_usage.is_some() {
            self.usage = chunk_usage;
        }
        if chunk
            .prompt_feedback
            .as_ref()
            .is_some_and(|f| f.block_reason.is_some())
        {
            self.feedback = chunk.prompt_feedback.clone();
        }
        let Some(candidate) = first_candidate(chunk) else {
            return Ok(());
        };
        let walker = self
            .walker
            .get_or_insert_with(|| PartWalker::new(chunk.response_id.as_deref()));
        let mut sink = EmitterSink {
            emitter: &mut self.emitter,
            out,
        };
        if let Some(content) = &candidate.content {
            for part in &content.parts {
                walker.part(part, &mut sink)?;
            }
        }
        if candidate.grounding_metadata.is_some() {
            self.grounding = candidate.grounding_metadata.clone();
        }
        if let Some(reason) = &candidate.finish_reason {
            self.finish_reason = Some(reason.clone());
            self.finish_message = candidate.finish_message.clone();
        }
        Ok(())
    }

    fn start(
        &mut self,
        chunk: &GenerateContentResponse,
        chunk_usage: Option<&UsageMetadata>,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        let mut meta = MessageMeta::new(
            message_id(chunk.response_id.as_deref()),
            chunk.model_version.clone().unwrap_or_else(|| self.model.clone()),
        );
        if let Some(u) = chunk_usage {
            let mut start_usage = usage(u);
            // Output is reported at the end; the start carries the input side.
            start_usage.output_tokens = Some(0);
            start_usage.output_tokens_details = None;
            meta.usage = start_usage;
        }
        self.walker = Some(PartWalker::new(chunk.response_id.as_deref()));
        self.emitter.start(meta, out)
    }

    /// Ends the stream: closes the open block, then `message_delta` (stop
    /// reason, final usage) and `message_stop`. A stream that had no chunk
    /// emits nothing; a stream whose error event was already emitted emits nothing more.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        let called_tool = self.walker.as_ref().is_some_and(PartWalker::called_tool);
        if let Some(walker) = &mut self.walker {
            let mut sink = EmitterSink {
                emitter: &mut self.emitter,
                out,
            };
            walker.finish(self.grounding.as_ref(), &mut sink)?;
        }
        if self.emitter.is_started() && self.finish_reason.is_none() && self.feedback.is_none() {
            // The body ended without a finishReason: the stream was cut.
            return self.emitter.error(
                ErrorObject {
                    kind: ErrorKind::Api,
                    message: "Gemini stream ended without a finishReason".to_owned(),
                    extra: Extra::new(),
                },
                out,
            );
        }
        let (stop, details) = stop_reason(
            self.finish_reason.as_ref(),
            self.finish_message.as_deref(),
            self.feedback.as_ref(),
            called_tool,
        );
        let finish = Finish {
            stop_reason: Some(stop),
            stop_sequence: None,
            stop_details: details,
            usage: with_searches(
                self.usage.as_ref().map(usage).unwrap_or_default(),
                self.walker.as_ref().map_or(0, PartWalker::searches),
            ),
        };
        self.emitter.finish(finish, out)
    }
}

impl crate::StreamConverter for GeminiStream {
    /// Each SSE event's `data` (or NDJSON line) is a whole
    /// `GenerateContentResponse`, given to [`GeminiStream::push_data`].
    fn on_frame(&mut self, frame: crate::Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        match frame.json_payload() {
            Some(data) => self.push_data(data, out),
            None => Err(crate::stream::unexpected_frame(super::PROVIDER, &frame)),
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        GeminiStream::finish(self, out)
    }
}
