//! Every recorded `openai-chat` exchange (openai, deepseek, groq, mistral,
//! openrouter, llamacpp, perplexity, copilot, venice, doubleword, mistralrs),
//! converted to the Anthropic format:
//!
//! * whole responses: text equals the provider's text, tool calls keep id,
//!   name and arguments, usage and stop reason follow the rules;
//! * streams: the converted events pass the Anthropic event-grammar validator,
//!   the streamed text equals the concatenated deltas, and accumulating the
//!   converted stream gives the same message as converting the equivalent
//!   whole response (built by folding the chunks natively);
//! * error responses map to the typed Anthropic error kinds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::openai_chat::wire::{ChatCompletion, ChatUsage, ContentField, FinishReason};
use messages_convert::openai_chat::{
    error_response, parse_response, ChunkConverter, ChunkFolder, Dialect, ResponseContext,
};
use messages_convert::openai_chat::{from_chat_completion, response::tool_input};
use messages_convert::signature::{self, SignatureOrigin};
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{ContentBlock, ErrorKind, Message, StopReason, StreamEvent};
use serde_json::Value;

/// The `data` payloads of an SSE body (a deliberately tiny splitter: events
/// end at a blank line, `data:` lines are joined with `\n`, one optional space
/// after the colon is dropped).
pub fn sse_data(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if let Some(d) = cur.take() {
                out.push(d);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("data:") {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            match &mut cur {
                Some(d) => {
                    d.push('\n');
                    d.push_str(rest);
                }
                None => cur = Some(rest.to_owned()),
            }
        }
    }
    if let Some(d) = cur {
        out.push(d);
    }
    out
}

fn exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    let all = load_all(&dir, &Filter::api("openai-chat")).unwrap();
    assert!(
        all.len() > 700,
        "expected the whole openai-chat corpus, got {}",
        all.len()
    );
    Some(all)
}

fn dialect(provider: &str) -> Dialect {
    let base = if provider == "openai" {
        Dialect::OPENAI
    } else {
        Dialect::GENERIC
    };
    // `provider` must be 'static for the dialect; the corpus names are few.
    let name: &'static str = Box::leak(provider.to_owned().into_boxed_str());
    base.named(name)
}

fn text_of(m: &Message) -> String {
    m.content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

fn thinking_of(m: &Message) -> String {
    m.content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Thinking(t) => Some(t.thinking.as_str()),
            _ => None,
        })
        .collect()
}

/// The provider's own answer text: `content` (a string, or the text parts of
/// Mistral's list) plus `refusal`.
fn native_text(c: &ChatCompletion<'_>) -> String {
    let m = &c.choices[0].message;
    let mut s = match &m.content {
        Some(ContentField::Text(t)) => t.to_string(),
        Some(ContentField::Parts(p)) => p
            .iter()
            .filter(|p| p.kind != "thinking")
            .filter_map(|p| p.text.clone())
            .collect(),
        None => String::new(),
    };
    if let Some(r) = &m.refusal {
        s.push_str(r);
    }
    s
}

fn check_usage(u: Option<&ChatUsage>, m: &Message, file: &str) {
    let Some(u) = u else {
        assert_eq!(m.usage.input_tokens, Some(0), "{file}");
        return;
    };
    let total = m.usage.input_tokens.unwrap()
        + m.usage.cache_read_input_tokens.unwrap_or(0)
        + m.usage.cache_creation_input_tokens.unwrap_or(0);
    assert_eq!(
        Some(total),
        u.prompt_tokens.or(Some(0)),
        "{file}: input parts add up to the prompt"
    );
    let cached = u.prompt_tokens_details.as_ref().and_then(|d| d.cached_tokens);
    if let Some(c) = cached {
        assert_eq!(m.usage.cache_read_input_tokens, Some(c), "{file}");
    }
    let reasoning = u
        .completion_tokens_details
        .as_ref()
        .and_then(|d| d.reasoning_tokens);
    // Output counts the reasoning: inside `completion_tokens` (OpenAI), or on
    // top of it where the total says so (xAI).
    let (p, c, r) = (
        u.prompt_tokens.unwrap_or(0),
        u.completion_tokens.unwrap_or(0),
        reasoning.unwrap_or(0),
    );
    let apart = r > 0 && u.total_tokens == Some(p + c + r);
    let want = if apart { c + r } else { c };
    assert_eq!(m.usage.output_tokens, Some(want), "{file}");
    if let Some(r) = reasoning {
        assert_eq!(
            m.usage
                .output_tokens_details
                .as_ref()
                .and_then(|d| d.thinking_tokens),
            Some(r),
            "{file}"
        );
    }
}

