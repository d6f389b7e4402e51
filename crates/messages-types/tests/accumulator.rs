//! The accumulator's rules and every typed error it can return.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_types::accumulate::{AccumulateError, MessageAccumulator};
use messages_types::partial_json::PartialMode;
use messages_types::{ContentBlock, ErrorKind, Nullable, StopReason, StreamEvent};
use serde_json::{json, Value};

fn ev(v: Value) -> StreamEvent {
    serde_json::from_value(v).unwrap()
}

fn start() -> StreamEvent {
    ev(
        json!({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",
        "model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,
        "usage":{"input_tokens":10,"output_tokens":1,"cache_read_input_tokens":4}}}),
    )
}

fn block(index: usize, block: Value) -> StreamEvent {
    ev(json!({"type":"content_block_start","index":index,"content_block":block}))
}

fn delta(index: usize, delta: Value) -> StreamEvent {
    ev(json!({"type":"content_block_delta","index":index,"delta":delta}))
}

fn text(index: usize, t: &str) -> StreamEvent {
    delta(index, json!({"type":"text_delta","text":t}))
}

fn json_frag(index: usize, j: &str) -> StreamEvent {
    delta(index, json!({"type":"input_json_delta","partial_json":j}))
}

fn stop(index: usize) -> StreamEvent {
    ev(json!({"type":"content_block_stop","index":index}))
}

fn mdelta(v: Value) -> StreamEvent {
    ev(v)
}

fn mstop() -> StreamEvent {
    ev(json!({"type":"message_stop"}))
}

fn run(events: &[StreamEvent]) -> Result<MessageAccumulator, AccumulateError> {
    let mut acc = MessageAccumulator::new();
    for e in events {
        acc.push(e)?;
    }
    Ok(acc)
}

fn tool_block(i: usize) -> StreamEvent {
    block(
        i,
        json!({"type":"tool_use","id":format!("toolu_{i}"),"name":"f","input":{}}),
    )
}

#[test]
fn folds_text_thinking_tools_citations_and_usage() {
    let cite = json!({"type":"char_location","cited_text":"x","document_index":0,
        "document_title":null,"start_char_index":0,"end_char_index":1});
    let events = [
        start(),
        ev(json!({"type":"ping"})),
        block(0, json!({"type":"thinking","thinking":"","signature":""})),
        delta(0, json!({"type":"thinking_delta","thinking":"Let me "})),
        delta(0, json!({"type":"thinking_delta","thinking":"think."})),
        delta(0, json!({"type":"signature_delta","signature":"sig-A"})),
        delta(0, json!({"type":"signature_delta","signature":"sig-B"})),
        stop(0),
        block(1, json!({"type":"text","text":"","citations":null})),
        text(1, "Hello"),
        delta(1, json!({"type":"citations_delta","citation":cite})),
        text(1, ", world"),
        stop(1),
        tool_block(2),
        json_frag(2, ""),
        json_frag(2, "{\"a\": [1, "),
        json_frag(2, "2], \"b\": \"x\"}"),
        stop(2),
        tool_block(3),
        json_frag(3, ""),
        stop(3),
        mdelta(
            json!({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},
            "usage":{"output_tokens":42,"server_tool_use":{"web_search_requests":1}},
            "context_management":{"applied_edits":[]}}),
        ),
        mstop(),
    ];
    let m = run(&events).unwrap().finish().unwrap();
    let th = m.content[0].as_thinking().unwrap();
    assert_eq!(
        (th.thinking.as_str(), th.signature.as_str()),
        ("Let me think.", "sig-B")
    );
    let t = m.content[1].as_text().unwrap();
    assert_eq!(t.text, "Hello, world");
    assert_eq!(t.citations.as_ref().unwrap().len(), 1);
    assert_eq!(
        m.content[2].as_tool_use().unwrap().input,
        json!({"a":[1,2],"b":"x"})
    );
    assert_eq!(
        m.content[3].as_tool_use().unwrap().input,
        json!({}),
        "zero-argument tool"
    );
    assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(m.usage.input_tokens, Some(10), "kept from message_start");
    assert_eq!(m.usage.cache_read_input_tokens, Some(4));
    assert_eq!(m.usage.output_tokens, Some(42), "overwritten");
    assert_eq!(
        m.usage.server_tool_use.as_ref().unwrap().web_search_requests,
        Some(1)
    );
    assert_eq!(m.extra["context_management"], json!({"applied_edits":[]}));
}

