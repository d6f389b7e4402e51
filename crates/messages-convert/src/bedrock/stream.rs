//! ConverseStream → Anthropic stream events.
//!
//! The body is an AWS event stream; for each decoded message pass its
//! `:message-type` and the header naming it — `:event-type` for `event`
//! messages, `:exception-type` for `exception`, `:error-code` for `error` —
//! with the payload to [`ConverseStreamConverter::push`], and call
//! [`ConverseStreamConverter::finish`] at the end of the body.
//!
//! | ConverseStream | Anthropic |
//! |---|---|
//! | `messageStart` | `message_start` (id from the request id, model from the caller) |
//! | `contentBlockStart` `toolUse` | `content_block_start` `tool_use` |
//! | `contentBlockStart` `toolUse` of type `server_tool_use` (+ its input deltas) | a whole `server_tool_use` block at its `contentBlockStop` |
//! | `contentBlockDelta` `text` (a new index opens a text block: Converse sends no start for text) | `text_delta` |
//! | `contentBlockDelta` `toolUse.input` | `input_json_delta` |
//! | `contentBlockDelta` `reasoningContent.text` / `.signature` | `thinking_delta` / `signature_delta` |
//! | `contentBlockDelta` `reasoningContent.redactedContent` | a whole `redacted_thinking` block |
//! | `contentBlockDelta` `citation` | `citations_delta` (see [`citation`](super::response::citation)) |
//! | `contentBlockStop` | `content_block_stop` |
//! | `messageStop` + `metadata` | `message_delta` (stop reason as in [`stop_reason`](super::response::stop_reason), usage from `metadata`) + `message_stop`, once both arrived (usage comes after the stop) |
//! | `exception` messages | an `error` event after the events already delivered, of the kind [`classify_stream_exception`] gives |
//!
//! Unknown event types are skipped (a newer service may add some); a block
//! start or delta of a kind with no Anthropic equivalent (`toolResult`,
//! `image`) is [`ConvertError::Invalid`]. A body that ends after events
//! without `messageStop` ends with an `api_error` event: the stream was cut.

use messages_types::{CitationsDelta, ContentDelta, ErrorKind, ErrorObject, Extra, StreamEvent};

use super::error::{classify_parts, classify_stream_exception, kind_for_code, BedrockError};
use super::response::{citation, redacted, stop_reason, tool_use, usage, ResponseMeta};
use super::wire::{
    ContentBlockDeltaEvent, ContentBlockStartEvent, ExceptionBody, MessageStopEvent, MetadataEvent,
    TokenUsage,
};
use crate::signature::{mint, SignatureOrigin};
use crate::stream_emit::{EventEmitter, Finish, MessageMeta, OpenKind};
use crate::{ConvertError, Frame, StreamConverter};

/// Converts one ConverseStream into a valid Anthropic event sequence.
///
/// ```
/// use messages_convert::bedrock::ConverseStreamConverter;
/// let mut conv = ConverseStreamConverter::new("amazon.nova-lite-v1:0", Some("req-1"));
/// let mut events = Vec::new();
/// for (event_type, payload) in [
///     ("messageStart", r#"{"role":"assistant"}"#),
///     ("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"Hel"}}"#),
///     ("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"lo"}}"#),
///     ("contentBlockStop", r#"{"contentBlockIndex":0}"#),
///     ("messageStop", r#"{"stopReason":"end_turn"}"#),
///     ("metadata", r#"{"usage":{"inputTokens":3,"outputTokens":2,"totalTokens":5},"metrics":{"latencyMs":9}}"#),
/// ] {
///     conv.push("event", event_type, payload.as_bytes(), &mut events).unwrap();
/// }
/// conv.finish(&mut events).unwrap();
/// let names: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
/// assert_eq!(names, ["message_start", "content_block_start", "content_block_delta",
///     "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
/// ```
#[derive(Debug, Clone)]
pub struct ConverseStreamConverter {
    emitter: EventEmitter,
    model: String,
    request_id: Option<String>,
    /// The Converse block index deltas currently go to.
    current: Option<u64>,
    stop: Option<MessageStopEvent>,
    usage: Option<TokenUsage>,
    /// A server tool call being collected (Converse block index, id, name,
    /// input text): emitted whole as `server_tool_use` at its block stop.
    server_tool: Option<(u64, String, String, String)>,
    /// The Converse block whose signature has begun (its first delta got
    /// this family's prefix, [`crate::signature::mint`]; later pieces, if
    /// any, are appended as they are).
    signed: Option<u64>,
}

