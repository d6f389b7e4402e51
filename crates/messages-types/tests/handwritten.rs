//! The hand-written fixtures (`fixtures/types/`): exact round trips, the
//! event grammar, and the accumulator, as for the recorded traffic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_round_trip, check_accumulated, handwritten, parse_stream, sse_events, Doc};
use messages_types::accumulate::{accumulate, AccumulateError, MessageAccumulator};
use messages_types::grammar::validate_stream;
use messages_types::{
    CountTokensParams, CountTokensResponse, ErrorResponse, Message, MessageCreateParams, StreamEvent,
};

#[test]
fn every_handwritten_fixture_round_trips_and_streams_accumulate() {
    let mut failures = Vec::new();
    let mut streams = 0;
    for (name, doc) in handwritten() {
        let r = match &doc {
            Doc::Request(v) => assert_round_trip::<MessageCreateParams>(v),
            Doc::CountTokensRequest(v) => assert_round_trip::<CountTokensParams>(v),
            Doc::Response(v) => {
                // Replayed as a stream, the response accumulates to itself.
                let m: Message = serde_json::from_value(v.clone()).unwrap();
                let events = m.to_stream_events();
                validate_stream(&events).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(accumulate(&events).unwrap(), m, "{name}");
                assert_round_trip::<Message>(v)
            }
            Doc::CountTokensResponse(v) => assert_round_trip::<CountTokensResponse>(v),
            Doc::Error(v) => assert_round_trip::<ErrorResponse>(v),
            Doc::Stream(body) => {
                streams += 1;
                let mut r = Ok(());
                for (_, data) in sse_events(body) {
                    let v: serde_json::Value = serde_json::from_str(&data).unwrap();
                    if let Err(e) = assert_round_trip::<StreamEvent>(&v) {
                        r = Err(e);
                    }
                }
                let events = parse_stream(body);
                validate_stream(&events).unwrap_or_else(|e| panic!("{name}: {e}"));
                let mut acc = MessageAccumulator::new();
                let mut api_error = None;
                for e in &events {
                    if let Err(err) = acc.push(e) {
                        api_error = Some(err);
                        break;
                    }
                }
                match api_error {
                    Some(AccumulateError::Api(e)) => {
                        assert!(name.contains("error"), "{name}: unexpected stream error {e:?}");
                        assert_eq!(acc.snapshot().unwrap().text(), "Once upon");
                    }
                    Some(other) => panic!("{name}: {other}"),
                    None => {
                        let m = acc.finish().unwrap_or_else(|e| panic!("{name}: {e}"));
                        check_accumulated(&events, &m).unwrap_or_else(|e| panic!("{name}: {e}"));
                        let v = serde_json::to_value(&m).unwrap();
                        if let Err(e) = assert_round_trip::<Message>(&v) {
                            r = Err(e);
                        }
                    }
                }
                r
            }
        };
        if let Err(e) = r {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(streams >= 4);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
