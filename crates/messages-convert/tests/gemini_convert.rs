//! Hand-written cases for the Gemini conversion: every request mapping and
//! refusal, stop reasons, stream edge cases, and (proptest) chunk-split
//! invariance of the stream conversion.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gemini_support;

use messages_convert::gemini::wire::GenerateContentResponse;
use messages_convert::gemini::{
    message_from_slice, to_anthropic_message, to_gemini_count_tokens_request, to_gemini_request, GeminiStream,
};
use messages_convert::ConvertError;
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{CountTokensParams, ErrorKind, MessageCreateParams, StopReason, StreamEvent};
use proptest::prelude::*;
use serde_json::{json, Value};

fn params(v: Value) -> MessageCreateParams {
    let mut base = json!({"model": "gemini-2.5-flash", "max_tokens": 256});
    for (k, x) in v.as_object().unwrap() {
        base[k] = x.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn convert(v: Value) -> Value {
    serde_json::to_value(to_gemini_request(&params(v)).unwrap()).unwrap()
}

fn convert_err(v: Value) -> ConvertError {
    to_gemini_request(&params(v)).unwrap_err()
}

fn unsupported_field(e: ConvertError) -> String {
    match e {
        ConvertError::Unsupported { provider, field, .. } => {
            assert_eq!(provider, "gemini");
            field
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn sampling_and_limits_go_to_generation_config() {
    let body = convert(json!({
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.5, "top_p": 0.9, "top_k": 40, "stop_sequences": ["END"],
        "metadata": {"user_id": "u1"}, "service_tier": "auto", "cache_control": {"type": "ephemeral"}
    }));
    assert_eq!(
        body["generationConfig"],
        json!({"maxOutputTokens": 256, "temperature": 0.5, "topP": 0.9, "topK": 40, "stopSequences": ["END"]})
    );
}

#[test]
fn tool_choice_modes() {
    let tools = json!([{"name": "f", "input_schema": {"type": "object"}}, {"name": "g", "input_schema": {"type": "object"}}]);
    let mode = |choice: Value| {
        convert(
            json!({"messages": [{"role": "user", "content": "x"}], "tools": tools, "tool_choice": choice}),
        )["toolConfig"]["functionCallingConfig"]
            .clone()
    };
    assert_eq!(mode(json!({"type": "auto"})), json!({"mode": "AUTO"}));
    assert_eq!(
        mode(json!({"type": "any", "disable_parallel_tool_use": true})),
        json!({"mode": "ANY"})
    );
    assert_eq!(
        mode(json!({"type": "tool", "name": "g"})),
        json!({"mode": "ANY", "allowedFunctionNames": ["g"]})
    );
    assert_eq!(mode(json!({"type": "none"})), json!({"mode": "NONE"}));
    let body = convert(json!({"messages": [{"role": "user", "content": "x"}], "tools": tools}));
    assert_eq!(
        body["tools"],
        json!([{"functionDeclarations": [
            {"name": "f", "parametersJsonSchema": {"type": "object"}},
            {"name": "g", "parametersJsonSchema": {"type": "object"}}]}])
    );
    let field = unsupported_field(convert_err(json!({
        "messages": [{"role": "user", "content": "x"}], "tools": tools, "tool_choice": {"type": "later"}})));
    assert_eq!(field, "tool_choice");
    // count_tokens ignores the generation settings of a reused request, refuses the rest.
    let p: CountTokensParams = serde_json::from_value(json!({
        "model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 9, "temperature": 0.1
    }))
    .unwrap();
    assert!(to_gemini_count_tokens_request(&p, "m").is_ok());
    let p: CountTokensParams = serde_json::from_value(json!({
        "model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 9, "speed": "fast"
    }))
    .unwrap();
    assert_eq!(
        unsupported_field(to_gemini_count_tokens_request(&p, "m").unwrap_err()),
        "speed"
    );
}

#[test]
fn thinking_and_effort() {
    let tc = |extra: Value| {
        let mut v = json!({"messages": [{"role": "user", "content": "x"}]});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        convert(v)["generationConfig"]["thinkingConfig"].clone()
    };
    assert_eq!(
        tc(json!({"thinking": {"type": "enabled", "budget_tokens": 2048}})),
        json!({"thinkingBudget": 2048, "includeThoughts": true})
    );
    assert_eq!(
        tc(json!({"thinking": {"type": "enabled", "budget_tokens": 2048, "display": "omitted"}})),
        json!({"thinkingBudget": 2048, "includeThoughts": false})
    );
    assert_eq!(
        tc(json!({"thinking": {"type": "disabled"}})),
        json!({"thinkingBudget": 0})
    );
    assert_eq!(
        tc(json!({"thinking": {"type": "adaptive"}})),
        json!({"thinkingBudget": -1, "includeThoughts": true})
    );
    assert_eq!(
        tc(json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "max"}})),
        json!({"thinkingLevel": "high", "includeThoughts": true})
    );
    assert_eq!(
        tc(json!({"output_config": {"effort": "low"}})),
        json!({"thinkingLevel": "low"})
    );
    // A budget wins over an effort: Gemini refuses both together.
    assert_eq!(
        tc(
            json!({"thinking": {"type": "enabled", "budget_tokens": 1024}, "output_config": {"effort": "low"}})
        ),
        json!({"thinkingBudget": 1024, "includeThoughts": true})
    );
    let field = unsupported_field(convert_err(json!({
        "messages": [{"role": "user", "content": "x"}], "thinking": {"type": "telepathic"}})));
    assert_eq!(field, "thinking");
}

#[test]
fn structured_output() {
    let schema = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    for key in ["output_config", "output_format"] {
        let format = json!({"type": "json_schema", "schema": schema});
        let value = if key == "output_config" {
            json!({"format": format})
        } else {
            format
        };
        let body = convert(json!({"messages": [{"role": "user", "content": "x"}], key: value}));
        assert_eq!(body["generationConfig"]["responseMimeType"], "application/json");
        assert_eq!(body["generationConfig"]["responseJsonSchema"], schema);
    }
}

#[test]
fn media_and_documents() {
    let body = convert(json!({"messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
        {"type": "image", "source": {"type": "url", "url": "https://x.test/cat.JPG?size=2"}},
        {"type": "image", "source": {"type": "file", "file_id": "https://generativelanguage.googleapis.com/v1beta/files/abc"}},
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}, "title": "Report"},
        {"type": "document", "source": {"type": "url", "url": "https://x.test/paper"}},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain words"}},
        {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "chunk"}]}},
        {"type": "text", "text": "Summarise.", "cache_control": {"type": "ephemeral"}}
    ]}]}));
    assert_eq!(
        body["contents"][0]["parts"],
        json!([
            {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
            {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://x.test/cat.JPG?size=2"}},
            {"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc"}},
            {"text": "Report"},
            {"inlineData": {"mimeType": "application/pdf", "data": "JVBE"}},
            {"fileData": {"mimeType": "application/pdf", "fileUri": "https://x.test/paper"}},
            {"text": "plain words"},
            {"text": "chunk"},
            {"text": "Summarise."}
        ])
    );
    let field = unsupported_field(convert_err(json!({"messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "file", "file_id": "file_011abc"}}]}]})));
    assert_eq!(field, "messages[0].content[0].source.file_id");
}

#[test]
fn tool_results_recover_names_and_keep_errors_and_images() {
    let body = convert(json!({"messages": [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_01A", "name": "weather", "input": {"city": "Oslo"}},
            {"type": "tool_use", "id": "toolu_gemini_r_1", "name": "clock", "input": {}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_01A", "content": [
                {"type": "text", "text": "sunny, 3°C"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "QQ=="}}]},
            {"type": "tool_result", "tool_use_id": "toolu_gemini_r_1", "content": "clock broke", "is_error": true},
            {"type": "text", "text": "and?"}]}
    ]}));
    assert_eq!(
        body["contents"][1]["parts"],
        json!([
            {"functionCall": {"id": "toolu_01A", "name": "weather", "args": {"city": "Oslo"}}},
            {"functionCall": {"name": "clock", "args": {}}}
        ])
    );
    assert_eq!(
        body["contents"][2]["parts"],
        json!([
            {"functionResponse": {"id": "toolu_01A", "name": "weather", "response": {"result": "sunny, 3°C"},
                "parts": [{"inlineData": {"mimeType": "image/png", "data": "QQ=="}}]}},
            {"functionResponse": {"name": "clock", "response": {"error": "clock broke"}}},
            {"text": "and?"}
        ])
    );
    let err = convert_err(json!({"messages": [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "nope", "content": "x"}]}]}));
    assert!(matches!(err, ConvertError::Invalid { .. }), "{err:?}");
}

