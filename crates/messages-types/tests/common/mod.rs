//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

/// Every recorded `anthropic-messages` exchange, or `None` when the fixtures are missing (outside CI).
pub fn anthropic_exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    Some(load_all(&dir, &Filter::api("anthropic-messages")).unwrap())
}

/// Splits an SSE body into `(event name, data)` pairs. Handles `\n`, `\r\n`
/// and `\r` line ends, multi-line `data:`, comments and an optional space after
/// the colon. The real decoder lives in messages-http; this one is for tests.
pub fn sse_events(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut event = String::new();
    let mut data: Vec<&str> = Vec::new();
    let normalized = body.replace("\r\n", "\n").replace('\r', "\n");
    for line in normalized.split('\n').chain(std::iter::once("")) {
        if line.is_empty() {
            if !data.is_empty() {
                let name = if event.is_empty() {
                    "message".to_owned()
                } else {
                    std::mem::take(&mut event)
                };
                out.push((name, data.join("\n")));
                data.clear();
            }
            event.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => event = value.to_owned(),
            "data" => data.push(value),
            _ => {}
        }
    }
    out
}

/// Parses `v` as `T`, serializes it back and checks JSON equality.
pub fn assert_round_trip<T: DeserializeOwned + Serialize>(v: &Value) -> Result<(), String> {
    let typed: T = serde_json::from_value(v.clone()).map_err(|e| format!("parse: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| format!("serialize: {e}"))?;
    if !json_eq(&back, v) {
        return Err(format!("round trip differs: {}", first_difference(v, &back, "$")));
    }
    // Again from text in the crate's own key order (`type` first, as the API
    // sends it), which takes the streaming path of the tagged unions.
    let text = serde_json::to_string(&typed).map_err(|e| format!("serialize: {e}"))?;
    let again: T = serde_json::from_str(&text).map_err(|e| format!("parse (type first): {e}"))?;
    let back = serde_json::to_value(&again).map_err(|e| format!("serialize: {e}"))?;
    if !json_eq(&back, v) {
        return Err(format!(
            "type-first round trip differs: {}",
            first_difference(v, &back, "$")
        ));
    }
    Ok(())
}

/// A readable pointer to the first place two JSON values differ.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    None => return format!("{path}.{k} missing after round trip (was {va})"),
                    Some(vb) if !json_eq(va, vb) => return first_difference(va, vb, &format!("{path}.{k}")),
                    _ => {}
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    return format!("{path}.{k} added by round trip ({vb})");
                }
            }
            format!("{path}: ?")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if !json_eq(va, vb) {
                    return first_difference(va, vb, &format!("{path}[{i}]"));
                }
            }
            format!("{path}: ?")
        }
        _ => format!("{path}: {a} became {b}"),
    }
}

/// Parses every event of an SSE body (panics on a bad event: test helper).
pub fn parse_stream(body: &str) -> Vec<messages_types::StreamEvent> {
    sse_events(body)
        .into_iter()
        .map(|(name, data)| {
            let e = messages_types::StreamEvent::from_json_str(&data)
                .unwrap_or_else(|err| panic!("event {name}: {err}: {data}"));
            assert_eq!(e.type_name(), name, "SSE event name differs from data type");
            e
        })
        .collect()
}