fn decode<T: serde::de::DeserializeOwned>(what: &'static str, payload: &[u8]) -> Result<T, ConvertError> {
    serde_json::from_slice(payload).map_err(|e| ConvertError::decode(what, &e, payload))
}

fn invalid(message: String) -> ConvertError {
    ConvertError::Invalid {
        what: "stream event",
        message,
    }
}

impl ConverseStreamConverter {
    /// A converter reporting `model`, with ids made from `request_id` (the
    /// `x-amzn-requestid` header) as in [`ResponseMeta::message_id`].
    pub fn new(model: impl Into<String>, request_id: Option<&str>) -> Self {
        Self {
            emitter: EventEmitter::new(),
            model: model.into(),
            request_id: request_id.map(str::to_owned),
            current: None,
            stop: None,
            usage: None,
            server_tool: None,
            signed: None,
        }
    }

    /// `true` once the Anthropic sequence is complete (finished or ended by an error).
    pub fn is_done(&self) -> bool {
        self.emitter.is_done()
    }

    /// Converts one event-stream message. `name` is the `:event-type`,
    /// `:exception-type` or `:error-code` header, by `message_type`; for an
    /// `error` message pass the `:error-message` header as the payload.
    /// Messages after the sequence ended are ignored.
    pub fn push(
        &mut self,
        message_type: &str,
        name: &str,
        payload: &[u8],
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        match message_type {
            "event" => self.event(name, payload, out),
            "exception" => self.fail(classify_stream_exception(name, payload), out),
            "error" => {
                let body = ExceptionBody {
                    message: Some(String::from_utf8_lossy(payload).trim().to_owned())
                        .filter(|m| !m.is_empty()),
                    ..ExceptionBody::default()
                };
                let status = if kind_for_code(name).is_some() {
                    super::error::status_for_code(name)
                } else {
                    500
                };
                self.fail(classify_parts(status, Some(name.to_owned()), Some(body)), out)
            }
            // Unknown message types carry nothing this conversion knows.
            _ => Ok(()),
        }
    }

    fn fail(&mut self, e: BedrockError, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        self.emitter.error(
            ErrorObject {
                kind: e.kind,
                message: e.message,
                extra: Extra::new(),
            },
            out,
        )
    }

    fn ensure_started(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_started() {
            return Ok(());
        }
        let meta = ResponseMeta {
            model: &self.model,
            request_id: self.request_id.as_deref(),
        };
        self.emitter
            .start(MessageMeta::new(meta.message_id(), self.model.clone()), out)
    }

    /// Moves deltas to Converse block `index`, closing the previous block.
    fn enter(&mut self, index: u64, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.current.is_some_and(|c| c != index) {
            self.emitter.close_block(out)?;
        }
        self.current = Some(index);
        Ok(())
    }

