//! Every recorded `openai-responses` exchange (openai, xai, copilot,
//! openrouter, llamacpp, mistralrs) replayed through the real `anyllm`
//! client over loopback HTTP:
//!
//! * the request: the Anthropic equivalent of the recorded request (the
//!   test-only inverse shared with messages-convert's Responses tests) is
//!   converted and checked against the recording (up to the documented
//!   equivalences); the replay server then answers only that exact body, so
//!   the client provably sent it;
//! * the reply: a `Message` equal to converting the recorded body directly;
//!   a stream whose events equal the direct conversion, pass the grammar
//!   validator, and whose `final_message()` equals the whole conversion of
//!   the same reply; recorded errors typed with their status;
//! * a multi-turn tool loop with encrypted reasoning: each turn's reply,
//!   taken from the client, goes back through the client in the next turn's
//!   request, the reasoning item byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../messages-convert/tests/openai_responses_support/mod.rs"]
mod openai_responses_support;

use anyllm::{Client, MapEnv, MessageCreateParams};
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange};
use anyllm_testkit::ReplayServer;
use messages_convert::openai_responses::request_body;
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{ContentBlock, Message, StreamEvent};
use openai_responses_support::{
    accumulate, anthropic_equivalent, normalized_converted, normalized_recorded, run_stream, sse_events,
};
use serde_json::{json, Map, Value};

/// The Responses provider that serves a recorded folder (servers without a
/// row of their own go through `openai-responses-compatible`).
fn provider_for(folder: &str) -> &'static str {
    match folder {
        "openai" => "openai-responses",
        "xai" => "xai-responses",
        "openrouter" => "openrouter-responses",
        _ => "openai-responses-compatible",
    }
}

fn client_for(provider: &str, base: String) -> Client {
    Client::builder()
        .env(MapEnv::empty())
        .api_key(provider, "test-key")
        .api_base(provider, base)
        .max_retries(0)
        .build()
        .unwrap()
}

fn all_exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    let all = load_all(&dir, &anyllm_fixtures::Filter::api("openai-responses")).unwrap();
    assert_eq!(all.len(), 182, "expected the whole openai-responses corpus");
    Some(all)
}

/// The params for `ex` (its Anthropic equivalent, `thinking` as in
/// [`anthropic_equivalent`]) and the exchange rewritten to expect exactly the
/// converted body, after checking that body against the recording. `None`
/// params equivalence: a recording without an Anthropic equivalent gets a
/// small request instead (its body is then not checked).
fn prepare(ex: &Exchange, thinking: Option<Vec<Value>>) -> (MessageCreateParams, Exchange, bool) {
    let recorded = &ex.request.body;
    let stream = recorded.get("stream") == Some(&Value::Bool(true));
    let (params, checked) = match anthropic_equivalent(recorded, thinking) {
        Ok(p) => (p, true),
        Err(_) => {
            let p = serde_json::from_value(json!({
                "model": recorded["model"], "max_tokens": 64,
                "messages": [{"role": "user", "content": "Say hi."}]
            }))
            .unwrap();
            (p, false)
        }
    };
    let converted = request_body(&params, stream, &Map::new()).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
    if checked {
        assert_eq!(
            normalized_converted(&converted),
            normalized_recorded(recorded, params.max_tokens),
            "{}: request",
            ex.file
        );
    }
    let mut ex = ex.clone();
    ex.request.body = serde_json::from_slice(&converted).unwrap();
    (params, ex, checked)
}

/// The recorded path minus `/responses`: the base URL's path part.
fn prefix(ex: &Exchange) -> String {
    let path = ex.request.path.split('?').next().unwrap_or("");
    path.strip_suffix("/responses").unwrap_or("").to_owned()
}

#[derive(Default, Debug)]
struct Counts {
    whole: usize,
    streams: usize,
    errors: usize,
    stream_errors: usize,
    bodies_checked: usize,
}

