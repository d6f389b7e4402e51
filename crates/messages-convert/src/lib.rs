//! Pure, I/O-free conversion between the Anthropic Messages format
//! ([`messages_types`]) and each provider's native API: the request out, the
//! response back, and stream chunks into Anthropic stream events.
//!
//! Nothing here touches the network; provider crates pair these conversions
//! with `messages-http`.

pub mod error;

pub use error::ConvertError;
pub mod capabilities;
pub mod merge_patch;
pub mod stream;
pub use capabilities::{check_capabilities, Capabilities};
pub use merge_patch::merge_patch;
pub use stream::{Frame, Framing, StreamConverter};
#[cfg(feature = "gemini")]
pub mod gemini;
#[cfg(feature = "openai-chat")]
pub mod openai_chat;
#[cfg(feature = "openai-responses")]
pub mod openai_responses;
pub mod stream_emit;