#[test]
fn refusals_name_the_field() {
    let cases = [
        (json!({"container": "c1"}), "container"),
        (json!({"max_tokens": 0}), "max_tokens"),
        (json!({"mcp_servers": []}), "mcp_servers"),
        (json!({"context_management": {}}), "context_management"),
        // An Anthropic field this crate does not know is refused, not dropped.
        (json!({"speed": "fast"}), "speed"),
        (
            json!({"tools": [{"type": "bash_20250124", "name": "bash"}]}),
            "tools[0]",
        ),
        (
            json!({"tools": [{"type": "web_search_20250305", "name": "web_search", "allowed_domains": ["a.test"]}]}),
            "tools[0].allowed_domains",
        ),
        (
            json!({"system": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "A"}}]}),
            "system[0]",
        ),
    ];
    for (extra, field) in cases {
        let mut v = json!({"messages": [{"role": "user", "content": "x"}]});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        assert_eq!(unsupported_field(convert_err(v)), field);
    }
    let err = convert_err(json!({"messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "x"}]}]}));
    assert_eq!(unsupported_field(err), "messages[1].content[0]");
    // (A `redacted_thinking` block is not refused: another family's encrypted
    // reasoning is left out by the signature rule, see signature_placement_on_replay.)
    let err = convert_err(json!({"messages": [
        {"role": "user", "content": [{"type": "search_result", "source": "s", "title": "t", "content": [{"type": "text", "text": "x"}]}]}]}));
    assert_eq!(unsupported_field(err), "messages[0].content[0]");
}

#[test]
fn code_execution_round_trip() {
    let body = convert(json!({
        "messages": [
            {"role": "user", "content": "compute"},
            {"role": "assistant", "content": [
                {"type": "server_tool_use", "id": "srvtoolu_gemini_r_0", "name": "code_execution", "input": {"code": "print(1)", "language": "PYTHON"}},
                {"type": "code_execution_tool_result", "tool_use_id": "srvtoolu_gemini_r_0",
                 "content": {"type": "code_execution_result", "stdout": "1\n", "stderr": "", "return_code": 0, "content": []}},
                {"type": "text", "text": "It is 1."}]}],
        "tools": [{"type": "code_execution_20250825", "name": "code_execution"}]
    }));
    assert_eq!(body["tools"], json!([{"codeExecution": {}}]));
    assert_eq!(
        body["contents"][1]["parts"],
        json!([
            {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
            {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
            {"text": "It is 1."}
        ])
    );
}

#[test]
fn signature_placement_on_replay() {
    let body = convert(json!({"messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "", "signature": "anyllm.gemini.LEAD"},
            {"type": "thinking", "thinking": "hmm", "signature": "anyllm.gemini.T"},
            {"type": "thinking", "thinking": "", "signature": "anyllm.gemini.AFTER_THOUGHT"},
            {"type": "text", "text": "a"},
            {"type": "thinking", "thinking": "", "signature": "anyllm.gemini.ON_A"},
            {"type": "thinking", "thinking": "", "signature": "anyllm.gemini.EXTRA"}]}
    ]}));
    assert_eq!(
        body["contents"][1]["parts"],
        json!([
            {"text": "", "thoughtSignature": "LEAD"},
            {"text": "hmm", "thought": true, "thoughtSignature": "T"},
            {"text": "", "thoughtSignature": "AFTER_THOUGHT"},
            {"text": "a", "thoughtSignature": "ON_A"},
            {"text": "", "thoughtSignature": "EXTRA"}
        ])
    );
    // Signatures another family minted (Anthropic's own, OpenRouter's) never reach
    // Gemini; the thought text still does, and foreign encrypted reasoning is left out.
    let body = convert(json!({"messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "claude thought", "signature": "EqQBCkYIBxgC"},
            {"type": "thinking", "thinking": "", "signature": "anyllm.openrouter.abc"},
            {"type": "redacted_thinking", "data": "EmwKAhgB"},
            {"type": "text", "text": "a"}]}
    ]}));
    assert_eq!(
        body["contents"][1]["parts"],
        json!([{"text": "claude thought", "thought": true}, {"text": "a"}])
    );
}

