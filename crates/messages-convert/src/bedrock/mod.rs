//! Anthropic Messages ⇄ Amazon Bedrock Runtime: the Converse API for every
//! model, and the InvokeModel body for Claude.
//!
//! * [`to_converse_request`] / [`request_body`]: an Anthropic request as a
//!   `Converse` / `ConverseStream` body (rules, documented drops and
//!   `Unsupported` cases in [`request`]); [`count_tokens_body`] for
//!   `CountTokens`, [`parse_count_tokens`] for its reply;
//! * [`from_converse_response`] / [`message_from_slice`]: a whole `Converse`
//!   reply as an Anthropic [`Message`](messages_types::Message);
//! * [`ConverseStreamConverter`]: ConverseStream event-stream messages as a
//!   valid Anthropic event sequence;
//! * [`error::error_response`]: a Bedrock error (status, `x-amzn-errortype`,
//!   body) as an Anthropic error body;
//! * [`invoke`]: Claude through `InvokeModel` / `InvokeModelWithResponseStream`
//!   — the Anthropic body with Bedrock's differences, and the stream's
//!   base64 `chunk`s back into Anthropic events.
//!
//! Shapes follow botocore's `bedrock-runtime` service model (2023-09-30); the
//! framing itself (`application/vnd.amazon.eventstream`) is decoded by
//! `messages-http`'s `EventStreamParser`, which hands each message's
//! `:message-type`, `:event-type` and payload to the converters here.
//!
//! `base64` (a dependency of this feature only) encodes plain-text documents
//! as `bytes` and decodes InvokeModel stream chunks.
//!
//! The family convention, as in every family module: [`fn@request`],
//! [`fn@response`], [`fn@stream`] (a [`StreamConverter`](crate::StreamConverter)
//! over [`Frame::AwsEvent`](crate::Frame::AwsEvent)), [`FRAMING`] and
//! [`CAPABILITIES`]; the InvokeModel side has [`invoke::stream`].
//!
//! ```
//! use messages_convert::{bedrock, Frame, StreamConverter};
//! let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "amazon.nova-lite-v1:0", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! assert_eq!(bedrock::request(&params).unwrap().messages.len(), 1);
//! let mut converter: Box<dyn StreamConverter> = Box::new(bedrock::stream("amazon.nova-lite-v1:0", None));
//! let mut out = Vec::new();
//! for (event_type, payload) in [
//!     ("messageStart", &br#"{"role":"assistant"}"#[..]),
//!     ("contentBlockDelta", br#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#),
//!     ("messageStop", br#"{"stopReason":"end_turn"}"#),
//! ] {
//!     converter.on_frame(Frame::AwsEvent { message_type: "event", event_type, payload }, &mut out).unwrap();
//! }
//! converter.finish(&mut out).unwrap();
//! assert_eq!(out.last().unwrap().type_name(), "message_stop");
//! ```

mod content;
pub mod count_tokens;
pub mod error;
pub mod family;
pub mod invoke;
pub mod request;
pub mod response;
pub mod stream;
pub mod wire;

pub use count_tokens::{count_tokens_body, parse_count_tokens, to_count_tokens_request};
pub use error::{classify_error, error_response, BedrockError};
pub use family::ModelFamily;
pub use request::{request_body, to_converse_request, to_converse_request_for};
pub use response::{from_converse_response, message_from_slice, ResponseMeta};
pub use stream::ConverseStreamConverter;

/// Provider name used in conversion errors.
pub(crate) const PROVIDER: &str = "bedrock";

use crate::capabilities::{Capabilities, Support};
use crate::{ConvertError, Framing};
use messages_types::{Message, MessageCreateParams};

/// How a Bedrock stream (ConverseStream and InvokeModelWithResponseStream)
/// is framed: the binary AWS event stream.
pub const FRAMING: Framing = Framing::AwsEventStream;

/// The top-level Anthropic features Converse carries: `top_k` (through
/// `additionalModelRequestFields`, for the families that take one — the
/// request conversion refuses it for the others), `metadata.user_id`
/// (`requestMetadata`), `service_tier` (`standard_only` → `serviceTier`).
/// Refused: `max_tokens: 0` (Converse's `maxTokens` is at least 1),
/// `inference_geo`, `container`, `mcp_servers` (even empty) and
/// `context_management`.
pub const CAPABILITIES: Capabilities = Capabilities::NONE
    .top_k(Support::Native)
    .metadata_user_id(Support::Native)
    .service_tier(Support::Native);

/// The family's request conversion: [`to_converse_request`] (the model
/// family read from `params.model`).
pub fn request(params: &MessageCreateParams) -> Result<wire::ConverseRequest<'_>, ConvertError> {
    to_converse_request(params)
}

/// The family's response conversion: a whole `Converse` body →
/// [`Message`] ([`message_from_slice`]; `meta` gives the model and the
/// `x-amzn-requestid` the ids are made from).
pub fn response(body: &[u8], meta: ResponseMeta<'_>) -> Result<Message, ConvertError> {
    message_from_slice(body, meta)
}

/// The family's stream converter for one ConverseStream call
/// ([`ConverseStreamConverter`], a [`StreamConverter`](crate::StreamConverter)
/// over [`Frame::AwsEvent`](crate::Frame::AwsEvent)).
pub fn stream(model: &str, request_id: Option<&str>) -> ConverseStreamConverter {
    ConverseStreamConverter::new(model, request_id)
}
