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
