//! Converse replies beyond the recordings, in the shapes of botocore's
//! `ConverseResponse`: reasoning with signatures, redacted reasoning,
//! citations, images, every stop reason, cache usage by TTL, and blocks that
//! have no Anthropic equivalent.

#![cfg(feature = "bedrock")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::bedrock::{message_from_slice, ResponseMeta};
use messages_convert::ConvertError;
use messages_types::{Citation, ContentBlock, ImageSource, Nullable, StopReason};
use serde_json::{json, Value};

fn reply(content: Value, stop: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15},
        "metrics": {"latencyMs": 1}
    }))
    .unwrap()
}

const META: ResponseMeta<'static> = ResponseMeta {
    model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    request_id: Some("abc"),
};

#[test]
fn rich_reply() {
    let body = reply(
        json!([
            {"reasoningContent": {"reasoningText": {"text": "thinking...", "signature": "sig=="}}},
            {"reasoningContent": {"redactedContent": "ZW5jcnlwdGVk"}},
            {"citationsContent": {"content": [{"text": "Paris is the capital."}], "citations": [
                {"title": "Atlas", "sourceContent": [{"text": "Paris, capital"}], "location": {"documentPage": {"documentIndex": 1, "start": 2, "end": 3}}},
                {"source": "https://example.com", "location": {"web": {"url": "https://example.com/p", "domain": "example.com"}}},
                {"location": {"somethingNew": {}}}
            ]}},
            {"image": {"format": "png", "source": {"bytes": "iVBORw0K"}}},
            {"toolUse": {"toolUseId": "tooluse_1", "name": "calc", "input": {"x": 1}}}
        ]),
        "tool_use",
    );
    let m = message_from_slice(&body, META).unwrap();
    assert_eq!(m.id, "msg_bdrk_abc");
    let kinds: Vec<&str> = m.content.iter().map(|b| b.type_name()).collect();
    assert_eq!(
        kinds,
        ["thinking", "redacted_thinking", "text", "image", "tool_use"]
    );
    let ContentBlock::Thinking(t) = &m.content[0] else {
        unreachable!()
    };
    assert_eq!(t.signature, "anyllm.bedrock.sig==");
    let ContentBlock::Text(text) = &m.content[2] else {
        unreachable!()
    };
    assert_eq!(text.text, "Paris is the capital.");
    let Nullable::Value(citations) = &text.citations else {
        panic!()
    };
    assert_eq!(
        citations.len(),
        2,
        "the unknown location is dropped, the others kept"
    );
    assert!(
        matches!(&citations[0], Citation::PageLocation(p) if p.document_index == 1 && p.cited_text == "Paris, capital")
    );
    assert!(
        matches!(&citations[1], Citation::WebSearchResultLocation(w) if w.url == "https://example.com/p")
    );
    let ContentBlock::Image(img) = &m.content[3] else {
        unreachable!()
    };
    assert!(matches!(&img.source, ImageSource::Base64(b) if b.media_type == "image/png"));
    // Strict on output: the message is valid Anthropic JSON.
    let v = serde_json::to_value(&m).unwrap();
    assert_eq!(
        v["content"][1],
        json!({"type": "redacted_thinking", "data": "anyllm.bedrock.ZW5jcnlwdGVk"})
    );
}

#[test]
fn every_stop_reason_stays_in_anthropic_vocabulary() {
    for (native, expected, details) in [
        ("end_turn", StopReason::EndTurn, false),
        ("tool_use", StopReason::ToolUse, false),
        ("max_tokens", StopReason::MaxTokens, false),
        ("stop_sequence", StopReason::StopSequence, false),
        ("guardrail_intervened", StopReason::Refusal, true),
        ("content_filtered", StopReason::Refusal, true),
        ("malformed_model_output", StopReason::EndTurn, false),
        ("malformed_tool_use", StopReason::EndTurn, false),
        (
            "model_context_window_exceeded",
            StopReason::ModelContextWindowExceeded,
            false,
        ),
        ("some_future_reason", StopReason::EndTurn, false),
    ] {
        let m = message_from_slice(&reply(json!([{"text": "x"}]), native), META).unwrap();
        assert_eq!(m.stop_reason, Some(expected), "{native}");
        assert_eq!(matches!(m.stop_details, Nullable::Value(_)), details, "{native}");
        let v = serde_json::to_value(&m).unwrap();
        let known = [
            "end_turn",
            "max_tokens",
            "stop_sequence",
            "tool_use",
            "pause_turn",
            "refusal",
            "model_context_window_exceeded",
        ];
        assert!(known.contains(&v["stop_reason"].as_str().unwrap()), "{native}");
    }
    // An unknown reason with a tool call reads as tool_use.
    let m = message_from_slice(
        &reply(
            json!([{"toolUse": {"toolUseId": "t", "name": "n", "input": {}}}]),
            "malformed_tool_use",
        ),
        META,
    )
    .unwrap();
    assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
}

#[test]
fn stop_sequence_named_by_additional_fields() {
    let mut v: Value = serde_json::from_slice(&reply(json!([{"text": "x"}]), "stop_sequence")).unwrap();
    v["additionalModelResponseFields"] = json!({"stop_sequence": "###"});
    let m = message_from_slice(&serde_json::to_vec(&v).unwrap(), META).unwrap();
    assert_eq!(m.stop_sequence.as_deref(), Some("###"));
}

#[test]
fn cache_usage_by_ttl() {
    let body = serde_json::to_vec(&json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "x"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 1507, "cacheReadInputTokens": 500,
            "cacheWriteInputTokens": 1000, "cacheDetails": [{"ttl": "5m", "inputTokens": 400}, {"ttl": "1h", "inputTokens": 600}]}
    }))
    .unwrap();
    let u = message_from_slice(&body, META).unwrap().usage;
    assert_eq!((u.input_tokens, u.output_tokens), (Some(3), Some(4)));
    assert_eq!(
        (u.cache_read_input_tokens, u.cache_creation_input_tokens),
        (Some(500), Some(1000))
    );
    let c = u.cache_creation.unwrap();
    assert_eq!(
        (c.ephemeral_5m_input_tokens, c.ephemeral_1h_input_tokens),
        (400, 600)
    );
}

#[test]
fn blocks_without_an_equivalent_are_errors_not_drops() {
    for block in [
        json!({"document": {"format": "pdf", "name": "x", "source": {"bytes": "AA=="}}}),
        json!({"guardContent": {"text": {"text": "x"}}}),
        json!({"brandNewMember": {}}),
        json!({}),
    ] {
        let err = message_from_slice(&reply(json!([block]), "end_turn"), META).unwrap_err();
        assert!(matches!(err, ConvertError::Invalid { .. }), "{block}: {err}");
    }
    let err = message_from_slice(b"<html>", META).unwrap_err();
    assert!(matches!(err, ConvertError::Decode { .. }));
}