#[test]
fn count_tokens_nests_the_request() {
    let p: CountTokensParams = serde_json::from_value(json!({
        "model": "gemini-2.5-flash", "system": "s", "messages": [{"role": "user", "content": "hello"}]
    }))
    .unwrap();
    let body = serde_json::to_value(to_gemini_count_tokens_request(&p, "gemini-2.5-flash").unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"generateContentRequest": {"model": "models/gemini-2.5-flash",
            "contents": [{"role": "user", "parts": [{"text": "hello"}]}],
            "systemInstruction": {"parts": [{"text": "s"}]}}})
    );
}

#[test]
fn stop_reasons() {
    let stop = |finish: &str, parts: &str| {
        let body = format!(
            r#"{{"candidates":[{{"content":{{"role":"model","parts":{parts}}},"finishReason":"{finish}","finishMessage":"why"}}]}}"#
        );
        let m = message_from_slice(body.as_bytes()).unwrap();
        // Gemini's reason is not an Anthropic refusal category: it is put
        // into words in `explanation`, `category` stays null.
        let details = m.stop_details.as_ref();
        assert_eq!(details.and_then(|d| d.category.clone()), None);
        (
            m.stop_reason.unwrap(),
            details.and_then(|d| d.explanation.clone()),
        )
    };
    let text = r#"[{"text":"x"}]"#;
    let call = r#"[{"functionCall":{"name":"f","args":{}}}]"#;
    assert_eq!(stop("STOP", text), (StopReason::EndTurn, None));
    assert_eq!(stop("STOP", call), (StopReason::ToolUse, None));
    assert_eq!(stop("MAX_TOKENS", text), (StopReason::MaxTokens, None));
    for r in [
        "SAFETY",
        "RECITATION",
        "PROHIBITED_CONTENT",
        "BLOCKLIST",
        "SPII",
        "LANGUAGE",
        "IMAGE_SAFETY",
    ] {
        assert_eq!(
            stop(r, text),
            (
                StopReason::Refusal,
                Some(format!("Gemini stopped the response: {r} (why)"))
            ),
            "{r}"
        );
    }
    for r in [
        "OTHER",
        "MALFORMED_FUNCTION_CALL",
        "SOMETHING_NEW",
        "FINISH_REASON_UNSPECIFIED",
    ] {
        assert_eq!(stop(r, text).0, StopReason::EndTurn, "{r}");
    }
    let blocked = message_from_slice(
        br#"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","blockReasonMessage":"no"},"usageMetadata":{"promptTokenCount":9}}"#,
    )
    .unwrap();
    assert_eq!(blocked.stop_reason, Some(StopReason::Refusal));
    assert!(blocked.content.is_empty());
    let details = blocked.stop_details.as_ref().unwrap();
    assert_eq!(details.category, None);
    assert_eq!(
        details.explanation.as_deref(),
        Some("Gemini blocked the prompt: PROHIBITED_CONTENT (no)")
    );
    assert_eq!(blocked.usage.input_tokens, Some(9));
}

