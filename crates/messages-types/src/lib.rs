//! The Anthropic Messages API wire format as serde types.
//!
//! Pure data, no I/O: requests ([`MessageCreateParams`]), every content block
//! ([`ContentBlock`]), tools ([`Tool`], [`ToolChoice`]), responses ([`Message`],
//! [`Usage`], [`StopReason`]), stream events ([`StreamEvent`], [`ContentDelta`])
//! and errors ([`ErrorResponse`]).
//!
//! Forward compatible by construction: every string enum has an `Other(String)`
//! variant, every tagged union an `Unknown(Value)` variant that keeps the whole
//! object, and every struct an `extra` map that keeps fields this crate does
//! not model, so a parse/serialize round trip is lossless.
//!
//! ```
//! use messages_types::{Message, StopReason};
//! let json = r#"{"id":"msg_1","type":"message","role":"assistant","model":"m",
//!   "content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn",
//!   "stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}"#;
//! let msg: Message = serde_json::from_str(json).unwrap();
//! assert_eq!(msg.stop_reason, Some(StopReason::EndTurn));
//! ```

mod accessors;
mod constructors;
mod fast;
mod macros;
mod tagged;

pub mod accumulate;
pub mod builder;
pub mod grammar;
pub mod partial_json;

pub mod citation;
pub mod common;
pub mod content;
pub mod error;
pub mod nullable;
pub mod request;
pub mod response;
pub mod stream;
pub mod tool;

pub use builder::MessageCreateParamsBuilder;
pub use citation::*;
pub use common::*;
pub use content::*;
pub use error::*;
pub use nullable::Nullable;
pub use request::*;
pub use response::*;
pub use stream::*;
pub use tool::*;
