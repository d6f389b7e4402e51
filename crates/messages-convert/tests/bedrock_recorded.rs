//! Every recorded Bedrock exchange (`"api": "bedrock-converse"`), converted.
//!
//! * requests: the Anthropic equivalent of each recorded body (the reverse
//!   mapping in `bedrock_support`) converts back to the recorded body, with
//!   `inferenceConfig.maxTokens` always present;
//! * whole replies: text, reasoning with signatures, tool calls, usage and
//!   stop reason match values read independently from the native JSON;
//! * streams: the event-stream bodies decode (`messages_http::EventStreamParser`),
//!   convert to events that pass the grammar validator, and accumulate to the
//!   whole-reply conversion of the native events folded into one Converse reply;
//! * error replies classify to the right kind with Bedrock's message.

#![cfg(feature = "bedrock")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bedrock_support;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::bedrock::wire::ConverseResponse;
use messages_convert::bedrock::{
    classify_error, from_converse_response, message_from_slice, to_converse_request, ResponseMeta,
};
use messages_types::{ContentBlock, ErrorKind, Message, MessageCreateParams, StopReason};
use serde_json::Value;

use bedrock_support::{
    accumulate_checked, convert_frames, decode_frames, expected_request, fold_native, model_from_path,
    reverse_request,
};

fn exchanges() -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let all = load_all(&dir, &Filter::api("bedrock-converse")).unwrap();
    assert_eq!(all.len(), 19, "recorded bedrock exchanges");
    all
}

fn native_stop(reason: &str) -> StopReason {
    match reason {
        "end_turn" => StopReason::EndTurn,
        "tool_use" => StopReason::ToolUse,
        "max_tokens" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence,
        "guardrail_intervened" | "content_filtered" => StopReason::Refusal,
        "model_context_window_exceeded" => StopReason::ModelContextWindowExceeded,
        other => panic!("stop reason {other} not in the recordings' vocabulary"),
    }
}

/// Checks a converted message against the native Converse reply it came from.
fn check_semantics(file: &str, native: &Value, message: &Message) {
    let blocks = native["output"]["message"]["content"].as_array().unwrap();
    assert_eq!(message.content.len(), blocks.len(), "{file}: block count");
    for (i, (n, got)) in blocks.iter().zip(&message.content).enumerate() {
        if let Some(text) = n.get("text") {
            let ContentBlock::Text(t) = got else {
                panic!("{file}: block {i} should be text: {got:?}")
            };
            assert_eq!(t.text, text.as_str().unwrap(), "{file}: text {i}");
        } else if let Some(tu) = n.get("toolUse") {
            let ContentBlock::ToolUse(t) = got else {
                panic!("{file}: block {i} should be tool_use")
            };
            assert_eq!(t.id, tu["toolUseId"].as_str().unwrap(), "{file}: tool id {i}");
            assert_eq!(t.name, tu["name"].as_str().unwrap(), "{file}: tool name {i}");
            assert_eq!(t.input, tu["input"], "{file}: tool input {i}");
        } else if let Some(r) = n.get("reasoningContent") {
            let ContentBlock::Thinking(t) = got else {
                panic!("{file}: block {i} should be thinking")
            };
            assert_eq!(
                t.thinking,
                r["reasoningText"]["text"].as_str().unwrap(),
                "{file}: reasoning {i}"
            );
            assert_eq!(
                t.signature,
                r["reasoningText"]["signature"].as_str().unwrap_or(""),
                "{file}: signature {i}"
            );
        } else {
            panic!("{file}: block {i} of a kind the recordings do not hold: {n}");
        }
    }
    let usage = &native["usage"];
    assert_eq!(
        message.usage.input_tokens,
        usage["inputTokens"].as_u64(),
        "{file}: input tokens"
    );
    assert_eq!(
        message.usage.output_tokens,
        usage["outputTokens"].as_u64(),
        "{file}: output tokens"
    );
    assert_eq!(
        message.usage.cache_read_input_tokens,
        Some(usage["cacheReadInputTokens"].as_u64().unwrap_or(0)),
        "{file}: cache read"
    );
    assert_eq!(
        message.usage.cache_creation_input_tokens,
        Some(usage["cacheWriteInputTokens"].as_u64().unwrap_or(0)),
        "{file}: cache write"
    );
    assert_eq!(
        message.stop_reason,
        Some(native_stop(native["stopReason"].as_str().unwrap())),
        "{file}: stop reason"
    );
}