#[test]
fn decode_errors_are_typed() {
    assert!(matches!(
        message_from_slice(b"{not json"),
        Err(ConvertError::Decode { .. })
    ));
    let mut s = GeminiStream::new();
    let mut out = Vec::new();
    assert!(matches!(
        s.push_data(b"[1,2", &mut out),
        Err(ConvertError::Decode { .. })
    ));
}

fn run(chunks: &[&str]) -> Vec<StreamEvent> {
    let mut s = GeminiStream::new();
    let mut out = Vec::new();
    for c in chunks {
        s.push_data(c.as_bytes(), &mut out).unwrap();
    }
    s.finish(&mut out).unwrap();
    validate_stream(&out).unwrap();
    out
}

#[test]
fn stream_edge_cases() {
    // No chunks at all: nothing.
    let mut empty = GeminiStream::new();
    let mut out = Vec::new();
    empty.finish(&mut out).unwrap();
    assert!(out.is_empty());
    // A mid-stream error after some text: the text, then an `error` event.
    let events = run(&[
        r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"par"}]}}],"responseId":"r"}"#,
        r#"{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}"#,
    ]);
    let StreamEvent::Error(e) = events.last().unwrap() else {
        panic!("{events:?}")
    };
    assert_eq!(e.error.kind, ErrorKind::Overloaded);
    // Blank payloads and a proxy's `[DONE]` are ignored.
    let events = run(&[
        "",
        r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}]}"#,
        "[DONE]",
    ]);
    assert_eq!(events.len(), 6);
    // An error as the first event is the whole stream.
    let events = run(&[r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}"#]);
    assert_eq!(events.len(), 1);
    let StreamEvent::Error(e) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(e.error.kind, ErrorKind::RateLimit);
    // A stream cut before its finishReason ends with an error, not a silent end_turn.
    let events = run(&[r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"par"}]}}]}"#]);
    assert!(matches!(events.last(), Some(StreamEvent::Error(_))));
    // A blocked prompt: start, refusal, stop.
    let events =
        run(&[r#"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4}}"#]);
    let names: Vec<&str> = events.iter().map(StreamEvent::type_name).collect();
    assert_eq!(names, ["message_start", "message_delta", "message_stop"]);
    let StreamEvent::MessageDelta(d) = &events[1] else {
        panic!()
    };
    assert_eq!(d.delta.stop_reason.as_ref(), Some(&StopReason::Refusal));
    // Chunks of another candidate (candidateCount > 1) are not mixed into candidate 0.
    let events = run(&[
        r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"a"}]},"index":0}]}"#,
        r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"B"}]},"index":1}]}"#,
        r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"c"}]},"index":0,"finishReason":"STOP"}]}"#,
    ]);
    let mut acc = MessageAccumulator::new();
    for e in &events {
        acc.push(e).unwrap();
    }
    assert_eq!(acc.finish().unwrap().text(), "ac");
}