    fn event(
        &mut self,
        event_type: &str,
        payload: &[u8],
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        match event_type {
            "messageStart" => self.ensure_started(out),
            "contentBlockStart" => {
                self.ensure_started(out)?;
                let e: ContentBlockStartEvent = decode("Bedrock contentBlockStart", payload)?;
                let Some(tool) = e.start.tool_use else {
                    let member = e.start.extra.keys().next().map_or("(none)", String::as_str);
                    return Err(invalid(format!(
                        "a `{member}` block start has no Anthropic equivalent in a reply"
                    )));
                };
                self.enter(e.content_block_index, out)?;
                if tool.kind.as_deref() == Some("server_tool_use") {
                    self.flush_server_tool(out)?;
                    self.server_tool =
                        Some((e.content_block_index, tool.tool_use_id, tool.name, String::new()));
                    return Ok(());
                }
                self.emitter
                    .tool_call_start(e.content_block_index, &tool.tool_use_id, &tool.name, out)
            }
            "contentBlockDelta" => {
                self.ensure_started(out)?;
                let e: ContentBlockDeltaEvent = decode("Bedrock contentBlockDelta", payload)?;
                let index = e.content_block_index;
                self.enter(index, out)?;
                let d = e.delta;
                if let Some(text) = &d.text {
                    return self.emitter.text(text, out);
                }
                if let Some(t) = &d.tool_use {
                    if let Some((_, _, _, input)) = self.server_tool.as_mut().filter(|s| s.0 == index) {
                        input.push_str(&t.input);
                        return Ok(());
                    }
                    if !self.emitter.has_tool_key(index) {
                        return Err(invalid(format!(
                            "toolUse input for block {index}, which no toolUse start opened"
                        )));
                    }
                    return self.emitter.tool_args(index, &t.input, out);
                }
                if let Some(r) = d.reasoning_content {
                    if let Some(text) = &r.text {
                        return self.emitter.thinking(text, out);
                    }
                    if let Some(sig) = &r.signature {
                        if self.signed == Some(index) {
                            return self.emitter.signature(sig, out);
                        }
                        self.signed = Some(index);
                        return self.emitter.signature(&mint(SignatureOrigin::Bedrock, sig), out);
                    }
                    if let Some(data) = r.redacted_content {
                        return self.emitter.block_whole(redacted(&data), out);
                    }
                    return Ok(());
                }
                if let Some(c) = &d.citation {
                    return match citation(c) {
                        Some(citation) => self.emitter.delta_into(
                            OpenKind::Text,
                            ContentDelta::CitationsDelta(Box::new(CitationsDelta {
                                citation,
                                extra: Extra::new(),
                            })),
                            out,
                        ),
                        None => Ok(()),
                    };
                }
                let member = d.extra.keys().next().map_or("(none)", String::as_str);
                Err(invalid(format!(
                    "a `{member}` delta has no Anthropic equivalent in a reply"
                )))
            }
            "contentBlockStop" => {
                self.current = None;
                self.flush_server_tool(out)?;
                self.emitter.close_block(out)
            }
            "messageStop" => {
                self.ensure_started(out)?;
                self.stop = Some(decode("Bedrock messageStop", payload)?);
                self.try_finish(out)
            }
            "metadata" => {
                let m: MetadataEvent = decode("Bedrock metadata", payload)?;
                self.usage = m.usage;
                self.try_finish(out)
            }
            // A newer event type: nothing to convert.
            _ => Ok(()),
        }
    }

    /// Emits the collected server tool call, whole.
    fn flush_server_tool(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let Some((_, id, name, input)) = self.server_tool.take() else {
            return Ok(());
        };
        let input = if input.trim().is_empty() {
            serde_json::Value::Object(serde_json::Map::new())
        } else {
            serde_json::from_str(&input)
                .map_err(|e| invalid(format!("server tool `{name}` input is not JSON: {e}")))?
        };
        self.emitter
            .block_whole(tool_use(&id, &name, input, Some("server_tool_use")), out)
    }

    /// Ends the message once both the stop and the usage arrived.
    fn try_finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.stop.is_some() && self.usage.is_some() {
            self.finish_now(out)
        } else {
            Ok(())
        }
    }

    fn finish_now(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        self.flush_server_tool(out)?;
        let stop = self.stop.take().unwrap_or_default();
        let (reason, sequence, details) = stop_reason(
            stop.stop_reason.as_deref(),
            stop.additional_model_response_fields.as_ref(),
            self.emitter.has_tool_calls(),
        );
        let finish = Finish {
            stop_reason: Some(reason),
            stop_sequence: sequence,
            stop_details: details,
            usage: self.usage.as_ref().map(usage).unwrap_or_default(),
        };
        self.emitter.finish(finish, out)
    }

    /// Ends the stream: a stream that stopped but never sent `metadata`
    /// finishes without usage; one that never sent `messageStop` ends with
    /// an `api_error` event (it was cut); one that sent nothing emits
    /// nothing; one already ended emits nothing more.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.emitter.is_done() {
            return Ok(());
        }
        if self.stop.is_some() {
            return self.finish_now(out);
        }
        if self.emitter.is_started() {
            return self.emitter.error(
                ErrorObject {
                    kind: ErrorKind::Api,
                    message: "Bedrock stream ended without messageStop".to_owned(),
                    extra: Extra::new(),
                },
                out,
            );
        }
        self.emitter.finish(Finish::new(None), out)
    }
}

/// The convention's face of the converter: each [`Frame::AwsEvent`] goes to
/// [`ConverseStreamConverter::push`] (an `exception` frame becomes an
/// Anthropic `error` event); any other frame kind is an error.
impl StreamConverter for ConverseStreamConverter {
    fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        match frame {
            Frame::AwsEvent {
                message_type,
                event_type,
                payload,
            } => self.push(message_type, event_type, payload, out),
            other => Err(crate::stream::unexpected_frame(super::PROVIDER, &other)),
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        ConverseStreamConverter::finish(self, out)
    }
}
