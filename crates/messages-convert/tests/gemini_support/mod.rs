//! Shared helpers for the Gemini conversion tests: SSE splitting, chunk
//! merging, the reverse mapping (a recorded Gemini request → the equivalent
//! Anthropic request) and the normalisation of recorded bodies.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::gemini::wire::{Candidate, Content, GenerateContentResponse, Part};
use messages_convert::gemini::{to_anthropic_message, GeminiStream};
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{Message, MessageCreateParams, StreamEvent};
use serde_json::{json, Map, Value};

/// The `data` payloads of an SSE body (CRLF or LF framing, `data:` with or without a space).
pub fn sse_payloads(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if let Some(data) = current.take() {
                out.push(data);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("data:") {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            match &mut current {
                Some(d) => {
                    d.push('\n');
                    d.push_str(rest);
                }
                None => current = Some(rest.to_owned()),
            }
        }
    }
    if let Some(data) = current {
        out.push(data);
    }
    out
}

/// All chunks of a stream as one response: parts concatenated in order,
/// the last finish reason, the last usage, the first id and model.
pub fn merge_chunks(chunks: &[GenerateContentResponse]) -> GenerateContentResponse {
    let mut merged = GenerateContentResponse::default();
    let mut candidate = Candidate {
        content: Some(Content::default()),
        ..Candidate::default()
    };
    let mut any_candidate = false;
    for chunk in chunks {
        if merged.response_id.is_none() {
            merged.response_id = chunk.response_id.clone();
        }
        if merged.model_version.is_none() {
            merged.model_version = chunk.model_version.clone();
        }
        if chunk.usage_metadata.is_some() {
            merged.usage_metadata = chunk.usage_metadata.clone();
        }
        if chunk.prompt_feedback.is_some() {
            merged.prompt_feedback = chunk.prompt_feedback.clone();
        }
        if let Some(c) = chunk.candidates.first() {
            any_candidate = true;
            if let (Some(content), Some(into)) = (&c.content, &mut candidate.content) {
                into.role = content.role.clone();
                into.parts.extend(content.parts.iter().cloned());
            }
            if c.finish_reason.is_some() {
                candidate.finish_reason = c.finish_reason.clone();
                candidate.finish_message = c.finish_message.clone();
            }
        }
    }
    if any_candidate {
        merged.candidates.push(candidate);
    }
    merged
}

/// Converts an SSE body with `GeminiStream`, validates the event grammar,
/// and returns the events, the accumulated message and the merged chunks.
pub fn run_stream(body: &str) -> (Vec<StreamEvent>, Message, GenerateContentResponse) {
    let payloads = sse_payloads(body);
    let mut stream = GeminiStream::new();
    let mut events = Vec::new();
    let mut chunks = Vec::new();
    for p in &payloads {
        stream.push_data(p.as_bytes(), &mut events).unwrap();
        chunks.push(serde_json::from_str::<GenerateContentResponse>(p).unwrap());
    }
    stream.finish(&mut events).unwrap();
    validate_stream(&events).unwrap_or_else(|e| panic!("grammar: {e:?}\n{events:#?}"));
    let mut acc = MessageAccumulator::new();
    for e in &events {
        acc.push(e).unwrap();
    }
    (events, acc.finish().unwrap(), merge_chunks(&chunks))
}

/// The whole-response conversion of merged chunks.
pub fn convert_merged(merged: &GenerateContentResponse) -> Message {
    to_anthropic_message(merged).unwrap()
}

fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            for x in m.values_mut() {
                drop_nulls(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Normalises a recorded request body to the converter's conventions, for
/// fields that mean the same thing on the wire: nulls dropped, `thought:
/// false` dropped, `systemInstruction.role` dropped, `parameters` (OpenAPI
/// subset) renamed `parametersJsonSchema`, snake-case `allowed_function_names`
/// renamed, empty `generationConfig` dropped, absent `includeThoughts` made
/// explicit `false` next to a budget (its default).
pub fn normalize_recorded(body: &Value) -> Value {
    let mut b = body.clone();
    drop_nulls(&mut b);
    let obj = b.as_object_mut().unwrap();
    obj.remove("safetySettings");
    if let Some(Value::Object(si)) = obj.get_mut("systemInstruction") {
        si.remove("role");
        if let Some(Value::Array(parts)) = si.get_mut("parts") {
            for p in parts.iter_mut().filter_map(Value::as_object_mut) {
                if p.get("thought") == Some(&json!(false)) {
                    p.remove("thought");
                }
            }
        }
    }
    for part in parts_mut(obj) {
        if part.get("thought") == Some(&json!(false)) {
            part.remove("thought");
        }
        if let Some(Value::Object(fr)) = part.get_mut("functionResponse") {
            if let Some(Value::Array(ps)) = fr.get_mut("parts") {
                for p in ps {
                    if let Value::Object(p) = p {
                        if p.get("thought") == Some(&json!(false)) {
                            p.remove("thought");
                        }
                    }
                }
            }
        }
    }
    if let Some(Value::Array(tools)) = obj.get_mut("tools") {
        for tool in tools.iter_mut() {
            if let Some(Value::Array(fds)) = tool.get_mut("functionDeclarations") {
                for fd in fds {
                    let fd = fd.as_object_mut().unwrap();
                    if let Some(p) = fd.remove("parameters") {
                        fd.insert("parametersJsonSchema".into(), p);
                    }
                }
            }
        }
        // One entry with the functions, one with code execution.
        let mut functions = Vec::new();
        let mut code = false;
        for tool in tools.iter() {
            if let Some(Value::Array(fds)) = tool.get("functionDeclarations") {
                functions.extend(fds.iter().cloned());
            }
            code |= tool.get("codeExecution").is_some();
        }
        let mut out = Vec::new();
        if !functions.is_empty() {
            out.push(json!({"functionDeclarations": functions}));
        }
        if code {
            out.push(json!({"codeExecution": {}}));
        }
        *tools = out;
    }
    if let Some(Value::Object(tc)) = obj.get_mut("toolConfig") {
        if let Some(Value::Object(fcc)) = tc.get_mut("functionCallingConfig") {
            if let Some(names) = fcc.remove("allowed_function_names") {
                fcc.insert("allowedFunctionNames".into(), names);
            }
        }
    }
    if let Some(Value::Object(gc)) = obj.get_mut("generationConfig") {
        if let Some(Value::Object(tc)) = gc.get_mut("thinkingConfig") {
            let budget = tc.get("thinkingBudget").and_then(Value::as_i64);
            if budget.is_some_and(|b| b != 0) && !tc.contains_key("includeThoughts") {
                tc.insert("includeThoughts".into(), json!(false));
            }
        }
        if gc.is_empty() {
            obj.remove("generationConfig");
        }
    }
    if obj.get("tools") == Some(&json!([])) {
        obj.remove("tools");
    }
    b
}

fn parts_mut(obj: &mut Map<String, Value>) -> Vec<&mut Map<String, Value>> {
    let mut out = Vec::new();
    if let Some(Value::Array(contents)) = obj.get_mut("contents") {
        for c in contents {
            if let Some(Value::Array(parts)) = c.get_mut("parts") {
                for p in parts {
                    if let Value::Object(p) = p {
                        out.push(p);
                    }
                }
            }
        }
    }
    out
}

/// Builds the Anthropic request that expresses a recorded Gemini request,
/// or `None` when it uses something Anthropic cannot express (cached
/// content). `model` is taken from the path.
pub fn reverse_request(path: &str, body: &Value) -> Option<MessageCreateParams> {
    if body.get("cachedContent").is_some_and(|c| !c.is_null()) {
        return None;
    }
    let model = path
        .split("/models/")
        .nth(1)
        .and_then(|m| m.split(':').next())
        .unwrap_or("gemini");
    let mut req = Map::new();
    req.insert("model".into(), json!(model));
    let gc = body.get("generationConfig").cloned().unwrap_or(json!({}));
    req.insert(
        "max_tokens".into(),
        gc.get("maxOutputTokens").cloned().unwrap_or(json!(1024)),
    );
    for (from, to) in [
        ("temperature", "temperature"),
        ("topP", "top_p"),
        ("topK", "top_k"),
        ("stopSequences", "stop_sequences"),
    ] {
        if let Some(v) = gc.get(from) {
            req.insert(to.into(), v.clone());
        }
    }
    if let Some(tc) = gc.get("thinkingConfig") {
        let include = tc
            .get("includeThoughts")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let display = if include {
            json!("summarized")
        } else {
            json!("omitted")
        };
        match (
            tc.get("thinkingBudget").and_then(Value::as_i64),
            tc.get("thinkingLevel"),
        ) {
            (Some(0), _) => {
                req.insert("thinking".into(), json!({"type": "disabled"}));
            }
            (Some(-1), None) => {
                req.insert("thinking".into(), json!({"type": "adaptive", "display": display}));
            }
            (Some(b), None) => {
                req.insert(
                    "thinking".into(),
                    json!({"type": "enabled", "budget_tokens": b, "display": display}),
                );
            }
            (None, Some(level)) => {
                if tc.get("includeThoughts").is_some() {
                    req.insert("thinking".into(), json!({"type": "adaptive", "display": display}));
                }
                req.insert("output_config".into(), json!({"effort": level}));
            }
            _ => {}
        }
    }
    if let Some(schema) = gc.get("responseJsonSchema") {
        let oc = req.entry("output_config").or_insert(json!({}));
        oc["format"] = json!({"type": "json_schema", "schema": schema});
    }
    if let Some(si) = body.get("systemInstruction").filter(|s| !s.is_null()) {
        let blocks: Vec<Value> = si["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| json!({"type": "text", "text": p["text"]}))
            .collect();
        if blocks.len() == 1 {
            req.insert("system".into(), blocks[0]["text"].clone());
        } else {
            req.insert("system".into(), json!(blocks));
        }
    }
    let mut tools = Vec::new();
    for tool in body.get("tools").and_then(Value::as_array).into_iter().flatten() {
        for fd in tool
            .get("functionDeclarations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mut t = json!({"name": fd["name"], "input_schema": fd.get("parameters").or(fd.get("parametersJsonSchema")).cloned().unwrap_or(json!({}))});
            if let Some(d) = fd.get("description") {
                t["description"] = d.clone();
            }
            tools.push(t);
        }
        if tool.get("codeExecution").is_some_and(|c| !c.is_null()) {
            tools.push(json!({"type": "code_execution_20250825", "name": "code_execution"}));
        }
    }
    if !tools.is_empty() {
        req.insert("tools".into(), json!(tools));
    }
    if let Some(fcc) = body.pointer("/toolConfig/functionCallingConfig") {
        let names = fcc
            .get("allowed_function_names")
            .or(fcc.get("allowedFunctionNames"));
        let choice = match (fcc["mode"].as_str(), names.and_then(Value::as_array)) {
            (Some("ANY"), Some(n)) if n.len() == 1 => json!({"type": "tool", "name": n[0]}),
            (Some("ANY"), _) => json!({"type": "any"}),
            (Some("NONE"), _) => json!({"type": "none"}),
            _ => json!({"type": "auto"}),
        };
        req.insert("tool_choice".into(), choice);
    }
    let mut messages = Vec::new();
    let mut call_counter = 0usize;
    let mut pending_ids: Vec<(String, String)> = Vec::new(); // (name, id) of unanswered calls
    for content in body["contents"].as_array().unwrap() {
        let role = if content["role"] == "model" {
            "assistant"
        } else {
            "user"
        };
        let mut blocks = Vec::new();
        for part in content["parts"].as_array().unwrap() {
            // As the response conversion hands them out: with Gemini's prefix.
            let minted = part
                .get("thoughtSignature")
                .and_then(Value::as_str)
                .map(|s| format!("anyllm.gemini.{s}"));
            let sig = minted.as_deref();
            if part.get("thought") == Some(&json!(true)) {
                blocks.push(
                    json!({"type": "thinking", "thinking": part["text"], "signature": sig.unwrap_or("")}),
                );
                continue;
            }
            if let Some(text) = part.get("text").and_then(Value::as_str) {
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
            } else if let Some(blob) = part.get("inlineData") {
                let mime = blob["mimeType"].as_str().unwrap();
                let kind = if mime.starts_with("image/") {
                    "image"
                } else {
                    "document"
                };
                blocks.push(json!({"type": kind, "source": {"type": "base64", "media_type": mime, "data": blob["data"]}}));
            } else if let Some(fc) = part.get("functionCall") {
                let id = match fc.get("id").and_then(Value::as_str) {
                    Some(id) => id.to_owned(),
                    None => {
                        call_counter += 1;
                        format!("toolu_gemini_replay_{call_counter}")
                    }
                };
                pending_ids.push((fc["name"].as_str().unwrap().to_owned(), id.clone()));
                blocks.push(json!({"type": "tool_use", "id": id, "name": fc["name"], "input": fc.get("args").cloned().unwrap_or(json!({}))}));
            } else if let Some(fr) = part.get("functionResponse") {
                let name = fr["name"].as_str().unwrap();
                let id = match fr.get("id").and_then(Value::as_str) {
                    Some(id) => id.to_owned(),
                    None => {
                        let pos = pending_ids
                            .iter()
                            .position(|(n, _)| n == name)
                            .expect("call for response");
                        pending_ids.remove(pos).1
                    }
                };
                let (key, value) = fr["response"].as_object().unwrap().iter().next().unwrap();
                let text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let mut content = vec![json!({"type": "text", "text": text})];
                for p in fr.get("parts").and_then(Value::as_array).into_iter().flatten() {
                    let blob = &p["inlineData"];
                    content.push(json!({"type": "image", "source": {"type": "base64", "media_type": blob["mimeType"], "data": blob["data"]}}));
                }
                let mut block = json!({"type": "tool_result", "tool_use_id": id, "content": content});
                if key == "error" {
                    block["is_error"] = json!(true);
                }
                blocks.push(block);
            } else if let Some(code) = part.get("executableCode") {
                call_counter += 1;
                blocks.push(json!({"type": "server_tool_use", "id": format!("srvtoolu_gemini_replay_{call_counter}"), "name": "code_execution", "input": {"code": code["code"], "language": code["language"]}}));
            } else if let Some(res) = part.get("codeExecutionResult") {
                let ok = res["outcome"] == "OUTCOME_OK";
                let out = res.get("output").cloned().unwrap_or(json!(""));
                blocks.push(json!({"type": "code_execution_tool_result", "tool_use_id": format!("srvtoolu_gemini_replay_{call_counter}"),
                    "content": if ok { json!({"type": "code_execution_result", "stdout": out, "stderr": "", "return_code": 0, "content": []}) }
                               else { json!({"type": "code_execution_result", "stdout": "", "stderr": out, "return_code": 1, "content": []}) }}));
            }
            if let Some(sig) = sig {
                blocks.push(json!({"type": "thinking", "thinking": "", "signature": sig}));
            }
        }
        messages.push(json!({"role": role, "content": blocks}));
    }
    req.insert("messages".into(), json!(messages));
    Some(serde_json::from_value(Value::Object(req)).unwrap())
}

/// A model turn's parts as the converter replays them: `thought: false`
/// dropped, unsigned empty text dropped, and adjacent text parts of the same
/// kind merged unless both are signed (the signature kept).
pub fn canonical_parts(parts: &[Part]) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for p in parts {
        let mut p = p.clone();
        if p.thought == Some(false) {
            p.thought = None;
        }
        if p.text.as_deref() == Some("") && p.thought_signature.is_none() {
            continue;
        }
        if let Some(last) = out.last_mut() {
            let mergeable = last.text.is_some()
                && p.text.is_some()
                && last.thought == p.thought
                && !(last.thought_signature.is_some() && p.thought_signature.is_some())
                && !(last.text.as_deref() == Some("") && last.thought_signature.is_some());
            if mergeable {
                last.text
                    .get_or_insert_with(String::new)
                    .push_str(p.text.as_deref().unwrap_or(""));
                if last.thought_signature.is_none() {
                    last.thought_signature = p.thought_signature.clone();
                }
                continue;
            }
        }
        out.push(p);
    }
    out
}