/// The stop reason the rules give, computed independently of the converter.
fn expected_stop(c: &ChatCompletion<'_>) -> StopReason {
    let ch = &c.choices[0];
    let calls = &ch.message.tool_calls;
    let cut = calls.iter().any(|t| {
        matches!(
            tool_input(t.function.arguments.as_ref().map_or("", |a| a.as_str()), true),
            Ok((_, true))
        )
    });
    if cut || ch.native_finish_reason.as_deref() == Some("max_output_tokens") {
        return StopReason::MaxTokens;
    }
    if ch.message.refusal.is_some() {
        return StopReason::Refusal;
    }
    match &ch.finish_reason {
        Some(FinishReason::Length) => StopReason::MaxTokens,
        Some(FinishReason::ToolCalls) => StopReason::ToolUse,
        Some(FinishReason::ContentFilter) => StopReason::Refusal,
        Some(FinishReason::Stop) | None if !calls.is_empty() => StopReason::ToolUse,
        Some(FinishReason::Stop) | None => StopReason::EndTurn,
        Some(other) => panic!("unexpected finish_reason {other} in the corpus"),
    }
}

/// The provider's own token inside a signature this project minted (which
/// must carry an OpenAI-compatible family's prefix).
fn unprefixed<'s>(sig: &'s str, file: &str) -> &'s str {
    let origin = signature::origin(sig);
    assert!(
        matches!(origin, SignatureOrigin::OpenAiChat | SignatureOrigin::OpenRouter),
        "{file}: {sig} is not minted by an OpenAI-compatible family"
    );
    signature::native_for(origin, sig).unwrap()
}

/// Checks a converted message against the native response it came from;
/// returns how many signatures and encrypted reasoning items it carried.
fn check_message(c: &ChatCompletion<'_>, m: &Message, file: &str) -> (usize, usize) {
    assert_eq!(text_of(m), native_text(c), "{file}: text");
    let native_reasoning = {
        let msg = &c.choices[0].message;
        let mut s = msg
            .reasoning_content
            .as_deref()
            .or(msg.reasoning.as_deref())
            .unwrap_or("")
            .to_owned();
        if let Some(ContentField::Parts(p)) = &msg.content {
            for part in p.iter().filter(|p| p.kind == "thinking") {
                if let Some(th) = &part.thinking {
                    th.push_text(&mut s);
                }
            }
        }
        s
    };
    assert_eq!(thinking_of(m), native_reasoning, "{file}: thinking");
    let details = &c.choices[0].message.reasoning_details;
    let want_sigs: Vec<&str> = details
        .iter()
        .filter(|d| d.kind == "reasoning.text")
        .filter_map(|d| d.signature.as_deref())
        .filter(|s| !s.is_empty())
        .collect();
    // Minted with the dialect family's prefix (messages_convert::signature).
    let got_sigs: Vec<&str> = m
        .content
        .iter()
        .filter_map(ContentBlock::as_thinking)
        .map(|t| t.signature.as_str())
        .filter(|s| !s.is_empty())
        .map(|s| unprefixed(s, file))
        .collect();
    assert_eq!(got_sigs, want_sigs, "{file}: reasoning signatures");
    let want_encrypted: Vec<&str> = details
        .iter()
        .filter(|d| d.kind == "reasoning.encrypted")
        .filter_map(|d| d.data.as_deref())
        .collect();
    let got_encrypted: Vec<&str> = m
        .content
        .iter()
        .filter_map(ContentBlock::as_redacted_thinking)
        .map(|r| unprefixed(&r.data, file))
        .collect();
    assert_eq!(got_encrypted, want_encrypted, "{file}: encrypted reasoning");
    let uses: Vec<_> = m.content.iter().filter_map(ContentBlock::as_tool_use).collect();
    let calls = &c.choices[0].message.tool_calls;
    assert_eq!(uses.len(), calls.len(), "{file}: tool calls");
    for (u, call) in uses.iter().zip(calls) {
        if let Some(id) = &call.id {
            assert_eq!(u.id, id.as_ref(), "{file}: tool id");
        }
        assert_eq!(
            Some(u.name.as_str()),
            call.function.name.as_deref(),
            "{file}: tool name"
        );
        let args = call.function.arguments.as_ref().map_or("", |a| a.as_str());
        match serde_json::from_str::<Value>(args) {
            Ok(Value::Null) => assert_eq!(u.input, serde_json::json!({}), "{file}: `null` arguments"),
            Ok(v) => assert_eq!(u.input, v, "{file}: tool arguments"),
            Err(_) if args.trim().is_empty() => assert_eq!(u.input, serde_json::json!({}), "{file}"),
            Err(_) => assert_eq!(m.stop_reason, Some(StopReason::MaxTokens), "{file}: cut-off call"),
        }
    }
    assert_eq!(m.stop_reason, Some(expected_stop(c)), "{file}: stop reason");
    check_usage(c.usage.as_ref(), m, file);
    assert!(m.id.starts_with("msg_"), "{file}");
    (want_sigs.len(), want_encrypted.len())
}

