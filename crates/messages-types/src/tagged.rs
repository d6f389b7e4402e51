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

/// A string or an array of blocks, before it becomes a content enum.
pub(crate) enum StringOrSeq {
    String(String),
    Seq(Vec<crate::content::ContentBlock>),
}

/// Deserializes `string | [ContentBlock]`, naming the failing block by index.
pub(crate) fn deserialize_string_or_seq<'de, D: serde::Deserializer<'de>>(
    d: D,
    expecting: &'static str,
    item: &'static str,
) -> Result<StringOrSeq, D::Error> {
    use serde::de::{DeserializeSeed, Error as _, SeqAccess, Visitor};

    struct Indexed {
        index: usize,
        item: &'static str,
    }
    impl<'de> DeserializeSeed<'de> for Indexed {
        type Value = crate::content::ContentBlock;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            <crate::content::ContentBlock as serde::Deserialize>::deserialize(d).map_err(|e| {
                D::Error::custom(format_args!(
                    "{} {}: {}",
                    self.item,
                    self.index,
                    strip_position(&e.to_string())
                ))
            })
        }
    }

    struct V {
        expecting: &'static str,
        item: &'static str,
    }
    impl<'de> Visitor<'de> for V {
        type Value = StringOrSeq;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<StringOrSeq, E> {
            Ok(StringOrSeq::String(v.to_owned()))
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<StringOrSeq, E> {
            Ok(StringOrSeq::String(v))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringOrSeq, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
            loop {
                let seed = Indexed {
                    index: out.len(),
                    item: self.item,
                };
                match seq.next_element_seed(seed)? {
                    Some(b) => out.push(b),
                    None => return Ok(StringOrSeq::Seq(out)),
                }
            }
        }
    }
    d.deserialize_any(V { expecting, item })
}

/// Drops a trailing ` at line N column M` (serde_json adds the position of
/// the outermost error again).
fn strip_position(msg: &str) -> &str {
    if let Some(i) = msg.rfind(" at line ") {
        let tail = msg.get(i + 9..).unwrap_or_default();
        let mut parts = tail.split(' ');
        if let (Some(l), Some("column"), Some(c), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        {
            if l.bytes().all(|b| b.is_ascii_digit()) && c.bytes().all(|b| b.is_ascii_digit()) {
                return msg.get(..i).unwrap_or(msg);
            }
        }
    }
    msg
}
