//! The Ollama recorded-corpus helpers shared by the conversion tests
//! (`ollama_recorded.rs`) and the provider's end-to-end replay
//! (`crates/anyllm-ollama/tests/`, which includes this file by path): NDJSON
//! framing of a recorded body, the native fold of a stream, the test-only
//! inverse of the request conversion and the documented normalisation.
#![allow(dead_code)]

use super::family_support::*;
use messages_http::NdjsonParser;
use messages_types::MessageCreateParams;
use serde_json::{json, Map, Value};

pub fn lines(body: &[u8]) -> Vec<Vec<u8>> {
    let mut p = NdjsonParser::new();
    p.feed(body);
    p.finish();
    let mut out = Vec::new();
    while let Some(l) = p.next_line().unwrap() {
        out.push(l.to_vec());
    }
    out
}

/// Folds NDJSON lines into the native whole reply.
pub fn fold_native(lines: &[Vec<u8>]) -> Value {
    let mut content = String::new();
    let mut thinking = String::new();
    let mut calls: Vec<Value> = Vec::new();
    let mut last = Value::Null;
    let mut created = Value::Null;
    for l in lines {
        let v: Value = serde_json::from_slice(l).unwrap();
        if created.is_null() {
            created = v["created_at"].clone();
        }
        content.push_str(v["message"]["content"].as_str().unwrap_or_default());
        thinking.push_str(v["message"]["thinking"].as_str().unwrap_or_default());
        calls.extend(v["message"]["tool_calls"].as_array().cloned().unwrap_or_default());
        last = v;
    }
    let mut whole = last;
    whole["created_at"] = created;
    whole["message"] = json!({"role": "assistant", "content": content, "tool_calls": calls});
    if !thinking.is_empty() {
        whole["message"]["thinking"] = Value::String(thinking);
    }
    whole
}

/// The Anthropic request a recorded Ollama body is the conversion of
/// (test-only inverse). Tool calls without ids get `call_{n}` (counted over
/// the conversation) and tool messages answer the latest call of their
/// `tool_name`.
pub fn anthropic_params(native: &Value) -> MessageCreateParams {
    let mut params = Map::new();
    let mut messages: Vec<Value> = Vec::new();
    let mut calls: Vec<(String, String)> = Vec::new();
    for m in native["messages"].as_array().unwrap() {
        let content = m["content"].as_str().unwrap_or_default();
        match m["role"].as_str().unwrap() {
            "system" => {
                params.insert("system".into(), json!(content));
            }
            "user" => {
                let mut blocks = vec![json!({"type": "text", "text": content})];
                for img in m["images"].as_array().into_iter().flatten() {
                    blocks.push(json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": img}}));
                }
                messages.push(json!({"role": "user", "content": blocks}));
            }
            "assistant" => {
                let mut blocks = Vec::new();
                if let Some(t) = m["thinking"].as_str() {
                    blocks.push(json!({"type": "thinking", "thinking": t, "signature": ""}));
                }
                if !content.is_empty() {
                    blocks.push(json!({"type": "text", "text": content}));
                }
                for c in m["tool_calls"].as_array().into_iter().flatten() {
                    let id = c["id"]
                        .as_str()
                        .map_or_else(|| format!("call_{}", calls.len()), str::to_owned);
                    let name = c["function"]["name"].as_str().unwrap().to_owned();
                    calls.push((id.clone(), name.clone()));
                    blocks.push(json!({"type": "tool_use", "id": id, "name": name, "input": c["function"]["arguments"]}));
                }
                messages.push(json!({"role": "assistant", "content": blocks}));
            }
            "tool" => {
                let name = m["tool_name"].as_str().unwrap();
                let (id, _) = calls.iter().rev().find(|(_, n)| n == name).unwrap();
                let block = json!({"type": "tool_result", "tool_use_id": id, "content": content});
                push_tool_result(&mut messages, block);
            }
            other => panic!("role {other}"),
        }
    }
    params.insert("messages".into(), Value::Array(messages));
    params.insert("model".into(), native["model"].clone());
    let options = &native["options"];
    params.insert(
        "max_tokens".into(),
        options.get("num_predict").cloned().unwrap_or(json!(4096)),
    );
    for (from, to) in [
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("top_k", "top_k"),
        ("stop", "stop_sequences"),
    ] {
        if let Some(v) = options.get(from) {
            params.insert(to.into(), v.clone());
        }
    }
    match native["think"].as_bool() {
        Some(true) => params.insert(
            "thinking".into(),
            json!({"type": "enabled", "budget_tokens": 2048}),
        ),
        Some(false) => params.insert("thinking".into(), json!({"type": "disabled"})),
        None => None,
    };
    if let Some(schema) = native.get("format") {
        params.insert(
            "output_config".into(),
            json!({"format": {"type": "json_schema", "schema": schema}}),
        );
    }
    if let Some(tools) = native["tools"].as_array() {
        let tools: Vec<Value> = tools.iter().map(|t| anthropic_tool(t, false)).collect();
        params.insert("tools".into(), Value::Array(tools));
    }
    serde_json::from_value(Value::Object(params)).unwrap()
}

/// Uniform spellings: tool calls lose `id`, `type` and `function.index` (the
/// recorded client sends `type` and no id; this conversion sends the id and
/// index), tool messages lose `tool_call_id` (the recorded client sends
/// none), `options.num_predict` is dropped when the recorded body had none
/// (Anthropic requires `max_tokens`), and empty `options` / `tools` are
/// dropped.
pub fn normalize(mut v: Value, had_num_predict: bool) -> Value {
    let obj = v.as_object_mut().unwrap();
    if let Some(Value::Object(o)) = obj.get_mut("options") {
        if !had_num_predict {
            o.remove("num_predict");
        }
        if o.is_empty() {
            obj.remove("options");
        }
    }
    if obj
        .get("tools")
        .is_some_and(|t| t.as_array().is_some_and(Vec::is_empty))
    {
        obj.remove("tools");
    }
    for m in obj
        .get_mut("messages")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let m = m.as_object_mut().unwrap();
        m.remove("tool_call_id");
        if m.get("tool_calls")
            .is_some_and(|c| c.as_array().is_some_and(Vec::is_empty))
        {
            m.remove("tool_calls");
        }
        for c in m
            .get_mut("tool_calls")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let c = c.as_object_mut().unwrap();
            c.remove("id");
            c.remove("type");
            if let Some(Value::Object(f)) = c.get_mut("function") {
                f.remove("index");
            }
        }
    }
    v
}
