//! Typed Responses API wire structs.
//!
//! Request types serialize only and borrow from the Anthropic request.
//! Response and stream-event types deserialize leniently: every field the
//! conversion does not need is ignored, every string enum is kept as a
//! string (unknown values survive), and stream deltas borrow from the payload
//! when it has no escapes.

mod request;
mod response;
mod stream;

pub use request::*;
pub use response::*;
pub use stream::*;
