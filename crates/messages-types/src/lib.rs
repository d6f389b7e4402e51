//! The Anthropic Messages API wire format as serde types.
//!
//! Pure data, no I/O (in the spirit of the `http` crate): requests
//! ([`MessageCreateParams`], [`CountTokensParams`]), every content block
//! ([`ContentBlock`] — one union for request and response side, so a response
//! goes straight back as the next assistant turn), tools ([`Tool`],
//! [`ToolChoice`]), responses ([`Message`], [`Usage`], [`StopReason`]), stream
//! events ([`StreamEvent`], [`ContentDelta`]) and errors ([`ErrorResponse`]).
//!
//! On top of the types:
//! * [`builder`] — [`MessageCreateParams::builder`] and small constructors;
//! * accessors — [`Message::text`], [`Message::tool_uses`], [`Message::to_param`],
//!   [`MessageParam::tool_results`], [`ContentBlock::as_text`], …;
//! * [`accumulate`] — fold stream events into a [`Message`] as the official SDKs do,
//!   with a live snapshot whose tool inputs are parsed from partial JSON ([`partial_json`]);
//! * [`Message::to_stream_events`] — the inverse: a whole message as the stream
//!   the API would send ([`StreamEvent::to_sse`] frames one event);
//! * [`grammar`] — validate that a sequence of events is a well-formed stream;
//! * [`StreamEvent::from_json_slice`] — a fast path for the hot delta events;
//! * [`server_tool`] — typed views of server-tool results, Anthropic-defined tool constructors.
//!
//! # Cost of forward compatibility
//!
//! Measured on the 1,255 events of the recorded Anthropic streams
//! (`examples/parse_ab.rs`, best of 60 interleaved rounds; `benches/parse.rs`
//! is the criterion version): with keys in the API's order (`type` first) the
//! tagged unions stream fields straight into their structs and parse every
//! event faster than a bare `serde_json::Value` parse (≈0.41 ms vs 0.53 ms,
//! ≈3 M events/s), and the hot delta events as fast as a strict serde derive
//! without any catch-alls (≈0.16 ms vs 0.18 ms for 630 deltas). When `type`
//! comes last (the recordings have sorted keys) unions take a buffered path;
//! [`StreamEvent::from_json_slice`] then keeps the hot deltas fast (2.7× the
//! buffered path).
//!
//! # Forward compatible, and exact
//!
//! Every string enum has an `Other(String)` variant, every tagged union an
//! `Unknown(Value)` variant that keeps the whole object, and every struct an
//! `extra` map that keeps fields this crate does not model, so a parse/serialize
//! round trip is lossless. Fields the API sometimes sends as an explicit `null`
//! are [`Nullable`] (absent, `null` or a value), so the round trip is exact.
//! The tests check this against every recorded Anthropic exchange.
//!
//! # Examples
//!
//! Build a request and read a response:
//!
//! ```
//! use messages_types::{Message, MessageCreateParams, StopReason};
//! let params = MessageCreateParams::builder("claude-sonnet-4-5", 1024)
//!     .system("Be brief.")
//!     .user("Hi")
//!     .build();
//! assert_eq!(serde_json::to_value(&params).unwrap()["messages"][0]["content"], "Hi");
//!
//! let json = r#"{"id":"msg_1","type":"message","role":"assistant","model":"m",
//!   "content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn",
//!   "stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}"#;
//! let msg: Message = serde_json::from_str(json).unwrap();
//! assert_eq!(msg.stop_reason, Some(StopReason::EndTurn));
//! assert_eq!(msg.text(), "Hi");
//! ```
//!
//! Types from the future survive untouched:
//!
//! ```
//! use messages_types::{ContentBlock, MessageParam};
//! let json = r#"{"role":"user","content":[{"type":"hologram","frames":3}],"mood":"curious"}"#;
//! let turn: MessageParam = serde_json::from_str(json).unwrap();
//! assert!(matches!(&turn.blocks()[0], ContentBlock::Unknown(_)));
//! let back = serde_json::to_value(&turn).unwrap();
//! assert_eq!(back, serde_json::from_str::<serde_json::Value>(json).unwrap());
//! ```
//!
//! # Dependencies
//!
//! `serde`/`serde_json` (the format), `thiserror` (error types) and `memchr`
//! (a substring screen that keeps non-hot events off the fast parse path).

mod accessors;
mod constructors;
mod fast;
mod macros;
mod tagged;
mod to_stream;

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
pub mod server_tool;
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
pub use server_tool::WebSearchResult;
pub use stream::*;
pub use tool::*;
