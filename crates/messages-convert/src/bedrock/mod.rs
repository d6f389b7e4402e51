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
