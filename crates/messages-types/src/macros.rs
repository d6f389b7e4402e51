//! Declarative macros that give every wire enum a forward-compatible shape.
//!
//! * [`open_enum!`] — a string enum (`"end_turn"`, `"tool_use"`, …) with an
//!   `Other(String)` variant that keeps any value this crate does not know yet.
//! * [`tagged_union!`] — an object union discriminated by its `"type"` field,
//!   with an `Unknown(serde_json::Value)` variant that keeps the whole object
//!   of a type this crate does not know yet, and serializes it back unchanged.

/// Defines a string-valued wire enum that keeps unknown values.
///
/// Exported so that provider wire types (in `messages-convert` and provider
/// crates) get the same forward-compatible shape: the calling crate must
/// depend on `serde`.
///
/// ```
/// messages_types::open_enum! {
///     /// A finish reason.
///     pub enum Finish {
///         /// Done.
///         Stop = "STOP",
///     }
/// }
/// assert_eq!(Finish::from("STOP"), Finish::Stop);
/// assert_eq!(Finish::from("NEW").as_str(), "NEW");
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know; kept verbatim.
            Other(String),
        }

        impl $name {
            /// The value exactly as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(s) => s.as_str(),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                })
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

/// Defines an object union tagged by `"type"` that keeps unknown members.
///
/// Each known variant wraps a struct that does *not* contain the `type`
/// field itself; the macro adds it when serializing and strips it when
/// deserializing. Any other tag becomes `Unknown(Value)` holding the whole
/// object, `type` included, so it serializes back exactly as it came.
macro_rules! tagged_union {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )+
            /// An object whose `type` this version of the crate does not know;
            /// kept verbatim (including `type`) and serialized back unchanged.
            Unknown(::serde_json::Value),
        }

        impl $name {
            /// The `type` tag of this value as it appears on the wire.
            pub fn type_name(&self) -> &str {
                match self {
                    $( Self::$variant(_) => $wire, )+
                    Self::Unknown(v) => v.get("type").and_then(|t| t.as_str()).unwrap_or(""),
                }
            }

            /// Every `type` tag this version of the crate knows for this union.
            pub const KNOWN_TYPES: &'static [&'static str] = &[$($wire),+];
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(inner) => $crate::tagged::Tagged { r#type: $wire, inner }.serialize(s), )+
                    Self::Unknown(v) => v.serialize(s),
                }
            }
        }

        impl $name {
            /// Builds the value from a whole JSON object (the slow path, used
            /// when `type` is not the object's first key).
            fn from_json_object<E: ::serde::de::Error>(
                mut map: ::serde_json::Map<String, ::serde_json::Value>,
            ) -> Result<Self, E> {
                let tag = match map.get("type") {
                    Some(::serde_json::Value::String(t)) => t.clone(),
                    Some(_) => return Err(E::custom(concat!(stringify!($name), ": `type` is not a string"))),
                    None => return Err(E::custom(concat!(stringify!($name), ": missing `type` field"))),
                };
                match tag.as_str() {
                    $( $wire => {
                        map.remove("type");
                        <$ty as ::serde::Deserialize>::deserialize(::serde_json::Value::Object(map))
                            .map(Self::$variant)
                            .map_err(|e| E::custom(format_args!("{} `{}`: {}", stringify!($name), $wire, e)))
                    } )+
                    _ => Ok(Self::Unknown(::serde_json::Value::Object(map))),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("an object with a `type` field (", stringify!($name), ")"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        use ::serde::de::Error as _;
                        let Some(first) = map.next_key::<$crate::tagged::Key<'de>>()? else {
                            return Err(A::Error::custom(concat!(stringify!($name), ": missing `type` field")));
                        };
                        if first.as_str() == "type" {
                            // Fast path (the API sends `type` first): stream the
                            // remaining fields straight into the variant's struct.
                            let tag = map.next_value::<$crate::tagged::Key<'de>>().map_err(|_| {
                                A::Error::custom(concat!(stringify!($name), ": `type` is not a string"))
                            })?;
                            match tag.as_str() {
                                $( $wire => {
                                    return <$ty as ::serde::Deserialize>::deserialize(
                                        ::serde::de::value::MapAccessDeserializer::new(map),
                                    )
                                    .map($name::$variant)
                                    .map_err(|e| A::Error::custom(format_args!("{} `{}`: {}", stringify!($name), $wire, e)));
                                } )+
                                _ => {}
                            }
                            let mut obj = ::serde_json::Map::new();
                            obj.insert("type".to_owned(), ::serde_json::Value::String(tag.into_string()));
                            while let Some((k, v)) = map.next_entry::<String, ::serde_json::Value>()? {
                                obj.insert(k, v);
                            }
                            return Ok($name::Unknown(::serde_json::Value::Object(obj)));
                        }
                        let mut obj = ::serde_json::Map::new();
                        let v = map.next_value::<::serde_json::Value>()?;
                        obj.insert(first.into_string(), v);
                        while let Some((k, v)) = map.next_entry::<String, ::serde_json::Value>()? {
                            obj.insert(k, v);
                        }
                        $name::from_json_object(obj)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

pub(crate) use crate::open_enum;
pub(crate) use tagged_union;
