//! Typed Bedrock Runtime wire shapes (botocore `bedrock-runtime` 2023-09-30
//! `service-2.json`): what this crate sends ([`request`]) and what it reads
//! ([`response`], also the ConverseStream event payloads).
//!
//! Bedrock unions (`ContentBlock`, `SystemContentBlock`, `Tool`, …) have
//! exactly one member set; outgoing ones are Rust enums in serde's externally
//! tagged form (`{"text": "…"}`), incoming ones structs of optional members
//! that keep unknown members in `extra`, so a newer member never fails a parse.

pub mod request;
pub mod response;

pub use request::*;
pub use response::*;