#[test]
fn whole_responses_convert_faithfully() {
    let Some(all) = exchanges() else { return };
    let (mut n, mut sigs, mut encrypted) = (0, 0, 0);
    for ex in all.iter().filter(|e| !e.stream && e.response.status == 200) {
        let body = ex.response.body_bytes().unwrap();
        let d = dialect(&ex.provider);
        let model = ex.request.body["model"].as_str().unwrap_or("");
        let ctx = ResponseContext::new(&d, model);
        let msg = parse_response(&body, &ctx).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        let native: ChatCompletion<'_> = serde_json::from_slice(&body).unwrap();
        let (s, e) = check_message(&native, &msg, &ex.file);
        sigs += s;
        encrypted += e;
        n += 1;
    }
    assert!(n >= 400, "only {n} whole responses");
    assert!(
        sigs >= 1 && encrypted >= 1,
        "signatures {sigs}, encrypted {encrypted}"
    );
}

/// Converts one recorded stream; returns the events.
fn convert_stream(ex: &Exchange) -> Vec<StreamEvent> {
    let body = String::from_utf8(ex.response.body_bytes().unwrap()).unwrap();
    let d = dialect(&ex.provider);
    let model = ex.request.body["model"].as_str().unwrap_or("");
    let mut conv = ChunkConverter::new(&ResponseContext::new(&d, model));
    let mut events = Vec::new();
    for data in sse_data(&body) {
        conv.push(data.as_bytes(), &mut events)
            .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
    }
    conv.finish(&mut events).unwrap();
    events
}

fn accumulate(events: &[StreamEvent], file: &str) -> Message {
    let mut acc = MessageAccumulator::new();
    for e in events {
        acc.push(e)
            .unwrap_or_else(|err| panic!("{file}: accumulating: {err}"));
    }
    acc.finish().unwrap_or_else(|err| panic!("{file}: {err}"))
}

