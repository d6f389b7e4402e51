//! Stream conversion cases the recorded corpus does not (or not always)
//! contain: interleaved parallel tool calls, whole tool calls in one chunk,
//! index reuse, `<think>` tags split across chunks, Mistral thinking parts,
//! refusals, an error object mid-stream, a trailing usage chunk, a missing
//! `[DONE]`, cut-off tool calls, bad payloads; and a property: however the
//! provider splits text and argument deltas, the accumulated message is the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::openai_chat::{from_chat_completion, parse_response};
use messages_convert::openai_chat::{ChunkConverter, ChunkFolder, Dialect, ResponseContext};
use messages_convert::ConvertError;
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{ContentBlock, ErrorKind, Message, StopReason, StreamEvent};
use proptest::prelude::*;
use serde_json::{json, Value};

fn chunk(delta: Value, finish: Option<&str>) -> String {
    json!({"id": "c1", "model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        .to_string()
}

fn run_with(d: &Dialect, payloads: &[String]) -> Vec<StreamEvent> {
    let mut conv = ChunkConverter::new(&ResponseContext::new(d, "m"));
    let mut out = Vec::new();
    for p in payloads {
        conv.push(p.as_bytes(), &mut out).unwrap();
    }
    conv.finish(&mut out).unwrap();
    validate_stream(&out).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    out
}

fn run(payloads: &[String]) -> Vec<StreamEvent> {
    run_with(&Dialect::GENERIC, payloads)
}

fn message(events: &[StreamEvent]) -> Message {
    let mut acc = MessageAccumulator::new();
    for e in events {
        acc.push(e).unwrap();
    }
    acc.finish().unwrap()
}

/// The message converting the natively folded stream gives.
fn folded(d: &Dialect, payloads: &[String]) -> Message {
    let mut f = ChunkFolder::new();
    for p in payloads {
        f.push(p.as_bytes()).unwrap();
    }
    from_chat_completion(f.into_completion().unwrap(), &ResponseContext::new(d, "m")).unwrap()
}

fn tool_delta(index: u32, id: Option<&str>, name: Option<&str>, args: &str) -> Value {
    let mut f = json!({"arguments": args});
    if let Some(n) = name {
        f["name"] = json!(n);
    }
    let mut t = json!({"index": index, "function": f});
    if let Some(id) = id {
        t["id"] = json!(id);
        t["type"] = json!("function");
    }
    json!({"tool_calls": [t]})
}

fn tools(m: &Message) -> Vec<(String, String, Value)> {
    m.content
        .iter()
        .filter_map(ContentBlock::as_tool_use)
        .map(|t| (t.id.clone(), t.name.clone(), t.input.clone()))
        .collect()
}

#[test]
fn interleaved_parallel_tool_calls_are_routed_by_index() {
    let payloads = vec![
        chunk(json!({"role": "assistant", "content": "Let me check."}), None),
        chunk(tool_delta(0, Some("call_a"), Some("weather"), ""), None),
        chunk(tool_delta(1, Some("call_b"), Some("time"), ""), None),
        chunk(tool_delta(0, None, None, "{\"city\":"), None),
        chunk(tool_delta(1, None, None, "{\"tz\":\"CET\"}"), None),
        chunk(tool_delta(0, None, None, "\"Paris\"}"), None),
        chunk(json!({}), Some("tool_calls")),
        json!({"id": "c1", "model": "m", "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5}}).to_string(),
        "[DONE]".to_owned(),
    ];
    let events = run(&payloads);
    let m = message(&events);
    assert_eq!(m.text(), "Let me check.");
    assert_eq!(
        tools(&m),
        vec![
            ("call_a".into(), "weather".into(), json!({"city": "Paris"})),
            ("call_b".into(), "time".into(), json!({"tz": "CET"})),
        ]
    );
    assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(
        (m.usage.input_tokens, m.usage.output_tokens),
        (Some(10), Some(5)),
        "trailing usage chunk"
    );
    assert_eq!(m, folded(&Dialect::GENERIC, &payloads));
}

#[test]
fn whole_tool_calls_in_one_chunk_and_index_reuse() {
    // Mistral sends each call whole; some servers reuse index 0 with a new id.
    let payloads = vec![
        chunk(
            json!({"tool_calls": [
                {"id": "a1", "index": 0, "function": {"name": "f", "arguments": "{\"x\":1}"}},
                {"id": "a2", "index": 1, "function": {"name": "g", "arguments": "{}"}}]}),
            None,
        ),
        chunk(
            tool_delta(0, Some("a3"), Some("h"), "{\"y\":2}"),
            Some("tool_calls"),
        ),
    ];
    let m = message(&run(&payloads));
    assert_eq!(
        tools(&m),
        vec![
            ("a1".into(), "f".into(), json!({"x": 1})),
            ("a2".into(), "g".into(), json!({})),
            ("a3".into(), "h".into(), json!({"y": 2})),
        ]
    );
    assert_eq!(m, folded(&Dialect::GENERIC, &payloads));
}

#[test]
fn missing_or_empty_tool_call_ids_are_generated_alike_whole_and_streamed() {
    let streamed = message(&run(&[
        chunk(tool_delta(0, Some(""), Some("f"), "{}"), None),
        chunk(tool_delta(1, None, Some("g"), "{}"), Some("tool_calls")),
    ]));
    let body = json!({"id": "x", "choices": [{"index": 0, "finish_reason": "tool_calls",
        "message": {"role": "assistant", "tool_calls": [
            {"id": "", "type": "function", "function": {"name": "f", "arguments": "{}"}},
            {"type": "function", "function": {"name": "g", "arguments": "{}"}}]}}]});
    let whole = parse_response(
        body.to_string().as_bytes(),
        &ResponseContext::new(&Dialect::GENERIC, "m"),
    )
    .unwrap();
    assert_eq!(
        tools(&streamed),
        [
            ("call_0".to_owned(), "f".to_owned(), json!({})),
            ("call_1".to_owned(), "g".to_owned(), json!({}))
        ]
    );
    assert_eq!(tools(&whole), tools(&streamed));
}

#[test]
fn content_between_argument_fragments_does_not_cut_the_call() {
    // Chat Completions allows content in any chunk: it must neither end the
    // call early nor make its next fragment an error.
    let m = message(&run(&[
        chunk(tool_delta(0, Some("a"), Some("f"), "{\"x\":"), None),
        chunk(json!({"content": " "}), None),
        chunk(tool_delta(0, None, None, "1}"), Some("tool_calls")),
    ]));
    assert_eq!(tools(&m), [("a".to_owned(), "f".to_owned(), json!({"x": 1}))]);
    assert_eq!(m.text(), " ");
    assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
}

#[test]
fn think_tags_split_across_chunks() {
    let d = Dialect {
        think_tags: true,
        ..Dialect::GENERIC
    };
    let payloads: Vec<String> = ["<th", "ink>Plan: add.</thi", "nk>\n\n4", ""]
        .iter()
        .map(|t| chunk(json!({"content": t}), None))
        .chain([chunk(json!({}), Some("stop")), "[DONE]".to_owned()])
        .collect();
    let m = message(&run_with(&d, &payloads));
    assert!(matches!(&m.content[0], ContentBlock::Thinking(t) if t.thinking == "Plan: add."));
    assert_eq!(m.text(), "4");
    assert_eq!(m, folded(&d, &payloads));
    // Without the quirk the tags are plain text.
    assert_eq!(message(&run(&payloads)).text(), "<think>Plan: add.</think>\n\n4");

    // Text parts (Mistral-style content lists) are split the same way, whole
    // or streamed.
    let parts: Vec<String> = ["<think>Pl", "an.</think>Hi"]
        .iter()
        .map(|t| chunk(json!({"content": [{"type": "text", "text": t}]}), None))
        .chain([chunk(json!({}), Some("stop"))])
        .collect();
    let m = message(&run_with(&d, &parts));
    assert!(matches!(&m.content[0], ContentBlock::Thinking(t) if t.thinking == "Plan."));
    assert_eq!(m.text(), "Hi");
    assert_eq!(m, folded(&d, &parts));
}

#[test]
fn reasoning_fields_and_mistral_thinking_parts() {
    let payloads = vec![
        chunk(json!({"reasoning_content": "step 1; "}), None),
        chunk(json!({"reasoning": "step 2"}), None),
        chunk(
            json!({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": " step 3"}]}]}),
            None,
        ),
        chunk(
            json!({"content": [{"type": "text", "text": "Done."}]}),
            Some("stop"),
        ),
    ];
    let m = message(&run(&payloads));
    assert!(matches!(&m.content[0], ContentBlock::Thinking(t) if t.thinking == "step 1; step 2 step 3"));
    assert_eq!(m.text(), "Done.");
    assert_eq!(m.content.len(), 2);
}

#[test]
fn refusal_and_content_filter() {
    let m = message(&run(&[
        chunk(json!({"refusal": "I can't help with that."}), None),
        chunk(json!({}), Some("stop")),
    ]));
    assert_eq!(m.stop_reason, Some(StopReason::Refusal));
    assert_eq!(m.text(), "I can't help with that.");
    let m = message(&run(&[chunk(
        json!({"content": "partial"}),
        Some("content_filter"),
    )]));
    assert_eq!(m.stop_reason, Some(StopReason::Refusal));
}

#[test]
fn unknown_and_router_finish_reasons() {
    let m = message(&run(&[chunk(json!({"content": "x"}), Some("eos"))]));
    assert_eq!(m.stop_reason, Some(StopReason::EndTurn));
    let m = message(&run(&[chunk(json!({"content": "x"}), Some("model_length"))]));
    assert_eq!(m.stop_reason, Some(StopReason::MaxTokens));
    // A reason with no Anthropic counterpart never becomes a stop reason
    // outside Anthropic's vocabulary (issue 11): it is inferred from the content.
    let m = message(&run(&[chunk(json!({"content": "x"}), Some("weird_new_reason"))]));
    assert_eq!(m.stop_reason, Some(StopReason::EndTurn));
    // A router says tool_calls, the upstream said max_output_tokens: the call was cut.
    let cut = json!({"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {},
        "finish_reason": "tool_calls", "native_finish_reason": "max_output_tokens"}]});
    let m = message(&run(&[
        chunk(tool_delta(0, Some("t"), Some("f"), "{\"q\": \"abc"), None),
        cut.to_string(),
    ]));
    assert_eq!(m.stop_reason, Some(StopReason::MaxTokens));
    assert_eq!(
        tools(&m)[0].2,
        json!({"q": "abc"}),
        "cut-off input completed, as the whole conversion does"
    );
}

#[test]
fn stop_sequence_named_by_the_server() {
    let d = Dialect::GENERIC;
    let stops = vec!["END".to_owned()];
    let ctx = ResponseContext {
        dialect: &d,
        stop_sequences: &stops,
        model: "m",
    };
    let mut conv = ChunkConverter::new(&ctx);
    let mut out = Vec::new();
    let last = json!({"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": "a"},
        "finish_reason": "stop", "stop_reason": "END"}]});
    conv.push(last.to_string().as_bytes(), &mut out).unwrap();
    conv.push(b"[DONE]", &mut out).unwrap();
    let m = message(&out);
    assert_eq!(m.stop_reason, Some(StopReason::StopSequence));
    assert_eq!(m.stop_sequence.as_deref(), Some("END"));
}

#[test]
fn error_mid_stream_ends_with_an_error_event() {
    let mut conv = ChunkConverter::new(&ResponseContext::new(&Dialect::GENERIC, "m"));
    let mut out = Vec::new();
    conv.push(chunk(json!({"content": "Hel"}), None).as_bytes(), &mut out)
        .unwrap();
    let err = r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#;
    conv.push(err.as_bytes(), &mut out).unwrap();
    conv.push(chunk(json!({"content": "lo"}), None).as_bytes(), &mut out)
        .unwrap();
    conv.finish(&mut out).unwrap();
    validate_stream(&out).unwrap();
    let Some(StreamEvent::Error(e)) = out.last() else {
        panic!("{out:#?}")
    };
    assert_eq!(e.error.kind, ErrorKind::RateLimit);
    assert_eq!(e.error.message, "Rate limit reached");
    let deltas = out
        .iter()
        .filter(|e| matches!(e, StreamEvent::ContentBlockDelta(_)))
        .count();
    assert_eq!(
        deltas, 1,
        "the events before the error are kept, nothing after it"
    );
}

#[test]
fn stream_without_done_still_finishes_and_empty_stream_emits_nothing() {
    let m = message(&run(&[chunk(json!({"content": "hi"}), Some("length"))]));
    assert_eq!(m.stop_reason, Some(StopReason::MaxTokens));
    let mut conv = ChunkConverter::new(&ResponseContext::new(&Dialect::GENERIC, "m"));
    let mut out = Vec::new();
    conv.push(b"[DONE]", &mut out).unwrap();
    conv.finish(&mut out).unwrap();
    assert!(out.is_empty());
}

#[test]
fn bad_payloads_are_decode_errors() {
    let mut conv = ChunkConverter::new(&ResponseContext::new(&Dialect::GENERIC, "m"));
    let mut out = Vec::new();
    let err = conv.push(b"{not json", &mut out).unwrap_err();
    assert!(
        matches!(
            err,
            ConvertError::Decode {
                what: "stream chunk",
                ..
            }
        ),
        "{err}"
    );
    let err = conv
        .push(br#"{"choices":[{"index":0,"delta":{"content":5}}]}"#, &mut out)
        .unwrap_err();
    assert!(matches!(err, ConvertError::Decode { .. }), "{err}");
}

/// Splits `s` at the given fractions (char boundaries).
fn split(s: &str, cuts: &[usize]) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (chars.len() + 1)).collect();
    bounds.sort_unstable();
    let mut out = Vec::new();
    let mut last = 0;
    for b in bounds {
        out.push(chars[last..b].iter().collect());
        last = b;
    }
    out.push(chars[last..].iter().collect());
    out
}

