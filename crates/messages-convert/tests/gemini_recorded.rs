//! Every recorded Gemini exchange (`"api": "gemini"`), converted.
//!
//! * whole responses: text, thinking, function calls, signatures, usage and
//!   stop reason match the recorded body, and replaying the converted message
//!   as the next assistant turn gives back the recorded parts;
//! * streams: the events pass the grammar validator, and accumulating them
//!   equals the whole-response conversion of the merged chunks;
//! * error bodies classify to the right kind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gemini_support;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::gemini::error::classify_error;
use messages_convert::gemini::wire::{FinishReason, GenerateContentResponse, Part};
use messages_convert::gemini::{message_from_slice, to_gemini_request};
use messages_types::{ContentBlock, ErrorKind, Message, MessageCreateParams, MessageParam, StopReason};
use serde_json::json;

use gemini_support::{canonical_parts, convert_merged, run_stream};

fn exchanges(stream: bool) -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let mut filter = Filter::api("gemini");
    filter.stream = Some(stream);
    filter.success = Some(true);
    let all = load_all(&dir, &filter).unwrap();
    assert!(!all.is_empty(), "no recorded gemini exchanges");
    all
}

fn body(e: &Exchange) -> String {
    e.response.body.clone().unwrap_or_default()
}

/// Checks a converted message against the Gemini response it came from.
fn check_semantics(file: &str, response: &GenerateContentResponse, message: &Message) {
    let parts: Vec<&Part> = response
        .candidates
        .first()
        .and_then(|c| c.content.as_ref())
        .map(|c| c.parts.iter().collect())
        .unwrap_or_default();
    let text: String = parts
        .iter()
        .filter(|p| !p.is_thought())
        .filter_map(|p| p.text.as_deref())
        .collect();
    assert_eq!(message.text(), text, "{file}: text");
    let thinking: String = parts
        .iter()
        .filter(|p| p.is_thought())
        .filter_map(|p| p.text.as_deref())
        .collect();
    let got_thinking: String = message.thinking().map(|t| t.thinking.as_str()).collect();
    assert_eq!(got_thinking, thinking, "{file}: thinking");
    let calls: Vec<(String, serde_json::Value)> = parts
        .iter()
        .filter_map(|p| p.function_call.as_ref())
        .map(|c| (c.name.clone(), c.args.clone().unwrap_or(json!({}))))
        .collect();
    let got_calls: Vec<(String, serde_json::Value)> = message
        .tool_uses()
        .map(|t| (t.name.clone(), t.input.clone()))
        .collect();
    assert_eq!(got_calls, calls, "{file}: function calls");
    for t in message.tool_uses() {
        assert!(!t.id.is_empty(), "{file}: tool_use id");
    }
    // Every thought signature is minted with Gemini's prefix (messages_convert::signature).
    let signatures: Vec<String> = parts
        .iter()
        .filter_map(|p| p.thought_signature.as_deref())
        .filter(|s| !s.is_empty())
        .map(|s| format!("anyllm.gemini.{s}"))
        .collect();
    let got_signatures: Vec<&str> = message
        .thinking()
        .map(|t| t.signature.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(got_signatures, signatures, "{file}: signatures");
    let code_runs = parts.iter().filter(|p| p.executable_code.is_some()).count();
    assert_eq!(
        message.blocks_of("server_tool_use").count(),
        code_runs,
        "{file}: code runs"
    );

    let u = response.usage_metadata.clone().unwrap_or_default();
    let prompt = u.prompt_token_count.unwrap_or(0) + u.tool_use_prompt_token_count.unwrap_or(0);
    assert_eq!(
        message.usage.input_tokens.unwrap_or(0) + message.usage.cache_read_input_tokens.unwrap_or(0),
        prompt,
        "{file}: input tokens"
    );
    assert_eq!(
        message.usage.cache_read_input_tokens,
        Some(u.cached_content_token_count.unwrap_or(0))
    );
    assert_eq!(
        message.usage.output_tokens,
        Some(u.candidates_token_count.unwrap_or(0) + u.thoughts_token_count.unwrap_or(0)),
        "{file}: output tokens"
    );

    let finish = response.candidates.first().and_then(|c| c.finish_reason.clone());
    let expected = match finish {
        Some(FinishReason::MaxTokens) => StopReason::MaxTokens,
        Some(FinishReason::Stop) if !calls.is_empty() => StopReason::ToolUse,
        Some(FinishReason::Stop) => StopReason::EndTurn,
        other => panic!("{file}: unexpected finish reason {other:?} in the recordings"),
    };
    assert_eq!(message.stop_reason, Some(expected), "{file}: stop reason");
}

/// Replays `message` as an assistant turn and returns the Gemini parts.
fn replay(message: &Message) -> Vec<Part> {
    let params = MessageCreateParams {
        model: "gemini".into(),
        max_tokens: 1,
        messages: vec![MessageParam::user("hi"), message.to_param()],
        ..serde_json::from_value(json!({"model": "m", "max_tokens": 1, "messages": []})).unwrap()
    };
    let request = to_gemini_request(&params).unwrap();
    request
        .contents
        .get(1)
        .map(|c| c.parts.clone())
        .unwrap_or_default()
}

/// Drops ids this crate generated from the recorded parts' point of view.
fn expected_replay(response: &GenerateContentResponse) -> Vec<Part> {
    let parts = response
        .candidates
        .first()
        .and_then(|c| c.content.as_ref())
        .map(|c| c.parts.clone())
        .unwrap_or_default();
    canonical_parts(&parts)
}

#[test]
fn whole_responses_convert_and_replay() {
    let all = exchanges(false);
    let mut checked = 0;
    for e in &all {
        let text = body(e);
        let message = message_from_slice(text.as_bytes()).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        let response: GenerateContentResponse = serde_json::from_str(&text).unwrap();
        check_semantics(&e.file, &response, &message);
        assert_eq!(message.model, response.model_version.clone().unwrap_or_default());
        assert!(message.id.starts_with("msg_"));
        assert_eq!(replay(&message), expected_replay(&response), "{}: replay", e.file);
        checked += 1;
    }
    if !all.is_empty() {
        assert!(checked >= 150, "only {checked} whole exchanges");
    }
}

#[test]
fn streams_are_valid_and_accumulate_to_the_whole_conversion() {
    let all = exchanges(true);
    let mut checked = 0;
    for e in &all {
        let (events, accumulated, merged) = run_stream(&body(e));
        assert!(events.len() >= 4, "{}: too few events", e.file);
        let whole = convert_merged(&merged);
        assert_eq!(accumulated, whole, "{}: accumulation != whole conversion", e.file);
        check_semantics(&e.file, &merged, &accumulated);
        assert_eq!(
            replay(&accumulated),
            expected_replay(&merged),
            "{}: replay",
            e.file
        );
        checked += 1;
    }
    if !all.is_empty() {
        assert!(checked >= 70, "only {checked} streams");
    }
}

#[test]
fn recorded_error_bodies_classify() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let mut filter = Filter::api("gemini");
    filter.success = Some(false);
    let errors = load_all(&dir, &filter).unwrap();
    assert_eq!(errors.len(), 2);
    for e in errors {
        let classified = classify_error(e.response.status, body(&e).as_bytes());
        assert_eq!(classified.kind, ErrorKind::NotFound, "{}", e.file);
        assert_eq!(classified.google_status.as_deref(), Some("NOT_FOUND"));
        assert!(classified.message.contains("gemini-nonexistent-rig-test"));
    }
}

#[test]
fn thinking_blocks_carry_signatures_in_order() {
    // A response with a thought, a signed call and a second unsigned call.
    let body = br#"{"candidates":[{"content":{"role":"model","parts":[
        {"text":"plan","thought":true},
        {"functionCall":{"name":"a","args":{"x":1}},"thoughtSignature":"S1"},
        {"functionCall":{"name":"b","args":{}}}]},"finishReason":"STOP"}],
        "responseId":"r/1","usageMetadata":{"promptTokenCount":3}}"#;
    let message = message_from_slice(body).unwrap();
    let kinds: Vec<&str> = message.content.iter().map(ContentBlock::type_name).collect();
    assert_eq!(kinds, ["thinking", "tool_use", "thinking", "tool_use"]);
    let ids: Vec<&str> = message.tool_uses().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["toolu_gemini_r_1_0", "toolu_gemini_r_1_1"]);
    assert_eq!(message.stop_reason, Some(StopReason::ToolUse));
}
