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

/// A map key or tag read without allocating when the input allows borrowing.
pub(crate) struct Key<'de>(std::borrow::Cow<'de, str>);

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}
