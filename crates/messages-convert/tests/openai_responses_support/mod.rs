//! Shared helpers for the Responses conversion tests: SSE splitting, reply
//! conversion, the reverse mapping (a recorded Responses request → the
//! equivalent Anthropic request) and the normalisation of recorded bodies.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm_fixtures::Exchange;
use messages_convert::openai_responses::{
    encode_reasoning_signature, parse_response, ReasoningSignature, ResponsesStreamConverter,
};
use messages_types::accumulate::MessageAccumulator;
use messages_types::{Message, MessageCreateParams, StreamEvent};
use serde_json::{json, Map, Value};

/// The `(event, data)` pairs of an SSE body (a deliberately tiny parser:
/// events end at a blank line, `data:` lines are joined with `\n`, one
/// optional space after the colon is dropped).
pub fn sse_events(body: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let mut event: Option<String> = None;
    let mut data: Option<String> = None;
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if let Some(d) = data.take() {
                out.push((event.take(), d));
            }
            event = None;
            continue;
        }
        if let Some(rest) = line.strip_prefix("event:") {
            event = Some(rest.trim_start().to_owned());
        } else if let Some(rest) = line.strip_prefix("data:") {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(rest);
                }
                None => data = Some(rest.to_owned()),
            }
        }
    }
    if let Some(d) = data {
        out.push((event, d));
    }
    out
}

/// Runs SSE events through the converter (one `push` per event).
pub fn run_stream(events: &[(Option<String>, String)]) -> Vec<StreamEvent> {
    let mut conv = ResponsesStreamConverter::new("requested");
    let mut out = Vec::new();
    for (event, data) in events {
        conv.push(event.as_deref(), data.as_bytes(), &mut out).unwrap();
    }
    conv.finish(&mut out).unwrap();
    out
}

/// Accumulates converted events into a message.
pub fn accumulate(events: &[StreamEvent]) -> Message {
    let mut acc = MessageAccumulator::new();
    for e in events {
        acc.push(e).unwrap();
    }
    acc.finish().unwrap()
}

/// The Anthropic message of a recorded 200 reply, whole or streamed.
pub fn reply_message(ex: &Exchange) -> Message {
    let body = ex.response.body.clone().unwrap();
    if ex.stream {
        accumulate(&run_stream(&sse_events(&body)))
    } else {
        parse_response(body.as_bytes(), "requested").unwrap()
    }
}

/// Why a recorded request has no equivalent Anthropic request.
pub type NoEquivalent = String;

fn role_of(item: &Value) -> &str {
    item["role"].as_str().unwrap_or("")
}

/// The Anthropic content blocks of a recorded user content part list.
fn user_blocks(parts: &[Value]) -> Result<Vec<Value>, NoEquivalent> {
    parts
        .iter()
        .map(|p| match p["type"].as_str() {
            Some("input_text") => Ok(json!({"type": "text", "text": p["text"]})),
            Some("input_image") => {
                let url = p["image_url"].as_str().ok_or("input_image without image_url")?;
                Ok(match url.strip_prefix("data:").and_then(|r| r.split_once(";base64,")) {
                    Some((media, data)) => {
                        json!({"type": "image", "source": {"type": "base64", "media_type": media, "data": data}})
                    }
                    None => json!({"type": "image", "source": {"type": "url", "url": url}}),
                })
            }
            Some("input_file") if p.get("file_url").is_some() => Ok(
                json!({"type": "document", "source": {"type": "url", "url": p["file_url"]}}),
            ),
            other => Err(format!("content part {other:?}")),
        })
        .collect()
}