/// Checks that `message` is what `events` describe, recomputed independently:
/// text and thinking are the concatenated deltas, tool inputs the parsed JSON
/// fragments, signatures the last signature delta, citations all citation
/// deltas, and the stop fields and usage counts those of the last message_delta.
pub fn check_accumulated(
    events: &[messages_types::StreamEvent],
    message: &messages_types::Message,
) -> Result<(), String> {
    use messages_types::{ContentBlock, ContentDelta, Nullable, StreamEvent};
    let mut text: BTreeMap<usize, String> = BTreeMap::new();
    let mut thinking: BTreeMap<usize, String> = BTreeMap::new();
    let mut json: BTreeMap<usize, String> = BTreeMap::new();
    let mut signature: BTreeMap<usize, String> = BTreeMap::new();
    let mut citations: BTreeMap<usize, Vec<messages_types::Citation>> = BTreeMap::new();
    let mut starts: BTreeMap<usize, ContentBlock> = BTreeMap::new();
    let mut last_delta = None;
    let mut first = None;
    for e in events {
        match e {
            StreamEvent::MessageStart(s) => first = Some(s.message.clone()),
            StreamEvent::ContentBlockStart(s) => {
                starts.insert(s.index, s.content_block.clone());
            }
            StreamEvent::ContentBlockDelta(d) => match &d.delta {
                ContentDelta::TextDelta(t) => text.entry(d.index).or_default().push_str(&t.text),
                ContentDelta::ThinkingDelta(t) => thinking.entry(d.index).or_default().push_str(&t.thinking),
                ContentDelta::InputJsonDelta(t) => json.entry(d.index).or_default().push_str(&t.partial_json),
                ContentDelta::SignatureDelta(t) => {
                    signature.insert(d.index, t.signature.clone());
                }
                ContentDelta::CitationsDelta(c) => {
                    citations.entry(d.index).or_default().push(c.citation.clone())
                }
                ContentDelta::Unknown(_) => {}
            },
            StreamEvent::MessageDelta(d) => last_delta = Some(d.clone()),
            _ => {}
        }
    }
    let first = first.ok_or("no message_start")?;
    if message.id != first.id || message.model != first.model {
        return Err("id/model differ from message_start".into());
    }
    if message.content.len() != starts.len() {
        return Err(format!(
            "{} blocks, {} starts",
            message.content.len(),
            starts.len()
        ));
    }
    for (i, block) in message.content.iter().enumerate() {
        let start = &starts[&i];
        if block.type_name() != start.type_name() {
            return Err(format!("block {i} changed type"));
        }
        match (block, start) {
            (ContentBlock::Text(b), ContentBlock::Text(s)) => {
                let want = format!("{}{}", s.text, text.get(&i).map_or("", |t| t.as_str()));
                if b.text != want {
                    return Err(format!("block {i} text {:?} != deltas {want:?}", b.text));
                }
                let mut want_c: Vec<_> = s.citations.as_ref().cloned().unwrap_or_default();
                want_c.extend(citations.get(&i).cloned().unwrap_or_default());
                let got_c = b.citations.as_ref().cloned().unwrap_or_default();
                if got_c != want_c {
                    return Err(format!("block {i} citations differ"));
                }
                if want_c.is_empty() && b.citations != s.citations {
                    return Err(format!("block {i} citations field changed"));
                }
            }
            (ContentBlock::Thinking(b), ContentBlock::Thinking(s)) => {
                let want = format!("{}{}", s.thinking, thinking.get(&i).map_or("", |t| t.as_str()));
                if b.thinking != want {
                    return Err(format!("block {i} thinking differs"));
                }
                let want_sig = signature.get(&i).unwrap_or(&s.signature);
                if &b.signature != want_sig {
                    return Err(format!("block {i} signature differs"));
                }
            }
            (ContentBlock::ToolUse(b), ContentBlock::ToolUse(s)) => {
                let want = match json.get(&i).map(|s| s.as_str()) {
                    None | Some("") => s.input.clone(),
                    Some(j) => serde_json::from_str(j).map_err(|e| format!("block {i}: {e}"))?,
                };
                if b.input != want || !b.input.is_object() {
                    return Err(format!("block {i} input {} != {want}", b.input));
                }
            }
            (ContentBlock::ServerToolUse(b), ContentBlock::ServerToolUse(s)) => {
                let want = match json.get(&i).map(|s| s.as_str()) {
                    None | Some("") => s.input.clone(),
                    Some(j) => serde_json::from_str(j).map_err(|e| format!("block {i}: {e}"))?,
                };
                if b.input != want {
                    return Err(format!("block {i} server input differs"));
                }
            }
            (b, s) => {
                if b != s {
                    return Err(format!("whole block {i} changed"));
                }
            }
        }
    }
    let d = last_delta.ok_or("no message_delta")?;
    let want_reason = match &d.delta.stop_reason {
        Nullable::Value(r) => Some(r.clone()),
        Nullable::Null => None,
        Nullable::Absent => first.stop_reason.clone(),
    };
    if message.stop_reason != want_reason {
        return Err(format!(
            "stop_reason {:?} != {want_reason:?}",
            message.stop_reason
        ));
    }
    if let Nullable::Value(s) = &d.delta.stop_sequence {
        if message.stop_sequence.as_ref() != Some(s) {
            return Err("stop_sequence differs".into());
        }
    }
    let u = serde_json::to_value(&d.usage).map_err(|e| e.to_string())?;
    let got = serde_json::to_value(&message.usage).map_err(|e| e.to_string())?;
    let first_u = serde_json::to_value(&first.usage).map_err(|e| e.to_string())?;
    for (k, v) in got.as_object().ok_or("usage")? {
        let want = u.get(k).or_else(|| first_u.get(k));
        if want != Some(v) {
            return Err(format!("usage.{k} = {v}, want {want:?}"));
        }
    }
    Ok(())
}

