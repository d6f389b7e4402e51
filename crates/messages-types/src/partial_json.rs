//! A parser for the *prefix* of a JSON document, used to show tool inputs
//! while their `input_json_delta` fragments are still arriving.
//!
//! It follows the official Python SDK (`jiter` with `partial_mode=True`):
//! every complete value is kept, containers that are still open are closed,
//! and a value that is cut off is dropped — an unfinished string, an
//! unfinished literal (`tru`), a key without its value. A number at the very
//! end is kept when what is there already parses (`12` → `12`, `1.` → dropped).
//! [`PartialMode::TrailingStrings`] keeps an unfinished string instead (the
//! TypeScript SDK's behaviour), which is nicer for showing text as it grows.
//!
//! ```
//! use messages_types::partial_json::{parse_partial, PartialMode};
//! use serde_json::json;
//!
//! let v = parse_partial(r#"{"city": "Par"#, PartialMode::Sdk).unwrap();
//! assert_eq!(v, Some(json!({})));
//! let v = parse_partial(r#"{"city": "Par"#, PartialMode::TrailingStrings).unwrap();
//! assert_eq!(v, Some(json!({"city": "Par"})));
//! let v = parse_partial(r#"{"n": [1, 2, {"x": true"#, PartialMode::Sdk).unwrap();
//! assert_eq!(v, Some(json!({"n": [1, 2, {"x": true}]})));
//! assert_eq!(parse_partial("  ", PartialMode::Sdk).unwrap(), None);
//! assert!(parse_partial(r#"{"a": }"#, PartialMode::Sdk).is_err());
//! ```

use serde_json::{Map, Value};

/// The deepest nesting accepted (the same limit as `serde_json`).
pub const MAX_DEPTH: usize = 128;

/// What to do with a string cut off by the end of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PartialMode {
    /// Drop it, with its key (the Python SDK's `partial_mode=True`).
    #[default]
    Sdk,
    /// Keep the part received so far.
    TrailingStrings,
    /// Repairing a document cut off by a token limit: a cut string keeps
    /// the part received (as [`Self::TrailingStrings`]: nothing is added to
    /// it), while a cut key, literal (`tru`) or number (`12` may have been
    /// `123`) is dropped — never completed into a value the model did not
    /// produce. See [`repair_cut_off`].
    CutOff,
}

/// The value of a JSON document cut off by a token limit: every complete
/// value kept, open containers closed, a cut string kept as received, and
/// a cut key, literal (`tru`) or number dropped — never completed.
/// `Ok(None)` when nothing complete arrived; an error when the text is not
/// the beginning of any JSON document (then it was not merely cut off).
/// The one JSON-prefix repair of the project: the whole and the streamed
/// conversions both use it.
///
/// ```
/// use messages_types::partial_json::repair_cut_off;
/// use serde_json::json;
/// assert_eq!(repair_cut_off(r#"{"a": 1, "b": tru"#).unwrap(), Some(json!({"a": 1})));
/// assert_eq!(repair_cut_off(r#"{"a": 1, "n": 12"#).unwrap(), Some(json!({"a": 1})));
/// assert_eq!(repair_cut_off(r#"{"a": [1, 2], "ke"#).unwrap(), Some(json!({"a": [1, 2]})));
/// assert_eq!(repair_cut_off(r#"{"city": "Par"#).unwrap(), Some(json!({"city": "Par"})));
/// assert_eq!(repair_cut_off(r#"{"summary": "#).unwrap(), Some(json!({})));
/// assert!(repair_cut_off("NOTJSON{").is_err());
/// ```
pub fn repair_cut_off(input: &str) -> Result<Option<Value>, PartialJsonError> {
    parse_partial(input, PartialMode::CutOff)
}

