//! Every recorded Cohere v2 chat exchange (`../shared/fixtures/recorded/cohere`,
//! 32 files), converted to the Anthropic format:
//!
//! * whole responses: text, tool plan, thinking, tool calls, citations, usage
//!   and stop reason checked against values read independently from the
//!   native JSON (as `serde_json::Value`);
//! * streams: the converted events pass the event-grammar validator and
//!   accumulate to the whole-response conversion of the same reply (the
//!   native SSE events folded into a native whole reply by this test), and
//!   the same checks as whole responses hold on the folded reply;
//! * requests: each recorded body is read back into its Anthropic equivalent
//!   (a test-only inverse, [`anthropic_params`]) and converted forward; the
//!   result equals the recorded body up to the documented normalisation
//!   ([`normalize`]).
#![cfg(feature = "cohere")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cohere_support;
mod family_support;

use cohere_support::*;
use family_support::*;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::cohere::{parse_response, request_body, CohereStreamConverter, ResponseContext};
use messages_http::SseParser;
use messages_types::grammar::validate_stream;
use messages_types::{Citation, ContentBlock, Message, StopReason, StreamEvent};
use serde_json::{json, Value};

fn exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    let all = load_all(&dir, &Filter::api("cohere-chat")).unwrap();
    assert_eq!(all.len(), 32, "expected the whole cohere corpus");
    Some(all)
}

fn model_of(x: &Exchange) -> String {
    x.request.body["model"].as_str().unwrap().to_owned()
}

fn stop_sequences_of(x: &Exchange) -> Vec<String> {
    serde_json::from_value(x.request.body.get("stop_sequences").cloned().unwrap_or(json!([]))).unwrap()
}

/// Checks a converted message against the native reply, read as a `Value`.
fn check_against_native(native: &Value, m: &Message, x: &Exchange) {
    let file = &x.file;
    let msg = &native["message"];
    let parts = msg["content"].as_array().cloned().unwrap_or_default();
    let text: String = parts
        .iter()
        .filter(|p| p["type"] == "text")
        .filter_map(|p| p["text"].as_str())
        .collect();
    let plan = msg["tool_plan"].as_str().unwrap_or_default();
    assert_eq!(text_of(m), format!("{text}{plan}"), "{file}: text");
    let thinking: String = parts
        .iter()
        .filter(|p| p["type"] == "thinking")
        .filter_map(|p| p["thinking"].as_str())
        .collect();
    let got_thinking = thinking_of(m);
    assert_eq!(got_thinking, thinking, "{file}: thinking");
    let calls = msg["tool_calls"].as_array().cloned().unwrap_or_default();
    let uses = tool_uses(m);
    assert_eq!(uses.len(), calls.len(), "{file}: tool calls");
    for (u, c) in uses.iter().zip(&calls) {
        assert_eq!(u.id, c["id"].as_str().unwrap(), "{file}");
        assert_eq!(u.name, c["function"]["name"].as_str().unwrap(), "{file}");
        let args: Value = serde_json::from_str(c["function"]["arguments"].as_str().unwrap()).unwrap();
        assert_eq!(u.input, args, "{file}");
    }
    // Citations: only document sources named `doc_{n}` map; every recorded
    // citation cites a tool result, so none may appear (and the text stays).
    let native_doc_cites = msg["citations"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["sources"].as_array().cloned().unwrap_or_default())
        .filter(|s| s["type"] == "document")
        .count();
    let got_cites: usize = m
        .content
        .iter()
        .map(|b| match b {
            ContentBlock::Text(t) => t.citations.as_ref().map_or(0, Vec::len),
            _ => 0,
        })
        .sum();
    assert_eq!(got_cites, native_doc_cites, "{file}: citations");
    let tokens = &native["usage"]["tokens"];
    assert_eq!(
        m.usage.input_tokens,
        tokens["input_tokens"].as_u64(),
        "{file}: input tokens"
    );
    assert_eq!(
        m.usage.output_tokens,
        tokens["output_tokens"].as_u64(),
        "{file}: output tokens"
    );
    assert_eq!(
        m.usage.extra["billed_units"], native["usage"]["billed_units"],
        "{file}: billed units kept"
    );
    let expected = match native["finish_reason"].as_str().unwrap() {
        "COMPLETE" => StopReason::EndTurn,
        "MAX_TOKENS" => StopReason::MaxTokens,
        "STOP_SEQUENCE" => StopReason::StopSequence,
        "TOOL_CALL" => StopReason::ToolUse,
        other => panic!("{file}: unexpected finish reason {other}"),
    };
    assert_eq!(m.stop_reason, Some(expected.clone()), "{file}: stop reason");
    if expected == StopReason::StopSequence {
        let seqs = stop_sequences_of(x);
        assert_eq!(seqs.len(), 1, "{file}");
        assert_eq!(m.stop_sequence.as_deref(), Some(seqs[0].as_str()), "{file}");
    }
    assert_eq!(
        m.id,
        format!("msg_{}", native["id"].as_str().unwrap()),
        "{file}: id"
    );
}

