//! Every recorded Anthropic exchange parses into the typed model and
//! serializes back JSON-equal (key order aside; null vs absent matters).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{anthropic_exchanges, assert_round_trip, sse_events};
use messages_types::{ErrorResponse, Message, MessageCreateParams, StreamEvent};

#[test]
fn every_recorded_exchange_round_trips() {
    let Some(exchanges) = anthropic_exchanges() else {
        return;
    };
    assert!(exchanges.len() >= 300, "only {} exchanges", exchanges.len());
    let mut failures = Vec::new();
    let (mut bodies, mut responses, mut events, mut errors) = (0, 0, 0, 0);
    for ex in &exchanges {
        let mut check = |what: &str, r: Result<(), String>| {
            if let Err(e) = r {
                failures.push(format!("{} [{what}]: {e}", ex.file));
            }
        };
        // Request body.
        check(
            "request",
            assert_round_trip::<MessageCreateParams>(&ex.request.body),
        );
        bodies += 1;
        let body = ex.response.body.clone().unwrap_or_default();
        let status = ex.response.status;
        if !(200..300).contains(&status) {
            let v: serde_json::Value = match serde_json::from_str(&body) {
                Ok(v) => v,
                Err(e) => {
                    check("error body json", Err(e.to_string()));
                    continue;
                }
            };
            check("error", assert_round_trip::<ErrorResponse>(&v));
            errors += 1;
        } else if ex.stream {
            for (name, data) in sse_events(&body) {
                let v: serde_json::Value = match serde_json::from_str(&data) {
                    Ok(v) => v,
                    Err(e) => {
                        check("event json", Err(e.to_string()));
                        continue;
                    }
                };
                if v.get("type").and_then(|t| t.as_str()) != Some(name.as_str()) {
                    check("event name", Err(format!("event {name} has data {data}")));
                }
                check(&name, assert_round_trip::<StreamEvent>(&v));
                events += 1;
            }
        } else {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            check("response", assert_round_trip::<Message>(&v));
            responses += 1;
        }
    }
    eprintln!(
        "checked {} exchanges: {bodies} request bodies, {responses} responses, {events} stream events, {errors} error bodies",
        exchanges.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
