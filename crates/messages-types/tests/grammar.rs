//! The event grammar: what it accepts and what it rejects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_types::grammar::{validate_stream, EventGrammar, Violation};
use messages_types::StreamEvent;
use serde_json::{json, Value};

fn ev(v: Value) -> StreamEvent {
    serde_json::from_value(v).unwrap()
}
fn start() -> StreamEvent {
    ev(
        json!({"type":"message_start","message":{"id":"m","type":"message","role":"assistant",
        "model":"x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{}}}),
    )
}
fn block(i: usize, kind: &str) -> StreamEvent {
    let b = match kind {
        "text" => json!({"type":"text","text":""}),
        "tool_use" => json!({"type":"tool_use","id":"t","name":"f","input":{}}),
        "server_tool_use" => json!({"type":"server_tool_use","id":"t","name":"web_search","input":{}}),
        "thinking" => json!({"type":"thinking","thinking":"","signature":""}),
        "redacted_thinking" => json!({"type":"redacted_thinking","data":"x"}),
        "web_search_tool_result" => json!({"type":kind,"tool_use_id":"t","content":[]}),
        other => json!({"type":other}),
    };
    ev(json!({"type":"content_block_start","index":i,"content_block":b}))
}
fn delta(i: usize, kind: &str) -> StreamEvent {
    let d = match kind {
        "text_delta" => json!({"type":kind,"text":"a"}),
        "input_json_delta" => json!({"type":kind,"partial_json":"{"}),
        "thinking_delta" => json!({"type":kind,"thinking":"a"}),
        "signature_delta" => json!({"type":kind,"signature":"a"}),
        "citations_delta" => json!({"type":kind,"citation":{"type":"char_location","cited_text":"a",
            "document_index":0,"document_title":null,"start_char_index":0,"end_char_index":1}}),
        other => json!({"type":other}),
    };
    ev(json!({"type":"content_block_delta","index":i,"delta":d}))
}
fn stop(i: usize) -> StreamEvent {
    ev(json!({"type":"content_block_stop","index":i}))
}
fn mdelta() -> StreamEvent {
    ev(json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}))
}
fn mstop() -> StreamEvent {
    ev(json!({"type":"message_stop"}))
}
fn ping() -> StreamEvent {
    ev(json!({"type":"ping"}))
}
fn error() -> StreamEvent {
    ev(json!({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}))
}

fn violation(events: &[StreamEvent]) -> (usize, Violation) {
    let e = validate_stream(events).unwrap_err();
    (e.position, e.violation)
}

#[test]
fn accepts_well_formed_streams() {
    let ok: Vec<Vec<StreamEvent>> = vec![
        vec![start(), mdelta(), mstop()],
        vec![
            ping(),
            start(),
            ping(),
            block(0, "text"),
            ping(),
            delta(0, "text_delta"),
            delta(0, "citations_delta"),
            stop(0),
            ping(),
            mdelta(),
            ping(),
            mstop(),
        ],
        vec![
            start(),
            block(0, "thinking"),
            delta(0, "thinking_delta"),
            delta(0, "signature_delta"),
            stop(0),
            block(1, "redacted_thinking"),
            stop(1),
            block(2, "server_tool_use"),
            delta(2, "input_json_delta"),
            stop(2),
            block(3, "web_search_tool_result"),
            stop(3),
            block(4, "tool_use"),
            stop(4),
            mdelta(),
            mstop(),
        ],
        // Interleaved parallel tool calls (converted streams; Anthropic never does this).
        vec![
            start(),
            block(0, "tool_use"),
            block(1, "tool_use"),
            delta(1, "input_json_delta"),
            delta(0, "input_json_delta"),
            stop(1),
            stop(0),
            mdelta(),
            mstop(),
        ],
        // Forward compatibility.
        vec![
            start(),
            ev(json!({"type":"future_event"})),
            block(0, "mcp_tool_use"),
            delta(0, "input_json_delta"),
            delta(0, "future_delta"),
            stop(0),
            mdelta(),
            mdelta(),
            mstop(),
        ],
        // An error ends the stream at any point.
        vec![error()],
        vec![start(), block(0, "text"), delta(0, "text_delta"), error()],
    ];
    for events in ok {
        validate_stream(&events).unwrap_or_else(|e| panic!("{e}: {events:?}"));
    }
}

#[test]
fn rejects_every_violation_at_the_right_event() {
    use Violation::*;
    assert_eq!(violation(&[block(0, "text")]), (0, NotStarted));
    assert_eq!(violation(&[ping(), mstop()]), (1, NotStarted));
    assert_eq!(violation(&[start(), start()]), (1, DuplicateMessageStart));
    assert_eq!(
        violation(&[start(), block(1, "text")]),
        (
            1,
            UnexpectedBlockIndex {
                expected: 0,
                found: 1
            }
        )
    );
    assert_eq!(
        violation(&[start(), block(0, "text"), stop(0), block(0, "text")]),
        (
            3,
            UnexpectedBlockIndex {
                expected: 1,
                found: 0
            }
        )
    );
    assert_eq!(
        violation(&[start(), delta(0, "text_delta")]),
        (1, NoSuchBlock { index: 0 })
    );
    assert_eq!(violation(&[start(), stop(0)]), (1, NoSuchBlock { index: 0 }));
    assert_eq!(
        violation(&[start(), block(0, "text"), stop(0), delta(0, "text_delta")]),
        (3, BlockStopped { index: 0 })
    );
    assert_eq!(
        violation(&[start(), block(0, "text"), stop(0), stop(0)]),
        (3, BlockStopped { index: 0 })
    );
    for (b, d) in [
        ("text", "input_json_delta"),
        ("text", "thinking_delta"),
        ("tool_use", "text_delta"),
        ("tool_use", "citations_delta"),
        ("thinking", "text_delta"),
        ("thinking", "input_json_delta"),
        ("redacted_thinking", "signature_delta"),
        ("web_search_tool_result", "text_delta"),
    ] {
        let (pos, v) = violation(&[start(), block(0, b), delta(0, d)]);
        assert_eq!(pos, 2);
        assert!(matches!(v, DeltaMismatch { index: 0, .. }), "{b} {d}: {v:?}");
    }
    assert_eq!(
        violation(&[start(), block(0, "text"), mdelta()]),
        (2, BlocksStillOpen { open: vec![0] })
    );
    assert_eq!(
        violation(&[start(), block(0, "text"), mstop()]),
        (2, BlocksStillOpen { open: vec![0] })
    );
    assert_eq!(
        violation(&[start(), mdelta(), block(0, "text")]),
        (2, BlockAfterMessageDelta)
    );
    assert_eq!(violation(&[start(), mstop()]), (1, MissingMessageDelta));
    assert_eq!(violation(&[start(), mdelta(), mstop(), ping()]), (3, AfterEnd));
    assert_eq!(violation(&[error(), start()]), (1, AfterEnd));
    assert_eq!(violation(&[start(), mdelta()]), (2, Unterminated));
    assert_eq!(violation(&[]), (0, Unterminated));
}

#[test]
fn incremental_api_reports_position_and_event() {
    let mut g = EventGrammar::new();
    g.push(&start()).unwrap();
    g.push(&ping()).unwrap();
    let e = g.push(&stop(5)).unwrap_err();
    assert_eq!((e.position, e.event.as_str()), (2, "content_block_stop"));
    assert_eq!(
        e.to_string(),
        "event #2 (content_block_stop): block 5 was never started"
    );
    assert_eq!(g.events_seen(), 3);
}
