//! Typed Chat Completions wire structs.
//!
//! Request types serialize only and borrow from the Anthropic request (no
//! copies of text or schemas). Response and chunk types deserialize with
//! `Cow<str>` fields that borrow from the payload when it has no escapes, and
//! ignore fields they do not model; every string enum keeps unknown values.

mod cow;
mod finish;
mod request;
mod response;
mod text;
mod usage;

pub use finish::FinishReason;
pub use request::*;
pub use response::*;
pub use text::{Arguments, ContentField, ResponsePart, ThinkingField};
pub use usage::{ChatUsage, CompletionTokensDetails, PromptTokensDetails};

/// `Vec` fields that may be `null` on the wire.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize as _;
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
