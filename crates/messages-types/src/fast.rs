//! A fast path for parsing the events that make up almost all of a stream:
//! `content_block_delta` with a `text_delta`, `input_json_delta`,
//! `thinking_delta` or `signature_delta`, and `content_block_stop`.
//!
//! The generic [`StreamEvent`] deserializer must keep unknown event types and
//! unknown fields, so it reads each event into a `serde_json::Value` first.
//! [`StreamEvent::from_json_slice`] first tries a strict, flat decoder for the
//! hot shapes (no unknown fields allowed, so nothing can be lost) straight from
//! the bytes; anything else — another event type, an extra field, a citation
//! delta — falls back to the generic path, with the same result.

use serde::Deserialize;

use crate::common::Extra;
use crate::stream::{
    ContentBlockDeltaEvent, ContentBlockStopEvent, ContentDelta, InputJsonDelta, SignatureDelta, StreamEvent,
    TextDelta, ThinkingDelta,
};

#[derive(Deserialize)]
enum HotTag {
    #[serde(rename = "content_block_delta")]
    Delta,
    #[serde(rename = "content_block_stop")]
    Stop,
}

#[derive(Deserialize)]
enum HotDeltaTag {
    #[serde(rename = "text_delta")]
    Text,
    #[serde(rename = "input_json_delta")]
    InputJson,
    #[serde(rename = "thinking_delta")]
    Thinking,
    #[serde(rename = "signature_delta")]
    Signature,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HotEvent {
    #[serde(rename = "type")]
    tag: HotTag,
    index: usize,
    #[serde(default, deserialize_with = "present")]
    delta: Option<HotDelta>,
}

/// `Some` of a field that is present. An explicit `null` fails the strict
/// parse: the generic path keeps it (in `extra`), so the round trip stays exact.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HotDelta {
    #[serde(rename = "type")]
    tag: HotDeltaTag,
    #[serde(default, deserialize_with = "present")]
    text: Option<String>,
    #[serde(default, deserialize_with = "present")]
    partial_json: Option<String>,
    #[serde(default, deserialize_with = "present")]
    thinking: Option<String>,
    #[serde(default, deserialize_with = "present")]
    signature: Option<String>,
}

impl HotDelta {
    /// The delta when exactly the one field its type needs is present.
    fn into_delta(self) -> Option<ContentDelta> {
        let extra = Extra::new;
        match (
            self.tag,
            self.text,
            self.partial_json,
            self.thinking,
            self.signature,
        ) {
            (HotDeltaTag::Text, Some(text), None, None, None) => {
                Some(ContentDelta::TextDelta(TextDelta { text, extra: extra() }))
            }
            (HotDeltaTag::InputJson, None, Some(partial_json), None, None) => {
                Some(ContentDelta::InputJsonDelta(InputJsonDelta {
                    partial_json,
                    extra: extra(),
                }))
            }
            (HotDeltaTag::Thinking, None, None, Some(thinking), None) => {
                Some(ContentDelta::ThinkingDelta(ThinkingDelta {
                    thinking,
                    extra: extra(),
                }))
            }
            (HotDeltaTag::Signature, None, None, None, Some(signature)) => {
                Some(ContentDelta::SignatureDelta(SignatureDelta {
                    signature,
                    extra: extra(),
                }))
            }
            _ => None,
        }
    }
}

impl HotEvent {
    fn into_event(self) -> Option<StreamEvent> {
        match (self.tag, self.delta) {
            (HotTag::Delta, Some(d)) => Some(StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent {
                index: self.index,
                delta: d.into_delta()?,
                extra: Extra::new(),
            })),
            (HotTag::Stop, None) => Some(StreamEvent::ContentBlockStop(ContentBlockStopEvent {
                index: self.index,
                extra: Extra::new(),
            })),
            _ => None,
        }
    }
}

impl StreamEvent {
    /// Parses one event's JSON (the SSE `data:` payload), taking a fast path
    /// for the hot delta and stop events. Always the same result as
    /// `serde_json::from_slice::<StreamEvent>`.
    ///
    /// ```
    /// use messages_types::{ContentDelta, StreamEvent};
    /// let data = br#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#;
    /// let StreamEvent::ContentBlockDelta(e) = StreamEvent::from_json_slice(data).unwrap() else { panic!() };
    /// assert!(matches!(e.delta, ContentDelta::TextDelta(ref t) if t.text == "Hi"));
    ///
    /// // Anything else takes the generic path, unknown fields included.
    /// let data = br#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"},"new":1}"#;
    /// let e = StreamEvent::from_json_slice(data).unwrap();
    /// assert_eq!(serde_json::to_value(&e).unwrap()["new"], 1);
    /// ```
    pub fn from_json_slice(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        // Validating UTF-8 once up front lets serde_json read from a `&str`,
        // which is faster than its byte-slice reader (that one re-checks
        // every string).
        match std::str::from_utf8(bytes) {
            Ok(s) => Self::from_json_str(s),
            Err(_) => serde_json::from_slice(bytes),
        }
    }

    /// Same as [`StreamEvent::from_json_slice`] for a `&str`.
    pub fn from_json_str(s: &str) -> Result<Self, serde_json::Error> {
        if let Some(event) = Self::from_json_str_hot(s) {
            return Ok(event);
        }
        serde_json::from_str(s)
    }

    /// The fast path alone: `Some` only for the hot shapes.
    pub fn from_json_slice_hot(bytes: &[u8]) -> Option<Self> {
        Self::from_json_str_hot(std::str::from_utf8(bytes).ok()?)
    }

    fn from_json_str_hot(s: &str) -> Option<Self> {
        if !looks_hot(s.as_bytes()) {
            return None;
        }
        serde_json::from_str::<HotEvent>(s)
            .ok()
            .and_then(HotEvent::into_event)
    }
}

/// Cheap screen before the strict parse (a failed parse costs an allocated
/// error): does the text name `content_block_delta` or `content_block_stop`?
fn looks_hot(bytes: &[u8]) -> bool {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new(b"\"content_block_"));
    finder.find_iter(bytes).any(|i| {
        let rest = bytes.get(i + 15..).unwrap_or_default();
        rest.starts_with(b"delta\"") || rest.starts_with(b"stop\"")
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// Explicit `null`s and other near-hot shapes give exactly what the
    /// generic deserializer gives (so the round trip stays exact).
    #[test]
    fn near_hot_shapes_agree_with_serde() {
        for data in [
            r#"{"type":"content_block_stop","index":0,"delta":null}"#,
            r#"{"type":"content_block_stop","index":0}"#,
            r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":null}}"#,
            r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a","text":"b"}}"#,
            r#"{"type":"content_block_delta","index":2,"delta":{"type":"thinking_delta","thinking":"x","signature":null}}"#,
            r#"{"index":2,"delta":{"partial_json":"{","type":"input_json_delta"},"type":"content_block_delta"}"#,
        ] {
            let generic: Result<StreamEvent, _> = serde_json::from_str(data);
            let fast = StreamEvent::from_json_str(data);
            match (generic, fast) {
                (Ok(g), Ok(f)) => {
                    assert_eq!(f, g, "{data}");
                    assert_eq!(
                        serde_json::to_value(&f).unwrap(),
                        serde_json::from_str::<serde_json::Value>(data).unwrap(),
                        "{data}"
                    );
                }
                (Err(_), Err(_)) => {}
                (g, f) => panic!("{data}: generic {g:?}, fast {f:?}"),
            }
        }
    }
}
