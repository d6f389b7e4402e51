//! Claude through `InvokeModel` / `InvokeModelWithResponseStream`: the
//! Anthropic body itself, with Bedrock's differences (as the official
//! Anthropic SDK's Bedrock client makes them, `lib/bedrock/_client.py`):
//!
//! * `model` and `stream` leave the body (the model is in the path, the
//!   operation decides streaming);
//! * `anthropic_version: "bedrock-2023-05-31"` is added;
//! * betas (the `anthropic-beta` header) become a body array `anthropic_beta`.
//!
//! The stream's event-stream messages are `chunk` events whose JSON payload
//! is `{"bytes": "<base64>"}`, the bytes one Anthropic stream event;
//! [`decode_stream_message`] unwraps one, [`InvokeStreamConverter`] turns a
//! whole stream into [`StreamEvent`]s. Exceptions become typed errors
//! ([`classify_stream_exception`]).

use base64::Engine as _;
use messages_types::{
    ContentBlock, ContentDelta, ErrorEvent, ErrorObject, Extra, Message, MessageCreateParams, StreamEvent,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::{classify_parts, classify_stream_exception, BedrockError};
use super::wire::ExceptionBody;
use crate::signature::{self, SignatureOrigin};
use crate::{ConvertError, Frame, StreamConverter};

/// The `anthropic_version` Bedrock requires in the body.
pub const ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";

/// Rewrites an Anthropic request body (a JSON object) into the InvokeModel
/// body: drops `model` and `stream`, sets `anthropic_version`, and appends
/// `betas` to `anthropic_beta` (keeping any the body already lists, without
/// duplicates). Everything else is sent unchanged.
///
/// ```
/// use messages_convert::bedrock::invoke::invoke_body_from_map;
/// let body = serde_json::json!({"model": "claude", "stream": true, "max_tokens": 8,
///     "messages": [{"role": "user", "content": "Hi"}]});
/// let serde_json::Value::Object(map) = body else { unreachable!() };
/// let out = invoke_body_from_map(map, &["context-1m-2025-08-07"]);
/// assert_eq!(serde_json::Value::Object(out), serde_json::json!({
///     "anthropic_version": "bedrock-2023-05-31", "anthropic_beta": ["context-1m-2025-08-07"],
///     "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}));
/// ```
pub fn invoke_body_from_map<S: AsRef<str>>(mut body: Map<String, Value>, betas: &[S]) -> Map<String, Value> {
    body.remove("model");
    body.remove("stream");
    body.insert(
        "anthropic_version".into(),
        Value::String(ANTHROPIC_VERSION.to_owned()),
    );
    if !betas.is_empty() {
        let mut list = match body.remove("anthropic_beta") {
            Some(Value::Array(a)) => a,
            Some(Value::String(s)) => vec![Value::String(s)],
            _ => Vec::new(),
        };
        for beta in betas {
            let beta = beta.as_ref();
            if !list.iter().any(|v| v.as_str() == Some(beta)) {
                list.push(Value::String(beta.to_owned()));
            }
        }
        body.insert("anthropic_beta".into(), Value::Array(list));
    }
    body
}

/// [`invoke_body_from_map`] for typed params, serialized.
pub fn invoke_body<S: AsRef<str>>(
    params: &MessageCreateParams,
    betas: &[S],
) -> Result<Vec<u8>, ConvertError> {
    let err = |e: serde_json::Error| ConvertError::Invalid {
        what: "request",
        message: e.to_string(),
    };
    let Value::Object(map) = serde_json::to_value(params).map_err(err)? else {
        return Err(ConvertError::Invalid {
            what: "request",
            message: "the request did not serialize to a JSON object".to_owned(),
        });
    };
    serde_json::to_vec(&invoke_body_from_map(map, betas)).map_err(err)
}

/// One InvokeModelWithResponseStream message, unwrapped.
#[derive(Debug, Clone, PartialEq)]
pub enum InvokeStreamPart {
    /// A `chunk`: the bytes of one Anthropic stream event (JSON).
    Event(Vec<u8>),
    /// An exception or error message, classified.
    Error(BedrockError),
    /// Another event type (none is defined today): nothing to deliver.
    Other,
}

#[derive(Deserialize)]
struct PayloadPart {
    bytes: String,
}

/// Unwraps one event-stream message of InvokeModelWithResponseStream. `name`
/// is the `:event-type`, `:exception-type` or `:error-code` header, by
/// `message_type`.
///
/// ```
/// use messages_convert::bedrock::invoke::{decode_stream_message, InvokeStreamPart};
/// // base64 of {"type":"message_stop"}
/// let part = decode_stream_message("event", "chunk", br#"{"bytes":"eyJ0eXBlIjoibWVzc2FnZV9zdG9wIn0="}"#).unwrap();
/// assert_eq!(part, InvokeStreamPart::Event(br#"{"type":"message_stop"}"#.to_vec()));
/// ```
pub fn decode_stream_message(
    message_type: &str,
    name: &str,
    payload: &[u8],
) -> Result<InvokeStreamPart, ConvertError> {
    match (message_type, name) {
        ("event", "chunk") => {
            let part: PayloadPart = serde_json::from_slice(payload)
                .map_err(|e| ConvertError::decode("Bedrock InvokeModel stream chunk", &e, payload))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(part.bytes.as_bytes())
                .map_err(|e| ConvertError::Invalid {
                    what: "stream chunk",
                    message: format!("chunk bytes are not base64: {e}"),
                })?;
            Ok(InvokeStreamPart::Event(bytes))
        }
        ("exception", code) => Ok(InvokeStreamPart::Error(classify_stream_exception(code, payload))),
        ("error", code) => {
            let body = ExceptionBody {
                message: Some(String::from_utf8_lossy(payload).trim().to_owned()).filter(|m| !m.is_empty()),
                ..ExceptionBody::default()
            };
            Ok(InvokeStreamPart::Error(classify_parts(
                500,
                Some(code.to_owned()),
                Some(body),
            )))
        }
        _ => Ok(InvokeStreamPart::Other),
    }
}

/// InvokeModelWithResponseStream messages → Anthropic [`StreamEvent`]s: each
/// chunk's event as Claude sent it (Bedrock's extra
/// `amazon-bedrock-invocationMetrics` on `message_stop` is kept in its
/// `extra`), an exception as a final `error` event.
#[derive(Debug, Clone, Default)]
pub struct InvokeStreamConverter {
    done: bool,
    /// A `message_start` was delivered (so the stream must end with `message_stop`).
    started: bool,
    /// `message_stop` was delivered.
    stopped: bool,
}

/// The InvokeModelWithResponseStream converter for one call
/// ([`InvokeStreamConverter`], a [`StreamConverter`] over
/// [`Frame::AwsEvent`]).
///
/// ```
/// use messages_convert::{bedrock::invoke, Frame, StreamConverter};
/// let mut c = invoke::stream();
/// let mut out = Vec::new();
/// // base64 of {"type":"ping"}
/// let frame = Frame::AwsEvent { message_type: "event", event_type: "chunk", payload: br#"{"bytes":"eyJ0eXBlIjoicGluZyJ9"}"# };
/// c.on_frame(frame, &mut out).unwrap();
/// assert_eq!(out[0].type_name(), "ping");
/// ```
pub fn stream() -> InvokeStreamConverter {
    InvokeStreamConverter::new()
}

impl InvokeStreamConverter {
    /// A converter for one stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Converts one message (see [`decode_stream_message`]); messages after
    /// an error are ignored.
    pub fn push(
        &mut self,
        message_type: &str,
        name: &str,
        payload: &[u8],
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ConvertError> {
        if self.done {
            return Ok(());
        }
        match decode_stream_message(message_type, name, payload)? {
            InvokeStreamPart::Event(bytes) => {
                let event: StreamEvent = serde_json::from_slice(&bytes)
                    .map_err(|e| ConvertError::decode("Anthropic stream event", &e, &bytes))?;
                let mut event = event;
                mint_event(&mut event);
                match event {
                    StreamEvent::Error(_) => self.done = true,
                    StreamEvent::MessageStop(_) => self.stopped = true,
                    StreamEvent::MessageStart(_) => self.started = true,
                    _ => {}
                }
                out.push(event);
            }
            InvokeStreamPart::Error(e) => {
                self.done = true;
                out.push(StreamEvent::Error(Box::new(ErrorEvent {
                    error: ErrorObject {
                        kind: e.kind,
                        message: e.message,
                        extra: Extra::new(),
                    },
                    extra: Extra::new(),
                })));
            }
            InvokeStreamPart::Other => {}
        }
        Ok(())
    }

    /// End of the body: a stream that started but never delivered
    /// `message_stop` (nor an error) ends with an `api_error` event — it
    /// was cut; otherwise nothing is added.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if self.started && !self.stopped && !self.done {
            self.done = true;
            out.push(StreamEvent::Error(Box::new(ErrorEvent {
                error: ErrorObject {
                    kind: messages_types::ErrorKind::Api,
                    message: "Bedrock stream ended without message_stop".to_owned(),
                    extra: Extra::new(),
                },
                extra: Extra::new(),
            })));
        }
        Ok(())
    }
}