#[test]
fn live_snapshot_shows_partial_tool_input() {
    let mut acc = MessageAccumulator::new();
    for e in [
        start(),
        tool_block(0),
        json_frag(0, "{\"city\": \"Pa"),
        json_frag(0, "ris\", \"n\": 1"),
    ] {
        acc.push(&e).unwrap();
    }
    let input = &acc.snapshot().unwrap().content[0].as_tool_use().unwrap().input;
    assert_eq!(input, &json!({"city":"Paris","n":1}));

    let mut acc = MessageAccumulator::new().partial_mode(PartialMode::TrailingStrings);
    for e in [start(), tool_block(0), json_frag(0, "{\"city\": \"Pa")] {
        acc.push(&e).unwrap();
    }
    let input = &acc.snapshot().unwrap().content[0].as_tool_use().unwrap().input;
    assert_eq!(input, &json!({"city":"Pa"}));

    let mut acc = MessageAccumulator::new().live_tool_inputs(false);
    for e in [start(), tool_block(0), json_frag(0, "{\"city\": \"Paris\"}")] {
        acc.push(&e).unwrap();
    }
    let input = &acc.snapshot().unwrap().content[0].as_tool_use().unwrap().input;
    assert_eq!(input, &json!({}), "filled in at stop only");
    acc.push(&stop(0)).unwrap();
    let input = &acc.snapshot().unwrap().content[0].as_tool_use().unwrap().input;
    assert_eq!(input, &json!({"city":"Paris"}));
}

#[test]
fn message_delta_null_clears_and_absent_keeps() {
    let events = [
        start(),
        mdelta(
            json!({"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END",
            "stop_details":{"type":"refusal","category":"cyber"}},"usage":{"output_tokens":3}}),
        ),
        mdelta(json!({"type":"message_delta","delta":{"stop_sequence":null},"usage":{}})),
        mstop(),
    ];
    let m = run(&events).unwrap().finish().unwrap();
    assert_eq!(m.stop_reason, Some(StopReason::StopSequence));
    assert_eq!(m.stop_sequence, None);
    assert!(matches!(m.stop_details, Nullable::Value(ref d) if d.category.as_deref() == Some("cyber")));
    assert_eq!(m.usage.output_tokens, Some(3));
}

#[test]
fn unknown_blocks_and_deltas_are_tolerated() {
    let events = [
        start(),
        block(
            0,
            json!({"type":"mcp_tool_use","id":"m1","name":"x","server_name":"s","input":{}}),
        ),
        json_frag(0, "{\"q\":1}"),
        delta(0, json!({"type":"brand_new_delta","stuff":1})),
        stop(0),
        block(1, json!({"type":"text","text":""})),
        delta(1, json!({"type":"brand_new_delta"})),
        stop(1),
        ev(json!({"type":"brand_new_event","x":1})),
        mdelta(json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{}})),
        mstop(),
    ];
    let m = run(&events).unwrap().finish().unwrap();
    let ContentBlock::Unknown(v) = &m.content[0] else {
        panic!()
    };
    assert_eq!(v["input"], json!({"q":1}));
    assert_eq!(v["server_name"], "s");
}

fn err(events: &[StreamEvent]) -> AccumulateError {
    match run(events) {
        Err(e) => e,
        Ok(acc) => acc.finish().unwrap_err(),
    }
}

