//! ConverseStream conversion beyond the recordings (which hold no reasoning,
//! citations or exceptions): hand-written event sequences in the shapes of
//! botocore's `ConverseStreamOutput`, framed by the test's own encoder.
//!
//! * a stream with reasoning + signature, redacted reasoning, text, a tool
//!   call in fragments and cache usage converts to a valid sequence that
//!   accumulates to the whole-reply conversion of the same events folded;
//! * however the event-stream bytes are chunked, the events are the same
//!   (proptest);
//! * exceptions end the sequence with a typed `error` event after what was
//!   delivered; cut streams, usage before the stop, stop sequences, refusals
//!   and citations.

#![cfg(feature = "bedrock")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bedrock_support;

use messages_convert::bedrock::wire::ConverseResponse;
use messages_convert::bedrock::{from_converse_response, ConverseStreamConverter, ResponseMeta};
use messages_convert::ConvertError;
use messages_types::grammar::validate_stream;
use messages_types::{Citation, ContentBlock, ErrorKind, StopReason, StreamEvent};
use proptest::prelude::*;
use serde_json::json;

use bedrock_support::{accumulate_checked, convert_frames, decode_frames, encode_frames, fold_native, Frame};

const MODEL: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

fn ev(event_type: &str, payload: serde_json::Value) -> Frame {
    Frame::event(event_type, serde_json::to_vec(&payload).unwrap())
}

fn rich_stream() -> Vec<Frame> {
    vec![
        ev("messageStart", json!({"role": "assistant", "p": "abc"})),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Let me "}}}),
        ),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "think."}}}),
        ),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "EqQBCkYIBxgCKkB"}}}),
        ),
        ev("contentBlockStop", json!({"contentBlockIndex": 0})),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"reasoningContent": {"redactedContent": "EmwKAhgBEgy3va3p"}}}),
        ),
        ev("contentBlockStop", json!({"contentBlockIndex": 1})),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 2, "delta": {"text": "I'll check "}}),
        ),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 2, "delta": {"text": "the weather."}}),
        ),
        ev("contentBlockStop", json!({"contentBlockIndex": 2})),
        ev(
            "contentBlockStart",
            json!({"contentBlockIndex": 3, "start": {"toolUse": {"toolUseId": "tooluse_a", "name": "get_weather"}}}),
        ),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 3, "delta": {"toolUse": {"input": "{\"ci"}}}),
        ),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 3, "delta": {"toolUse": {"input": "ty\": \"Paris\"}"}}}),
        ),
        ev("contentBlockStop", json!({"contentBlockIndex": 3})),
        ev("messageStop", json!({"stopReason": "tool_use"})),
        ev(
            "metadata",
            json!({"usage": {"inputTokens": 12, "outputTokens": 40, "totalTokens": 152,
            "cacheReadInputTokens": 100, "cacheWriteInputTokens": 0}, "metrics": {"latencyMs": 321}}),
        ),
    ]
}

fn whole(frames: &[Frame]) -> messages_types::Message {
    let reply: ConverseResponse = serde_json::from_value(fold_native(frames)).unwrap();
    from_converse_response(
        &reply,
        ResponseMeta {
            model: MODEL,
            request_id: Some("req-9"),
        },
    )
    .unwrap()
}

