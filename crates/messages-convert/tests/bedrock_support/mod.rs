//! Shared helpers for the Bedrock conversion tests: a tiny event-stream frame
//! encoder (independent of `messages-http`'s, both CRCs computed here with
//! crc32fast), frame decoding through `messages_http::EventStreamParser`,
//! the native-stream fold (ConverseStream events → the Converse reply they
//! add up to) and the reverse mapping (a recorded Converse request → the
//! equivalent Anthropic request).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use messages_convert::bedrock::request::document_name;
use messages_convert::bedrock::ConverseStreamConverter;
use messages_http::EventStreamParser;
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{Message, StreamEvent};
use serde_json::{json, Map, Value};

/// One decoded event-stream message: `:message-type`, the name header for
/// that type, and the payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub message_type: String,
    pub name: String,
    pub payload: Vec<u8>,
}

impl Frame {
    pub fn event(event_type: &str, payload: impl Into<Vec<u8>>) -> Self {
        Self {
            message_type: "event".into(),
            name: event_type.into(),
            payload: payload.into(),
        }
    }

    pub fn exception(exception_type: &str, payload: impl Into<Vec<u8>>) -> Self {
        Self {
            message_type: "exception".into(),
            name: exception_type.into(),
            payload: payload.into(),
        }
    }
}

fn string_header(out: &mut Vec<u8>, name: &str, value: &str) {
    out.push(name.len() as u8);
    out.extend_from_slice(name.as_bytes());
    out.push(7);
    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    out.extend_from_slice(value.as_bytes());
}

/// Encodes one message: prelude (total length, headers length, CRC32 of
/// those 8 bytes), string headers, payload, CRC32 of everything before it.
pub fn encode_frame(frame: &Frame) -> Vec<u8> {
    let mut headers = Vec::new();
    let name_header = match frame.message_type.as_str() {
        "exception" => ":exception-type",
        "error" => ":error-code",
        _ => ":event-type",
    };
    string_header(&mut headers, name_header, &frame.name);
    string_header(&mut headers, ":content-type", "application/json");
    string_header(&mut headers, ":message-type", &frame.message_type);
    let total = 12 + headers.len() + frame.payload.len() + 4;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&(headers.len() as u32).to_be_bytes());
    let prelude_crc = crc32fast::hash(&out);
    out.extend_from_slice(&prelude_crc.to_be_bytes());
    out.extend_from_slice(&headers);
    out.extend_from_slice(&frame.payload);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// Encodes frames back to back.
pub fn encode_frames(frames: &[Frame]) -> Vec<u8> {
    frames.iter().flat_map(encode_frame).collect()
}

/// Decodes an event-stream body fed in the given pieces.
pub fn decode_frames<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Vec<Frame> {
    let mut parser = EventStreamParser::new();
    let mut out = Vec::new();
    let drain = |parser: &mut EventStreamParser, out: &mut Vec<Frame>| {
        while let Some(m) = parser.next_message().unwrap() {
            let message_type = m.message_type().unwrap_or("event").to_owned();
            let name = match message_type.as_str() {
                "exception" => m.exception_type(),
                "error" => m.error_code(),
                _ => m.event_type(),
            }
            .unwrap_or("")
            .to_owned();
            out.push(Frame {
                message_type,
                name,
                payload: m.payload.to_vec(),
            });
        }
    };
    for piece in pieces {
        parser.feed(piece);
        drain(&mut parser, &mut out);
    }
    parser.finish();
    drain(&mut parser, &mut out);
    out
}

/// Runs decoded frames through a converter and finishes it.
pub fn convert_frames(frames: &[Frame], model: &str, request_id: Option<&str>) -> Vec<StreamEvent> {
    let mut conv = ConverseStreamConverter::new(model, request_id);
    let mut events = Vec::new();
    for f in frames {
        conv.push(&f.message_type, &f.name, &f.payload, &mut events)
            .unwrap();
    }
    conv.finish(&mut events).unwrap();
    events
}

/// Validates the grammar and accumulates the events into a message.
pub fn accumulate_checked(file: &str, events: &[StreamEvent]) -> Message {
    validate_stream(events).unwrap_or_else(|e| panic!("{file}: grammar: {e}"));
    let mut acc = MessageAccumulator::new();
    for e in events {
        acc.push(e)
            .unwrap_or_else(|err| panic!("{file}: accumulate: {err}"));
    }
    acc.finish()
        .unwrap_or_else(|e| panic!("{file}: accumulate finish: {e}"))
}

