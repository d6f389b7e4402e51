//! Cohere v2 chat wire types: the request as sent ([`request`]), the whole
//! response and the stream events as received ([`response`], [`stream`]).
//!
//! Request types borrow from the Anthropic request; response and stream types
//! borrow from the payload where the JSON has no escapes (`Cow`). Enums keep
//! unknown values ([`FinishReason::Other`]); unknown fields are ignored on
//! input (a conversion reads what it maps).

pub mod request;
pub mod response;
pub mod stream;

pub use request::*;
pub use response::*;
pub use stream::*;
