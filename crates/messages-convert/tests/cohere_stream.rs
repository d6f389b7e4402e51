//! Cohere stream conversion on hand-written streams (event shapes from the
//! Cohere Python SDK's `v2/types/v2chat_stream_response.py`, as in the
//! recordings): chunk-split invariance (proptest, through
//! `messages_http::SseParser`), document citations, the skip rule for
//! `debug` / unknown events, errors on a 200 stream, and error bodies.
#![cfg(feature = "cohere")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod family_support;

use family_support::{accumulate, split_at};
use messages_convert::cohere::{error_response, parse_response, CohereStreamConverter, ResponseContext};
use messages_http::SseParser;
use messages_types::grammar::validate_stream;
use messages_types::{Citation, ContentBlock, ContentDelta, ErrorKind, Nullable, StopReason, StreamEvent};
use proptest::prelude::*;

const DOC: &str = "The grass is green. The sky is blue.";

/// A stream with thinking, a cited text part, a `debug` and an unknown event,
/// then (second reply) a tool plan and a tool call.
fn cited_stream() -> String {
    let events = [
        ("message-start", r#"{"id":"g1","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_calls":[],"citations":[],"tool_plan":""}}}"#.to_owned()),
        ("debug", r#"{"type":"debug","prompt":"<secret prompt>"}"#.to_owned()),
        ("content-start", r#"{"index":0,"type":"content-start","delta":{"message":{"content":{"type":"thinking","thinking":""}}}}"#.to_owned()),
        ("content-delta", r#"{"index":0,"type":"content-delta","delta":{"message":{"content":{"thinking":"Look it up."}}}}"#.to_owned()),
        ("content-end", r#"{"index":0,"type":"content-end"}"#.to_owned()),
        ("content-start", r#"{"index":1,"type":"content-start","delta":{"message":{"content":{"type":"text","text":""}}}}"#.to_owned()),
        ("content-delta", r#"{"index":1,"type":"content-delta","delta":{"message":{"content":{"text":"It is "}}}}"#.to_owned()),
        ("content-delta", r#"{"index":1,"type":"content-delta","delta":{"message":{"content":{"text":"green."}}}}"#.to_owned()),
        ("future-event", r#"{"type":"future-event","delta":{"x":1}}"#.to_owned()),
        ("citation-start", format!(r#"{{"index":0,"type":"citation-start","delta":{{"message":{{"citations":{{"start":6,"end":12,"text":"green.","content_index":1,"type":"TEXT_CONTENT","sources":[{{"type":"document","id":"doc_0","document":{{"id":"doc_0","text":"{DOC}","title":"Facts"}}}},{{"type":"tool","id":"t:0","tool_output":{{"x":1}}}}]}}}}}}}}"#)),
        ("citation-end", r#"{"index":0,"type":"citation-end"}"#.to_owned()),
        ("content-end", r#"{"index":1,"type":"content-end"}"#.to_owned()),
        ("message-end", r#"{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":10,"output_tokens":4},"tokens":{"input_tokens":30,"output_tokens":8,"reasoning_tokens":3},"cached_tokens":16}}}"#.to_owned()),
    ];
    let mut s = String::new();
    for (name, data) in events {
        s.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    }
    s.push_str("data: [DONE]\n\n");
    s
}

fn tool_stream() -> String {
    let events = [
        r#"{"id":"g2","type":"message-start","delta":{"message":{"role":"assistant"}}}"#,
        r#"{"type":"tool-plan-delta","delta":{"message":{"tool_plan":"I will "}}}"#,
        r#"{"type":"tool-plan-delta","delta":{"message":{"tool_plan":"subtract."}}}"#,
        r#"{"index":0,"type":"tool-call-start","delta":{"message":{"tool_calls":{"id":"call_x","type":"function","function":{"name":"subtract","arguments":""}}}}}"#,
        r#"{"index":0,"type":"tool-call-delta","delta":{"message":{"tool_calls":{"function":{"arguments":"{\"x\": 2,"}}}}}"#,
        r#"{"index":0,"type":"tool-call-delta","delta":{"message":{"tool_calls":{"function":{"arguments":" \"y\": 5}"}}}}}"#,
        r#"{"index":0,"type":"tool-call-end"}"#,
        r#"{"index":1,"type":"tool-call-start","delta":{"message":{"tool_calls":{"type":"function","function":{"name":"add","arguments":"{}"}}}}}"#,
        r#"{"index":1,"type":"tool-call-end"}"#,
        r#"{"type":"message-end","delta":{"finish_reason":"TOOL_CALL","usage":{"tokens":{"input_tokens":5,"output_tokens":7}}}}"#,
    ];
    // No `event:` lines: the type comes from the payload.
    events.iter().map(|d| format!("data: {d}\n\n")).collect()
}

fn ctx() -> ResponseContext<'static> {
    ResponseContext::new("command-a-03-2025")
}

fn convert_chunks(chunks: &[&[u8]]) -> Vec<StreamEvent> {
    let mut parser = SseParser::new();
    let mut conv = CohereStreamConverter::new(&ctx());
    let mut out = Vec::new();
    let mut drain = |parser: &mut SseParser, out: &mut Vec<StreamEvent>| {
        while let Some(e) = parser.next_event().unwrap() {
            conv.push(e.event.as_deref(), &e.data, out).unwrap();
        }
    };
    for c in chunks {
        parser.feed(c);
        drain(&mut parser, &mut out);
    }
    parser.finish();
    drain(&mut parser, &mut out);
    out
}

fn convert(body: &str) -> Vec<StreamEvent> {
    let mut out = convert_chunks(&[body.as_bytes()]);
    assert!(!out.is_empty());
    // `finish` after the end changes nothing.
    let mut conv = CohereStreamConverter::new(&ctx());
    conv.finish(&mut out).unwrap();
    out
}

#[test]
fn document_citations_become_citation_deltas_and_match_the_whole_response() {
    let out = convert(&cited_stream());
    validate_stream(&out).unwrap();
    let cites: Vec<&Citation> = out
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ContentBlockDelta(d) => match &d.delta {
                ContentDelta::CitationsDelta(c) => Some(&c.citation),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(
        cites.len(),
        1,
        "the tool source is dropped, the document source kept"
    );
    let Citation::CharLocation(loc) = cites[0] else {
        panic!()
    };
    assert_eq!(
        (
            loc.document_index,
            loc.start_char_index,
            loc.end_char_index,
            loc.cited_text.as_str()
        ),
        (0, 13, 19, "green.")
    );
    assert_eq!(loc.document_title, Nullable::Value("Facts".to_owned()));
    let streamed = accumulate(&out);
    let whole_body = format!(
        r#"{{"id":"g1","finish_reason":"COMPLETE","message":{{"role":"assistant",
        "content":[{{"type":"thinking","thinking":"Look it up."}},{{"type":"text","text":"It is green."}}],
        "citations":[{{"start":6,"end":12,"text":"green.","content_index":1,"type":"TEXT_CONTENT",
          "sources":[{{"type":"document","id":"doc_0","document":{{"id":"doc_0","text":"{DOC}","title":"Facts"}}}},{{"type":"tool","id":"t:0","tool_output":{{"x":1}}}}]}}]}},
        "usage":{{"billed_units":{{"input_tokens":10,"output_tokens":4}},"tokens":{{"input_tokens":30,"output_tokens":8,"reasoning_tokens":3}},"cached_tokens":16}}}}"#
    );
    let whole = parse_response(whole_body.as_bytes(), &ctx()).unwrap();
    assert_eq!(streamed, whole);
    let ContentBlock::Text(t) = &whole.content[1] else {
        panic!()
    };
    assert_eq!(t.citations.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        whole
            .usage
            .output_tokens_details
            .as_ref()
            .unwrap()
            .thinking_tokens,
        Some(3)
    );
    assert_eq!(whole.usage.extra["cached_tokens"], 16);
    // The debug event's prompt never reaches the output.
    assert!(!format!("{out:?}").contains("secret prompt"));
}

#[test]
fn tool_plan_and_tool_calls_without_event_names() {
    let out = convert(&tool_stream());
    validate_stream(&out).unwrap();
    let m = accumulate(&out);
    assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
    let ContentBlock::Text(plan) = &m.content[0] else {
        panic!()
    };
    assert_eq!(plan.text, "I will subtract.");
    let ContentBlock::ToolUse(a) = &m.content[1] else {
        panic!()
    };
    assert_eq!(
        (a.id.as_str(), a.input.clone()),
        ("call_x", serde_json::json!({"x": 2, "y": 5}))
    );
    let ContentBlock::ToolUse(b) = &m.content[2] else {
        panic!()
    };
    assert_eq!((b.id.as_str(), b.name.as_str()), ("call_1", "add"));
}

fn last_error(out: &[StreamEvent]) -> (ErrorKind, String) {
    match out.last() {
        Some(StreamEvent::Error(e)) => (e.error.kind.clone(), e.error.message.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn errors_on_a_200_stream_end_it_with_a_typed_error_event() {
    let head = "event: message-start\ndata: {\"id\":\"g\",\"type\":\"message-start\"}\n\n\
                data: {\"index\":0,\"type\":\"content-start\",\"delta\":{\"message\":{\"content\":{\"type\":\"text\",\"text\":\"Hi\"}}}}\n\n";
    let cases = [
        (
            r#"{"type":"message-end","delta":{"error":"internal failure"}}"#,
            ErrorKind::Api,
            "internal failure",
        ),
        (
            r#"{"type":"message-end","delta":{"finish_reason":"ERROR"}}"#,
            ErrorKind::Api,
            "Cohere ended the generation with ERROR",
        ),
        (
            r#"{"type":"message-end","delta":{"finish_reason":"TIMEOUT"}}"#,
            ErrorKind::Timeout,
            "Cohere ended the generation with TIMEOUT",
        ),
    ];
    for (end, kind, message) in cases {
        let out = convert(&format!("{head}data: {end}\n\ndata: [DONE]\n\n"));
        validate_stream(&out).unwrap();
        assert_eq!(
            out.iter()
                .filter(|e| e.type_name() == "content_block_delta")
                .count(),
            1
        );
        assert_eq!(last_error(&out), (kind, message.to_owned()));
    }
}

#[test]
fn a_whole_response_that_failed_is_not_a_message() {
    let body = br#"{"id":"g","finish_reason":"ERROR","message":{"role":"assistant","content":[]}}"#;
    assert!(parse_response(body, &ctx())
        .unwrap_err()
        .to_string()
        .contains("ERROR"));
}

#[test]
fn stop_sequence_is_named_when_only_one_was_requested() {
    let body = br#"{"id":"g","finish_reason":"STOP_SEQUENCE","message":{"role":"assistant","content":[{"type":"text","text":"1, 2"}]}}"#;
    let one = ["3".to_owned()];
    let m = parse_response(
        body,
        &ResponseContext {
            model: "m",
            stop_sequences: &one,
        },
    )
    .unwrap();
    assert_eq!(
        (m.stop_reason, m.stop_sequence.as_deref()),
        (Some(StopReason::StopSequence), Some("3"))
    );
    let two = ["3".to_owned(), "4".to_owned()];
    let m = parse_response(
        body,
        &ResponseContext {
            model: "m",
            stop_sequences: &two,
        },
    )
    .unwrap();
    assert_eq!(m.stop_sequence, None);
}

#[test]
fn error_bodies_are_typed() {
    for (status, kind) in [
        (400, ErrorKind::InvalidRequest),
        (401, ErrorKind::Authentication),
        (422, ErrorKind::Unprocessable),
        (429, ErrorKind::RateLimit),
        (498, ErrorKind::Authentication),
        (499, ErrorKind::Api),
        (500, ErrorKind::Api),
        (503, ErrorKind::Overloaded),
        (504, ErrorKind::Timeout),
    ] {
        let e = error_response(status, br#"{"message":"boom","id":"req-1"}"#);
        assert_eq!(
            (e.error.kind, e.error.message.as_str()),
            (kind, "boom"),
            "{status}"
        );
        assert_eq!(e.error.extra["id"], "req-1");
    }
    assert_eq!(
        error_response(499, br#"{"message":"cancelled"}"#).error.extra["status"],
        499
    );
}

#[test]
fn garbage_payloads_are_typed_errors_not_panics() {
    let mut conv = CohereStreamConverter::new(&ctx());
    let mut out = Vec::new();
    assert!(conv.push(Some("content-delta"), b"{not json", &mut out).is_err());
    assert!(conv.push(None, b"[1,2]", &mut out).is_err());
}

proptest! {
    #[test]
    fn chunking_does_not_change_the_events(cuts in proptest::collection::vec(0usize..4000, 0..12), which in 0usize..2) {
        let body = if which == 0 { cited_stream() } else { tool_stream() };
        let bytes = body.as_bytes();
        let chunks = split_at(bytes, &cuts);
        prop_assert_eq!(convert_chunks(&chunks), convert_chunks(&[bytes]));
    }

    #[test]
    fn arbitrary_payloads_never_panic(payloads in proptest::collection::vec((proptest::option::of("[a-z-]{0,16}"), proptest::collection::vec(any::<u8>(), 0..64)), 0..8)) {
        let mut conv = CohereStreamConverter::new(&ctx());
        let mut out = Vec::new();
        for (name, data) in &payloads {
            let _ = conv.push(name.as_deref(), data, &mut out);
        }
        let _ = conv.finish(&mut out);
    }
}

/// Main's tool-argument rule: arguments are repaired only when the reply
/// stopped at the token limit; invalid arguments in a complete reply are
/// `InvalidToolArguments`, never a silently emptied input.
#[test]
fn tool_arguments_are_repaired_only_at_the_token_limit() {
    let body = |finish: &str| {
        format!(
            r#"{{"id":"g","finish_reason":"{finish}","message":{{"role":"assistant",
            "tool_calls":[{{"id":"c1","type":"function","function":{{"name":"f","arguments":"{{\"a\": 1, \"b\": tru"}}}}]}}}}"#
        )
    };
    let m = parse_response(body("MAX_TOKENS").as_bytes(), &ctx()).unwrap();
    assert_eq!(m.stop_reason, Some(StopReason::MaxTokens));
    let ContentBlock::ToolUse(t) = &m.content[0] else {
        panic!("{m:?}")
    };
    assert_eq!(t.input, serde_json::json!({"a": 1}));
    let err = parse_response(body("TOOL_CALL").as_bytes(), &ctx()).unwrap_err();
    assert!(
        matches!(&err, messages_convert::ConvertError::InvalidToolArguments { id, name, .. } if id == "c1" && name == "f"),
        "{err:?}"
    );
}

/// Main's rule: a stream that never says why it stopped (no `message-end`)
/// ends with an error event after the events already delivered.
#[test]
fn a_stream_without_message_end_ends_with_an_error() {
    let cut: String = cited_stream()
        .split("\n\n")
        .filter(|e| !e.contains("message-end") && !e.contains("[DONE]"))
        .map(|e| format!("{e}\n\n"))
        .collect();
    let mut parser = SseParser::new();
    parser.feed(cut.as_bytes());
    parser.finish();
    let mut conv = CohereStreamConverter::new(&ctx());
    let mut out = Vec::new();
    while let Some(e) = parser.next_event().unwrap() {
        conv.push(e.event.as_deref(), &e.data, &mut out).unwrap();
    }
    conv.finish(&mut out).unwrap();
    validate_stream(&out).unwrap();
    assert!(out.iter().any(|e| e.type_name() == "content_block_delta"));
    let (kind, message) = last_error(&out);
    assert_eq!(kind, ErrorKind::Api);
    assert!(message.contains("message-end"), "{message}");
}