/// A response with every kind of part, to be split into chunks.
fn rich_parts() -> Vec<Value> {
    vec![
        json!({"text": "Let me ", "thought": true}),
        json!({"text": "think.", "thought": true, "thoughtSignature": "T1"}),
        json!({"text": "Calling "}),
        json!({"text": "now.", "thoughtSignature": "S_TEXT"}),
        json!({"functionCall": {"name": "a", "args": {"k": [1, 2]}}, "thoughtSignature": "S_CALL"}),
        json!({"functionCall": {"name": "b", "args": {}}}),
        json!({"executableCode": {"language": "PYTHON", "code": "print(2)"}}),
        json!({"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "2\n"}}),
        json!({"text": "Done"}),
        json!({"text": "", "thoughtSignature": "S_END"}),
    ]
}

fn chunk(parts: &[Value], last: bool, n: usize) -> String {
    let mut c = json!({
        "candidates": [{"content": {"role": "model", "parts": parts}, "index": 0}],
        "responseId": "resp-7", "modelVersion": "gemini-3-pro",
        "usageMetadata": {"promptTokenCount": 50, "candidatesTokenCount": n, "thoughtsTokenCount": 5}
    });
    if last {
        c["candidates"][0]["finishReason"] = json!("STOP");
    }
    c.to_string()
}

proptest! {
    /// However the parts are split into chunks (empty chunks included), the
    /// stream is valid and accumulates to the conversion of the whole response.
    #[test]
    fn chunk_splits_do_not_change_the_result(cuts in proptest::collection::vec(0usize..=10, 0..6)) {
        let parts = rich_parts();
        let whole: GenerateContentResponse = serde_json::from_str(&chunk(&parts, true, 20)).unwrap();
        let expected = to_anthropic_message(&whole).unwrap();
        let mut cuts = cuts;
        cuts.sort_unstable();
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(parts.len());
        let chunks: Vec<String> = bounds
            .windows(2)
            .enumerate()
            .map(|(i, w)| chunk(&parts[w[0]..w[1]], i + 2 == bounds.len(), 20))
            .collect();
        let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
        let events = run(&refs);
        let mut acc = MessageAccumulator::new();
        for e in &events {
            acc.push(e).unwrap();
        }
        prop_assert_eq!(acc.finish().unwrap(), expected);
    }
}

#[test]
fn rich_response_blocks() {
    let whole: GenerateContentResponse = serde_json::from_str(&chunk(&rich_parts(), true, 20)).unwrap();
    let m = to_anthropic_message(&whole).unwrap();
    insta::assert_json_snapshot!("response__rich_parts", m);
    // Replaying it gives back Gemini's parts, signatures where they were.
    let mut p = params(json!({"messages": [{"role": "user", "content": "x"}]}));
    p.messages.push(m.to_param());
    let body = serde_json::to_value(to_gemini_request(&p).unwrap()).unwrap();
    assert_eq!(
        body["contents"][1]["parts"],
        json!([
            {"text": "Let me think.", "thought": true, "thoughtSignature": "T1"},
            {"text": "Calling now.", "thoughtSignature": "S_TEXT"},
            {"functionCall": {"name": "a", "args": {"k": [1, 2]}}, "thoughtSignature": "S_CALL"},
            {"functionCall": {"name": "b", "args": {}}},
            {"executableCode": {"language": "PYTHON", "code": "print(2)"}},
            {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "2\n"}},
            {"text": "Done", "thoughtSignature": "S_END"}
        ])
    );
}

/// Google Search grounding: the queries and pages become `server_tool_use`
/// and `web_search_tool_result` blocks after the content, whole or streamed,
/// and are not sent back on the next turn.
#[test]
fn google_search_grounding() {
    let body = convert(json!({
        "messages": [{"role": "user", "content": "news?"}],
        "tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}]
    }));
    assert_eq!(body["tools"], json!([{"googleSearch": {}}]));

    let grounding = json!({
        "webSearchQueries": ["rust 2026 release", "rust edition"],
        "groundingChunks": [
            {"web": {"uri": "https://example.test/a", "title": "example.test"}},
            {"web": {"uri": "https://news.test/b", "title": "news.test"}}],
        "groundingSupports": [{"segment": {"startIndex": 0, "endIndex": 9, "text": "Rust 1.95"}, "groundingChunkIndices": [0]}],
        "searchEntryPoint": {"renderedContent": "<div></div>"}
    });
    let whole = json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": "Rust 1.95 is out."}]},
            "finishReason": "STOP", "groundingMetadata": grounding}],
        "responseId": "g1", "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 6}
    });
    let m = message_from_slice(whole.to_string().as_bytes()).unwrap();
    let kinds: Vec<&str> = m.content.iter().map(|b| b.type_name()).collect();
    assert_eq!(
        kinds,
        [
            "text",
            "server_tool_use",
            "server_tool_use",
            "web_search_tool_result"
        ]
    );
    let result = serde_json::to_value(&m.content[3]).unwrap();
    assert_eq!(result["tool_use_id"], "srvtoolu_gemini_g1_search_0");
    assert_eq!(result["content"][1]["url"], "https://news.test/b");
    assert_eq!(
        m.usage.server_tool_use.as_ref().unwrap().web_search_requests,
        Some(2)
    );
    assert_eq!(m.stop_reason, Some(StopReason::EndTurn));

    // Streamed: the grounding arrives with the last chunk.
    let chunks = [
        json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "Rust 1.95"}]}}], "responseId": "g1"}).to_string(),
        json!({"candidates": [{"content": {"role": "model", "parts": [{"text": " is out."}]}, "finishReason": "STOP",
            "groundingMetadata": grounding}], "responseId": "g1",
            "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 6}}).to_string(),
    ];
    let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
    let mut acc = MessageAccumulator::new();
    for e in &run(&refs) {
        acc.push(e).unwrap();
    }
    assert_eq!(acc.finish().unwrap(), m);

    // Replayed: the search blocks are not sent to Gemini.
    let mut p = params(json!({"messages": [{"role": "user", "content": "news?"}]}));
    p.messages.push(m.to_param());
    let body = serde_json::to_value(to_gemini_request(&p).unwrap()).unwrap();
    assert_eq!(
        body["contents"][1]["parts"],
        json!([{"text": "Rust 1.95 is out."}])
    );
}