/// Why a prefix cannot be the beginning of any JSON document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartialJsonError {
    /// A byte that cannot appear here.
    #[error("invalid JSON at byte {offset}: {what}")]
    Invalid {
        /// Byte offset of the problem.
        offset: usize,
        /// What was expected or found.
        what: &'static str,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("JSON nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Parses a (possibly incomplete) JSON text.
///
/// Returns `Ok(None)` when nothing usable has arrived yet (empty input, or a
/// lone unfinished scalar), `Ok(Some(value))` with the best value so far,
/// or an error when the text can never become valid JSON.
pub fn parse_partial(input: &str, mode: PartialMode) -> Result<Option<Value>, PartialJsonError> {
    let mut p = Parser {
        bytes: input.as_bytes(),
        text: input,
        pos: 0,
        mode,
    };
    let parsed = p.value(0)?;
    match parsed {
        Parsed::Complete(v) => {
            p.skip_ws();
            if p.pos < p.bytes.len() {
                return Err(p.invalid("trailing characters after the value"));
            }
            Ok(Some(v))
        }
        Parsed::Partial(v) => Ok(v),
    }
}

/// A value that ended before the input did, or one cut off by the end.
enum Parsed {
    Complete(Value),
    Partial(Option<Value>),
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    mode: PartialMode,
}

impl Parser<'_> {
    fn invalid(&self, what: &'static str) -> PartialJsonError {
        PartialJsonError::Invalid {
            offset: self.pos,
            what,
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Parsed, PartialJsonError> {
        if depth > MAX_DEPTH {
            return Err(PartialJsonError::TooDeep);
        }
        self.skip_ws();
        match self.peek() {
            None => Ok(Parsed::Partial(None)),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.invalid("expected a value")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Parsed, PartialJsonError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let w = word.as_bytes();
        if rest.len() >= w.len() {
            if rest.starts_with(w) {
                self.pos += w.len();
                Ok(Parsed::Complete(value))
            } else {
                Err(self.invalid("expected true, false or null"))
            }
        } else if w.starts_with(rest) {
            self.pos = self.bytes.len();
            Ok(Parsed::Partial(None))
        } else {
            Err(self.invalid("expected true, false or null"))
        }
    }

    fn number(&mut self) -> Result<Parsed, PartialJsonError> {
        let start = self.pos;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.peek() {
            self.pos += 1;
        }
        let slice = self.text.get(start..self.pos).unwrap_or_default();
        let parsed = serde_json::from_str::<Value>(slice).ok();
        if self.pos == self.bytes.len() {
            // The number may go on: keep what parses so far, unless
            // repairing a cut (then it may be a cut-off number).
            if self.mode == PartialMode::CutOff {
                return Ok(Parsed::Partial(None));
            }
            Ok(Parsed::Partial(parsed))
        } else {
            match parsed {
                Some(v @ Value::Number(_)) => Ok(Parsed::Complete(v)),
                _ => {
                    self.pos = start;
                    Err(self.invalid("malformed number"))
                }
            }
        }
    }

    /// Parses a string starting at the opening quote.
    fn string(&mut self) -> Result<Parsed, PartialJsonError> {
        let start = self.pos;
        let mut i = start + 1;
        let mut last_safe_end = i; // end of the longest prefix without a cut escape
        while let Some(&b) = self.bytes.get(i) {
            match b {
                b'"' => {
                    self.pos = i + 1;
                    let slice = self.text.get(start..self.pos).unwrap_or_default();
                    return serde_json::from_str::<String>(slice)
                        .map(|s| Parsed::Complete(Value::String(s)))
                        .map_err(|_| PartialJsonError::Invalid {
                            offset: start,
                            what: "malformed string",
                        });
                }
                b'\\' => {
                    let len = match self.bytes.get(i + 1) {
                        Some(b'u') => 6,
                        _ => 2,
                    };
                    i += len;
                    if i <= self.bytes.len() {
                        last_safe_end = i;
                    }
                }
                0x00..=0x1f => {
                    self.pos = i;
                    return Err(self.invalid("control character in string"));
                }
                _ => {
                    i += 1;
                    last_safe_end = i;
                }
            }
        }
        self.pos = self.bytes.len();
        if self.mode == PartialMode::Sdk {
            return Ok(Parsed::Partial(None));
        }
        // Close the prefix and parse it; a cut-off surrogate pair may still
        // fail, in which case back off one escape at a time.
        let mut end = last_safe_end.min(self.bytes.len());
        loop {
            let mut candidate = String::with_capacity(end - start + 1);
            candidate.push_str(self.text.get(start..end).unwrap_or("\""));
            candidate.push('"');
            if let Ok(s) = serde_json::from_str::<String>(&candidate) {
                return Ok(Parsed::Partial(Some(Value::String(s))));
            }
            match self.text.get(start + 1..end).and_then(|t| t.rfind('\\')) {
                Some(k) => end = start + 1 + k,
                None => return Ok(Parsed::Partial(None)),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Parsed, PartialJsonError> {
        self.pos += 1; // '{'
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Parsed::Complete(Value::Object(map)));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Ok(Parsed::Partial(Some(Value::Object(map)))),
                Some(b'"') => {}
                Some(_) => return Err(self.invalid("expected a key")),
            }
            let key = match self.string()? {
                Parsed::Complete(Value::String(k)) => k,
                _ => return Ok(Parsed::Partial(Some(Value::Object(map)))),
            };
            self.skip_ws();
            match self.peek() {
                None => return Ok(Parsed::Partial(Some(Value::Object(map)))),
                Some(b':') => self.pos += 1,
                Some(_) => return Err(self.invalid("expected ':'")),
            }
            match self.value(depth + 1)? {
                Parsed::Complete(v) => {
                    map.insert(key, v);
                }
                Parsed::Partial(v) => {
                    if let Some(v) = v {
                        map.insert(key, v);
                    }
                    return Ok(Parsed::Partial(Some(Value::Object(map))));
                }
            }
            self.skip_ws();
            match self.peek() {
                None => return Ok(Parsed::Partial(Some(Value::Object(map)))),
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Parsed::Complete(Value::Object(map)));
                }
                Some(_) => return Err(self.invalid("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Parsed, PartialJsonError> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Parsed::Complete(Value::Array(items)));
        }
        loop {
            match self.value(depth + 1)? {
                Parsed::Complete(v) => items.push(v),
                Parsed::Partial(v) => {
                    items.extend(v);
                    return Ok(Parsed::Partial(Some(Value::Array(items))));
                }
            }
            self.skip_ws();
            match self.peek() {
                None => return Ok(Parsed::Partial(Some(Value::Array(items)))),
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Parsed::Complete(Value::Array(items)));
                }
                Some(_) => return Err(self.invalid("expected ',' or ']'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn sdk(s: &str) -> Option<Value> {
        parse_partial(s, PartialMode::Sdk).unwrap()
    }

    fn trailing(s: &str) -> Option<Value> {
        parse_partial(s, PartialMode::TrailingStrings).unwrap()
    }

    #[test]
    fn complete_documents_parse_like_serde_json() {
        for s in [
            r#"{"a":1,"b":[true,false,null],"c":{"d":"e\"\\\u00e9"}}"#,
            "[]",
            "{}",
            "-1.5e3",
            r#""\ud83d\ude00""#,
            " 0 ",
        ] {
            let expected: Value = serde_json::from_str(s).unwrap();
            assert_eq!(sdk(s), Some(expected), "{s}");
        }
    }

    #[test]
    fn every_prefix_parses_and_grows_monotonically() {
        let doc = r#"{"location": "San Francisco, CA", "unit": "celsius", "days": [1, 2.5, -3], "ok": true, "nested": {"x": null, "s": "a\"b\u00e9c"}}"#;
        let full: Value = serde_json::from_str(doc).unwrap();
        for end in 0..=doc.len() {
            let Some(prefix) = doc.get(..end) else { continue };
            for mode in [PartialMode::Sdk, PartialMode::TrailingStrings] {
                let v = parse_partial(prefix, mode).unwrap();
                if end == doc.len() {
                    assert_eq!(v.as_ref(), Some(&full));
                }
                if let Some(Value::Object(m)) = &v {
                    // Every complete key seen so far has its final value
                    // (or a prefix of it when it is the last one).
                    for (k, val) in m {
                        assert!(full.get(k).is_some(), "unexpected key {k} at {end}");
                        if mode == PartialMode::Sdk && val.is_string() {
                            assert_eq!(Some(val), full.get(k));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn cut_strings_are_dropped_or_kept_by_mode() {
        assert_eq!(sdk(r#"{"a": "xy"#), Some(json!({})));
        assert_eq!(trailing(r#"{"a": "xy"#), Some(json!({"a": "xy"})));
        assert_eq!(trailing(r#"{"a": "x\"#), Some(json!({"a": "x"})));
        assert_eq!(trailing(r#"{"a": "x\u00"#), Some(json!({"a": "x"})));
        assert_eq!(trailing(r#"{"a": "\ud83d"#), Some(json!({"a": ""})));
        assert_eq!(trailing(r#"["\ud83d\ude"#), Some(json!([""])));
        assert_eq!(trailing(r#"["ab\ud83d\ude"#), Some(json!(["ab"])));
        assert_eq!(sdk(r#"{"ke"#), Some(json!({})));
        assert_eq!(sdk(r#"{"key""#), Some(json!({})));
        assert_eq!(sdk(r#"{"key":"#), Some(json!({})));
    }

    #[test]
    fn cut_literals_and_numbers() {
        assert_eq!(sdk(r#"{"a": tr"#), Some(json!({})));
        assert_eq!(sdk(r#"{"a": 12"#), Some(json!({"a": 12})));
        assert_eq!(sdk(r#"{"a": 1."#), Some(json!({})));
        assert_eq!(sdk(r#"{"a": -"#), Some(json!({})));
        assert_eq!(sdk(r#"[1, 2"#), Some(json!([1, 2])));
        assert_eq!(sdk("tru"), None);
        assert_eq!(sdk(""), None);
    }

    #[test]
    fn garbage_is_an_error() {
        for s in [
            r#"{"a" 1}"#,
            "{1: 2}",
            "[1 2]",
            "{} x",
            "tx",
            r#"{"a": nul}"#,
            "[01]",
            "\"a\u{1}\"",
        ] {
            assert!(parse_partial(s, PartialMode::Sdk).is_err(), "{s:?}");
        }
    }

    #[test]
    fn depth_is_limited() {
        let deep = "[".repeat(MAX_DEPTH + 2);
        assert_eq!(
            parse_partial(&deep, PartialMode::Sdk),
            Err(PartialJsonError::TooDeep)
        );
        let ok = "[".repeat(MAX_DEPTH);
        assert!(parse_partial(&ok, PartialMode::Sdk).is_ok());
    }
}