proptest! {
    /// However the server splits reasoning, text and argument deltas (and
    /// however parallel calls interleave), the accumulated message is the same,
    /// and equals converting the folded whole response.
    #[test]
    fn delta_splitting_does_not_change_the_message(
        reasoning in "[a-z ]{0,20}",
        text in "[a-zé ,.<>]{0,30}",
        a in "[a-z0-9]{0,12}",
        b in "[a-z0-9]{0,12}",
        cuts in proptest::collection::vec(0usize..40, 0..8),
        interleave in any::<bool>(),
    ) {
        let args_a = json!({"v": a}).to_string();
        let args_b = json!({"w": b}).to_string();
        let mut payloads = vec![chunk(json!({"role": "assistant", "content": ""}), None)];
        payloads.extend(split(&reasoning, &cuts).into_iter().map(|r| chunk(json!({"reasoning_content": r}), None)));
        payloads.extend(split(&text, &cuts).into_iter().map(|t| chunk(json!({"content": t}), None)));
        payloads.push(chunk(tool_delta(0, Some("ta"), Some("fa"), ""), None));
        let (pa, pb) = (split(&args_a, &cuts), split(&args_b, &cuts));
        if interleave {
            payloads.push(chunk(tool_delta(1, Some("tb"), Some("fb"), ""), None));
            for i in 0..pa.len().max(pb.len()) {
                if let Some(f) = pa.get(i) { payloads.push(chunk(tool_delta(0, None, None, f), None)); }
                if let Some(f) = pb.get(i) { payloads.push(chunk(tool_delta(1, None, None, f), None)); }
            }
        } else {
            payloads.extend(pa.iter().map(|f| chunk(tool_delta(0, None, None, f), None)));
            payloads.push(chunk(tool_delta(1, Some("tb"), Some("fb"), ""), None));
            payloads.extend(pb.iter().map(|f| chunk(tool_delta(1, None, None, f), None)));
        }
        payloads.push(chunk(json!({}), Some("tool_calls")));
        let m = message(&run(&payloads));
        prop_assert_eq!(m.thinking().map(|t| t.thinking.as_str()).collect::<String>(), reasoning.clone());
        prop_assert_eq!(m.text(), text.clone());
        prop_assert_eq!(tools(&m), vec![
            ("ta".to_owned(), "fa".to_owned(), json!({"v": a})),
            ("tb".to_owned(), "fb".to_owned(), json!({"w": b})),
        ]);
        prop_assert_eq!(&m, &folded(&Dialect::GENERIC, &payloads));
    }
}

