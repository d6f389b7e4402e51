//! The four recorded replies the benchmark replays, and what each client
//! sends to get them.

use anyllm::MessageCreateParams;
use anyllm_fixtures::{load, Exchange};
use bytes::Bytes;
use serde_json::{json, Value};

/// One benchmark case: a recorded exchange, the Anthropic-format request the
/// anyllm client sends for it, and the native request the baselines send.
pub struct Case {
    /// Short name for the table.
    pub name: &'static str,
    /// Recording, relative to the recorded-fixtures directory.
    pub file: &'static str,
    /// Whether the reply is an SSE stream.
    pub stream: bool,
    /// The anyllm provider name (routing prefix and `api_base` key).
    pub provider: &'static str,
    /// The path part of the provider's default base URL (`/v1` for OpenAI).
    pub base_path: &'static str,
    /// The recorded response: content type and body.
    pub content_type: String,
    /// The recorded body.
    pub body: Bytes,
    /// The body split where the provider flushed it: one piece per SSE
    /// event for streams, one piece for a whole reply.
    pub chunks: Vec<Bytes>,
    /// The recorded native request body (what the baselines send).
    pub native_request: Value,
    /// The recorded request path and query (`/v1/chat/completions`).
    pub native_path: String,
    /// What the anyllm client is asked (same conversation, Anthropic format).
    pub params: MessageCreateParams,
}

const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "openai-whole",
        "openai/chat_history_roundtrip_matrix__blocking_gpt_4_1_mini_raw_text.json",
        "openai",
        "/v1",
    ),
    (
        "deepseek-1MB-stream",
        "deepseek/reasoning_roundtrip__streaming__1.json",
        "deepseek",
        "",
    ),
    (
        "anthropic-stream",
        "anthropic/reasoning_roundtrip__streaming__1.json",
        "anthropic",
        "",
    ),
    (
        "gemini-stream",
        "gemini/reasoning_roundtrip__streaming__1.json",
        "gemini",
        "",
    ),
];

/// Loads every case (all of them; `filter` keeps those whose name contains it).
pub fn load_cases(filter: Option<&str>) -> Result<Vec<Case>, String> {
    let dir = anyllm_fixtures::recorded_dir();
    let mut out = Vec::new();
    for &(name, file, provider, base_path) in CASES {
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let ex = load(&dir, file).map_err(|e| format!("{file}: {e}"))?;
        out.push(case(name, file, provider, base_path, &ex)?);
    }
    Ok(out)
}

fn case(
    name: &'static str,
    file: &'static str,
    provider: &'static str,
    base_path: &'static str,
    ex: &Exchange,
) -> Result<Case, String> {
    let body = Bytes::from(ex.response.body_bytes().map_err(|e| e.to_string())?);
    let content_type = ex
        .response
        .header("content-type")
        .unwrap_or("application/json")
        .to_owned();
    let chunks = if ex.stream {
        sse_events(&body)
    } else {
        vec![body.clone()]
    };
    let query: Vec<String> = ex
        .request
        .query
        .iter()
        .filter(|q| q.name != "key")
        .map(|q| format!("{}={}", q.name, q.value))
        .collect();
    let native_path = if query.is_empty() {
        ex.request.path.clone()
    } else {
        format!("{}?{}", ex.request.path, query.join("&"))
    };
    let params = anthropic_params(provider, ex)?;
    Ok(Case {
        name,
        file,
        stream: ex.stream,
        provider,
        base_path,
        content_type,
        body,
        chunks,
        native_request: ex.request.body.clone(),
        native_path,
        params,
    })
}

/// Splits an SSE body after each blank line (`\n\n` or `\r\n\r\n`), as a
/// provider flushes it.
fn sse_events(body: &Bytes) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let b = body.as_ref();
    while i + 1 < b.len() {
        let end = if b[i] == b'\n' && b[i + 1] == b'\n' {
            Some(i + 2)
        } else if b[i..].starts_with(b"\n\r\n") {
            Some(i + 3)
        } else {
            None
        };
        match end {
            Some(e) => {
                out.push(body.slice(start..e));
                start = e;
                i = e;
            }
            None => i += 1,
        }
    }
    if start < b.len() {
        out.push(body.slice(start..));
    }
    out
}

/// The Anthropic-format request for a recording: the recorded body itself
/// for Anthropic; for the others the same conversation (system and text
/// turns) rebuilt in Anthropic format, so the client does its real
/// conversion work on a request of the same size.
fn anthropic_params(provider: &str, ex: &Exchange) -> Result<MessageCreateParams, String> {
    let req = &ex.request.body;
    let value = match provider {
        "anthropic" => {
            let mut v = req.clone();
            if let Some(o) = v.as_object_mut() {
                o.remove("stream");
            }
            v
        }
        "gemini" => {
            let model = ex
                .request
                .path
                .split("/models/")
                .nth(1)
                .and_then(|r| r.split(':').next())
                .unwrap_or("gemini-2.5-flash");
            let mut messages = Vec::new();
            for c in req["contents"].as_array().into_iter().flatten() {
                let role = if c["role"] == "model" { "assistant" } else { "user" };
                let text: String = c["parts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["thought"] != true)
                    .filter_map(|p| p["text"].as_str())
                    .collect();
                messages.push(json!({"role": role, "content": text}));
            }
            json!({"model": format!("gemini:{model}"), "max_tokens": 8192, "messages": messages})
        }
        _ => {
            let model = req["model"].as_str().unwrap_or("model");
            let mut system = None;
            let mut messages = Vec::new();
            for m in req["messages"].as_array().into_iter().flatten() {
                let text = match &m["content"] {
                    Value::String(s) => s.clone(),
                    Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect(),
                    _ => String::new(),
                };
                match m["role"].as_str() {
                    Some("system") => system = Some(text),
                    Some(role) => messages.push(json!({"role": role, "content": text})),
                    None => {}
                }
            }
            let max = req["max_tokens"].as_u64().unwrap_or(8192);
            let mut v =
                json!({"model": format!("{provider}:{model}"), "max_tokens": max, "messages": messages});
            if let Some(s) = system {
                v["system"] = json!(s);
            }
            v
        }
    };
    serde_json::from_value(value).map_err(|e| format!("{}: Anthropic params: {e}", ex.file))
}
