//! Ollama stream and response conversion on hand-written replies (shapes
//! from Ollama's `api/types.go` / `server/routes.go`, as in the recordings):
//! chunk-split invariance (proptest, through `messages_http::NdjsonParser`),
//! whole tool calls with generated ids, done reasons, a mid-stream error
//! line, and error bodies.
#![cfg(feature = "ollama")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod family_support;

use family_support::{accumulate, split_at};
use messages_convert::ollama::{error_response, parse_response, OllamaStreamConverter};
use messages_http::NdjsonParser;
use messages_types::grammar::validate_stream;
use messages_types::{ContentBlock, ErrorKind, StopReason, StreamEvent};
use proptest::prelude::*;
use serde_json::json;

fn stream_body() -> String {
    [
        r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56.1Z","message":{"role":"assistant","content":"","thinking":"Need "},"done":false}"#,
        r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56.2Z","message":{"role":"assistant","content":"","thinking":"two calls."},"done":false}"#,
        r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56.3Z","message":{"role":"assistant","content":"Checking "},"done":false}"#,
        r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56.4Z","message":{"role":"assistant","content":"both."},"done":false}"#,
        r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56.5Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"index":0,"name":"get_weather","arguments":{"city":"Paris"}}},{"id":"call_k2","function":{"index":1,"name":"get_weather","arguments":{"city":"Rome"}}}]},"done":false}"#,
        r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56.6Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1,"prompt_eval_count":40,"eval_count":22}"#,
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect()
}

fn convert_chunks(chunks: &[&[u8]]) -> Result<Vec<StreamEvent>, String> {
    let mut parser = NdjsonParser::new();
    let mut conv = OllamaStreamConverter::new("qwen3:4b");
    let mut out = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        parser.feed(c);
        if i + 1 == chunks.len() {
            parser.finish();
        }
        while let Some(line) = parser.next_line().map_err(|e| e.to_string())? {
            conv.push(&line, &mut out).map_err(|e| e.to_string())?;
        }
    }
    conv.finish(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

#[test]
fn thinking_text_and_whole_tool_calls() {
    let out = convert_chunks(&[stream_body().as_bytes()]).unwrap();
    validate_stream(&out).unwrap();
    let m = accumulate(&out);
    assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(
        (m.usage.input_tokens, m.usage.output_tokens),
        (Some(40), Some(22))
    );
    assert_eq!(m.id, "msg_ollama_202608050810561");
    let kinds: Vec<&str> = m.content.iter().map(ContentBlock::type_name).collect();
    assert_eq!(kinds, ["thinking", "text", "tool_use", "tool_use"]);
    let ContentBlock::ToolUse(a) = &m.content[2] else {
        panic!()
    };
    assert_eq!(
        (a.id.as_str(), a.input.clone()),
        ("call_0", json!({"city": "Paris"}))
    );
    let ContentBlock::ToolUse(b) = &m.content[3] else {
        panic!()
    };
    assert_eq!(b.id, "call_k2");
    // The same reply, whole.
    let whole = json!({"model": "qwen3:4b", "created_at": "2026-08-05T08:10:56.1Z", "done": true, "done_reason": "stop",
        "prompt_eval_count": 40, "eval_count": 22,
        "message": {"role": "assistant", "content": "Checking both.", "thinking": "Need two calls.",
            "tool_calls": [{"function": {"index": 0, "name": "get_weather", "arguments": {"city": "Paris"}}},
                           {"id": "call_k2", "function": {"index": 1, "name": "get_weather", "arguments": {"city": "Rome"}}}]}});
    assert_eq!(
        parse_response(&serde_json::to_vec(&whole).unwrap(), "x").unwrap(),
        m
    );
}

#[test]
fn done_reasons() {
    let line = |reason: &str, calls: bool| {
        let mut v = json!({"model": "m", "created_at": "2026-01-01T00:00:00Z", "done": true, "done_reason": reason,
            "message": {"role": "assistant", "content": "x"}});
        if calls {
            v["message"]["tool_calls"] = json!([{"function": {"name": "t", "arguments": {}}}]);
        }
        parse_response(&serde_json::to_vec(&v).unwrap(), "m")
            .unwrap()
            .stop_reason
    };
    assert_eq!(line("stop", false), Some(StopReason::EndTurn));
    assert_eq!(line("stop", true), Some(StopReason::ToolUse));
    assert_eq!(line("length", false), Some(StopReason::MaxTokens));
    assert_eq!(line("length", true), Some(StopReason::MaxTokens));
    assert_eq!(line("load", false), Some(StopReason::EndTurn));
    assert_eq!(line("unload", false), Some(StopReason::EndTurn));
    assert_eq!(line("something-new", false), Some(StopReason::EndTurn));
    // A load reply: no content, end_turn, zero usage.
    let m = parse_response(br#"{"model":"m","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"load"}"#, "m").unwrap();
    assert!(m.content.is_empty());
    assert_eq!((m.usage.input_tokens, m.usage.output_tokens), (Some(0), Some(0)));
}

#[test]
fn a_mid_stream_error_line_ends_the_stream_after_the_events_so_far() {
    let body = "{\"model\":\"m\",\"created_at\":\"t\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n\
                {\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n\
                {\"model\":\"m\",\"created_at\":\"t\",\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":false}\n";
    let out = convert_chunks(&[body.as_bytes()]).unwrap();
    validate_stream(&out).unwrap();
    let names: Vec<&str> = out.iter().map(StreamEvent::type_name).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "error"
        ]
    );
    let StreamEvent::Error(e) = out.last().unwrap() else {
        panic!()
    };
    assert_eq!(e.error.kind, ErrorKind::Api);
    assert!(e.error.message.contains("unexpected EOF"));
    // A model that went missing mid-stream names its kind.
    let out = convert_chunks(&[b"{\"error\":\"model 'x' not found\"}\n"]).unwrap();
    let StreamEvent::Error(e) = out.last().unwrap() else {
        panic!()
    };
    assert_eq!(e.error.kind, ErrorKind::NotFound);
}