/// Folds ConverseStream events into the Converse reply they add up to, read
/// straight from the JSON payloads (independent of the converter).
pub fn fold_native(frames: &[Frame]) -> Value {
    let mut blocks: Vec<(u64, Value)> = Vec::new();
    let mut tool_inputs: Map<String, Value> = Map::new();
    let mut stop = Value::Null;
    let mut usage = Value::Null;
    let mut additional = Value::Null;
    fn slot(blocks: &mut Vec<(u64, Value)>, index: u64) -> &mut Value {
        if !blocks.iter().any(|(i, _)| *i == index) {
            blocks.push((index, Value::Null));
        }
        &mut blocks.iter_mut().find(|(i, _)| *i == index).unwrap().1
    }
    for f in frames.iter().filter(|f| f.message_type == "event") {
        let p: Value = serde_json::from_slice(&f.payload).unwrap();
        let index = p["contentBlockIndex"].as_u64().unwrap_or(0);
        match f.name.as_str() {
            "contentBlockStart" => {
                let t = &p["start"]["toolUse"];
                let mut tool = json!({"toolUseId": t["toolUseId"], "name": t["name"], "input": {}});
                if let Some(kind) = t.get("type") {
                    tool["type"] = kind.clone();
                }
                *slot(&mut blocks, index) = json!({ "toolUse": tool });
                tool_inputs.insert(index.to_string(), Value::String(String::new()));
            }
            "contentBlockDelta" => {
                let d = &p["delta"];
                let b = slot(&mut blocks, index);
                if let Some(t) = d["text"].as_str() {
                    if b.is_null() {
                        *b = json!({"text": ""});
                    }
                    let s = b["text"].as_str().unwrap().to_owned() + t;
                    b["text"] = Value::String(s);
                } else if let Some(frag) = d["toolUse"]["input"].as_str() {
                    let entry = tool_inputs.get_mut(&index.to_string()).unwrap();
                    *entry = Value::String(entry.as_str().unwrap().to_owned() + frag);
                } else if let Some(r) = d.get("reasoningContent") {
                    if let Some(data) = r["redactedContent"].as_str() {
                        *b = json!({"reasoningContent": {"redactedContent": data}});
                        continue;
                    }
                    if b.is_null() {
                        *b = json!({"reasoningContent": {"reasoningText": {"text": ""}}});
                    }
                    let rt = &mut b["reasoningContent"]["reasoningText"];
                    if let Some(t) = r["text"].as_str() {
                        rt["text"] = Value::String(rt["text"].as_str().unwrap().to_owned() + t);
                    }
                    if let Some(s) = r["signature"].as_str() {
                        rt["signature"] = Value::String(s.to_owned());
                    }
                }
            }
            "messageStop" => {
                stop = p["stopReason"].clone();
                additional = p["additionalModelResponseFields"].clone();
            }
            "metadata" => usage = p["usage"].clone(),
            _ => {}
        }
    }
    for (index, input) in &tool_inputs {
        let text = input.as_str().unwrap();
        let value: Value = if text.trim().is_empty() {
            json!({})
        } else {
            serde_json::from_str(text).unwrap()
        };
        let b = slot(&mut blocks, index.parse().unwrap());
        b["toolUse"]["input"] = value;
    }
    blocks.sort_by_key(|(i, _)| *i);
    let content: Vec<Value> = blocks.into_iter().map(|(_, b)| b).collect();
    let mut reply = json!({
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": usage,
    });
    if !additional.is_null() {
        reply["additionalModelResponseFields"] = additional;
    }
    reply
}