/// JSON equality, key order aside. Exact, except that a number written as an
/// integer equals the same number written as a float (`1` and `1.0` are the
/// same JSON number; `f64` fields such as `temperature` print floats).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x.is_f64() || y.is_f64() {
                x.as_f64() == y.as_f64()
            } else {
                x == y
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, va)| y.get(k).is_some_and(|vb| json_eq(va, vb)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(va, vb)| json_eq(va, vb))
        }
        _ => a == b,
    }
}

/// One fixture document, by kind.
pub enum Doc {
    /// A `POST /v1/messages` body.
    Request(Value),
    /// A count-tokens body.
    CountTokensRequest(Value),
    /// A `Message`.
    Response(Value),
    /// A count-tokens response.
    CountTokensResponse(Value),
    /// An SSE body.
    Stream(String),
    /// An error body.
    Error(Value),
}

/// The hand-written fixtures under `fixtures/types/`, as `(file, doc)`.
pub fn handwritten() -> Vec<(String, Doc)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/types");
    let mut out = Vec::new();
    for dir in ["requests", "responses", "streams", "errors"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("fixtures/types/{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let name = format!("types/{dir}/{}", path.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&path).unwrap();
            let json = || -> Value { serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}")) };
            let count = name.contains("count_tokens");
            let doc = match dir {
                "requests" if count => Doc::CountTokensRequest(json()),
                "requests" => Doc::Request(json()),
                "responses" if count => Doc::CountTokensResponse(json()),
                "responses" => Doc::Response(json()),
                "streams" => Doc::Stream(text.clone()),
                _ => Doc::Error(json()),
            };
            out.push((name, doc));
        }
    }
    assert!(out.len() >= 15, "hand-written fixtures missing");
    out
}

/// Every recorded Anthropic exchange as documents (request, then response,
/// stream or error body), or an empty list when the fixtures are missing
/// outside CI.
pub fn recorded_documents() -> Vec<(String, Doc)> {
    let mut out = Vec::new();
    for ex in anthropic_exchanges().unwrap_or_default() {
        out.push((ex.file.clone(), Doc::Request(ex.request.body.clone())));
        let body = ex.response.body.clone().unwrap_or_default();
        let doc = if !(200..300).contains(&ex.response.status) {
            Doc::Error(serde_json::from_str(&body).unwrap())
        } else if ex.stream {
            Doc::Stream(body)
        } else {
            Doc::Response(serde_json::from_str(&body).unwrap())
        };
        out.push((ex.file.clone(), doc));
    }
    out
}
