//! Pure, I/O-free conversion between the Anthropic Messages format
//! ([`messages_types`]) and each provider's native API: the request out, the
//! response back, and stream chunks into Anthropic stream events.
//!
//! Nothing here touches the network; provider crates pair these conversions
//! with `messages-http`.
//!
//! A field a target cannot express is [`ConvertError::Unsupported`] naming
//! it (the strict default); [`lenient`] is the opt-in policy that drops
//! request features and annotations instead and reports each one
//! ([`DroppedField`]), never a message, block or tool.
//!
//! Families behind their own cargo feature (all on by default): `cohere`
//! ([`cohere`], Cohere v2 chat) and `ollama` ([`ollama`], Ollama's native
//! `/api/chat`). They reuse pieces of [`openai_chat`] (tool definitions,
//! tool-argument parsing) and [`stream_emit`], and follow the family
//! convention (`request`, `response`, `stream`, `FRAMING`, `CAPABILITIES`).

#[cfg(feature = "bedrock")]
pub mod bedrock;
pub mod error;

#[cfg(feature = "cohere")]
pub mod cohere;
#[cfg(feature = "ollama")]
pub mod ollama;
#[cfg(any(feature = "cohere", feature = "ollama"))]
mod shared;

pub use error::ConvertError;
pub mod capabilities;
pub mod lenient;
pub mod merge_patch;
pub mod stream;
pub use capabilities::{check_capabilities, Capabilities};
pub use lenient::{ConversionPolicy, DropKind, DroppedField};
pub use merge_patch::merge_patch;
pub use stream::{Frame, Framing, StreamConverter};
#[cfg(feature = "gemini")]
pub mod gemini;
#[cfg(feature = "openai-chat")]
pub mod openai_chat;
#[cfg(feature = "openai-responses")]
pub mod openai_responses;
pub mod signature;
pub mod stream_emit;
pub mod vocabulary;
