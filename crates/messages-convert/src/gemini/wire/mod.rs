//! Typed serde structs for the Gemini `generateContent` wire format (the parts
//! this crate converts). Unknown response fields are ignored; unknown enum
//! values (`finishReason`, `blockReason`, roles, modes) are kept as `Other`.
//!
//! [`content`]: parts and turns (both directions); [`request`]: the request
//! body; [`response`]: the response body and stream chunks.

pub mod content;
pub mod request;
pub mod response;

pub use content::*;
pub use request::*;
pub use response::*;
