//! The recorded Gemini request bodies are valid examples of what the
//! converter should produce: each one is expressed as an Anthropic request
//! (the reverse mapping in `gemini_support`), converted, and compared with
//! the recorded body — exactly, after normalising spellings that mean the
//! same on the wire (see `normalize_recorded`). A representative set is also
//! snapshotted (insta) with the Anthropic input beside the converter output.
//!
//! The multi-turn test replays the converted responses of one conversation
//! and checks the model turns of every later recorded request, thought
//! signatures and function calls included.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gemini_support;

use std::collections::BTreeMap;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::gemini::wire::{Content, Role};
use messages_convert::gemini::{message_from_slice, to_gemini_request};
use messages_types::{ContentBlock, Message, MessageContent, MessageCreateParams, MessageParam};
use serde_json::{json, Value};

use gemini_support::{canonical_parts, convert_merged, normalize_recorded, reverse_request, run_stream};

fn all_exchanges() -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let all = load_all(&dir, &Filter::api("gemini")).unwrap();
    assert!(!all.is_empty(), "no recorded gemini exchanges");
    all
}

fn converted(params: &MessageCreateParams, recorded: &Value) -> Value {
    let mut ours = serde_json::to_value(to_gemini_request(params).unwrap()).unwrap();
    // Anthropic always has max_tokens; the recording may not have sent a limit.
    if recorded.pointer("/generationConfig/maxOutputTokens").is_none() {
        let gc = ours["generationConfig"].as_object_mut().unwrap();
        gc.remove("maxOutputTokens");
        if gc.is_empty() {
            ours.as_object_mut().unwrap().remove("generationConfig");
        }
    }
    ours
}

#[test]
fn every_expressible_recorded_request_is_reproduced_exactly() {
    let all = all_exchanges();
    let mut exact = 0;
    let mut skipped = Vec::new();
    for e in &all {
        let Some(params) = reverse_request(&e.request.path, &e.request.body) else {
            skipped.push(e.file.clone());
            continue;
        };
        let recorded = normalize_recorded(&e.request.body);
        let ours = converted(&params, &recorded);
        assert_eq!(
            ours,
            recorded,
            "{}: converter output differs from the recorded body\nanthropic: {}",
            e.file,
            serde_json::to_string(&params).unwrap()
        );
        exact += 1;
    }
    if !all.is_empty() {
        // Only the 8 requests naming a `cachedContent` (a Gemini cache handle) are not expressible.
        assert_eq!(skipped.len(), 8, "{skipped:?}");
        assert!(exact >= 225, "only {exact} exact");
    }
}

/// Representative recorded requests: plain text, thinking level, thinking
/// budget, tools + forced tool, multi-turn tool use with signatures,
/// multimodal tool result, structured output, code execution, audio input.
const SNAPSHOT_SET: &[&str] = &[
    "gemini/streaming__streaming_smoke.json",
    "gemini/code_execution_matrix__blocking_code_execution_with_visible_thoughts.json",
    "gemini/raw_capture_matrix__raw_exposes_forced_function_call.json",
    "gemini/agent_tools__nonstreaming_multi_turn_executes_tools_and_reports_usage__2.json",
    "gemini/chat_history__five_turn_chat_history_stress_preserves_context_and_tools__5.json",
    "gemini/streaming_multimodal_tool_results__streaming_history_preserves_hybrid_tool_result_image_parts__1.json",
    "gemini/structured_output__structured_output_smoke.json",
    "gemini/transcription__transcription_smoke.json",
    "gemini/regression__thinking_config_without_max_tokens.json",
];

fn shorten_data(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "data" {
                    if let Value::String(s) = x {
                        if s.len() > 40 {
                            *s = format!("{}…({} bytes)", &s[..24], s.len());
                        }
                    }
                } else {
                    shorten_data(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(shorten_data),
        _ => {}
    }
}

#[test]
fn representative_requests_snapshot() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    for file in SNAPSHOT_SET {
        let e = anyllm_fixtures::load(&dir, file).unwrap();
        let params = reverse_request(&e.request.path, &e.request.body).unwrap();
        let recorded = normalize_recorded(&e.request.body);
        let ours = converted(&params, &recorded);
        assert_eq!(ours, recorded, "{file}");
        let mut shown = json!({
            "anthropic_request": serde_json::to_value(&params).unwrap(),
            "gemini_request": serde_json::to_value(to_gemini_request(&params).unwrap()).unwrap(),
        });
        shorten_data(&mut shown);
        let name = file.trim_start_matches("gemini/").trim_end_matches(".json");
        insta::assert_json_snapshot!(format!("request__{name}"), shown);
    }
}

/// The conversation a recorded chain belongs to: `name__N.json` → (`name`, N).
fn chain_key(file: &str) -> Option<(String, usize)> {
    let stem = file.strip_suffix(".json")?;
    let (name, n) = stem.rsplit_once("__")?;
    Some((name.to_owned(), n.parse().ok()?))
}

fn response_message(e: &Exchange) -> Message {
    let body = e.response.body.clone().unwrap_or_default();
    if e.stream {
        let (_, accumulated, merged) = run_stream(&body);
        assert_eq!(accumulated, convert_merged(&merged));
        accumulated
    } else {
        message_from_slice(body.as_bytes()).unwrap()
    }
}

fn model_contents(body: &Value) -> Vec<Content> {
    let contents: Vec<Content> = serde_json::from_value(body["contents"].clone()).unwrap();
    contents
        .into_iter()
        .filter(|c| c.role == Some(Role::Model))
        .collect()
}