/// Builds the Anthropic request equivalent to a recorded Responses request
/// (the test-only inverse of the request conversion). Fields with no
/// Anthropic equivalent travel as top-level extras, as a caller would send
/// them. `thinking` supplies the thinking blocks for the recorded reasoning
/// items, in order (`None`: rebuilt from the recorded items).
pub fn anthropic_equivalent(
    body: &Value,
    mut thinking: Option<Vec<Value>>,
) -> Result<MessageCreateParams, NoEquivalent> {
    let mut p = Map::new();
    let mut extra = Map::new();
    p.insert("model".into(), body["model"].clone());
    p.insert(
        "max_tokens".into(),
        body.get("max_output_tokens").cloned().unwrap_or(json!(4096)),
    );
    let mut system: Vec<String> = Vec::new();
    if let Some(i) = body["instructions"].as_str() {
        system.push(i.to_owned());
    }
    let mut messages: Vec<(String, Vec<Value>, Option<String>)> = Vec::new();
    let push_block =
        |messages: &mut Vec<(String, Vec<Value>, Option<String>)>, role: &str, block: Value| match messages
            .last_mut()
        {
            Some((r, blocks, None)) if r == role => blocks.push(block),
            _ => messages.push((role.to_owned(), vec![block], None)),
        };
    let items: Vec<Value> = match &body["input"] {
        Value::String(s) => vec![json!({"type": "message", "role": "user", "content": s})],
        Value::Array(a) => a.clone(),
        other => return Err(format!("input {other}")),
    };
    let mut thinking_index = 0usize;
    for item in &items {
        match (item["type"].as_str(), role_of(item)) {
            (Some("message"), "system" | "developer") => {
                if !messages.is_empty() {
                    return Err("a system message after the conversation started".into());
                }
                match &item["content"] {
                    Value::String(s) => system.push(s.clone()),
                    Value::Array(parts) => {
                        for part in parts {
                            system.push(part["text"].as_str().ok_or("system part")?.to_owned());
                        }
                    }
                    _ => return Err("system content".into()),
                }
            }
            (Some("message"), role @ ("user" | "assistant")) => match &item["content"] {
                // A string content is its own Anthropic message (string content).
                Value::String(s) => messages.push((role.to_owned(), Vec::new(), Some(s.clone()))),
                Value::Array(parts) => {
                    let blocks = if role == "user" {
                        user_blocks(parts)?
                    } else {
                        parts
                            .iter()
                            .map(|p| match p["type"].as_str() {
                                Some("output_text") => Ok(json!({"type": "text", "text": p["text"]})),
                                other => Err(format!("assistant part {other:?}")),
                            })
                            .collect::<Result<_, _>>()?
                    };
                    // One Anthropic message per recorded message item.
                    messages.push((role.to_owned(), blocks, None));
                }
                _ => return Err("message content".into()),
            },
            (Some("function_call"), _) => {
                let args = item["arguments"].as_str().ok_or("arguments")?;
                let input: Value = if args.is_empty() {
                    json!({})
                } else {
                    serde_json::from_str(args).map_err(|e| e.to_string())?
                };
                push_block(
                    &mut messages,
                    "assistant",
                    json!({"type": "tool_use", "id": item["call_id"], "name": item["name"], "input": input}),
                );
            }
            (Some("function_call_output"), _) => {
                let output = item["output"].as_str().ok_or("function_call_output parts")?;
                push_block(
                    &mut messages,
                    "user",
                    json!({"type": "tool_result", "tool_use_id": item["call_id"], "content": output}),
                );
            }
            (Some("reasoning"), _) => {
                let block = match thinking.as_mut() {
                    Some(supplied) => {
                        let b = supplied
                            .get(thinking_index)
                            .cloned()
                            .ok_or("more reasoning items than thinking blocks")?;
                        thinking_index += 1;
                        b
                    }
                    None => {
                        let summary: Vec<String> = item["summary"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|s| s["text"].as_str().unwrap().to_owned())
                            .collect();
                        let sig = encode_reasoning_signature(&ReasoningSignature {
                            id: item["id"].as_str().unwrap().to_owned(),
                            encrypted_content: item["encrypted_content"].as_str().map(str::to_owned),
                            summary: summary.clone(),
                        });
                        json!({"type": "thinking", "thinking": summary.join("\n\n"), "signature": sig})
                    }
                };
                push_block(&mut messages, "assistant", block);
            }
            (t, r) => return Err(format!("input item {t:?} ({r})")),
        }
    }
    if let Some(supplied) = &thinking {
        if thinking_index != supplied.len() {
            return Err("fewer reasoning items than thinking blocks".into());
        }
    }
    if !system.is_empty() {
        p.insert("system".into(), json!(system.join("\n\n")));
    }
    p.insert(
        "messages".into(),
        messages
            .into_iter()
            .map(|(role, blocks, text)| match text {
                Some(t) => json!({"role": role, "content": t}),
                None => json!({"role": role, "content": blocks}),
            })
            .collect(),
    );
    for k in ["temperature", "top_p"] {
        if let Some(v) = body.get(k) {
            p.insert(k.into(), v.clone());
        }
    }
    if let Some(r) = body.get("reasoning") {
        let effort = r["effort"].as_str();
        match effort {
            Some(e @ ("low" | "medium" | "high" | "xhigh" | "max")) => {
                p.insert("output_config".into(), json!({"effort": e}));
            }
            other => return Err(format!("reasoning effort {other:?}")),
        }
        // Anything beyond the effort (summary detailed, context, mode) is
        // provider-specific: sent as an extra.
        if r.as_object().unwrap().keys().any(|k| k != "effort") {
            extra.insert("reasoning".into(), r.clone());
        }
    }
    if let Some(tools) = body["tools"].as_array() {
        let tools: Vec<Value> = tools
            .iter()
            .map(|t| {
                let mut c = json!({"name": t["name"], "input_schema": t["parameters"]});
                if let Some(d) = t.get("description") {
                    c["description"] = d.clone();
                }
                if let Some(s) = t.get("strict") {
                    c["strict"] = s.clone();
                }
                c
            })
            .collect();
        p.insert("tools".into(), Value::Array(tools));
    }
    let parallel = body.get("parallel_tool_calls").and_then(Value::as_bool);
    let mut choice = match &body["tool_choice"] {
        Value::Null => None,
        Value::String(s) if s == "auto" => Some(json!({"type": "auto"})),
        Value::String(s) if s == "required" => Some(json!({"type": "any"})),
        Value::String(s) if s == "none" => Some(json!({"type": "none"})),
        Value::Object(o) if o["type"] == "function" => Some(json!({"type": "tool", "name": o["name"]})),
        other => return Err(format!("tool_choice {other}")),
    };
    match (parallel, &mut choice) {
        (Some(false), Some(c)) => c["disable_parallel_tool_use"] = json!(true),
        (Some(v), _) => {
            extra.insert("parallel_tool_calls".into(), json!(v));
        }
        (None, _) => {}
    }
    if let Some(c) = choice {
        p.insert("tool_choice".into(), c);
    }
    if let Some(text) = body.get("text") {
        let f = &text["format"];
        if f["type"] != "json_schema" || text.as_object().unwrap().len() != 1 {
            return Err(format!("text {text}"));
        }
        let mut format = json!({"type": "json_schema", "schema": f["schema"], "name": f["name"]});
        format["strict"] = f.get("strict").cloned().unwrap_or(Value::Null);
        if let Some(d) = f.get("description") {
            format["description"] = d.clone();
        }
        p.insert("output_config".into(), {
            let mut oc = p.get("output_config").cloned().unwrap_or(json!({}));
            oc["format"] = format;
            oc
        });
    }
    for k in ["prompt_cache_key", "previous_response_id", "store"] {
        if let Some(v) = body.get(k) {
            extra.insert(k.into(), v.clone());
        }
    }
    for (k, v) in extra {
        p.insert(k, v);
    }
    let known = [
        "model",
        "input",
        "instructions",
        "max_output_tokens",
        "temperature",
        "top_p",
        "reasoning",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "text",
        "include",
        "stream",
        "prompt_cache_key",
        "previous_response_id",
        "store",
    ];
    if let Some(k) = body
        .as_object()
        .unwrap()
        .keys()
        .find(|k| !known.contains(&k.as_str()))
    {
        return Err(format!("field {k}"));
    }
    serde_json::from_value(Value::Object(p)).map_err(|e| e.to_string())
}