#[test]
fn rich_stream_accumulates_to_the_whole_reply() {
    let frames = rich_stream();
    let decoded = decode_frames([encode_frames(&frames).as_slice()]);
    assert_eq!(decoded, frames);
    let events = convert_frames(&decoded, MODEL, Some("req-9"));
    let message = accumulate_checked("rich", &events);
    assert_eq!(message, whole(&frames));

    assert_eq!(message.id, "msg_bdrk_req-9");
    let kinds: Vec<&str> = message.content.iter().map(|b| b.type_name()).collect();
    assert_eq!(kinds, ["thinking", "redacted_thinking", "text", "tool_use"]);
    let ContentBlock::Thinking(t) = &message.content[0] else {
        unreachable!()
    };
    assert_eq!(
        (t.thinking.as_str(), t.signature.as_str()),
        ("Let me think.", "anyllm.bedrock.EqQBCkYIBxgCKkB")
    );
    let ContentBlock::RedactedThinking(r) = &message.content[1] else {
        unreachable!()
    };
    assert_eq!(r.data, "anyllm.bedrock.EmwKAhgBEgy3va3p");
    let ContentBlock::ToolUse(tu) = &message.content[3] else {
        unreachable!()
    };
    assert_eq!(tu.input, json!({"city": "Paris"}));
    assert_eq!(message.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(message.usage.cache_read_input_tokens, Some(100));
    assert_eq!(message.usage.output_tokens, Some(40));
    // message_delta carries the usage that came after messageStop.
    let delta = events.iter().find_map(|e| match e {
        StreamEvent::MessageDelta(d) => Some(d),
        _ => None,
    });
    assert_eq!(delta.unwrap().usage.input_tokens, Some(12));
}

proptest! {
    #[test]
    fn chunking_does_not_change_the_events(cuts in proptest::collection::vec(0usize..4096, 0..40)) {
        let frames = rich_stream();
        let wire = encode_frames(&frames);
        let expected = convert_frames(&decode_frames([wire.as_slice()]), MODEL, None);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (wire.len() + 1)).collect();
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut at = 0;
        for c in cuts {
            pieces.push(&wire[at..c]);
            at = c;
        }
        pieces.push(&wire[at..]);
        let got = convert_frames(&decode_frames(pieces), MODEL, None);
        prop_assert_eq!(got, expected);
    }
}

#[test]
fn exceptions_end_the_stream_after_what_was_delivered() {
    for (exception, kind) in [
        ("throttlingException", ErrorKind::RateLimit),
        ("validationException", ErrorKind::InvalidRequest),
        ("modelStreamErrorException", ErrorKind::Api),
        ("internalServerException", ErrorKind::Api),
        ("serviceUnavailableException", ErrorKind::Overloaded),
        ("modelTimeoutException", ErrorKind::Timeout),
    ] {
        let mut frames = rich_stream()[..9].to_vec();
        frames.push(Frame::exception(exception, br#"{"message":"it broke"}"#.to_vec()));
        frames.push(ev("contentBlockStop", json!({"contentBlockIndex": 2})));
        let events = convert_frames(&decode_frames([encode_frames(&frames).as_slice()]), MODEL, None);
        validate_stream(&events).unwrap_or_else(|e| panic!("{exception}: {e}"));
        let StreamEvent::Error(err) = events.last().unwrap() else {
            panic!("{exception}: {events:?}")
        };
        assert_eq!(
            (err.error.kind.clone(), err.error.message.as_str()),
            (kind, "it broke"),
            "{exception}"
        );
        // The text delivered before the exception is there.
        let texts = events
            .iter()
            .filter(|e| matches!(e, StreamEvent::ContentBlockDelta(_)))
            .count();
        assert!(texts >= 4, "{exception}: {events:?}");
    }
}

#[test]
fn an_exception_first_is_the_whole_stream() {
    let frames = [Frame::exception(
        "throttlingException",
        br#"{"message":"slow down"}"#.to_vec(),
    )];
    let events = convert_frames(&frames, MODEL, None);
    assert_eq!(events.len(), 1);
    assert!(matches!(&events[0], StreamEvent::Error(e) if e.error.kind == ErrorKind::RateLimit));
}

#[test]
fn cut_streams_and_missing_metadata() {
    // No messageStop: the stream was cut.
    let frames = rich_stream()[..9].to_vec();
    let events = convert_frames(&frames, MODEL, None);
    validate_stream(&events).unwrap();
    assert!(matches!(events.last(), Some(StreamEvent::Error(e)) if e.error.kind == ErrorKind::Api));

    // messageStop without metadata: finished at the end, without usage counts.
    let mut frames = rich_stream();
    frames.pop();
    let events = convert_frames(&frames, MODEL, None);
    let m = accumulate_checked("no metadata", &events);
    assert_eq!(m.stop_reason, Some(StopReason::ToolUse));

    // Nothing at all: nothing out.
    assert!(convert_frames(&[], MODEL, None).is_empty());
}

#[test]
fn usage_before_the_stop_still_gives_one_message_delta() {
    let mut frames = rich_stream();
    let metadata = frames.pop().unwrap();
    let stop = frames.pop().unwrap();
    frames.push(metadata);
    frames.push(stop);
    let events = convert_frames(&frames, MODEL, None);
    let m = accumulate_checked("metadata first", &events);
    assert_eq!(m.usage.output_tokens, Some(40));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, StreamEvent::MessageDelta(_)))
            .count(),
        1
    );
}