#[test]
fn typed_errors_for_every_misuse() {
    assert!(
        matches!(err(&[text(0, "x")]), AccumulateError::NotStarted { event } if event == "content_block_delta")
    );
    assert!(matches!(err(&[]), AccumulateError::NotStarted { .. }));
    assert_eq!(err(&[start(), start()]), AccumulateError::DuplicateMessageStart);
    assert_eq!(
        err(&[start(), block(1, json!({"type":"text","text":""}))]),
        AccumulateError::UnexpectedBlockIndex {
            expected: 0,
            found: 1
        }
    );
    assert!(matches!(
        err(&[start(), text(0, "x")]),
        AccumulateError::NoSuchBlock { index: 0, .. }
    ));
    assert!(matches!(
        err(&[start(), stop(3)]),
        AccumulateError::NoSuchBlock { index: 3, .. }
    ));
    let t0 = block(0, json!({"type":"text","text":""}));
    assert!(matches!(
        err(&[start(), t0.clone(), stop(0), text(0, "x")]),
        AccumulateError::BlockStopped { index: 0, .. }
    ));
    assert!(matches!(
        err(&[start(), t0.clone(), stop(0), stop(0)]),
        AccumulateError::BlockStopped { .. }
    ));
    assert!(matches!(
        err(&[start(), tool_block(0), text(0, "x")]),
        AccumulateError::DeltaMismatch { index: 0, ref delta, ref block } if delta == "text_delta" && block == "tool_use"
    ));
    assert!(matches!(
        err(&[
            start(),
            t0.clone(),
            delta(0, json!({"type":"signature_delta","signature":"s"}))
        ]),
        AccumulateError::DeltaMismatch { .. }
    ));
    assert!(matches!(
        err(&[
            start(),
            block(0, json!({"type":"redacted_thinking","data":"x"})),
            text(0, "x")
        ]),
        AccumulateError::DeltaMismatch { .. }
    ));
    assert!(matches!(
        err(&[start(), tool_block(0), json_frag(0, "{\"a\": "), stop(0)]),
        AccumulateError::InvalidToolInput { index: 0, .. }
    ));
    assert!(matches!(
        err(&[start(), ev(json!({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}))]),
        AccumulateError::Api(e) if e.kind == ErrorKind::Overloaded
    ));
    assert!(matches!(
        err(&[start(), t0.clone()]),
        AccumulateError::Incomplete { .. }
    ));
    assert!(
        matches!(err(&[start(), t0.clone(), stop(0)]), AccumulateError::Incomplete { ref missing } if missing == "message_stop")
    );
    assert!(matches!(
        err(&[start(), mstop(), t0]),
        AccumulateError::AfterStop { .. }
    ));
    // Display never panics and names the problem.
    assert!(err(&[start(), stop(7)]).to_string().contains("block 7"));
}

#[test]
fn into_snapshot_keeps_a_cut_stream() {
    let acc = run(&[
        start(),
        block(0, json!({"type":"text","text":""})),
        text(0, "par"),
    ])
    .unwrap();
    assert!(!acc.is_complete());
    assert_eq!(acc.into_snapshot().unwrap().text(), "par");
}

#[test]
fn the_size_limit_ends_accumulation_with_a_typed_error() {
    let mut acc = MessageAccumulator::new().max_bytes(10);
    acc.push(&start()).unwrap();
    acc.push(&block(0, json!({"type":"text","text":""}))).unwrap();
    acc.push(&text(0, "0123456789")).unwrap();
    assert_eq!(acc.content_bytes(), 10);
    assert_eq!(
        acc.push(&text(0, "x")),
        Err(AccumulateError::TooLarge { limit: 10 })
    );
    // Tool-input fragments count too.
    let mut acc = MessageAccumulator::new().max_bytes(4);
    for e in [start(), tool_block(0), json_frag(0, "{\"a\"")] {
        acc.push(&e).unwrap();
    }
    assert_eq!(
        acc.push(&json_frag(0, ":1}")),
        Err(AccumulateError::TooLarge { limit: 4 })
    );
}

