//! Fields whose JSON type varies between servers: message content (a string,
//! or Mistral's list of text/thinking parts) and tool-call arguments (a JSON
//! string, or an object from some local servers).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Message or delta `content`: a string, or a list of parts.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentField<'a> {
    /// Plain text.
    Text(Cow<'a, str>),
    /// Typed parts (Mistral: `text` and `thinking`).
    Parts(Vec<ResponsePart>),
}

/// One content part of a response: `{type: text, text}` or Mistral's
/// `{type: thinking, thinking: [{type: text, text}]}`; others are kept by type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponsePart {
    /// The part's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text of a `text` part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The reasoning of a `thinking` part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingField>,
}

/// The `thinking` of a Mistral thinking part: a list of text parts (or a string).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ThinkingField {
    /// A plain string.
    Text(String),
    /// Text parts.
    Parts(Vec<ResponsePart>),
}

impl ThinkingField {
    /// Appends the reasoning text to `out`.
    pub fn push_text(&self, out: &mut String) {
        match self {
            Self::Text(t) => out.push_str(t),
            Self::Parts(parts) => {
                for p in parts {
                    if let Some(t) = &p.text {
                        out.push_str(t);
                    }
                }
            }
        }
    }
}

impl ResponsePart {
    /// The reasoning of a Mistral `thinking` part; `None` for any other part.
    pub fn thinking_text(&self) -> Option<String> {
        match (self.kind.as_str(), &self.thinking) {
            ("thinking", Some(th)) => {
                let mut s = String::new();
                th.push_text(&mut s);
                Some(s)
            }
            _ => None,
        }
    }
}

impl ContentField<'_> {
    /// The content as an owned `'static` value.
    pub fn into_owned(self) -> ContentField<'static> {
        match self {
            Self::Text(t) => ContentField::Text(Cow::Owned(t.into_owned())),
            Self::Parts(p) => ContentField::Parts(p),
        }
    }
}

impl Serialize for ContentField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(t) => s.serialize_str(t),
            Self::Parts(p) => p.serialize(s),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ContentField<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ContentField<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of content parts")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ContentField::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ContentField::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(ContentField::Text(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut parts = Vec::new();
                while let Some(p) = seq.next_element::<ResponsePart>()? {
                    parts.push(p);
                }
                Ok(ContentField::Parts(parts))
            }
        }
        d.deserialize_any(V)
    }
}

/// Tool-call `arguments`: JSON text (OpenAI), or an object some local
/// servers send instead (kept as its JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Arguments<'a>(pub Cow<'a, str>);

impl Arguments<'_> {
    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned `'static` copy.
    pub fn into_owned(self) -> Arguments<'static> {
        Arguments(Cow::Owned(self.0.into_owned()))
    }
}

impl Serialize for Arguments<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Arguments<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Arguments<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("tool-call arguments as a JSON string or object")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Arguments(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Arguments(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Arguments(Cow::Owned(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let v = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Arguments(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}
