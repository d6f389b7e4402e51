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
//! Per-provider differences are data: a [`Dialect`].

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