/// The model id in a recorded request path (`/model/{url-encoded id}/converse…`).
pub fn model_from_path(path: &str) -> String {
    let id = path
        .strip_prefix("/model/")
        .and_then(|p| p.rsplit_once('/'))
        .map(|(id, _)| id)
        .unwrap();
    percent_decode(id)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// `max_tokens` used for recorded requests that sent no `maxTokens` (the
/// Anthropic request requires one; the converted body then carries it).
pub const DEFAULT_MAX_TOKENS: u64 = 1024;

fn cache_after(list: &mut [Value]) {
    if let Some(last) = list.last_mut() {
        last["cache_control"] = json!({"type": "ephemeral"});
    }
}

fn anthropic_block(b: &Value) -> Value {
    let (key, v) = b.as_object().unwrap().iter().next().unwrap();
    match key.as_str() {
        "text" => json!({"type": "text", "text": v}),
        "image" => json!({"type": "image", "source": {"type": "base64",
            "media_type": format!("image/{}", v["format"].as_str().unwrap()), "data": v["source"]["bytes"]}}),
        "document" => {
            let bytes = v["source"]["bytes"].as_str().unwrap();
            let source = match v["format"].as_str().unwrap() {
                "txt" => {
                    let text = base64::engine::general_purpose::STANDARD.decode(bytes).unwrap();
                    json!({"type": "text", "media_type": "text/plain", "data": String::from_utf8(text).unwrap()})
                }
                "pdf" => json!({"type": "base64", "media_type": "application/pdf", "data": bytes}),
                other => panic!("document format {other} not in the reverse mapping"),
            };
            json!({"type": "document", "source": source, "title": v["name"]})
        }
        "toolUse" => {
            json!({"type": "tool_use", "id": v["toolUseId"], "name": v["name"], "input": v["input"]})
        }
        "toolResult" => {
            let content: Vec<Value> = v["content"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| match (c.get("text"), c.get("json")) {
                    (Some(t), _) => json!({"type": "text", "text": t}),
                    (_, Some(j)) => json!({"type": "text", "text": serde_json::to_string(j).unwrap()}),
                    _ => panic!("tool result member not in the reverse mapping: {c}"),
                })
                .collect();
            let mut r = json!({"type": "tool_result", "tool_use_id": v["toolUseId"], "content": content});
            if v["status"] == "error" {
                r["is_error"] = json!(true);
            }
            r
        }
        "reasoningContent" => match (v.get("reasoningText"), v.get("redactedContent")) {
            (Some(t), _) => json!({"type": "thinking", "thinking": t["text"],
                "signature": t.get("signature").cloned().unwrap_or(json!(""))}),
            (_, Some(d)) => json!({"type": "redacted_thinking", "data": d}),
            _ => panic!("reasoning member"),
        },
        other => panic!("block {other} not in the reverse mapping"),
    }
}

fn blocks_with_cache(list: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for b in list {
        if b.get("cachePoint").is_some() {
            cache_after(&mut out);
        } else {
            out.push(anthropic_block(b));
        }
    }
    out
}

/// The Anthropic request equivalent to a recorded Converse request body.
pub fn reverse_request(model: &str, body: &Value) -> Value {
    let mut req = json!({
        "model": model,
        "max_tokens": body["inferenceConfig"]["maxTokens"].as_u64().unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": body["messages"].as_array().unwrap().iter().map(|m| json!({
            "role": m["role"], "content": blocks_with_cache(m["content"].as_array().unwrap())
        })).collect::<Vec<_>>(),
    });
    if let Some(system) = body["system"].as_array() {
        req["system"] = Value::Array(blocks_with_cache(system));
    }
    let ic = &body["inferenceConfig"];
    for (from, to) in [
        ("temperature", "temperature"),
        ("topP", "top_p"),
        ("stopSequences", "stop_sequences"),
    ] {
        if let Some(v) = ic.get(from) {
            req[to] = v.clone();
        }
    }
    if let Some(tc) = body.get("toolConfig") {
        let mut tools: Vec<Value> = Vec::new();
        for t in tc["tools"].as_array().unwrap() {
            if t.get("cachePoint").is_some() {
                cache_after(&mut tools);
                continue;
            }
            let s = &t["toolSpec"];
            let mut tool = json!({"name": s["name"], "input_schema": s["inputSchema"]["json"]});
            if let Some(d) = s.get("description") {
                tool["description"] = d.clone();
            }
            tools.push(tool);
        }
        req["tools"] = Value::Array(tools);
        if let Some(choice) = tc.get("toolChoice") {
            req["tool_choice"] = match choice.as_object().unwrap().iter().next().unwrap() {
                (k, _) if k == "auto" => json!({"type": "auto"}),
                (k, _) if k == "any" => json!({"type": "any"}),
                (k, v) if k == "tool" => json!({"type": "tool", "name": v["name"]}),
                (k, _) => panic!("tool choice {k}"),
            };
        }
    }
    req
}

/// The recorded body as this crate sends it: `inferenceConfig.maxTokens` is
/// always present (the Anthropic request requires `max_tokens`), and document
/// names follow Converse's character set — the recorder's redaction turned
/// one name into `document-REDACTED_1`, whose `_` Converse does not allow and
/// this crate replaces ([`document_name`]).
pub fn expected_request(body: &Value) -> Value {
    let mut expected = body.clone();
    if expected["inferenceConfig"].get("maxTokens").is_none() {
        expected["inferenceConfig"]["maxTokens"] = json!(DEFAULT_MAX_TOKENS);
    }
    let mut n = 0;
    for m in expected["messages"].as_array_mut().unwrap() {
        for b in m["content"].as_array_mut().unwrap() {
            if let Some(name) = b.pointer_mut("/document/name") {
                n += 1;
                *name = Value::String(document_name(name.as_str(), n));
            }
        }
    }
    expected
}