/// One generated Gemini part: (kind, text index, signed).
fn make_part(kind: u8, n: usize, signed: bool) -> Value {
    let sig = |p: &mut Value| {
        if signed {
            p["thoughtSignature"] = json!(format!("SIG{n}"));
        }
    };
    let mut p = match kind {
        0 => json!({"text": format!("thought{n} "), "thought": true}),
        1 => json!({"text": format!("text{n} ")}),
        2 => json!({"text": ""}),
        3 => json!({"functionCall": {"name": format!("f{n}"), "args": {"n": n}}}),
        _ => json!({"executableCode": {"language": "PYTHON", "code": format!("print({n})")}}),
    };
    sig(&mut p);
    p
}

/// The documented replay of a model turn: adjacent text parts of the same
/// kind merge unless both are signed (the signature kept); an empty text part
/// with a signature signs the part before it when that part is not thought
/// text and is unsigned, else stays a part of its own; unsigned empty text
/// disappears.
fn documented_replay(parts: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for p in parts {
        let sig = p.get("thoughtSignature").cloned();
        let thought = p.get("thought") == Some(&json!(true));
        let text = p.get("text").and_then(Value::as_str);
        if text == Some("") && !thought {
            let Some(sig) = sig else { continue };
            match out.last_mut() {
                Some(last) if last.get("thought").is_none() && last.get("thoughtSignature").is_none() => {
                    last["thoughtSignature"] = sig;
                }
                _ => out.push(json!({"text": "", "thoughtSignature": sig})),
            }
            continue;
        }
        if let (Some(text), Some(last)) = (text, out.last_mut()) {
            let same_kind = last.get("text").is_some_and(|t| t != "")
                && (last.get("thought") == Some(&json!(true))) == thought
                && last.get("functionCall").is_none();
            let both_signed = last.get("thoughtSignature").is_some() && sig.is_some();
            if same_kind && !both_signed {
                let merged = format!("{}{text}", last["text"].as_str().unwrap());
                last["text"] = json!(merged);
                if let Some(sig) = sig {
                    last["thoughtSignature"] = sig;
                }
                continue;
            }
        }
        if thought && text == Some("") && sig.is_none() {
            continue;
        }
        out.push(p.clone());
    }
    out
}