mod snapshots_equal_parsing_the_prefix {
    use super::*;
    use messages_types::partial_json::parse_partial;
    use proptest::prelude::*;

    const DOC: &str = r#"{"path": "src/main.rs", "lines": [1, 22, -3.5e2], "ok": true, "none": null, "nested": {"s": "a\"b\u00e9\ud83d\ude00c", "deep": [[{"k": false}]]}, "text": "line one\nline two"}"#;

    proptest! {
        /// Whatever the fragmenting and whenever snapshots are asked for,
        /// each snapshot equals parsing the prefix received so far from
        /// scratch (the lazy refresh never shows a stale or different input).
        #[test]
        fn after_any_prefix(
            cuts in proptest::collection::vec(0..DOC.len(), 0..12),
            asks in proptest::collection::vec(any::<bool>(), 13),
            trailing in any::<bool>(),
        ) {
            let mode = if trailing { PartialMode::TrailingStrings } else { PartialMode::Sdk };
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| DOC.is_char_boundary(c)).collect();
            cuts.push(DOC.len());
            cuts.sort_unstable();
            cuts.dedup();
            let mut acc = MessageAccumulator::new().partial_mode(mode);
            acc.push(&start()).unwrap();
            acc.push(&tool_block(0)).unwrap();
            let mut from = 0;
            for (i, &to) in cuts.iter().enumerate() {
                acc.push(&json_frag(0, &DOC[from..to])).unwrap();
                from = to;
                if asks[i] || i + 1 == cuts.len() {
                    let expected = parse_partial(&DOC[..to], mode).unwrap().unwrap_or(json!({}));
                    let input = acc.snapshot().unwrap().content[0].as_tool_use().unwrap().input.clone();
                    prop_assert_eq!(input, expected, "prefix of {} bytes", to);
                }
            }
            acc.push(&stop(0)).unwrap();
            let full: Value = serde_json::from_str(DOC).unwrap();
            prop_assert_eq!(&acc.snapshot().unwrap().content[0].as_tool_use().unwrap().input, &full);
        }
    }
}

#[test]
fn a_tool_input_cut_by_max_tokens_is_repaired_without_inventing_and_otherwise_an_error() {
    let stopped = |reason: &str, args: &str| {
        let mut acc = MessageAccumulator::new();
        for e in [start(), tool_block(0), json_frag(0, args), stop(0)] {
            acc.push(&e).unwrap();
        }
        let md = ev(
            json!({"type":"message_delta","delta":{"stop_reason":reason,"stop_sequence":null},"usage":{}}),
        );
        acc.push(&md).map(|()| acc)
    };
    // Cut by the token limit: complete values kept, the cut literal dropped.
    let mut acc = stopped("max_tokens", r#"{"a": 1, "b": tru"#).unwrap();
    acc.push(&ev(json!({"type":"message_stop"}))).unwrap();
    let m = acc.finish().unwrap();
    assert_eq!(m.content[0].as_tool_use().unwrap().input, json!({"a": 1}));
    // A cut number or key is dropped too.
    let mut acc = stopped("max_tokens", r#"{"a": [1], "n": 12"#).unwrap();
    acc.push(&ev(json!({"type":"message_stop"}))).unwrap();
    assert_eq!(
        acc.finish().unwrap().content[0].as_tool_use().unwrap().input,
        json!({"a": [1]})
    );
    // Garbage is not a cut, even at max_tokens.
    assert!(matches!(
        stopped("max_tokens", "NOTJSON{").map(|_| ()),
        Err(AccumulateError::InvalidToolInput { index: 0, .. })
    ));
    // A complete reply with invalid arguments is an error.
    assert!(matches!(
        stopped("tool_use", r#"{"a": 1, "b": tru"#).map(|_| ()),
        Err(AccumulateError::InvalidToolInput { index: 0, .. })
    ));
}