/// Main's rule (a stream that never says why it stopped ends with an
/// error): a body cut before the `done` line delivers what came, then a
/// typed `error` event — no invented stop reason.
#[test]
fn a_cut_stream_ends_with_an_error_after_the_events_so_far() {
    let body = "{\"model\":\"m\",\"created_at\":\"t\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n";
    let out = convert_chunks(&[body.as_bytes()]).unwrap();
    validate_stream(&out).unwrap();
    let names: Vec<&str> = out.iter().map(StreamEvent::type_name).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "error"
        ]
    );
    let StreamEvent::Error(e) = out.last().unwrap() else {
        panic!()
    };
    assert_eq!(e.error.kind, ErrorKind::Api);
    assert!(e.error.message.contains("done"));
}

#[test]
fn error_bodies_are_typed() {
    let e = error_response(400, br#"{"error":"\"qwen2:0.5b\" does not support thinking"}"#);
    assert_eq!(e.error.kind, ErrorKind::InvalidRequest);
    let e = error_response(500, b"not json");
    assert_eq!(
        (e.error.kind, e.error.message.as_str()),
        (ErrorKind::Api, "not json")
    );
    assert!(parse_response(br#"{"error":"boom"}"#, "m")
        .unwrap_err()
        .to_string()
        .contains("boom"));
    let mut conv = OllamaStreamConverter::new("m");
    assert!(conv.push(b"{oops", &mut Vec::new()).is_err());
}

proptest! {
    #[test]
    fn chunking_does_not_change_the_events(cuts in proptest::collection::vec(0usize..2000, 0..12)) {
        let body = stream_body();
        let bytes = body.as_bytes();
        let chunks = split_at(bytes, &cuts);
        prop_assert_eq!(convert_chunks(&chunks), convert_chunks(&[bytes]));
    }

    #[test]
    fn arbitrary_lines_never_panic(lines in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8)) {
        let mut conv = OllamaStreamConverter::new("m");
        let mut out = Vec::new();
        for l in &lines {
            let _ = conv.push(l, &mut out);
        }
        let _ = conv.finish(&mut out);
    }
}