/// A recorded request body in the form the conversion writes, by the
/// documented equivalences: leading `system` messages become `instructions`
/// (joined by a blank line); item `id`s and `status`es of replayed assistant
/// messages, function calls and function call outputs go (Anthropic blocks
/// carry no item ids and the API does not need them); function-call
/// arguments compare as JSON values; images get the default `detail: auto`;
/// `store: false` and `max_output_tokens` (Anthropic requires `max_tokens`)
/// are added when the recording had none; `stream: false` is the default; a
/// request that enables reasoning or replays reasoning items asks for
/// encrypted reasoning (with `store: false` the next turn needs it; the
/// recording client, storing responses, did not always ask).
pub fn normalized_recorded(body: &Value, max_tokens_default: u32) -> Value {
    let mut b = body.clone();
    let o = b.as_object_mut().unwrap();
    if let Some(Value::String(s)) = o.get("input") {
        let s = s.clone();
        o.insert(
            "input".into(),
            json!([{"type": "message", "role": "user", "content": s}]),
        );
    }
    let mut system: Vec<String> = o
        .get("instructions")
        .and_then(Value::as_str)
        .map(|s| vec![s.to_owned()])
        .unwrap_or_default();
    let items = o.get_mut("input").and_then(Value::as_array_mut).unwrap();
    while items
        .first()
        .is_some_and(|i| i["type"] == "message" && matches!(role_of(i), "system" | "developer"))
    {
        let first = items.remove(0);
        match &first["content"] {
            Value::String(s) => system.push(s.clone()),
            Value::Array(parts) => {
                system.extend(parts.iter().map(|p| p["text"].as_str().unwrap().to_owned()))
            }
            _ => {}
        }
    }
    for item in items.iter_mut() {
        let m = item.as_object_mut().unwrap();
        let kind = m["type"].as_str().unwrap_or("").to_owned();
        if matches!(
            kind.as_str(),
            "message" | "function_call" | "function_call_output"
        ) && role_of(&json!(m)) != "user"
        {
            m.remove("id");
            m.remove("status");
        }
        if kind == "function_call" {
            let args = m["arguments"].as_str().unwrap_or("");
            let v: Value = if args.is_empty() {
                json!({})
            } else {
                serde_json::from_str(args).unwrap()
            };
            m.insert("arguments".into(), v);
        }
        if let Some(Value::Array(parts)) = m.get_mut("content") {
            for part in parts {
                if part["type"] == "input_image" && part.get("detail").is_none() {
                    part["detail"] = json!("auto");
                }
            }
        }
    }
    let replays_reasoning = items.iter().any(|i| i["type"] == "reasoning");
    let reasoning_on = o.contains_key("reasoning");
    if !system.is_empty() {
        o.insert("instructions".into(), json!(system.join("\n\n")));
    }
    if replays_reasoning || reasoning_on {
        o.entry("include")
            .or_insert(json!(["reasoning.encrypted_content"]));
    }
    o.entry("store").or_insert(json!(false));
    o.entry("max_output_tokens").or_insert(json!(max_tokens_default));
    if o.get("stream") == Some(&json!(false)) {
        o.remove("stream");
    }
    b
}

/// A converted body with function-call arguments parsed (as
/// [`normalized_recorded`] does).
pub fn normalized_converted(body: &[u8]) -> Value {
    let mut v: Value = serde_json::from_slice(body).unwrap();
    for item in v["input"].as_array_mut().unwrap() {
        if item["type"] == "function_call" {
            let args: Value = serde_json::from_str(item["arguments"].as_str().unwrap()).unwrap();
            item["arguments"] = args;
        }
    }
    v
}