/// The convention's face of the converter: each [`Frame::AwsEvent`] goes to
/// [`InvokeStreamConverter::push`]; any other frame kind is an error.
impl StreamConverter for InvokeStreamConverter {
    fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        match frame {
            Frame::AwsEvent {
                message_type,
                event_type,
                payload,
            } => self.push(message_type, event_type, payload, out),
            other => Err(crate::stream::unexpected_frame("bedrock-anthropic", &other)),
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        InvokeStreamConverter::finish(self, out)
    }
}

/// Mints every thinking signature and `redacted_thinking` data of a reply
/// Claude sent through InvokeModel with the Bedrock prefix
/// ([`crate::signature`]: they are valid for Claude on Bedrock only), so the
/// next request to Bedrock keeps them ([`crate::signature::retain_for`]
/// with [`SignatureOrigin::Bedrock`]) and other targets drop them.
///
/// ```
/// use messages_convert::bedrock::invoke::mint_reply;
/// let mut m: messages_types::Message = serde_json::from_value(serde_json::json!({
///   "id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
///   "content": [{"type": "thinking", "thinking": "hmm", "signature": "EqQB"}],
///   "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}})).unwrap();
/// mint_reply(&mut m);
/// let messages_types::ContentBlock::Thinking(t) = &m.content[0] else { unreachable!() };
/// assert_eq!(t.signature, "anyllm.bedrock.EqQB");
/// ```
pub fn mint_reply(message: &mut Message) {
    for block in &mut message.content {
        mint_block(block);
    }
}

fn mint_block(block: &mut ContentBlock) {
    match block {
        ContentBlock::Thinking(t) if !t.signature.is_empty() => {
            t.signature = signature::mint(SignatureOrigin::Bedrock, &t.signature);
        }
        ContentBlock::RedactedThinking(r) if !r.data.is_empty() => {
            r.data = signature::mint(SignatureOrigin::Bedrock, &r.data);
        }
        _ => {}
    }
}

/// [`mint_reply`] for one stream event (a signature arrives whole in one
/// `signature_delta`, as Anthropic streams send it).
fn mint_event(event: &mut StreamEvent) {
    match event {
        StreamEvent::MessageStart(s) => mint_reply(&mut s.message),
        StreamEvent::ContentBlockStart(s) => mint_block(&mut s.content_block),
        StreamEvent::ContentBlockDelta(d) => {
            if let ContentDelta::SignatureDelta(s) = &mut d.delta {
                if !s.signature.is_empty() {
                    s.signature = signature::mint(SignatureOrigin::Bedrock, &s.signature);
                }
            }
        }
        _ => {}
    }
}
