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
