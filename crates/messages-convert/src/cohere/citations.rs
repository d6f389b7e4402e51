//! Cohere citations → Anthropic citations.
//!
//! Cohere cites a span of the *generated* text (`start`/`end`, `text`) and
//! names its sources; Anthropic attaches citations to the text block and
//! locates the quote *in the cited document*. The kinds that match:
//!
//! * a `document` source whose id is `doc_{n}` (the ids [`request`](super::request)
//!   gives Anthropic documents; `n` is the Anthropic `document_index`) becomes
//!   a `char_location`: `cited_text` is the span, `document_title` the
//!   document's `title`, and the character range is where the span occurs in
//!   the returned document's `text` (or `snippet`).
//!
//! Documented drops (no Anthropic citation kind expresses them; the text
//! itself is kept): `tool` sources (citations of tool results), document
//! sources with other ids or whose quote does not occur in the document,
//! citations of thinking (`THINKING_CONTENT`: Anthropic thinking has no
//! citations).
//!
//! Citations attach to the text block of their content part (`PLAN`
//! citations to the tool-plan block), without splitting the text: a stream
//! delivers a citation after the text it cites, so the whole response does
//! the same to keep both conversions equal.

use messages_types::{CharLocation, Citation, Extra, Nullable};
use serde_json::Value;

use super::wire::CohereCitation;

/// `true` for a citation of thinking (never attached).
pub fn cites_thinking(c: &CohereCitation) -> bool {
    c.kind.as_deref() == Some("THINKING_CONTENT")
}

/// `true` for a citation of the tool plan.
pub fn cites_plan(c: &CohereCitation) -> bool {
    c.kind.as_deref() == Some("PLAN")
}

/// The Anthropic citations for one Cohere citation (one per matching source).
///
/// ```
/// use messages_convert::cohere::citations::to_anthropic;
/// use messages_convert::cohere::wire::CohereCitation;
/// let c: CohereCitation = serde_json::from_str(r#"{"start":0,"end":5,"text":"Paris",
///   "sources":[{"type":"document","id":"doc_1","document":{"text":"The capital is Paris.","title":"F"}},
///              {"type":"tool","id":"t:0","tool_output":{"x":1}}]}"#).unwrap();
/// let out = to_anthropic(&c);
/// assert_eq!(out.len(), 1);
/// let messages_types::Citation::CharLocation(loc) = &out[0] else { panic!() };
/// assert_eq!((loc.document_index, loc.start_char_index, loc.end_char_index), (1, 15, 20));
/// ```
pub fn to_anthropic(c: &CohereCitation) -> Vec<Citation> {
    let Some(quote) = c.text.as_deref().filter(|t| !t.is_empty()) else {
        return Vec::new();
    };
    c.sources
        .iter()
        .filter(|s| s.kind.as_deref() == Some("document"))
        .filter_map(|s| {
            let index = s.id.as_deref()?.strip_prefix("doc_")?.parse::<u32>().ok()?;
            let doc = s.document.as_ref()?;
            let body = ["text", "snippet"]
                .iter()
                .find_map(|k| doc.get(*k).and_then(Value::as_str))?;
            let byte = body.find(quote)?;
            let start = body.get(..byte)?.chars().count() as u64;
            let end = start + quote.chars().count() as u64;
            let title = match doc.get("title").and_then(Value::as_str) {
                Some(t) => Nullable::Value(t.to_owned()),
                None => Nullable::Absent,
            };
            Some(Citation::CharLocation(CharLocation {
                cited_text: quote.to_owned(),
                document_index: index,
                document_title: title,
                start_char_index: start,
                end_char_index: end,
                extra: Extra::new(),
            }))
        })
        .collect()
}