proptest! {
    /// Any sequence of parts: the whole conversion, replayed as the next
    /// assistant turn, gives the documented replay of the parts (every
    /// signature on its part); streaming the same parts in any chunking
    /// accumulates to the same message.
    #[test]
    fn any_parts_round_trip(
        spec in proptest::collection::vec((0u8..5, any::<bool>()), 1..9),
        cuts in proptest::collection::vec(0usize..9, 0..4),
    ) {
        let parts: Vec<Value> = spec.iter().enumerate().map(|(n, (k, s))| make_part(*k, n, *s)).collect();
        // Code results follow their code, as Gemini sends them.
        let parts: Vec<Value> = parts
            .into_iter()
            .flat_map(|p| {
                let result = p.get("executableCode").map(|_| json!({"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "ok"}}));
                std::iter::once(p).chain(result)
            })
            .collect();
        let whole: GenerateContentResponse = serde_json::from_str(&chunk(&parts, true, 5)).unwrap();
        let message = to_anthropic_message(&whole).unwrap();

        let mut p = params(json!({"messages": [{"role": "user", "content": "x"}]}));
        p.messages.push(message.to_param());
        let body = serde_json::to_value(to_gemini_request(&p).unwrap()).unwrap();
        let replayed = body["contents"].get(1).map(|c| c["parts"].clone()).unwrap_or(json!([]));
        prop_assert_eq!(replayed, json!(documented_replay(&parts)));

        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(parts.len())).collect();
        cuts.sort_unstable();
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(parts.len());
        let chunks: Vec<String> = bounds
            .windows(2)
            .enumerate()
            .map(|(i, w)| chunk(&parts[w[0]..w[1]], i + 2 == bounds.len(), 5))
            .collect();
        let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
        let mut acc = MessageAccumulator::new();
        for e in &run(&refs) {
            acc.push(e).unwrap();
        }
        prop_assert_eq!(acc.finish().unwrap(), message);
    }
}

/// Generated media: images become `image` blocks, other media `document`
/// blocks; both go back as the parts they came from.
#[test]
fn generated_media_round_trip() {
    let body = br#"{"candidates":[{"content":{"role":"model","parts":[
        {"inlineData":{"mimeType":"image/png","data":"iVBO"}},
        {"inlineData":{"mimeType":"audio/L16;codec=pcm;rate=24000","data":"AAEC"},"thoughtSignature":"S"},
        {"fileData":{"mimeType":"video/mp4","fileUri":"https://files.test/v.mp4"}}]},"finishReason":"STOP"}]}"#;
    let m = message_from_slice(body).unwrap();
    let kinds: Vec<&str> = m.content.iter().map(|b| b.type_name()).collect();
    assert_eq!(kinds, ["image", "document", "thinking", "document"]);
    let mut p = params(json!({"messages": [{"role": "user", "content": "draw and sing"}]}));
    p.messages.push(m.to_param());
    let replay = serde_json::to_value(to_gemini_request(&p).unwrap()).unwrap();
    assert_eq!(
        replay["contents"][1]["parts"],
        json!([
            {"inlineData": {"mimeType": "image/png", "data": "iVBO"}},
            {"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": "AAEC"}, "thoughtSignature": "S"},
            {"fileData": {"mimeType": "video/mp4", "fileUri": "https://files.test/v.mp4"}}
        ])
    );
}