#[test]
fn stop_sequences_refusals_and_citations() {
    let text = |t: &str| {
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": t}}),
        )
    };
    let tail = |reason: serde_json::Value| {
        vec![
            ev("contentBlockStop", json!({"contentBlockIndex": 0})),
            ev("messageStop", reason),
            ev(
                "metadata",
                json!({"usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}}),
            ),
        ]
    };
    let mut frames = vec![ev("messageStart", json!({"role": "assistant"})), text("a")];
    frames.extend(tail(
        json!({"stopReason": "stop_sequence", "additionalModelResponseFields": {"stop_sequence": "END"}}),
    ));
    let m = accumulate_checked("stop_sequence", &convert_frames(&frames, MODEL, None));
    assert_eq!(
        (m.stop_reason.clone(), m.stop_sequence.as_deref()),
        (Some(StopReason::StopSequence), Some("END"))
    );
    assert_eq!(m, whole(&frames).clone_with_id(&m.id));

    let mut frames = vec![ev("messageStart", json!({"role": "assistant"})), text("a")];
    frames.extend(tail(json!({"stopReason": "guardrail_intervened"})));
    let m = accumulate_checked("guardrail", &convert_frames(&frames, MODEL, None));
    assert_eq!(m.stop_reason, Some(StopReason::Refusal));

    let mut frames = vec![
        ev("messageStart", json!({"role": "assistant"})),
        text("Paris is in France."),
    ];
    frames.push(ev(
        "contentBlockDelta",
        json!({"contentBlockIndex": 0, "delta": {"citation": {
        "title": "Atlas", "sourceContent": [{"text": "Paris, capital of France"}],
        "location": {"documentChar": {"documentIndex": 0, "start": 10, "end": 34}}}}}),
    ));
    frames.extend(tail(json!({"stopReason": "end_turn"})));
    let m = accumulate_checked("citations", &convert_frames(&frames, MODEL, None));
    let ContentBlock::Text(t) = &m.content[0] else {
        panic!()
    };
    let citations = t.citations.as_ref().unwrap();
    let Citation::CharLocation(c) = &citations[0] else {
        panic!("{citations:?}")
    };
    assert_eq!(
        (c.cited_text.as_str(), c.start_char_index, c.end_char_index),
        ("Paris, capital of France", 10, 34)
    );
}

#[test]
fn server_tool_calls_arrive_whole() {
    let frames = vec![
        ev("messageStart", json!({"role": "assistant"})),
        ev(
            "contentBlockStart",
            json!({"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "srv_1", "name": "nova_grounding", "type": "server_tool_use"}}}),
        ),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": "{\"query\":"}}}),
        ),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": " \"rust\"}"}}}),
        ),
        ev("contentBlockStop", json!({"contentBlockIndex": 0})),
        ev(
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"text": "Found it."}}),
        ),
        ev("contentBlockStop", json!({"contentBlockIndex": 1})),
        ev("messageStop", json!({"stopReason": "end_turn"})),
        ev(
            "metadata",
            json!({"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}}),
        ),
    ];
    let m = accumulate_checked("server tool", &convert_frames(&frames, MODEL, Some("req-9")));
    assert_eq!(m, whole(&frames));
    let ContentBlock::ServerToolUse(s) = &m.content[0] else {
        panic!("{:?}", m.content)
    };
    assert_eq!((s.id.as_str(), &s.input), ("srv_1", &json!({"query": "rust"})));
}

