//! The Cohere recorded-corpus helpers shared by the conversion tests
//! (`cohere_recorded.rs`) and the provider's end-to-end replay
//! (`crates/anyllm-cohere/tests/`, which includes this file by path): SSE
//! framing of a recorded body, the native fold of a stream, the test-only
//! inverse of the request conversion and the documented normalisation.
#![allow(dead_code)]

use super::family_support::*;
use messages_http::SseParser;
use messages_types::MessageCreateParams;
use serde_json::{json, Map, Value};

/// `(event name, data)` of every SSE event of a body.
pub fn sse_events(body: &[u8]) -> Vec<(Option<String>, Vec<u8>)> {
    let mut p = SseParser::new();
    p.feed(body);
    p.finish();
    let mut out = Vec::new();
    while let Some(e) = p.next_event().unwrap() {
        out.push((e.event.clone(), e.data.to_vec()));
    }
    out
}

/// Folds the native stream events into the native whole reply.
pub fn fold_native(events: &[(Option<String>, Vec<u8>)]) -> Value {
    let mut id = Value::Null;
    let mut content: Vec<Value> = Vec::new();
    let mut plan = String::new();
    let mut calls: Vec<Value> = Vec::new();
    let mut citations: Vec<Value> = Vec::new();
    let mut finish = Value::Null;
    let mut usage = Value::Null;
    for (_, data) in events {
        if data == b"[DONE]" {
            continue;
        }
        let v: Value = serde_json::from_slice(data).unwrap();
        let m = &v["delta"]["message"];
        match v["type"].as_str().unwrap() {
            "message-start" => id = v["id"].clone(),
            "content-start" => content.push(m["content"].clone()),
            "content-delta" => {
                let part = content.last_mut().unwrap();
                for k in ["text", "thinking"] {
                    if let Some(s) = m["content"][k].as_str() {
                        let prev = part[k].as_str().unwrap_or_default().to_owned();
                        part[k] = Value::String(prev + s);
                    }
                }
            }
            "tool-plan-delta" => plan.push_str(m["tool_plan"].as_str().unwrap()),
            "tool-call-start" => calls.push(m["tool_calls"].clone()),
            "tool-call-delta" => {
                let call = calls.last_mut().unwrap();
                let prev = call["function"]["arguments"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                call["function"]["arguments"] =
                    Value::String(prev + m["tool_calls"]["function"]["arguments"].as_str().unwrap());
            }
            "citation-start" => {
                let mut c = m["citations"].clone();
                c["content_index"] = v["index"].clone();
                citations.push(c);
            }
            "message-end" => {
                finish = v["delta"]["finish_reason"].clone();
                usage = v["delta"]["usage"].clone();
            }
            _ => {}
        }
    }
    json!({"id": id, "finish_reason": finish, "usage": usage, "message": {
        "role": "assistant", "content": content, "tool_plan": plan, "tool_calls": calls, "citations": citations}})
}

/// The Anthropic request a recorded Cohere body is the conversion of
/// (test-only inverse), plus the extras that are passed through as given.
pub fn anthropic_params(native: &Value) -> (MessageCreateParams, Map<String, Value>) {
    let mut params = Map::new();
    let mut extra = Map::new();
    let mut messages: Vec<Value> = Vec::new();
    let mut doc_n = 0;
    for m in native["messages"].as_array().unwrap() {
        match m["role"].as_str().unwrap() {
            "system" => {
                params.insert("system".into(), m["content"].clone());
            }
            "user" => {
                let content = match &m["content"] {
                    Value::String(s) => json!([{"type": "text", "text": s}]),
                    Value::Array(parts) => Value::Array(
                        parts
                            .iter()
                            .map(|p| match p["type"].as_str().unwrap() {
                                "text" => json!({"type": "text", "text": p["text"]}),
                                "image_url" => {
                                    json!({"type": "image", "source": {"type": "url", "url": p["image_url"]["url"]}})
                                }
                                other => panic!("user part {other}"),
                            })
                            .collect(),
                    ),
                    other => panic!("user content {other}"),
                };
                messages.push(json!({"role": "user", "content": content}));
            }
            "assistant" => {
                let mut blocks = Vec::new();
                if let Some(plan) = m["tool_plan"].as_str().filter(|p| !p.is_empty()) {
                    blocks.push(json!({"type": "text", "text": plan}));
                }
                for p in m["content"].as_array().into_iter().flatten() {
                    match p["type"].as_str().unwrap() {
                        "text" => blocks.push(json!({"type": "text", "text": p["text"]})),
                        "thinking" => blocks
                            .push(json!({"type": "thinking", "thinking": p["thinking"], "signature": ""})),
                        other => panic!("assistant part {other}"),
                    }
                }
                for c in m["tool_calls"].as_array().into_iter().flatten() {
                    let input: Value =
                        serde_json::from_str(c["function"]["arguments"].as_str().unwrap()).unwrap();
                    blocks.push(json!({"type": "tool_use", "id": c["id"], "name": c["function"]["name"], "input": input}));
                }
                messages.push(json!({"role": "assistant", "content": blocks}));
            }
            "tool" => {
                let content: Vec<Value> = m["content"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| json!({"type": "text", "text": p["text"]}))
                    .collect();
                let block =
                    json!({"type": "tool_result", "tool_use_id": m["tool_call_id"], "content": content});
                push_tool_result(&mut messages, block);
            }
            other => panic!("role {other}"),
        }
    }
    for d in native["documents"].as_array().into_iter().flatten() {
        doc_n += 1;
        let _ = d;
    }
    assert_eq!(doc_n, 0, "the corpus sends no documents");
    params.insert("messages".into(), Value::Array(messages));
    params.insert("model".into(), native["model"].clone());
    params.insert(
        "max_tokens".into(),
        native.get("max_tokens").cloned().unwrap_or(json!(4096)),
    );
    for (from, to) in [
        ("temperature", "temperature"),
        ("p", "top_p"),
        ("k", "top_k"),
        ("stop_sequences", "stop_sequences"),
    ] {
        if let Some(v) = native.get(from) {
            params.insert(to.into(), v.clone());
        }
    }
    let strict = native["strict_tools"].as_bool() == Some(true);
    if let Some(tools) = native["tools"].as_array() {
        let tools: Vec<Value> = tools.iter().map(|t| anthropic_tool(t, strict)).collect();
        params.insert("tools".into(), Value::Array(tools));
    }
    match native["tool_choice"].as_str() {
        Some("REQUIRED") => {
            params.insert("tool_choice".into(), json!({"type": "any"}));
        }
        Some("NONE") => {
            params.insert("tool_choice".into(), json!({"type": "none"}));
        }
        Some(other) => panic!("tool_choice {other}"),
        None => {}
    }
    for key in ["seed", "frequency_penalty", "presence_penalty"] {
        if let Some(v) = native.get(key) {
            extra.insert(key.into(), v.clone());
        }
    }
    (serde_json::from_value(Value::Object(params)).unwrap(), extra)
}

/// The recorded client's spellings that carry no information, made uniform:
/// empty `documents` / `citations` / `content` lists and `tool_plan: null`
/// are dropped, a user turn of one text part is a string, and `max_tokens`
/// is dropped when the recorded body had none (Anthropic requires one).
pub fn normalize(mut v: Value, had_max_tokens: bool) -> Value {
    let obj = v.as_object_mut().unwrap();
    if obj
        .get("documents")
        .is_some_and(|d| d.as_array().is_some_and(Vec::is_empty))
    {
        obj.remove("documents");
    }
    if !had_max_tokens {
        obj.remove("max_tokens");
    }
    for m in obj
        .get_mut("messages")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let m = m.as_object_mut().unwrap();
        for key in ["citations", "content", "tool_calls"] {
            if m.get(key)
                .is_some_and(|c| c.as_array().is_some_and(Vec::is_empty))
            {
                m.remove(key);
            }
        }
        if m.get("tool_plan").is_some_and(|p| p.is_null() || p == "") {
            m.remove("tool_plan");
        }
        if m["role"] == "user" {
            if let Some(Value::Array(parts)) = m.get("content") {
                if let [only] = parts.as_slice() {
                    if only["type"] == "text" {
                        let text = only["text"].clone();
                        m.insert("content".into(), text);
                    }
                }
            }
        }
    }
    v
}
