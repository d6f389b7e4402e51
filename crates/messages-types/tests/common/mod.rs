//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
    if &back == v {
        Ok(())
    } else {
        Err(format!("round trip differs: {}", first_difference(v, &back, "$")))
    }
}

/// A readable pointer to the first place two JSON values differ.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    None => return format!("{path}.{k} missing after round trip (was {va})"),
                    Some(vb) if va != vb => return first_difference(va, vb, &format!("{path}.{k}")),
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
                if va != vb {
                    return first_difference(va, vb, &format!("{path}[{i}]"));
                }
            }
            format!("{path}: ?")
        }
        _ => format!("{path}: {a} became {b}"),
    }
}
