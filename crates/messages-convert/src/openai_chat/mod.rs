//! Anthropic Messages ⇄ OpenAI Chat Completions, for OpenAI and every
//! OpenAI-compatible server.
//!
//! * [`to_chat_request`] / [`request_body`]: an Anthropic request as a Chat
//!   Completions request (rules and documented losses in [`request`]);
//! * [`from_chat_completion`] / [`parse_response`]: a whole response as an
//!   Anthropic [`Message`](messages_types::Message);
//! * [`ChunkConverter`]: a stream's `data:` payloads as Anthropic stream events;
//! * [`error_response`]: a native error body as an Anthropic error body.
//!
//! Per-provider differences are data: a [`Dialect`] (its
//! [`Dialect::capabilities`] feed the shared capability check).
//!
//! # The family convention
//!
//! Like every family module, this one exposes [`fn@request`] (Anthropic
//! params → native body), [`fn@response`] (native body → `Message`),
//! [`fn@stream`] (a [`StreamConverter`](crate::StreamConverter) for one
//! call) and [`FRAMING`] (how the stream is framed).
//!
//! ```
//! use messages_convert::openai_chat::{self, Dialect, ResponseContext};
//! use messages_convert::{Frame, StreamConverter};
//! let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "gpt-4.1-mini", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let body = openai_chat::request(&params, &Dialect::OPENAI, true).unwrap();
//! assert_eq!(body.stream, Some(true));
//! let ctx = ResponseContext::new(&Dialect::OPENAI, "gpt-4.1-mini");
//! let mut converter: Box<dyn StreamConverter> = Box::new(openai_chat::stream(&ctx));
//! let mut out = Vec::new();
//! let chunk = br#"{"id":"c","model":"gpt-4.1-mini","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#;
//! converter.on_frame(Frame::Sse { event: None, data: chunk }, &mut out).unwrap();
//! let last = br#"{"id":"c","model":"gpt-4.1-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#;
//! converter.on_frame(Frame::Sse { event: None, data: last }, &mut out).unwrap();
//! converter.on_frame(Frame::Sse { event: None, data: b"[DONE]" }, &mut out).unwrap();
//! assert_eq!(out.first().unwrap().type_name(), "message_start");
//! assert_eq!(out.last().unwrap().type_name(), "message_stop");
//! ```

pub mod dialect;
pub mod error;
pub mod fold;
pub mod request;
pub mod response;
pub mod stop;
pub mod stream;
pub mod think_tags;
pub mod usage;
pub mod wire;

pub use dialect::{Dialect, MaxTokensField, ReasoningControl, ReasoningEcho};
pub use error::error_response;
pub use fold::ChunkFolder;
pub use request::{effort_for_budget, request_body, to_chat_request};
pub use response::{from_chat_completion, parse_response, ResponseContext};
pub use stream::ChunkConverter;

use messages_types::{Message, MessageCreateParams};

use crate::{ConvertError, Framing};

/// How a Chat Completions stream is framed: server-sent events.
pub const FRAMING: Framing = Framing::Sse;

/// The family's request conversion: [`to_chat_request`] (serialize it, with
/// extras, through [`request_body`]).
pub fn request<'a>(
    params: &'a MessageCreateParams,
    dialect: &Dialect,
    stream: bool,
) -> Result<wire::ChatRequest<'a>, ConvertError> {
    to_chat_request(params, dialect, stream)
}

/// The family's response conversion: a whole Chat Completions body →
/// [`Message`] ([`parse_response`]).
pub fn response(body: &[u8], ctx: &ResponseContext<'_>) -> Result<Message, ConvertError> {
    parse_response(body, ctx)
}

/// The family's stream converter for one call: a [`ChunkConverter`], which
/// implements [`StreamConverter`](crate::StreamConverter).
pub fn stream(ctx: &ResponseContext<'_>) -> ChunkConverter {
    ChunkConverter::new(ctx)
}
