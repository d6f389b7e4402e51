//! Serialization helper shared by the tagged unions.

use serde::Serialize;

/// Serializes `inner` (a struct with named fields) with a leading
/// `"type": tag` entry. Used by the `tagged_union!` macro.
#[derive(Serialize)]
pub(crate) struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    pub(crate) r#type: &'static str,
    #[serde(flatten)]
    pub(crate) inner: &'a T,
}