#[test]
fn whole_responses_match_the_native_json() {
    let Some(all) = exchanges() else { return };
    let mut n = 0;
    for x in all.iter().filter(|x| !x.stream) {
        let body = x.response.body_bytes().unwrap();
        let model = model_of(x);
        let stops = stop_sequences_of(x);
        let ctx = ResponseContext {
            model: &model,
            stop_sequences: &stops,
        };
        let m = parse_response(&body, &ctx).unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let native: Value = serde_json::from_slice(&body).unwrap();
        check_against_native(&native, &m, x);
        n += 1;
    }
    assert_eq!(n, 20);
}

fn convert_stream(events: &[(Option<String>, Vec<u8>)], ctx: &ResponseContext<'_>) -> Vec<StreamEvent> {
    let mut conv = CohereStreamConverter::new(ctx);
    let mut out = Vec::new();
    for (name, data) in events {
        conv.push(name.as_deref(), data, &mut out).unwrap();
    }
    conv.finish(&mut out).unwrap();
    out
}

#[test]
fn streams_are_valid_and_accumulate_to_the_whole_conversion() {
    let Some(all) = exchanges() else { return };
    let mut n = 0;
    let mut with_citations = 0;
    for x in all.iter().filter(|x| x.stream) {
        let body = x.response.body_bytes().unwrap();
        let model = model_of(x);
        let stops = stop_sequences_of(x);
        let ctx = ResponseContext {
            model: &model,
            stop_sequences: &stops,
        };
        let events = sse_events(&body);
        let out = convert_stream(&events, &ctx);
        validate_stream(&out).unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let streamed = accumulate(&out);
        let native = fold_native(&events);
        if native["message"]["citations"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
        {
            with_citations += 1;
        }
        let whole = parse_response(&serde_json::to_vec(&native).unwrap(), &ctx).unwrap();
        assert_eq!(streamed, whole, "{}", x.file);
        check_against_native(&native, &streamed, x);
        n += 1;
    }
    assert_eq!(n, 12);
    assert_eq!(with_citations, 1, "the corpus has one streamed citation");
}

#[test]
fn request_bodies_are_reproduced_from_their_anthropic_equivalents() {
    let Some(all) = exchanges() else { return };
    for x in &all {
        let native = &x.request.body;
        let (params, extra) = anthropic_params(native);
        let stream = native["stream"].as_bool() == Some(true);
        let body = request_body(&params, stream, &extra).unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let got: Value = serde_json::from_slice(&body).unwrap();
        let had_max = native.get("max_tokens").is_some();
        assert_eq!(
            normalize(got, had_max),
            normalize(native.clone(), had_max),
            "{}",
            x.file
        );
    }
}

#[test]
fn no_recorded_citation_is_a_document_citation() {
    // Guards the citation check above from passing vacuously: the corpus
    // cites tool results only, so the mapped kind is proven by
    // `cohere_stream.rs` with hand-written document citations.
    let Some(all) = exchanges() else { return };
    let mut tool_sources = 0;
    for x in &all {
        let body = String::from_utf8(x.response.body_bytes().unwrap()).unwrap();
        tool_sources += body.matches(r#""type":"tool""#).count();
        assert!(!body.contains(r#""type":"document""#), "{}", x.file);
    }
    assert!(tool_sources >= 2);
    let _: Option<Citation> = None;
}

/// Every recorded stream, cut into chunks at arbitrary places and framed by
/// `messages_http::SseParser`, converts to the same events as the whole body.
#[test]
fn recorded_streams_convert_the_same_however_they_are_chunked() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let Some(all) = exchanges() else { return };
    let streams: Vec<(Vec<u8>, String)> = all
        .iter()
        .filter(|x| x.stream)
        .map(|x| (x.response.body_bytes().unwrap(), model_of(x)))
        .collect();
    let convert_chunks = |chunks: &[&[u8]], model: &str| {
        let mut parser = SseParser::new();
        let mut conv = CohereStreamConverter::new(&ResponseContext::new(model));
        let mut out = Vec::new();
        for c in chunks {
            parser.feed(c);
            while let Some(e) = parser.next_event().unwrap() {
                conv.push(e.event.as_deref(), &e.data, &mut out).unwrap();
            }
        }
        parser.finish();
        while let Some(e) = parser.next_event().unwrap() {
            conv.push(e.event.as_deref(), &e.data, &mut out).unwrap();
        }
        conv.finish(&mut out).unwrap();
        out
    };
    let mut runner = TestRunner::new(Config::with_cases(48));
    let strategy = (0..streams.len(), proptest::collection::vec(any::<usize>(), 0..24));
    runner
        .run(&strategy, |(i, cuts)| {
            let (body, model) = &streams[i];
            let whole = convert_chunks(&[body], model);
            prop_assert_eq!(convert_chunks(&split_at(body, &cuts), model), whole);
            Ok(())
        })
        .unwrap();
}
