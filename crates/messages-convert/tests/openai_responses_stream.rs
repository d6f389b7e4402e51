//! Response and stream conversion cases the recorded corpus does not (or not
//! always) contain: several summary parts, refusals, a failed response, an
//! `error` event, a cut-off tool call, a web search with URL citations,
//! unknown events, a stream without a terminal event, bad payloads, the
//! mistral.rs reasoning string; and properties: however the provider splits
//! its deltas and however the caller batches the events, the converted
//! events (and the accumulated message) are the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod openai_responses_support;

use messages_convert::openai_responses::{
    decode_reasoning_signature, from_response, parse_response, wire::Response, ResponsesError,
    ResponsesStreamConverter,
};
use messages_convert::ConvertError;
use messages_types::grammar::validate_stream;
use messages_types::{Citation, ContentBlock, ErrorKind, Message, StopReason, StreamEvent};
use openai_responses_support::accumulate;
use proptest::prelude::*;
use serde_json::{json, Value};

fn run(events: &[Value]) -> Vec<StreamEvent> {
    let mut conv = ResponsesStreamConverter::new("m");
    let mut out = Vec::new();
    for e in events {
        conv.push(None, e.to_string().as_bytes(), &mut out).unwrap();
    }
    conv.finish(&mut out).unwrap();
    validate_stream(&out).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    out
}

fn whole(response: &Value) -> Message {
    let r: Response = serde_json::from_value(response.clone()).unwrap();
    from_response(&r, "m").unwrap()
}

fn created() -> Value {
    json!({"type": "response.created", "response": {"id": "resp_1", "model": "gpt-5", "status": "in_progress", "output": []}})
}

fn reasoning_item() -> Value {
    json!({"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAAA-final",
        "summary": [{"type": "summary_text", "text": "First, look."}, {"type": "summary_text", "text": "Then, act."}]})
}

