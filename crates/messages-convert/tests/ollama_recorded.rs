//! Every recorded Ollama native chat exchange
//! (`../shared/fixtures/recorded/ollama`, 39 files), converted to the
//! Anthropic format:
//!
//! * whole responses: text, thinking, tool calls, usage and stop reason
//!   checked against values read independently from the native JSON;
//! * streams (NDJSON, framed by `messages_http::NdjsonParser`): the converted
//!   events pass the event-grammar validator and accumulate to the
//!   whole-response conversion of the same reply (the lines folded into a
//!   native whole reply by this test), with the same checks;
//! * requests: each recorded body is read back into its Anthropic equivalent
//!   (a test-only inverse, [`anthropic_params`]) and converted forward; the
//!   result equals the recorded body up to the documented normalisation
//!   ([`normalize`]).
#![cfg(feature = "ollama")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod family_support;

use family_support::*;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::ollama::{parse_response, request_body, OllamaStreamConverter, ThinkStyle};
use messages_http::NdjsonParser;
use messages_types::grammar::validate_stream;
use messages_types::{Message, MessageCreateParams, StopReason};
use serde_json::{json, Map, Value};

fn exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    let all = load_all(&dir, &Filter::api("ollama-chat")).unwrap();
    assert_eq!(all.len(), 39, "expected the whole ollama corpus");
    Some(all)
}

fn lines(body: &[u8]) -> Vec<Vec<u8>> {
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
fn fold_native(lines: &[Vec<u8>]) -> Value {
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

fn check_against_native(native: &Value, m: &Message, file: &str) {
    let text = text_of(m);
    assert_eq!(
        text,
        native["message"]["content"].as_str().unwrap_or_default(),
        "{file}: text"
    );
    let thinking = thinking_of(m);
    assert_eq!(
        thinking,
        native["message"]["thinking"].as_str().unwrap_or_default(),
        "{file}: thinking"
    );
    let calls = native["message"]["tool_calls"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let uses = tool_uses(m);
    assert_eq!(uses.len(), calls.len(), "{file}: tool calls");
    for (n, (u, c)) in uses.iter().zip(&calls).enumerate() {
        let id = c["id"]
            .as_str()
            .map_or_else(|| format!("call_{n}"), str::to_owned);
        assert_eq!(u.id, id, "{file}");
        assert_eq!(u.name, c["function"]["name"].as_str().unwrap(), "{file}");
        assert_eq!(u.input, c["function"]["arguments"], "{file}");
    }
    assert_eq!(
        m.usage.input_tokens,
        native["prompt_eval_count"].as_u64(),
        "{file}: input"
    );
    assert_eq!(
        m.usage.output_tokens,
        native["eval_count"].as_u64(),
        "{file}: output"
    );
    let expected = match (native["done_reason"].as_str().unwrap(), calls.is_empty()) {
        ("length", _) => StopReason::MaxTokens,
        ("stop", true) => StopReason::EndTurn,
        ("stop", false) => StopReason::ToolUse,
        (other, _) => panic!("{file}: done_reason {other}"),
    };
    assert_eq!(m.stop_reason, Some(expected), "{file}: stop reason");
    assert_eq!(m.model, native["model"].as_str().unwrap(), "{file}");
}

#[test]
fn whole_responses_match_the_native_json() {
    let Some(all) = exchanges() else { return };
    let mut n = 0;
    for x in all.iter().filter(|x| !x.stream) {
        let body = x.response.body_bytes().unwrap();
        let m = parse_response(&body, "unused").unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let native: Value = serde_json::from_slice(&body).unwrap();
        check_against_native(&native, &m, &x.file);
        n += 1;
    }
    assert_eq!(n, 24);
}

#[test]
fn streams_are_valid_and_accumulate_to_the_whole_conversion() {
    let Some(all) = exchanges() else { return };
    let mut n = 0;
    for x in all.iter().filter(|x| x.stream) {
        let body = x.response.body_bytes().unwrap();
        let ls = lines(&body);
        let mut conv = OllamaStreamConverter::new("unused");
        let mut out = Vec::new();
        for l in &ls {
            conv.push(l, &mut out)
                .unwrap_or_else(|e| panic!("{}: {e}", x.file));
        }
        conv.finish(&mut out).unwrap();
        validate_stream(&out).unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let streamed = accumulate(&out);
        let native = fold_native(&ls);
        let whole = parse_response(&serde_json::to_vec(&native).unwrap(), "unused").unwrap();
        assert_eq!(streamed, whole, "{}", x.file);
        check_against_native(&native, &streamed, &x.file);
        n += 1;
    }
    assert_eq!(n, 15);
}

/// The Anthropic request a recorded Ollama body is the conversion of
/// (test-only inverse). Tool calls without ids get `call_{n}` (counted over
/// the conversation) and tool messages answer the latest call of their
/// `tool_name`.
fn anthropic_params(native: &Value) -> MessageCreateParams {
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
fn normalize(mut v: Value, had_num_predict: bool) -> Value {
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

#[test]
fn request_bodies_are_reproduced_from_their_anthropic_equivalents() {
    let Some(all) = exchanges() else { return };
    for x in &all {
        let native = &x.request.body;
        let params = anthropic_params(native);
        let stream = native["stream"].as_bool().unwrap();
        let body = request_body(&params, stream, ThinkStyle::Bool, &Map::new())
            .unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let got: Value = serde_json::from_slice(&body).unwrap();
        let had = native["options"].get("num_predict").is_some();
        assert_eq!(normalize(got, had), normalize(native.clone(), had), "{}", x.file);
    }
}

/// Every recorded stream, cut into chunks at arbitrary places and framed by
/// `messages_http::NdjsonParser`, converts to the same events as the whole body.
#[test]
fn recorded_streams_convert_the_same_however_they_are_chunked() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let Some(all) = exchanges() else { return };
    let streams: Vec<Vec<u8>> = all
        .iter()
        .filter(|x| x.stream)
        .map(|x| x.response.body_bytes().unwrap())
        .collect();
    let convert_chunks = |chunks: &[&[u8]]| {
        let mut parser = NdjsonParser::new();
        let mut conv = OllamaStreamConverter::new("unused");
        let mut out = Vec::new();
        for c in chunks {
            parser.feed(c);
            while let Some(l) = parser.next_line().unwrap() {
                conv.push(&l, &mut out).unwrap();
            }
        }
        parser.finish();
        while let Some(l) = parser.next_line().unwrap() {
            conv.push(&l, &mut out).unwrap();
        }
        conv.finish(&mut out).unwrap();
        out
    };
    let mut runner = TestRunner::new(Config::with_cases(48));
    let strategy = (0..streams.len(), proptest::collection::vec(any::<usize>(), 0..24));
    runner
        .run(&strategy, |(i, cuts)| {
            let body = &streams[i];
            prop_assert_eq!(convert_chunks(&split_at(body, &cuts)), convert_chunks(&[body]));
            Ok(())
        })
        .unwrap();
}