/// Odd chunks a server or proxy might send, in any order.
const ODD_CHUNKS: &[&str] = &[
    r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"a"}]}}]}"#,
    r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"t","thought":true,"thoughtSignature":"S"}]}}]}"#,
    r#"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f"}}]}}]}"#,
    r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"","thoughtSignature":"E"}]},"finishReason":"STOP"}]}"#,
    r#"{"candidates":[{"content":{"role":"model"},"finishReason":"SOMETHING_NEW"}],"usageMetadata":{"promptTokenCount":3}}"#,
    r#"{"candidates":[{"finishReason":"SAFETY","index":0}]}"#,
    r#"{"candidates":[{"content":{"role":"model","parts":[{"brandNewPart":{"x":1},"thoughtSignature":"U"}]},"index":1}]}"#,
    r#"{"promptFeedback":{"blockReason":"OTHER"}}"#,
    r#"{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2}}"#,
    r#"{"candidates":[]}"#,
    r#"{}"#,
    r#"{"error":{"code":500,"message":"internal","status":"INTERNAL"}}"#,
];

proptest! {
    /// Whatever the order, the output is a valid Anthropic stream (or nothing).
    #[test]
    fn odd_chunk_orders_stay_grammatical(picks in proptest::collection::vec(0usize..ODD_CHUNKS.len(), 0..8)) {
        let mut s = GeminiStream::new();
        let mut out = Vec::new();
        for i in &picks {
            s.push_data(ODD_CHUNKS[*i].as_bytes(), &mut out).unwrap();
        }
        s.finish(&mut out).unwrap();
        if !out.is_empty() {
            validate_stream(&out).unwrap();
        }
    }
}