#[test]
fn recorded_requests_are_reproduced_from_their_anthropic_equivalents() {
    let mut reproduced = 0;
    for e in exchanges() {
        let model = model_from_path(&e.request.path);
        let anthropic = reverse_request(&model, &e.request.body);
        let params: MessageCreateParams = serde_json::from_value(anthropic.clone())
            .unwrap_or_else(|err| panic!("{}: reverse mapping is not a valid request: {err}", e.file));
        let converted = serde_json::to_value(to_converse_request(&params).unwrap()).unwrap();
        assert_eq!(
            converted,
            expected_request(&e.request.body),
            "{}: from {anthropic:#}",
            e.file
        );
        reproduced += 1;
    }
    if !exchanges().is_empty() {
        assert_eq!(reproduced, 19);
    }
}

#[test]
fn recorded_whole_replies_convert() {
    let mut checked = 0;
    for e in exchanges()
        .into_iter()
        .filter(|e| !e.stream && e.response.status == 200)
    {
        let body = e.response.body.clone().unwrap();
        let native: Value = serde_json::from_str(&body).unwrap();
        let model = model_from_path(&e.request.path);
        let message = message_from_slice(body.as_bytes(), ResponseMeta::new(&model)).unwrap();
        check_semantics(&e.file, &native, &message);
        assert_eq!(message.model, model);
        // The message is valid Anthropic JSON.
        let again: Message = serde_json::from_value(serde_json::to_value(&message).unwrap()).unwrap();
        assert_eq!(again, message, "{}", e.file);
        checked += 1;
    }
    if !exchanges().is_empty() {
        assert_eq!(checked, 11, "whole replies");
    }
}

#[test]
fn recorded_streams_convert_and_accumulate_to_the_whole_reply() {
    let mut checked = 0;
    for e in exchanges().into_iter().filter(|e| e.stream) {
        let bytes = e.response.body_bytes().unwrap();
        let frames = decode_frames([bytes.as_slice()]);
        assert!(frames.len() > 3, "{}: frames", e.file);
        let model = model_from_path(&e.request.path);
        let events = convert_frames(&frames, &model, Some("req-1"));
        let streamed = accumulate_checked(&e.file, &events);

        let native = fold_native(&frames);
        let reply: ConverseResponse = serde_json::from_value(native.clone()).unwrap();
        let whole = from_converse_response(
            &reply,
            ResponseMeta {
                model: &model,
                request_id: Some("req-1"),
            },
        )
        .unwrap();
        assert_eq!(streamed, whole, "{}", e.file);
        check_semantics(&e.file, &native, &streamed);
        checked += 1;
    }
    if !exchanges().is_empty() {
        assert_eq!(checked, 6, "streams");
    }
}

#[test]
fn recorded_errors_are_typed() {
    let mut checked = 0;
    for e in exchanges().into_iter().filter(|e| e.response.status != 200) {
        let body = e.response.body.clone().unwrap();
        let native: Value = serde_json::from_str(&body).unwrap();
        let err = classify_error(
            e.response.status,
            e.response.header("x-amzn-errortype"),
            body.as_bytes(),
        );
        let expected = match e.response.status {
            400 => ErrorKind::InvalidRequest,
            404 => ErrorKind::NotFound,
            s => panic!("{}: status {s} not expected", e.file),
        };
        assert_eq!(err.kind, expected, "{}", e.file);
        assert_eq!(err.message, native["message"].as_str().unwrap(), "{}", e.file);
        assert!(err
            .code
            .as_deref()
            .is_some_and(|c| c.ends_with("Exception") && !c.contains(':')));
        checked += 1;
    }
    if !exchanges().is_empty() {
        assert_eq!(checked, 2, "errors");
    }
}