/// For each recorded conversation, the converted response of turn N−1,
/// replayed as an assistant message, must reproduce the model turn that the
/// recorded request N sent back — thought signatures on the same parts.
#[test]
fn multi_turn_conversations_replay_signatures_and_calls() {
    let all = all_exchanges();
    let mut chains: BTreeMap<String, BTreeMap<usize, &Exchange>> = BTreeMap::new();
    for e in &all {
        if let Some((name, n)) = chain_key(&e.file) {
            chains.entry(name).or_default().insert(n, e);
        }
    }
    let mut checked = 0;
    let mut signed = 0;
    let mut mismatches = Vec::new();
    for (name, turns) in &chains {
        for (n, e) in turns {
            let Some(prev) = n.checked_sub(1).and_then(|p| turns.get(&p)) else {
                continue;
            };
            if prev.response.status != 200 {
                continue;
            }
            let prev_models = model_contents(&prev.request.body).len();
            let models = model_contents(&e.request.body);
            // The model turn answering `prev` is the first one after prev's own.
            let Some(recorded_turn) = models.get(prev_models) else {
                continue;
            };
            let message = response_message(prev);
            let params = MessageCreateParams {
                messages: vec![MessageParam::user("hi"), message.to_param()],
                ..serde_json::from_value(json!({"model": "m", "max_tokens": 1, "messages": []})).unwrap()
            };
            let replayed = to_gemini_request(&params).unwrap().contents.remove(1).parts;
            let recorded_parts = canonical_parts(&recorded_turn.parts);
            if replayed != recorded_parts {
                mismatches.push(format!("{name}__{n}"));
                continue;
            }
            signed += replayed.iter().filter(|p| p.thought_signature.is_some()).count();
            checked += 1;
        }
    }
    if !all.is_empty() {
        // Turns where the recording client changed the history itself.
        let client_edits = [
            // rig repairs the tool name `add` → `sum` before replaying.
            "gemini/agent_run_streamed__streamed_repair_continues_the_same_stream__1",
            // rig moves a text part's signature onto the thought part before it;
            // this converter keeps it on the text part Gemini put it on.
            "gemini/chat_history__five_turn_chat_history_stress_preserves_context_and_tools__1",
            "gemini/chat_history__five_turn_chat_history_stress_preserves_context_and_tools__6",
            // rig drops the executableCode / codeExecutionResult parts from its history.
            "gemini/code_execution_matrix__blocking_code_execution_replayed_in_chat_history__1",
        ];
        assert_eq!(
            mismatches, client_edits,
            "replays that differ from the recorded history"
        );
        assert!(checked >= 40, "only {checked} replays checked");
        assert!(signed >= 40, "only {signed} signatures replayed");
        eprintln!("{checked} replays checked, {signed} signatures replayed");
    }
}

/// A hand-written multi-turn conversation: thinking, a signed call, a tool
/// result, a signed final answer; every signature lands on its part and the
/// tool result gets the call's name.
#[test]
fn hand_written_multi_turn_round_trip() {
    let turn1 = br#"{"candidates":[{"content":{"role":"model","parts":[
        {"text":"I should add.","thought":true},
        {"functionCall":{"name":"add","args":{"x":1,"y":2}},"thoughtSignature":"SIG_A"},
        {"functionCall":{"name":"add","args":{"x":3,"y":4}}}]},"finishReason":"STOP"}],
        "responseId":"resp1","modelVersion":"gemini-3-pro"}"#;
    let m1 = message_from_slice(turn1).unwrap();
    let ids: Vec<String> = m1.tool_uses().map(|t| t.id.clone()).collect();
    let mut messages = vec![MessageParam::user("add things"), m1.to_param()];
    messages.push(MessageParam::tool_results([
        (ids[0].clone(), "3"),
        (ids[1].clone(), "7"),
    ]));
    let turn2 = br#"{"candidates":[{"content":{"role":"model","parts":[
        {"text":"The sums are 3 and 7.","thoughtSignature":"SIG_B"}]},"finishReason":"STOP"}],"responseId":"resp2"}"#;
    let m2 = message_from_slice(turn2).unwrap();
    messages.push(m2.to_param());
    messages.push(MessageParam::user("thanks"));
    let params = MessageCreateParams {
        messages,
        ..serde_json::from_value(json!({"model": "m", "max_tokens": 50, "messages": []})).unwrap()
    };
    let body = serde_json::to_value(to_gemini_request(&params).unwrap()).unwrap();
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [{"text": "add things"}]},
            {"role": "model", "parts": [
                {"text": "I should add.", "thought": true},
                {"functionCall": {"name": "add", "args": {"x": 1, "y": 2}}, "thoughtSignature": "SIG_A"},
                {"functionCall": {"name": "add", "args": {"x": 3, "y": 4}}}
            ]},
            {"role": "user", "parts": [
                {"functionResponse": {"name": "add", "response": {"result": 3}}},
                {"functionResponse": {"name": "add", "response": {"result": 7}}}
            ]},
            {"role": "model", "parts": [{"text": "The sums are 3 and 7.", "thoughtSignature": "SIG_B"}]},
            {"role": "user", "parts": [{"text": "thanks"}]}
        ])
    );
    // The assistant turns kept the signatures as signature-only thinking blocks.
    let MessageContent::Blocks(blocks) = &params.messages[1].content else {
        panic!()
    };
    assert!(
        matches!(&blocks[2], ContentBlock::Thinking(t) if t.thinking.is_empty() && t.signature == "anyllm.gemini.SIG_A")
    );
}
