//! Every recorded Ollama native chat exchange
//! (`../shared/fixtures/recorded/ollama`, 39 files), converted to the
//! Anthropic format:
//!
//! * whole responses: text, thinking, tool calls, usage and stop reason
//!   checked against values read independently from the native JSON;
//! * streams (NDJSON, framed by `messages_http::NdjsonParser`): the converted
//!   events pass the event-grammar validator and accumulate to the
//!   whole-response conversion of the same reply (the lines folded into a
//!   native whole reply by this test), with the same checks;
//! * requests: each recorded body is read back into its Anthropic equivalent
//!   (a test-only inverse, [`anthropic_params`]) and converted forward; the
//!   result equals the recorded body up to the documented normalisation
//!   ([`normalize`]).
#![cfg(feature = "ollama")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod family_support;
mod ollama_support;

use family_support::*;
use ollama_support::*;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::ollama::{parse_response, request_body, OllamaStreamConverter, ThinkStyle};
use messages_http::NdjsonParser;
use messages_types::grammar::validate_stream;
use messages_types::{Message, StopReason};
use serde_json::{Map, Value};

fn exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    let all = load_all(&dir, &Filter::api("ollama-chat")).unwrap();
    assert_eq!(all.len(), 39, "expected the whole ollama corpus");
    Some(all)
}

fn check_against_native(native: &Value, m: &Message, file: &str) {
    let text = text_of(m);
    assert_eq!(
        text,
        native["message"]["content"].as_str().unwrap_or_default(),
        "{file}: text"
    );
    let thinking = thinking_of(m);
    assert_eq!(
        thinking,
        native["message"]["thinking"].as_str().unwrap_or_default(),
        "{file}: thinking"
    );
    let calls = native["message"]["tool_calls"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let uses = tool_uses(m);
    assert_eq!(uses.len(), calls.len(), "{file}: tool calls");
    for (n, (u, c)) in uses.iter().zip(&calls).enumerate() {
        let id = c["id"]
            .as_str()
            .map_or_else(|| format!("call_{n}"), str::to_owned);
        assert_eq!(u.id, id, "{file}");
        assert_eq!(u.name, c["function"]["name"].as_str().unwrap(), "{file}");
        assert_eq!(u.input, c["function"]["arguments"], "{file}");
    }
    assert_eq!(
        m.usage.input_tokens,
        native["prompt_eval_count"].as_u64(),
        "{file}: input"
    );
    assert_eq!(
        m.usage.output_tokens,
        native["eval_count"].as_u64(),
        "{file}: output"
    );
    let expected = match (native["done_reason"].as_str().unwrap(), calls.is_empty()) {
        ("length", _) => StopReason::MaxTokens,
        ("stop", true) => StopReason::EndTurn,
        ("stop", false) => StopReason::ToolUse,
        (other, _) => panic!("{file}: done_reason {other}"),
    };
    assert_eq!(m.stop_reason, Some(expected), "{file}: stop reason");
    assert_eq!(m.model, native["model"].as_str().unwrap(), "{file}");
}

#[test]
fn whole_responses_match_the_native_json() {
    let Some(all) = exchanges() else { return };
    let mut n = 0;
    for x in all.iter().filter(|x| !x.stream) {
        let body = x.response.body_bytes().unwrap();
        let m = parse_response(&body, "unused").unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let native: Value = serde_json::from_slice(&body).unwrap();
        check_against_native(&native, &m, &x.file);
        n += 1;
    }
    assert_eq!(n, 24);
}

#[test]
fn streams_are_valid_and_accumulate_to_the_whole_conversion() {
    let Some(all) = exchanges() else { return };
    let mut n = 0;
    for x in all.iter().filter(|x| x.stream) {
        let body = x.response.body_bytes().unwrap();
        let ls = lines(&body);
        let mut conv = OllamaStreamConverter::new("unused");
        let mut out = Vec::new();
        for l in &ls {
            conv.push(l, &mut out)
                .unwrap_or_else(|e| panic!("{}: {e}", x.file));
        }
        conv.finish(&mut out).unwrap();
        validate_stream(&out).unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let streamed = accumulate(&out);
        let native = fold_native(&ls);
        let whole = parse_response(&serde_json::to_vec(&native).unwrap(), "unused").unwrap();
        assert_eq!(streamed, whole, "{}", x.file);
        check_against_native(&native, &streamed, &x.file);
        n += 1;
    }
    assert_eq!(n, 15);
}

#[test]
fn request_bodies_are_reproduced_from_their_anthropic_equivalents() {
    let Some(all) = exchanges() else { return };
    for x in &all {
        let native = &x.request.body;
        let params = anthropic_params(native);
        let stream = native["stream"].as_bool().unwrap();
        let body = request_body(&params, stream, ThinkStyle::Bool, &Map::new())
            .unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let got: Value = serde_json::from_slice(&body).unwrap();
        let had = native["options"].get("num_predict").is_some();
        assert_eq!(normalize(got, had), normalize(native.clone(), had), "{}", x.file);
    }
}

/// Every recorded stream, cut into chunks at arbitrary places and framed by
/// `messages_http::NdjsonParser`, converts to the same events as the whole body.
#[test]
fn recorded_streams_convert_the_same_however_they_are_chunked() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let Some(all) = exchanges() else { return };
    let streams: Vec<Vec<u8>> = all
        .iter()
        .filter(|x| x.stream)
        .map(|x| x.response.body_bytes().unwrap())
        .collect();
    let convert_chunks = |chunks: &[&[u8]]| {
        let mut parser = NdjsonParser::new();
        let mut conv = OllamaStreamConverter::new("unused");
        let mut out = Vec::new();
        for c in chunks {
            parser.feed(c);
            while let Some(l) = parser.next_line().unwrap() {
                conv.push(&l, &mut out).unwrap();
            }
        }
        parser.finish();
        while let Some(l) = parser.next_line().unwrap() {
            conv.push(&l, &mut out).unwrap();
        }
        conv.finish(&mut out).unwrap();
        out
    };
    let mut runner = TestRunner::new(Config::with_cases(48));
    let strategy = (0..streams.len(), proptest::collection::vec(any::<usize>(), 0..24));
    runner
        .run(&strategy, |(i, cuts)| {
            let body = &streams[i];
            prop_assert_eq!(convert_chunks(&split_at(body, &cuts)), convert_chunks(&[body]));
            Ok(())
        })
        .unwrap();
}