fn arbitrary_chunk() -> impl Strategy<Value = String> {
    let text = prop_oneof![Just(Value::Null), "[a-z<>/ ]{0,8}".prop_map(Value::from)];
    let finish = prop_oneof![
        Just(Value::Null),
        Just(json!("stop")),
        Just(json!("tool_calls")),
        Just(json!("length")),
        Just(json!("eos"))
    ];
    let tool = (0u32..3, proptest::option::of("[a-c]"), "[{}\":a-z0-9 ]{0,6}").prop_map(|(i, id, args)| {
        let mut t = json!({"index": i, "function": {"arguments": args}});
        if let Some(id) = id {
            t["id"] = json!(id);
            t["function"]["name"] = json!("f");
        }
        t
    });
    (
        text.clone(),
        text,
        proptest::collection::vec(tool, 0..3),
        finish,
        any::<bool>(),
    )
        .prop_map(|(content, reasoning, tools, finish, usage)| {
            let mut c = json!({"id": "c", "model": "m", "choices": [{"index": 0,
                "delta": {"content": content, "reasoning_content": reasoning, "tool_calls": tools},
                "finish_reason": finish}]});
            if usage {
                c["usage"] = json!({"prompt_tokens": 3, "completion_tokens": 2});
            }
            c.to_string()
        })
}