#[test]
fn blocks_without_an_anthropic_equivalent_are_errors() {
    let mut conv = ConverseStreamConverter::new(MODEL, None);
    let mut out = Vec::new();
    conv.push("event", "messageStart", br#"{"role":"assistant"}"#, &mut out)
        .unwrap();
    let err = conv
        .push(
            "event",
            "contentBlockStart",
            br#"{"contentBlockIndex":0,"start":{"image":{"format":"png"}}}"#,
            &mut out,
        )
        .unwrap_err();
    assert!(
        matches!(&err, ConvertError::Invalid { message, .. } if message.contains("image")),
        "{err}"
    );
    let err = conv
        .push("event", "contentBlockDelta", b"{not json", &mut out)
        .unwrap_err();
    assert!(matches!(err, ConvertError::Decode { .. }));
    // Unknown event types are skipped.
    conv.push("event", "somethingNew", b"{}", &mut out).unwrap();
}

trait WithId {
    fn clone_with_id(&self, id: &str) -> Self;
}

impl WithId for messages_types::Message {
    fn clone_with_id(&self, id: &str) -> Self {
        let mut m = self.clone();
        m.id = id.to_owned();
        m
    }
}

/// The convention's face: both Bedrock converters take `Frame::AwsEvent`,
/// push an exception as an Anthropic `error` event, refuse other frame
/// kinds, and end a cut stream with an error event.
#[test]
fn stream_converters_follow_the_convention() {
    use messages_convert::bedrock::{self, invoke};
    use messages_convert::{Frame, StreamConverter};

    let mut converse: Box<dyn StreamConverter> =
        Box::new(bedrock::stream("amazon.nova-lite-v1:0", Some("r1")));
    let mut out = Vec::new();
    for (message_type, event_type, payload) in [
        ("event", "messageStart", &br#"{"role":"assistant"}"#[..]),
        (
            "event",
            "contentBlockDelta",
            br#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#,
        ),
        (
            "exception",
            "modelStreamErrorException",
            br#"{"message":"model failed"}"#,
        ),
    ] {
        converse
            .on_frame(
                Frame::AwsEvent {
                    message_type,
                    event_type,
                    payload,
                },
                &mut out,
            )
            .unwrap();
    }
    converse.finish(&mut out).unwrap();
    let StreamEvent::Error(e) = out.last().unwrap() else {
        panic!("{out:?}")
    };
    assert_eq!(e.error.message, "model failed");
    assert!(matches!(
        converse.on_frame(Frame::Line(b"{}"), &mut Vec::new()),
        Err(ConvertError::Invalid { .. })
    ));
    assert_eq!(bedrock::FRAMING, messages_convert::Framing::AwsEventStream);

    // InvokeModel: a stream cut after message_start ends with an api_error event.
    let mut inv: Box<dyn StreamConverter> = Box::new(invoke::stream());
    let mut out = Vec::new();
    let start = r#"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}"#;
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, start);
    let payload = serde_json::to_vec(&json!({ "bytes": b64 })).unwrap();
    inv.on_frame(
        Frame::AwsEvent {
            message_type: "event",
            event_type: "chunk",
            payload: &payload,
        },
        &mut out,
    )
    .unwrap();
    inv.finish(&mut out).unwrap();
    let names: Vec<&str> = out.iter().map(StreamEvent::type_name).collect();
    assert_eq!(names, ["message_start", "error"]);
    assert!(matches!(
        inv.on_frame(
            Frame::Sse {
                event: None,
                data: b"{}"
            },
            &mut Vec::new()
        ),
        Err(ConvertError::Invalid { .. })
    ));
}
