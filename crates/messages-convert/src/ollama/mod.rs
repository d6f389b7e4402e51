//! Anthropic Messages ⇄ Ollama's native chat API (`POST /api/chat`).
//!
//! * [`to_chat_request`] / [`request_body`]: an Anthropic request as an
//!   Ollama request (rules, documented losses and `Unsupported` cases in
//!   [`request`]);
//! * [`from_chat_response`] / [`parse_response`]: a whole (`stream: false`)
//!   response as an Anthropic [`Message`](messages_types::Message)
//!   ([`response`]: blocks, `done_reason`, usage);
//! * [`OllamaStreamConverter`]: a stream's NDJSON lines as Anthropic stream
//!   events ([`stream`]);
//! * [`error_response`]: an Ollama error body as an Anthropic error body;
//! * [`count_tokens`](request::count_tokens): always `Unsupported` (Ollama
//!   has no token-counting endpoint).
//!
//! The family convention, as in every family module: [`fn@request`],
//! [`fn@response`], [`fn@stream`] (a [`StreamConverter`](crate::StreamConverter)
//! fed NDJSON lines, [`Frame::Line`](crate::Frame::Line)), [`FRAMING`] and
//! [`CAPABILITIES`].
//!
//! ```
//! use messages_convert::{ollama, Frame, StreamConverter};
//! let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "qwen3:4b", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let body = ollama::request(&params, true, ollama::ThinkStyle::Bool).unwrap();
//! assert!(body.stream);
//! let mut converter: Box<dyn StreamConverter> = Box::new(ollama::stream("qwen3:4b"));
//! let mut out = Vec::new();
//! let line = br#"{"model":"qwen3:4b","created_at":"t","message":{"role":"assistant","content":"Hi"},"done":true,"done_reason":"stop"}"#;
//! converter.on_frame(Frame::Line(line), &mut out).unwrap();
//! converter.finish(&mut out).unwrap();
//! assert_eq!(out.last().unwrap().type_name(), "message_stop");
//! ```
//!
//! This is the native API; Ollama's OpenAI-compatible `/v1` endpoint is
//! served by [`openai_chat`](crate::openai_chat).

pub mod error;
pub mod request;
pub mod response;
pub mod stream;
pub mod wire;

pub use error::error_response;
pub use request::{request_body, to_chat_request, ThinkStyle};
pub use response::{from_chat_response, parse_response};
pub use stream::OllamaStreamConverter;

use messages_types::{Message, MessageCreateParams};

use crate::capabilities::{Capabilities, Support};
use crate::{ConvertError, Framing};

/// How an Ollama `/api/chat` stream is framed: one JSON object per line.
pub const FRAMING: Framing = Framing::Ndjson;

/// The top-level Anthropic features Ollama carries: `top_k` (as
/// `options.top_k`); `max_tokens: 0`, `metadata.user_id`, `service_tier`
/// other than `auto`, `inference_geo`, `container`, `mcp_servers` and
/// `context_management` are refused (Ollama has no field for them).
pub const CAPABILITIES: Capabilities = Capabilities::NONE.top_k(Support::Native);

/// The family's request conversion: [`to_chat_request`] (serialize it, with
/// extras, through [`request_body`]). `stream` is whether the call streams;
/// `think_style` how the model takes `think`.
pub fn request(
    params: &MessageCreateParams,
    stream: bool,
    think_style: ThinkStyle,
) -> Result<wire::ChatRequest<'_>, ConvertError> {
    to_chat_request(params, stream, think_style)
}

/// The family's response conversion: a whole (`stream: false`) `/api/chat`
/// body → [`Message`] ([`parse_response`]); `model` is reported when the
/// body names none.
pub fn response(body: &[u8], model: &str) -> Result<Message, ConvertError> {
    parse_response(body, model)
}

/// The family's stream converter for one call: an [`OllamaStreamConverter`],
/// which implements [`StreamConverter`](crate::StreamConverter).
pub fn stream(model: &str) -> OllamaStreamConverter {
    OllamaStreamConverter::new(model)
}