proptest! {
    /// Arbitrary bytes never panic the stream, response or error conversions.
    #[test]
    fn arbitrary_bytes_never_panic(payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8)) {
        let mut conv = ChunkConverter::new(&ResponseContext::new(&Dialect { think_tags: true, ..Dialect::GENERIC }, "m"));
        let mut out = Vec::new();
        for p in &payloads {
            let _ = conv.push(p, &mut out);
            let _ = messages_convert::openai_chat::parse_response(p, &ResponseContext::new(&Dialect::GENERIC, "m"));
            let _ = messages_convert::openai_chat::error_response(500, p);
        }
        let _ = conv.finish(&mut out);
    }

    /// Any sequence of well-formed but arbitrary chunks (tool calls with or
    /// without ids at reused indexes, fragments that are not JSON, reasoning
    /// and text interleaved, `<think>` tags) either converts into a valid
    /// event sequence or stops with a typed error after a valid prefix.
    #[test]
    fn arbitrary_chunks_give_valid_streams(chunks in proptest::collection::vec(arbitrary_chunk(), 0..12)) {
        let d = Dialect { think_tags: true, ..Dialect::GENERIC };
        let mut conv = ChunkConverter::new(&ResponseContext::new(&d, "m"));
        let mut out = Vec::new();
        let mut failed = false;
        for c in &chunks {
            if conv.push(c.as_bytes(), &mut out).is_err() {
                failed = true;
                break;
            }
        }
        if !failed {
            // Arguments that are not JSON in a reply that did not stop at the
            // token limit are a typed error naming the call (issue 10): what
            // came before is a valid prefix.
            if let Err(e) = conv.finish(&mut out) {
                prop_assert!(matches!(e, ConvertError::InvalidToolArguments { .. }), "{e}");
                let mut grammar = messages_types::grammar::EventGrammar::new();
                for e in &out {
                    prop_assert!(grammar.push(e).is_ok());
                }
                return Ok(());
            }
            // An empty stream stays empty; anything else is a whole valid stream.
            prop_assert!(out.is_empty() == chunks.is_empty());
            if !out.is_empty() {
                prop_assert!(validate_stream(&out).is_ok(), "{:?}\n{:#?}", validate_stream(&out), chunks);
            }
        } else {
            // A typed error ends the conversion; what came before is a valid prefix.
            let mut grammar = messages_types::grammar::EventGrammar::new();
            for e in &out {
                prop_assert!(grammar.push(e).is_ok());
            }
        }
    }
}

