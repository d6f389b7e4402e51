//! Servers that fill every optional field with its zero value (the
//! hand-written `fixtures/zero-valued/` exchanges, issue 11): `""` and
//! empty objects mean absent — no phantom tool call, no refusal, the stop
//! reason inferred from the content, a generated message id, no service tier.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm_fixtures::{load, project_fixtures_dir};
use messages_convert::openai_chat::{parse_response, ChunkConverter, Dialect, ResponseContext};
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{ContentBlock, Message, StopReason};
use serde_json::json;

fn body(name: &str) -> String {
    let e = load(&project_fixtures_dir(), &format!("zero-valued/{name}")).unwrap();
    e.response.body.unwrap()
}

fn ctx() -> ResponseContext<'static> {
    ResponseContext::new(&Dialect::GENERIC, "qwen3-32b")
}

fn check_tool_call(m: &Message) {
    assert!(m.id.starts_with("msg_anyllm_"), "{}", m.id);
    let calls: Vec<_> = m
        .tool_uses()
        .map(|t| (t.id.as_str(), t.name.as_str(), t.input.clone()))
        .collect();
    assert_eq!(calls, [("call_7f3a", "get_weather", json!({"city": "Paris"}))]);
    assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(m.usage.service_tier, None);
    assert!(!m.content.iter().any(|b| matches!(b, ContentBlock::Thinking(_))));
}

#[test]
fn whole_tool_call_has_no_phantom_call_and_no_refusal() {
    let m = parse_response(body("tool_call.json").as_bytes(), &ctx()).unwrap();
    check_tool_call(&m);
    assert_eq!(m.content.len(), 1, "{:?}", m.content);
}

#[test]
fn whole_text_ends_the_turn() {
    let m = parse_response(body("text.json").as_bytes(), &ctx()).unwrap();
    assert_eq!(m.text(), "It is sunny in Paris.");
    assert_eq!(m.content.len(), 1);
    assert_eq!(m.stop_reason, Some(StopReason::EndTurn));
    assert_eq!(m.usage.service_tier, None);
    assert!(m.id.starts_with("msg_anyllm_"));
}

#[test]
fn streamed_zero_values_give_the_same_answer() {
    let mut conv = ChunkConverter::new(&ctx());
    let mut events = Vec::new();
    for chunk in body("stream.json").split("\n\n") {
        if let Some(data) = chunk.strip_prefix("data: ") {
            conv.push(data.as_bytes(), &mut events).unwrap();
        }
    }
    conv.finish(&mut events).unwrap();
    validate_stream(&events).unwrap();
    let mut acc = MessageAccumulator::new();
    for e in &events {
        acc.push(e).unwrap();
    }
    let m = acc.finish().unwrap();
    check_tool_call(&m);
    assert_eq!(m.text(), "Checking the weather.");
    assert_eq!(m.usage.output_tokens, Some(12));
}