/// One exchange through the client; returns the reply message (200s).
async fn replay_one(
    ex: &Exchange,
    params: &MessageCreateParams,
    provider: &str,
    counts: &mut Counts,
) -> Option<Message> {
    let server = ReplayServer::start(vec![ex.clone()]).await.unwrap();
    let client = client_for(provider, format!("{}{}", server.url(), prefix(ex)));
    let mut params = params.clone();
    params.model = format!("{provider}:{}", params.model);
    let body = ex.response.body_bytes().unwrap();
    let reply = if ex.response.status != 200 {
        let err = if ex.stream {
            client.messages(&params).stream().await.err().unwrap()
        } else {
            client.messages(&params).await.unwrap_err()
        };
        assert_eq!(err.status(), Some(ex.response.status), "{}: {err}", ex.file);
        counts.errors += 1;
        None
    } else if ex.stream {
        let mut stream = client
            .messages(&params)
            .stream()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        let mut events = Vec::new();
        let mut error = None;
        while let Some(ev) = stream.next_event().await {
            match ev {
                Ok(ev) => events.push(ev),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let direct = direct_events(&body);
        if let Some(err) = error {
            // A mid-stream error: the events before it are the direct
            // conversion's, and the error is the converted error event, typed.
            let Some(StreamEvent::Error(native)) = direct.last() else {
                panic!(
                    "{}: client error {err} but the direct conversion has none",
                    ex.file
                )
            };
            assert_eq!(events, direct[..direct.len() - 1], "{}", ex.file);
            assert_eq!(err.kind(), native.error.kind, "{}: {err}", ex.file);
            counts.stream_errors += 1;
            None
        } else {
            validate_stream(&events).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
            assert_eq!(
                events, direct,
                "{}: the client delivers exactly the converted events",
                ex.file
            );
            let mut acc = MessageAccumulator::new();
            for e in &events {
                acc.push(e).unwrap();
            }
            let accumulated = acc.finish().unwrap();
            // final_message() of a second call equals accumulating the events.
            let server2 = ReplayServer::start(vec![ex.clone()]).await.unwrap();
            let client2 = client_for(provider, format!("{}{}", server2.url(), prefix(ex)));
            let fin = client2
                .messages(&params)
                .stream()
                .await
                .unwrap()
                .final_message()
                .await
                .unwrap();
            assert_eq!(fin, accumulated, "{}: final_message", ex.file);
            assert!(server2.replay().mismatches().is_empty(), "{}", ex.file);
            counts.streams += 1;
            Some(fin)
        }
    } else {
        let msg = client
            .messages(&params)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        let direct =
            messages_convert::openai_responses::parse_response(&body, &params.model[provider.len() + 1..])
                .unwrap();
        assert_eq!(
            serde_json::to_value(&msg).unwrap(),
            serde_json::to_value(&direct).unwrap(),
            "{}",
            ex.file
        );
        counts.whole += 1;
        Some(msg)
    };
    let mismatches = server.replay().mismatches();
    assert!(
        mismatches.is_empty(),
        "{}: request differs: {mismatches:?}",
        ex.file
    );
    assert_eq!(server.replay().served(), 1, "{}", ex.file);
    reply
}

/// The recorded SSE body converted directly (no client, no HTTP); a stream
/// ending in an error event keeps it as the last event.
fn direct_events(body: &[u8]) -> Vec<StreamEvent> {
    let text = std::str::from_utf8(body).unwrap();
    let events = sse_events(text);
    let mut conv = messages_convert::openai_responses::ResponsesStreamConverter::new("requested");
    let mut out = Vec::new();
    for (event, data) in &events {
        conv.push(event.as_deref(), data.as_bytes(), &mut out).unwrap();
    }
    if !matches!(out.last(), Some(StreamEvent::Error(_))) {
        return run_stream(&events);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_responses_exchanges_through_the_client() {
    let Some(all) = all_exchanges() else { return };
    let mut counts = Counts::default();
    for ex in &all {
        let provider = provider_for(&ex.provider);
        let (params, rewritten, checked) = prepare(ex, None);
        counts.bodies_checked += usize::from(checked);
        replay_one(&rewritten, &params, provider, &mut counts).await;
    }
    eprintln!("{counts:?}");
    assert_eq!(
        counts.whole + counts.streams + counts.errors + counts.stream_errors,
        182,
        "{counts:?}"
    );
    // One recording (a system message mid-conversation) has no equivalent.
    assert_eq!(counts.bodies_checked, 181, "{counts:?}");
    assert_eq!(
        (counts.whole, counts.streams, counts.errors, counts.stream_errors),
        (106, 69, 7, 0),
        "{counts:?}"
    );
}

/// The recorded file of turn `n` of a multi-turn exchange (`…__<n>.json`).
fn turn<'a>(all: &'a [Exchange], stem: &str, n: usize) -> Option<&'a Exchange> {
    let name = format!("{stem}__{n}.json");
    all.iter().find(|e| e.file == name)
}

/// Multi-turn tool loops with encrypted reasoning, through the client: turn
/// N's reply as the client returned it (whole or accumulated from the
/// stream) supplies the thinking blocks of turn N+1's request, which the
/// client must send with the recorded reasoning items byte for byte (the
/// replay server answers only the exact body).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_turn_reasoning_round_trips_through_the_client() {
    let Some(all) = all_exchanges() else { return };
    let mut loops = 0;
    let mut turns_sent_back = 0;
    let mut streamed = 0;
    let stems: std::collections::BTreeSet<String> = all
        .iter()
        .filter(|ex| {
            ex.request.body["input"].as_array().is_some_and(|items| {
                items
                    .iter()
                    .any(|i| i["type"] == "reasoning" && i.get("encrypted_content").is_some())
            })
        })
        .map(|ex| {
            ex.file
                .trim_end_matches(".json")
                .rsplit_once("__")
                .unwrap()
                .0
                .to_owned()
        })
        .collect();
    for stem in &stems {
        let mut thinking: Vec<Value> = Vec::new();
        let mut n = 0;
        let mut counts = Counts::default();
        while let Some(ex) = turn(&all, stem, n) {
            let provider = provider_for(&ex.provider);
            let has_reasoning = ex.request.body["input"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["type"] == "reasoning"));
            let (params, rewritten, checked) = prepare(ex, has_reasoning.then(|| thinking.clone()));
            assert!(checked, "{}", ex.file);
            if has_reasoning {
                let sent = &rewritten.request.body;
                let ours: Vec<String> = items_of(sent);
                let recorded: Vec<String> = items_of(&ex.request.body);
                assert_eq!(ours, recorded, "{}: reasoning items byte for byte", ex.file);
                assert!(!ours.is_empty());
                turns_sent_back += 1;
            }
            let reply = replay_one(&rewritten, &params, provider, &mut counts)
                .await
                .unwrap_or_else(|| panic!("{}: no reply", ex.file));
            streamed += usize::from(ex.stream);
            for b in &reply.content {
                if let ContentBlock::Thinking(t) = b {
                    assert!(t.signature.starts_with("anyllm.oair."), "{}", ex.file);
                    thinking.push(serde_json::to_value(b).unwrap());
                }
            }
            n += 1;
        }
        loops += 1;
    }
    assert!(loops >= 2, "{loops} loops");
    assert_eq!(turns_sent_back, 10, "turns that send reasoning back");
    assert!(streamed >= 5, "{streamed} streamed turns");
}

fn items_of(body: &Value) -> Vec<String> {
    body["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "reasoning")
        .map(Value::to_string)
        .collect()
}

/// Keeps `accumulate` of the shared support module in use here.
#[test]
fn support_accumulates() {
    let events = run_stream(&sse_events(
        "data: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"status\":\"in_progress\",\"output\":[]}}\n\n\
         data: {\"type\":\"response.output_text.delta\",\"output_index\":0,\"delta\":\"Hi\"}\n\n\
         data: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"status\":\"completed\",\"output\":[]}}\n\n",
    ));
    let m = accumulate(&events);
    assert!(matches!(&m.content[0], ContentBlock::Text(t) if t.text == "Hi"));
}