#[test]
fn a_stream_that_never_says_why_it_stopped_is_an_error() {
    // Chunks with `choices: null` (and empty), then `[DONE]` or the end of
    // the body: no finish_reason ever came.
    for end in [Some("[DONE]"), None] {
        let mut conv = ChunkConverter::new(&ResponseContext::new(&Dialect::GENERIC, "m"));
        let mut out = Vec::new();
        for payload in [
            r#"{"id":"c1","model":"m","choices":null}"#,
            r#"{"id":"c1","model":"m","choices":[]}"#,
            r#"{"id":"c1","model":"m","choices":null}"#,
        ] {
            conv.push(payload.as_bytes(), &mut out).unwrap();
        }
        match end {
            Some(done) => conv.push(done.as_bytes(), &mut out).unwrap(),
            None => conv.finish(&mut out).unwrap(),
        }
        validate_stream(&out).unwrap();
        let Some(StreamEvent::Error(e)) = out.last() else {
            panic!("{out:#?}")
        };
        assert_eq!(e.error.kind, ErrorKind::Api);
        assert!(e.error.message.contains("finish_reason"), "{}", e.error.message);
        assert!(
            !out.iter().any(|e| matches!(e, StreamEvent::MessageStop(_))),
            "no empty message is completed"
        );
    }
    // Text without a finish_reason is an error too (a cut body).
    let mut conv = ChunkConverter::new(&ResponseContext::new(&Dialect::GENERIC, "m"));
    let mut out = Vec::new();
    conv.push(chunk(json!({"content": "Hi"}), None).as_bytes(), &mut out)
        .unwrap();
    conv.finish(&mut out).unwrap();
    assert!(matches!(out.last(), Some(StreamEvent::Error(_))), "{out:#?}");
}

