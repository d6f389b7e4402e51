//! Anthropic Messages ⇄ Cohere v2 chat (`POST /v2/chat`).
//!
//! * [`to_chat_request`] / [`request_body`]: an Anthropic request as a Cohere
//!   request (rules, documented losses and `Unsupported` cases in [`request`]);
//! * [`from_chat_response`] / [`parse_response`]: a whole response as an
//!   Anthropic [`Message`](messages_types::Message) ([`response`],
//!   [`citations`], [`finish`]);
//! * [`CohereStreamConverter`]: a stream's SSE events as Anthropic stream
//!   events ([`stream`]);
//! * [`error_response`]: a Cohere error body as an Anthropic error body.
//!
//! The family convention, as in every family module: [`fn@request`],
//! [`fn@response`], [`fn@stream`] (a [`StreamConverter`](crate::StreamConverter)
//! fed SSE frames), [`FRAMING`] and [`CAPABILITIES`].
//!
//! ```
//! use messages_convert::cohere::{self, ResponseContext};
//! use messages_convert::{Frame, StreamConverter};
//! let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "command-a-03-2025", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let body = cohere::request(&params, true).unwrap();
//! assert_eq!(body.stream, Some(true));
//! let ctx = ResponseContext::new("command-a-03-2025");
//! let mut converter: Box<dyn StreamConverter> = Box::new(cohere::stream(&ctx));
//! let mut out = Vec::new();
//! for (event, data) in [
//!     ("message-start", &br#"{"id":"g1","type":"message-start"}"#[..]),
//!     ("content-delta", br#"{"index":0,"type":"content-delta","delta":{"message":{"content":{"text":"Hi"}}}}"#),
//!     ("message-end", br#"{"type":"message-end","delta":{"finish_reason":"COMPLETE"}}"#),
//! ] {
//!     converter.on_frame(Frame::Sse { event: Some(event), data }, &mut out).unwrap();
//! }
//! converter.finish(&mut out).unwrap();
//! assert_eq!(out.last().unwrap().type_name(), "message_stop");
//! ```
//!
//! Cohere has no token-counting endpoint that takes a chat request; a
//! provider built on this family answers `count_tokens` with `Unsupported`.

pub mod citations;
pub mod error;
pub mod finish;
pub mod request;
pub mod response;
pub mod stream;
pub mod wire;

pub use error::error_response;
pub use request::{request_body, to_chat_request};
pub use response::{from_chat_response, parse_response, ResponseContext};
pub use stream::CohereStreamConverter;

use messages_types::{Message, MessageCreateParams};

use crate::capabilities::{Capabilities, Support};
use crate::{ConvertError, Framing};

/// How a Cohere v2 chat stream is framed: server-sent events.
pub const FRAMING: Framing = Framing::Sse;

/// The top-level Anthropic features Cohere carries: `top_k` (as `k`);
/// `max_tokens: 0`, `metadata.user_id`, `service_tier` other than `auto`,
/// `inference_geo`, `container`, `mcp_servers` and `context_management`
/// are refused (Cohere has no field for them).
pub const CAPABILITIES: Capabilities = Capabilities::NONE.top_k(Support::Native);

/// The family's request conversion: [`to_chat_request`] (serialize it, with
/// extras, through [`request_body`]). `stream` is whether the call streams.
pub fn request(params: &MessageCreateParams, stream: bool) -> Result<wire::ChatRequest<'_>, ConvertError> {
    to_chat_request(params, stream)
}

/// The family's response conversion: a whole `/v2/chat` body → [`Message`]
/// ([`parse_response`]).
pub fn response(body: &[u8], ctx: &ResponseContext<'_>) -> Result<Message, ConvertError> {
    parse_response(body, ctx)
}

/// The family's stream converter for one call: a [`CohereStreamConverter`],
/// which implements [`StreamConverter`](crate::StreamConverter).
pub fn stream(ctx: &ResponseContext<'_>) -> CohereStreamConverter {
    CohereStreamConverter::new(ctx)
}
