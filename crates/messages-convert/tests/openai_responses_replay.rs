//! Recorded Responses requests reproduced from Anthropic requests:
//!
//! * every recorded request body that has an Anthropic equivalent is
//!   reproduced by converting that equivalent (built by the test-only inverse
//!   in `openai_responses_support`), up to the documented equivalences of
//!   `normalized_recorded`; the ones without an equivalent are listed with
//!   the reason;
//! * multi-turn tool loops with encrypted reasoning: the reasoning item of
//!   turn N's reply, converted to a thinking block (whole or streamed) and
//!   back, is sent byte for byte in turn N+1's recorded request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod openai_responses_support;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::openai_responses::request_body;
use messages_types::ContentBlock;
use openai_responses_support::{
    anthropic_equivalent, normalized_converted, normalized_recorded, reply_message,
};
use serde_json::{Map, Value};

fn exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    let all = load_all(&dir, &Filter::api("openai-responses")).unwrap();
    assert_eq!(all.len(), 182, "expected the whole openai-responses corpus");
    Some(all)
}

/// Recorded requests with no Anthropic equivalent, and why.
/// Anthropic has one system prompt before the conversation; a system message
/// in the middle of the input has no place in an Anthropic request.
const WITHOUT_EQUIVALENT: &[(&str, &str)] = &[(
    "openai/responses_behaviors__system_messages_as_input_items_mid_conversation.json",
    "a system message after the conversation started",
)];

#[test]
fn recorded_requests_are_reproduced_from_their_anthropic_equivalent() {
    let Some(all) = exchanges() else { return };
    let mut reproduced = 0;
    let mut without = Vec::new();
    for ex in &all {
        let body = &ex.request.body;
        let params = match anthropic_equivalent(body, None) {
            Ok(p) => p,
            Err(why) => {
                without.push((ex.file.clone(), why));
                continue;
            }
        };
        let stream = body.get("stream") == Some(&Value::Bool(true));
        let converted =
            request_body(&params, stream, &Map::new()).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        assert_eq!(
            normalized_converted(&converted),
            normalized_recorded(body, params.max_tokens),
            "{}",
            ex.file
        );
        reproduced += 1;
    }
    for (f, why) in &without {
        eprintln!("no equivalent: {f}: {why}");
    }
    let listed: Vec<(&str, &str)> = without.iter().map(|(f, w)| (f.as_str(), w.as_str())).collect();
    assert_eq!(listed, WITHOUT_EQUIVALENT);
    assert_eq!(reproduced + without.len(), 182);
}

/// The recorded file of turn `n` of a multi-turn exchange (`…__<n>.json`).
fn turn<'a>(all: &'a [Exchange], stem: &str, n: usize) -> Option<&'a Exchange> {
    let name = format!("{stem}__{n}.json");
    all.iter().find(|e| e.file == name)
}

#[test]
fn encrypted_reasoning_is_sent_back_byte_for_byte() {
    let Some(all) = exchanges() else { return };
    let mut pairs = 0;
    let mut streamed = 0;
    for ex in &all {
        let reasoning_items: Vec<&Value> = ex.request.body["input"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["type"] == "reasoning" && i.get("encrypted_content").is_some())
            .collect();
        if reasoning_items.is_empty() {
            continue;
        }
        let (stem, n) = ex.file.trim_end_matches(".json").rsplit_once("__").unwrap();
        let n: usize = n.parse().unwrap();
        // The thinking blocks of every earlier turn's reply, in order.
        let mut thinking = Vec::new();
        for k in 0..n {
            let earlier = turn(&all, stem, k).unwrap_or_else(|| panic!("{}: turn {k} missing", ex.file));
            let reply = reply_message(earlier);
            streamed += usize::from(earlier.stream);
            for b in &reply.content {
                if let ContentBlock::Thinking(t) = b {
                    thinking.push(serde_json::to_value(b).unwrap());
                    assert!(t.signature.starts_with("anyllm.oair."), "{}", ex.file);
                }
            }
        }
        let params = anthropic_equivalent(&ex.request.body, Some(thinking))
            .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        let stream = ex.request.body.get("stream") == Some(&Value::Bool(true));
        let body = request_body(&params, stream, &Map::new()).unwrap();
        let sent: Value = serde_json::from_slice(&body).unwrap();
        let sent_items: Vec<&Value> = sent["input"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["type"] == "reasoning")
            .collect();
        assert_eq!(sent_items.len(), reasoning_items.len(), "{}", ex.file);
        for (ours, recorded) in sent_items.iter().zip(&reasoning_items) {
            // Byte for byte: the same JSON text once keys are in one order.
            assert_eq!(ours.to_string(), recorded.to_string(), "{}", ex.file);
        }
        assert_eq!(
            normalized_converted(&body),
            normalized_recorded(&ex.request.body, params.max_tokens),
            "{}",
            ex.file
        );
        pairs += 1;
    }
    assert_eq!(pairs, 10);
    assert!(streamed >= 5, "{streamed} streamed turns");
}
