//! Pure, I/O-free conversion between the Anthropic Messages format
//! ([`messages_types`]) and each provider's native API: the request out, the
//! response back, and stream chunks into Anthropic stream events.
//!
//! Nothing here touches the network; provider crates pair these conversions
//! with `messages-http`.

pub mod error;

pub use error::ConvertError;
pub mod gemini;
pub mod openai_chat;
#[cfg(feature = "openai-responses")]
pub mod openai_responses;
pub mod stream_emit;