fn message_item(text: &str) -> Value {
    json!({"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}]})
}

fn call_item(args: &str) -> Value {
    json!({"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather", "arguments": args, "status": "completed"})
}

fn usage() -> Value {
    json!({"input_tokens": 50, "input_tokens_details": {"cached_tokens": 20}, "output_tokens": 30,
        "output_tokens_details": {"reasoning_tokens": 12}})
}

fn completed(output: Vec<Value>) -> Value {
    json!({"id": "resp_1", "model": "gpt-5", "status": "completed", "output": output, "usage": usage(),
        "service_tier": "default"})
}

/// A full stream: reasoning with two summary parts (the `.added` copy of
/// the encrypted content differs from the final one), text in two deltas, a
/// function call in three argument deltas.
fn rich_stream(text: &[&str], args: &[&str], summary: [&[&str]; 2]) -> (Vec<Value>, Value) {
    let text_all: String = text.concat();
    let args_all: String = args.concat();
    let mut ev = vec![
        created(),
        json!({"type": "response.in_progress", "response": {"id": "resp_1", "status": "in_progress"}}),
    ];
    ev.push(json!({"type": "response.output_item.added", "output_index": 0,
        "item": {"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAAA-partial", "summary": []}}));
    for (i, parts) in summary.iter().enumerate() {
        ev.push(
            json!({"type": "response.reasoning_summary_part.added", "output_index": 0, "summary_index": i,
            "part": {"type": "summary_text", "text": ""}}),
        );
        for d in *parts {
            ev.push(json!({"type": "response.reasoning_summary_text.delta", "output_index": 0, "summary_index": i, "delta": d}));
        }
        ev.push(
            json!({"type": "response.reasoning_summary_text.done", "output_index": 0, "summary_index": i,
            "text": parts.concat()}),
        );
    }
    let mut reasoning = reasoning_item();
    reasoning["summary"] = json!([
        {"type": "summary_text", "text": summary[0].concat()},
        {"type": "summary_text", "text": summary[1].concat()}]);
    ev.push(json!({"type": "response.output_item.done", "output_index": 0, "item": reasoning}));
    ev.push(json!({"type": "response.output_item.added", "output_index": 1,
        "item": {"type": "message", "id": "msg_1", "role": "assistant", "status": "in_progress", "content": []}}));
    ev.push(
        json!({"type": "response.content_part.added", "output_index": 1, "content_index": 0,
        "part": {"type": "output_text", "text": "", "annotations": []}}),
    );
    for d in text {
        ev.push(
            json!({"type": "response.output_text.delta", "output_index": 1, "content_index": 0, "delta": d}),
        );
    }
    ev.push(
        json!({"type": "response.output_text.done", "output_index": 1, "content_index": 0, "text": text_all}),
    );
    ev.push(json!({"type": "response.content_part.done", "output_index": 1, "content_index": 0}));
    ev.push(json!({"type": "response.output_item.done", "output_index": 1, "item": message_item(&text_all)}));
    ev.push(json!({"type": "response.output_item.added", "output_index": 2, "item": call_item("")}));
    for d in args {
        ev.push(json!({"type": "response.function_call_arguments.delta", "output_index": 2, "delta": d}));
    }
    ev.push(
        json!({"type": "response.function_call_arguments.done", "output_index": 2, "arguments": args_all}),
    );
    ev.push(json!({"type": "response.output_item.done", "output_index": 2, "item": call_item(&args_all)}));
    let response = completed(vec![reasoning, message_item(&text_all), call_item(&args_all)]);
    ev.push(json!({"type": "response.completed", "response": response}));
    (ev, response)
}

#[test]
fn a_rich_stream_accumulates_to_the_whole_response() {
    let (events, response) = rich_stream(
        &["The weather ", "is coming."],
        &["{\"city\":", "\"Par", "is\"}"],
        [&["First, ", "look."], &["Then, act."]],
    );
    let out = run(&events);
    let streamed = accumulate(&out);
    let whole = whole(&response);
    assert_eq!(streamed, whole);
    let ContentBlock::Thinking(t) = &whole.content[0] else {
        panic!()
    };
    assert_eq!(t.thinking, "First, look.\n\nThen, act.");
    let sig = decode_reasoning_signature(&t.signature).unwrap();
    assert_eq!(
        sig.encrypted_content.as_deref(),
        Some("gAAAA-final"),
        "from .done, never .added"
    );
    assert_eq!(sig.summary, ["First, look.", "Then, act."]);
    let ContentBlock::ToolUse(call) = &whole.content[2] else {
        panic!()
    };
    assert_eq!(
        (call.id.as_str(), call.input.clone()),
        ("call_1", json!({"city": "Paris"}))
    );
    assert_eq!(whole.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(whole.id, "msg_resp_1");
    let u = &whole.usage;
    assert_eq!(
        (u.input_tokens, u.cache_read_input_tokens, u.output_tokens),
        (Some(30), Some(20), Some(30))
    );
    assert_eq!(
        u.output_tokens_details.as_ref().unwrap().thinking_tokens,
        Some(12)
    );
    assert_eq!(u.service_tier.as_deref(), Some("standard"));
}

#[test]
fn refusals_are_text_with_the_refusal_stop_reason() {
    let item = json!({"type": "message", "id": "msg_1", "role": "assistant",
        "content": [{"type": "refusal", "refusal": "I can't help with that."}]});
    let response = completed(vec![item.clone()]);
    let events = vec![
        created(),
        json!({"type": "response.output_item.added", "output_index": 0, "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}}),
        json!({"type": "response.content_part.added", "output_index": 0, "content_index": 0, "part": {"type": "refusal", "refusal": ""}}),
        json!({"type": "response.refusal.delta", "output_index": 0, "content_index": 0, "delta": "I can't "}),
        json!({"type": "response.refusal.delta", "output_index": 0, "content_index": 0, "delta": "help with that."}),
        json!({"type": "response.refusal.done", "output_index": 0, "content_index": 0, "refusal": "I can't help with that."}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": item}),
        json!({"type": "response.completed", "response": response}),
    ];
    let streamed = accumulate(&run(&events));
    let whole = whole(&response);
    assert_eq!(streamed, whole);
    assert_eq!(whole.stop_reason, Some(StopReason::Refusal));
    assert!(matches!(&whole.content[0], ContentBlock::Text(t) if t.text == "I can't help with that."));
}

#[test]
fn incomplete_responses_map_their_reason() {
    let mut r = completed(vec![message_item("partial")]);
    r["status"] = json!("incomplete");
    r["incomplete_details"] = json!({"reason": "content_filter"});
    assert_eq!(whole(&r).stop_reason, Some(StopReason::Refusal));
    r["incomplete_details"] = json!({"reason": "max_output_tokens"});
    r["output"] = json!([call_item("{\"city\": \"Par")]);
    let m = whole(&r);
    assert_eq!(m.stop_reason, Some(StopReason::MaxTokens));
    let ContentBlock::ToolUse(call) = &m.content[0] else {
        panic!()
    };
    assert_eq!(
        call.input,
        json!({"city": "Par"}),
        "cut-off arguments repaired as in the Chat family"
    );
    // The same through the stream.
    let events = vec![
        created(),
        json!({"type": "response.output_item.added", "output_index": 0, "item": call_item("")}),
        json!({"type": "response.function_call_arguments.delta", "output_index": 0, "delta": "{\"city\": \"Par"}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": call_item("{\"city\": \"Par")}),
        json!({"type": "response.incomplete", "response": r}),
    ];
    assert_eq!(accumulate(&run(&events)), m);
}

#[test]
fn failed_responses_are_typed_errors() {
    let failed = json!({"id": "resp_1", "status": "failed", "output": [],
        "error": {"code": "rate_limit_exceeded", "message": "Slow down."}});
    match parse_response(failed.to_string().as_bytes(), "m") {
        Err(ResponsesError::Failed(e)) => {
            assert_eq!(e.error.kind, ErrorKind::RateLimit);
            assert_eq!(e.error.message, "Slow down.");
            assert_eq!(e.error.extra["code"], "rate_limit_exceeded");
        }
        other => panic!("{other:?}"),
    }
    let mut f = failed.clone();
    f["error"] = json!({"code": "invalid_prompt", "message": "Bad prompt."});
    let Err(ResponsesError::Failed(e)) = parse_response(f.to_string().as_bytes(), "m") else {
        panic!()
    };
    assert_eq!(e.error.kind, ErrorKind::InvalidRequest);
    // In a stream: the text so far, then an error event.
    let events = vec![
        created(),
        json!({"type": "response.output_item.added", "output_index": 0, "item": {"type": "message", "role": "assistant", "content": []}}),
        json!({"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "Hel"}),
        json!({"type": "response.failed", "response": failed}),
    ];
    let out = run(&events);
    let Some(StreamEvent::Error(e)) = out.last() else {
        panic!("{out:#?}")
    };
    assert_eq!(e.error.kind, ErrorKind::RateLimit);
    // A background response still running is not a reply.
    let Err(ResponsesError::Convert(ConvertError::Invalid { .. })) =
        parse_response(br#"{"id":"r","status":"queued","output":[]}"#, "m")
    else {
        panic!()
    };
}

#[test]
fn error_events_end_the_stream_with_a_typed_error() {
    for payload in [
        json!({"type": "error", "code": "rate_limit_exceeded", "message": "Too many requests", "param": null, "sequence_number": 3}),
        json!({"error": {"type": "rate_limit_error", "code": "rate_limit_exceeded", "message": "Too many requests"}}),
    ] {
        let out = run(&[created(), payload]);
        let Some(StreamEvent::Error(e)) = out.last() else {
            panic!("{out:#?}")
        };
        assert_eq!(e.error.kind, ErrorKind::RateLimit);
        assert_eq!(e.error.message, "Too many requests");
    }
}

#[test]
fn a_stream_without_a_terminal_event_is_an_error() {
    let mut conv = ResponsesStreamConverter::new("m");
    let mut out = Vec::new();
    for e in [
        created(),
        json!({"type": "response.output_item.added", "output_index": 0, "item": {"type": "message", "role": "assistant", "content": []}}),
        json!({"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "Hi"}),
    ] {
        conv.push(None, e.to_string().as_bytes(), &mut out).unwrap();
    }
    conv.push(None, b"[DONE]", &mut out).unwrap();
    let err = conv.finish(&mut out).unwrap_err();
    assert!(
        matches!(err, ConvertError::Invalid { what: "stream", .. }),
        "{err}"
    );
    conv.truncated_error(&mut out).unwrap();
    validate_stream(&out).unwrap();
    assert!(matches!(out.last(), Some(StreamEvent::Error(_))));
    // An empty body too.
    assert!(ResponsesStreamConverter::new("m")
        .finish(&mut Vec::new())
        .is_err());
}

#[test]
fn unknown_and_progress_events_are_skipped() {
    let (mut events, response) = rich_stream(&["Hi"], &["{}"], [&["a"], &["b"]]);
    let extra = [
        json!({"type": "response.web_search_call.searching", "output_index": 9, "item_id": "ws"}),
        json!({"type": "response.audio.delta", "delta": "AAAA"}),
        json!({"type": "response.code_interpreter_call_code.delta", "output_index": 9, "delta": "print(1)"}),
        json!({"type": "response.some_future_event", "sequence_number": 99, "whatever": {"x": 1}}),
        json!({"type": "response.output_text.annotation.added", "output_index": 1, "content_index": 0, "annotation": null}),
    ];
    for (i, e) in extra.into_iter().enumerate() {
        events.insert(3 + i * 3, e);
    }
    assert_eq!(accumulate(&run(&events)), whole(&response));
}

#[test]
fn the_sse_event_name_is_a_fallback_for_the_type() {
    let mut conv = ResponsesStreamConverter::new("m");
    let mut out = Vec::new();
    conv.push(
        Some("response.created"),
        br#"{"response":{"id":"resp_9","status":"in_progress"}}"#,
        &mut out,
    )
    .unwrap();
    assert!(matches!(&out[0], StreamEvent::MessageStart(s) if s.message.id == "msg_resp_9"));
}

#[test]
fn bad_payloads_are_decode_errors() {
    let mut conv = ResponsesStreamConverter::new("m");
    let err = conv.push(None, b"{not json", &mut Vec::new()).unwrap_err();
    assert!(matches!(err, ConvertError::Decode { .. }), "{err}");
    let err = parse_response(b"[1,2]", "m").unwrap_err();
    assert!(
        matches!(err, ResponsesError::Convert(ConvertError::Decode { .. })),
        "{err}"
    );
}

#[test]
fn web_search_calls_and_url_citations() {
    let text = "Rust 1.90 is out.";
    let search = json!({"type": "web_search_call", "id": "ws_1", "status": "completed",
        "action": {"type": "search", "query": "rust release", "sources": [{"type": "url", "url": "https://blog.rust-lang.org/"}]}});
    let message = json!({"type": "message", "id": "msg_1", "role": "assistant", "content": [{"type": "output_text", "text": text,
        "annotations": [
            {"type": "url_citation", "url": "https://blog.rust-lang.org/", "title": "Rust Blog", "start_index": 0, "end_index": 9},
            {"type": "file_citation", "file_id": "file_1", "filename": "notes.md", "index": 3}]}]});
    let response = completed(vec![search.clone(), message.clone()]);
    let m = whole(&response);
    let ContentBlock::ServerToolUse(call) = &m.content[0] else {
        panic!("{m:#?}")
    };
    assert_eq!(
        (call.name.as_str(), &call.input),
        ("web_search", &json!({"query": "rust release"}))
    );
    let ContentBlock::WebSearchToolResult(result) = &m.content[1] else {
        panic!()
    };
    assert_eq!(result.tool_use_id, "ws_1");
    assert_eq!(
        result.web_search_results().unwrap()[0].url,
        "https://blog.rust-lang.org/"
    );
    let ContentBlock::Text(t) = &m.content[2] else {
        panic!()
    };
    let Some([Citation::WebSearchResultLocation(c)]) = t.citations.as_ref().map(Vec::as_slice) else {
        panic!()
    };
    assert_eq!(
        (c.cited_text.as_str(), c.url.as_str()),
        ("Rust 1.90", "https://blog.rust-lang.org/")
    );
    assert_eq!(
        t.extra["annotations"][0]["type"], "file_citation",
        "kept as an unknown field"
    );
    assert_eq!(
        m.usage.server_tool_use.as_ref().unwrap().web_search_requests,
        Some(1)
    );
    // The stream gives the same blocks and the URL citation; the file
    // citation has no Anthropic kind and cannot be added to a streamed block.
    let events = vec![
        created(),
        json!({"type": "response.output_item.added", "output_index": 0, "item": {"type": "web_search_call", "id": "ws_1", "status": "in_progress"}}),
        json!({"type": "response.web_search_call.in_progress", "output_index": 0, "item_id": "ws_1"}),
        json!({"type": "response.web_search_call.completed", "output_index": 0, "item_id": "ws_1"}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": search}),
        json!({"type": "response.output_item.added", "output_index": 1, "item": {"type": "message", "role": "assistant", "content": []}}),
        json!({"type": "response.content_part.added", "output_index": 1, "content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []}}),
        json!({"type": "response.output_text.delta", "output_index": 1, "content_index": 0, "delta": "Rust 1.90 "}),
        json!({"type": "response.output_text.delta", "output_index": 1, "content_index": 0, "delta": "is out."}),
        json!({"type": "response.output_text.annotation.added", "output_index": 1, "content_index": 0,
            "annotation_index": 0, "annotation": message["content"][0]["annotations"][0]}),
        json!({"type": "response.output_text.done", "output_index": 1, "content_index": 0, "text": text}),
        json!({"type": "response.content_part.done", "output_index": 1, "content_index": 0,
            "part": message["content"][0]}),
        json!({"type": "response.output_item.done", "output_index": 1, "item": message}),
        json!({"type": "response.completed", "response": response}),
    ];
    let mut expected = m.clone();
    if let ContentBlock::Text(t) = &mut expected.content[2] {
        t.extra.clear();
    }
    let out = run(&events);
    assert_eq!(
        out.iter()
            .filter(|e| matches!(e, StreamEvent::ContentBlockDelta(d)
        if matches!(d.delta, messages_types::ContentDelta::CitationsDelta(_))))
            .count(),
        1
    );
    assert_eq!(accumulate(&out), expected);
}

#[test]
fn mistralrs_reasoning_string_and_unknown_items() {
    let body = json!({"id": "resp_1", "status": "completed", "reasoning": "Hmm, think.",
        "output": [message_item("Answer."), {"type": "file_search_call", "id": "fs_1", "status": "completed"}],
        "usage": {"input_tokens": 5, "output_tokens": 9}, "service_tier": "flex"});
    let m = parse_response(body.to_string().as_bytes(), "Qwen").unwrap();
    assert!(
        matches!(&m.content[0], ContentBlock::Thinking(t) if t.thinking == "Hmm, think." && t.signature.is_empty())
    );
    assert!(matches!(&m.content[1], ContentBlock::Text(t) if t.text == "Answer."));
    assert_eq!(m.content.len(), 2);
    assert_eq!(m.model, "Qwen");
    assert_eq!(m.usage.service_tier, None, "flex has no Anthropic tier");
}

/// Splits `s` at the given fractions (character boundaries).
fn split(s: &str, cuts: &[usize]) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (chars.len() + 1)).collect();
    points.sort_unstable();
    points.dedup();
    let mut out = Vec::new();
    let mut last = 0;
    for p in points.into_iter().chain([chars.len()]) {
        if p > last {
            out.push(chars[last..p].iter().collect());
            last = p;
        }
    }
    out
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// However the provider splits its deltas, the accumulated message is
    /// the whole-response conversion.
    #[test]
    fn delta_splits_do_not_change_the_message(
        text_cuts in proptest::collection::vec(0usize..64, 0..6),
        args_cuts in proptest::collection::vec(0usize..64, 0..6),
        sum_cuts in proptest::collection::vec(0usize..64, 0..4),
    ) {
        let text = split("Ünïcödé text, with \"quotes\" and\nnewlines.", &text_cuts);
        let args = split(r#"{"city":"Paris","days":[1,2,3],"units":"°C"}"#, &args_cuts);
        let sum = split("Looking at the request…", &sum_cuts);
        let (events, response) = rich_stream(&strs(&text), &strs(&args), [&strs(&sum), &["ok"]]);
        prop_assert_eq!(accumulate(&run(&events)), whole(&response));
    }

    /// However the caller batches the events into output vectors, the
    /// converted events are the same.
    #[test]
    fn batching_does_not_change_the_events(batches in proptest::collection::vec(1usize..6, 1..20)) {
        let (events, _) = rich_stream(&["Hel", "lo"], &["{\"a\"", ":1}"], [&["x", "y"], &["z"]]);
        let reference = run(&events);
        let mut conv = ResponsesStreamConverter::new("m");
        let mut all = Vec::new();
        let mut iter = events.iter();
        let mut sizes = batches.iter().cycle();
        loop {
            let n = *sizes.next().unwrap();
            let batch: Vec<&Value> = iter.by_ref().take(n).collect();
            if batch.is_empty() {
                break;
            }
            let mut out = Vec::new();
            for e in batch {
                conv.push(None, e.to_string().as_bytes(), &mut out).unwrap();
            }
            all.extend(out);
        }
        conv.finish(&mut all).unwrap();
        prop_assert_eq!(all, reference);
    }
}

/// Main's rule: tool arguments are repaired only when the reply stopped at
/// the token limit. Invalid arguments in a completed reply are an
/// `InvalidToolArguments` error naming the call, whole and streamed.
#[test]
fn invalid_arguments_in_a_complete_reply_are_a_typed_error() {
    let r = json!({"id": "resp_1", "status": "completed", "output": [call_item("{\"city\": \"Par")],
                   "usage": {"input_tokens": 5, "output_tokens": 3}});
    let parsed: Response = serde_json::from_value(r.clone()).unwrap();
    match from_response(&parsed, "m") {
        Err(ResponsesError::Convert(ConvertError::InvalidToolArguments {
            id, name, excerpt, ..
        })) => {
            assert_eq!((id.as_str(), name.as_str()), ("call_1", "get_weather"));
            assert!(excerpt.contains("Par"), "{excerpt}");
        }
        other => panic!("expected InvalidToolArguments, got {other:?}"),
    }
    let events = vec![
        created(),
        json!({"type": "response.output_item.added", "output_index": 0, "item": call_item("")}),
        json!({"type": "response.function_call_arguments.delta", "output_index": 0, "delta": "{\"city\": \"Par"}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": call_item("{\"city\": \"Par")}),
        json!({"type": "response.completed", "response": r}),
    ];
    let mut conv = ResponsesStreamConverter::new("m");
    let mut out = Vec::new();
    let mut err = None;
    for e in &events {
        if let Err(e) = conv.push(None, e.to_string().as_bytes(), &mut out) {
            err = Some(e);
            break;
        }
    }
    assert!(
        matches!(&err, Some(ConvertError::InvalidToolArguments { id, .. }) if id == "call_1"),
        "{err:?}"
    );
}

/// The family's convention functions: `stream(...)` is a boxed
/// `StreamConverter` fed frames; a mid-stream `response.failed` is an
/// Anthropic `error` event, not an `Err`.
#[test]
fn stream_converter_trait_pushes_a_failed_response_as_an_error_event() {
    use messages_convert::openai_responses;
    use messages_convert::{Frame, StreamConverter};
    let mut conv: Box<dyn StreamConverter> = Box::new(openai_responses::stream("m"));
    let mut out = Vec::new();
    let failed = json!({"type": "response.failed", "response": {"id": "resp_1", "status": "failed",
        "error": {"code": "rate_limit_exceeded", "message": "slow down"}, "output": []}});
    for e in [created(), failed] {
        let data = e.to_string();
        conv.on_frame(
            Frame::Sse {
                event: None,
                data: data.as_bytes(),
            },
            &mut out,
        )
        .unwrap();
    }
    conv.finish(&mut out).unwrap();
    let Some(StreamEvent::Error(e)) = out.last() else {
        panic!("{out:?}")
    };
    assert_eq!(e.error.kind, ErrorKind::RateLimit);
    assert_eq!(openai_responses::FRAMING, messages_convert::Framing::Sse);
    let aws = Frame::AwsEvent {
        message_type: "event",
        event_type: "x",
        payload: b"{}",
    };
    assert!(openai_responses::stream("m").on_frame(aws, &mut out).is_err());
}
