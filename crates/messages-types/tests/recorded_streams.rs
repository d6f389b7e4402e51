//! Every recorded Anthropic stream: the fast parse path agrees with serde,
//! the stream obeys the event grammar, and the accumulated message is
//! consistent with its events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::{anthropic_exchanges, check_accumulated, parse_stream, sse_events};
use messages_types::accumulate::{accumulate, MessageAccumulator};
use messages_types::grammar::validate_stream;
use messages_types::StreamEvent;

#[test]
fn fast_path_agrees_with_serde_on_every_recorded_event() {
    let Some(exchanges) = anthropic_exchanges() else {
        return;
    };
    let (mut hot, mut total) = (0, 0);
    for ex in exchanges.iter().filter(|e| e.stream && e.response.status == 200) {
        for (_, data) in sse_events(ex.response.body.as_deref().unwrap_or_default()) {
            let generic: StreamEvent = serde_json::from_str(&data).unwrap();
            let fast = StreamEvent::from_json_slice(data.as_bytes()).unwrap();
            assert_eq!(fast, generic, "{}: {data}", ex.file);
            // Re-framed as SSE, the event reads back the same.
            let framed = sse_events(&generic.to_sse().unwrap());
            assert_eq!(framed.len(), 1);
            assert_eq!(framed[0].0, generic.type_name());
            assert_eq!(StreamEvent::from_json_str(&framed[0].1).unwrap(), generic);
            if StreamEvent::from_json_slice_hot(data.as_bytes()).is_some() {
                hot += 1;
            }
            total += 1;
        }
    }
    eprintln!("{hot} of {total} recorded events took the fast path");
    assert!(total > 1000 && hot * 2 > total, "{hot} of {total}");
}

#[test]
fn every_recorded_stream_obeys_the_grammar_and_accumulates_consistently() {
    let Some(exchanges) = anthropic_exchanges() else {
        return;
    };
    let mut checked = 0;
    let mut stop_reasons = BTreeMap::new();
    for ex in exchanges.iter().filter(|e| e.stream && e.response.status == 200) {
        let events = parse_stream(ex.response.body.as_deref().unwrap_or_default());
        validate_stream(&events).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        let mut acc = MessageAccumulator::new();
        for (i, e) in events.iter().enumerate() {
            acc.push(e)
                .unwrap_or_else(|err| panic!("{} event {i}: {err}", ex.file));
            // The live snapshot always serializes and parses back.
            let snap = acc.snapshot().unwrap();
            let back: messages_types::Message =
                serde_json::from_value(serde_json::to_value(snap).unwrap()).unwrap();
            assert_eq!(&back, snap);
        }
        let message = acc.finish().unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        check_accumulated(&events, &message).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        // And back: the message as a canonical stream accumulates to itself.
        let replay = message.to_stream_events();
        validate_stream(&replay).unwrap_or_else(|e| panic!("{} replay: {e}", ex.file));
        assert_eq!(accumulate(&replay).unwrap(), message, "{}", ex.file);
        *stop_reasons
            .entry(message.stop_reason.map(|r| r.to_string()).unwrap_or_default())
            .or_insert(0) += 1;
        checked += 1;
    }
    eprintln!("accumulated {checked} recorded streams; stop reasons {stop_reasons:?}");
    assert!(checked >= 100, "only {checked} streams");
}

#[test]
fn every_recorded_response_replays_as_a_stream() {
    let Some(exchanges) = anthropic_exchanges() else {
        return;
    };
    let mut n = 0;
    for ex in exchanges.iter().filter(|e| !e.stream && e.response.status == 200) {
        let m: messages_types::Message =
            serde_json::from_str(ex.response.body.as_deref().unwrap_or_default()).unwrap();
        let events = m.to_stream_events();
        validate_stream(&events).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        assert_eq!(accumulate(&events).unwrap(), m, "{}", ex.file);
        n += 1;
    }
    assert!(n >= 150, "{n}");
}