#[test]
fn streams_are_valid_and_agree_with_the_folded_response() {
    let Some(all) = exchanges() else { return };
    let (mut n, mut sigs, mut encrypted) = (0, 0, 0);
    for ex in all.iter().filter(|e| e.stream && e.response.status == 200) {
        let events = convert_stream(ex);
        validate_stream(&events).unwrap_or_else(|e| panic!("{}: grammar: {e}", ex.file));
        assert!(
            matches!(events.last(), Some(StreamEvent::MessageStop(_))),
            "{}",
            ex.file
        );
        let streamed = accumulate(&events, &ex.file);

        let body = String::from_utf8(ex.response.body_bytes().unwrap()).unwrap();
        let mut folder = ChunkFolder::new();
        for data in sse_data(&body) {
            folder.push(data.as_bytes()).unwrap();
        }
        let folded = folder.into_completion().unwrap();
        let d = dialect(&ex.provider);
        let model = ex.request.body["model"].as_str().unwrap_or("");
        let whole = from_chat_completion(folded.clone(), &ResponseContext::new(&d, model)).unwrap();
        let (s, e) = check_message(&folded, &whole, &ex.file);
        sigs += s;
        encrypted += e;
        // A server without a response id gets a fresh generated id on each
        // conversion (`msg_anyllm_…`, unique by design): those two may differ.
        let mut streamed = streamed;
        if streamed.id.starts_with("msg_anyllm_") && whole.id.starts_with("msg_anyllm_") {
            streamed.id.clone_from(&whole.id);
        }
        assert_eq!(streamed, whole, "{}: stream vs folded whole response", ex.file);
        n += 1;
    }
    assert!(n >= 290, "only {n} streams");
    assert!(
        sigs >= 1 && encrypted >= 1,
        "signatures {sigs}, encrypted {encrypted}"
    );
}

#[test]
fn error_responses_map_to_typed_errors() {
    let Some(all) = exchanges() else { return };
    let mut n = 0;
    for ex in all.iter().filter(|e| e.response.status != 200) {
        let body = ex.response.body_bytes().unwrap();
        let e = error_response(ex.response.status, &body);
        assert_eq!(e.kind, "error");
        assert!(!e.error.message.is_empty(), "{}", ex.file);
        let text = String::from_utf8_lossy(&body);
        let expected = match ex.response.status {
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            400 if text.contains("model_not_found") || text.contains("invalid_model") => ErrorKind::NotFound,
            400 => ErrorKind::InvalidRequest,
            500 => ErrorKind::Api,
            s => panic!("{}: unexpected status {s}", ex.file),
        };
        assert_eq!(e.error.kind, expected, "{}: {}", ex.file, text);
        assert!(
            text.contains(&e.error.message),
            "{}: the message is the provider's",
            ex.file
        );
        n += 1;
    }
    assert!(n >= 40, "only {n} error exchanges");
}

/// Representative recorded exchanges, converted, as snapshots: the Anthropic
/// message of a whole response, or the event sequence of a stream (with the
/// accumulated message).
#[test]
fn representative_conversions_snapshot() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let files = [
        "openai/refusal_matrix__chat_blocking_agent_prompt_surfaces_refusal.json",
        "openai/additional_params_tools__builder_tools_survive_additional_params_tools.json",
        "openai/chat_tool_lifecycle_matrix__streaming_gpt41_nested_agent.json",
        "deepseek/extractor__extractor_smoke.json",
        "deepseek/permission_control__permission_control_streaming_example__0.json",
        "deepseek/truncation_matrix__streaming_budget_24_truncated_arguments_keep_the_turn.json",
        "groq/agent_tool_sessions__parallel_tool_calls_single_turn_streaming__0.json",
        "mistral/agent_tool_sessions__parallel_tool_calls_single_turn_streaming__0.json",
        "openrouter/agent_tool_sessions__parallel_tool_calls_single_turn_streaming__0.json",
        "llamacpp/bare_openai_client__tool_call_stream_without_the_single_chunk_const__0.json",
        "mistralrs/streaming__chat_completions_stream_emits_reasoning_and_text_incrementally.json",
        "venice/streaming_tools__streaming_tools_smoke__0.json",
        "venice/raw_capture_matrix__raw_exposes_venice_parameters_and_cost.json",
    ];
    for file in files {
        let ex = anyllm_fixtures::load(&dir, file).unwrap();
        let name = file.replace('/', "__").trim_end_matches(".json").to_owned();
        let value = if ex.stream {
            let events = convert_stream(&ex);
            let message = accumulate(&events, file);
            let events: Vec<Value> = events.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
            serde_json::json!({"events": events, "message": message})
        } else {
            let d = dialect(&ex.provider);
            let ctx = ResponseContext::new(&d, "");
            serde_json::to_value(parse_response(&ex.response.body_bytes().unwrap(), &ctx).unwrap()).unwrap()
        };
        insta::assert_json_snapshot!(format!("recorded__{name}"), value);
    }
}