/// A reply with one tool call `call_9` / `lookup` whose arguments are `args`,
/// whole and as a stream of 3-byte fragments.
fn tool_reply(args: &str, finish: &str) -> (String, Vec<String>) {
    let whole = json!({"id": "c1", "model": "m", "choices": [{"index": 0, "finish_reason": finish,
        "message": {"role": "assistant", "content": null, "tool_calls": [{"id": "call_9", "type": "function",
        "function": {"name": "lookup", "arguments": args}}]}}]})
    .to_string();
    let mut stream = vec![chunk(tool_delta(0, Some("call_9"), Some("lookup"), ""), None)];
    let bytes: Vec<char> = args.chars().collect();
    for piece in bytes.chunks(3) {
        let piece: String = piece.iter().collect();
        stream.push(chunk(tool_delta(0, None, None, &piece), None));
    }
    stream.push(chunk(json!({}), Some(finish)));
    (whole, stream)
}

#[test]
fn invalid_arguments_in_a_complete_reply_are_an_error_naming_the_call_whole_and_streamed() {
    for (args, finish) in [
        ("NOTJSON{", "tool_calls"),
        (r#"{"a": 1, "b": tru"#, "tool_calls"),
        ("NOTJSON{", "length"),
    ] {
        let (whole, stream) = tool_reply(args, finish);
        let ctx = ResponseContext::new(&Dialect::GENERIC, "m");
        let err = parse_response(whole.as_bytes(), &ctx).unwrap_err();
        assert!(
            matches!(&err, ConvertError::InvalidToolArguments { id, name, .. } if id == "call_9" && name == "lookup"),
            "{args} / {finish}: {err:?}"
        );
        let mut conv = ChunkConverter::new(&ctx);
        let mut out = Vec::new();
        let streamed = stream
            .iter()
            .try_for_each(|c| conv.push(c.as_bytes(), &mut out))
            .and_then(|()| conv.finish(&mut out))
            .unwrap_err();
        assert_eq!(streamed, err, "the same error whole and streamed");
        assert!(err.to_string().contains("call_9") && err.to_string().contains("lookup"));
    }
}

#[test]
fn arguments_cut_by_the_token_limit_are_repaired_without_inventing_a_value_whole_and_streamed() {
    for (args, expected) in [
        (r#"{"a": 1, "b": tru"#, json!({"a": 1})),
        (r#"{"a": 1, "n": 12"#, json!({"a": 1})),
        (r#"{"a": 1, "ke"#, json!({"a": 1})),
        (r#"{"a": 1, "key": "#, json!({"a": 1})),
        (r#"{"q": "abc"#, json!({"q": "abc"})),
    ] {
        let (whole, stream) = tool_reply(args, "length");
        let ctx = ResponseContext::new(&Dialect::GENERIC, "m");
        let m = parse_response(whole.as_bytes(), &ctx).unwrap();
        assert_eq!(m.stop_reason, Some(StopReason::MaxTokens));
        assert_eq!(
            tools(&m),
            vec![("call_9".into(), "lookup".into(), expected.clone())],
            "{args}"
        );
        // Streamed, the arguments go out as received; accumulating repairs them alike.
        let events = run(&stream);
        let streamed = message(&events);
        assert_eq!(streamed.stop_reason, Some(StopReason::MaxTokens));
        assert_eq!(tools(&streamed), tools(&m), "{args}");
    }
}
