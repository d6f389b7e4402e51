//! Every recorded `openai-responses` exchange (openai, xai, copilot,
//! mistralrs, openrouter, llamacpp), converted to the Anthropic format:
//!
//! * whole responses: text, thinking, tool calls, usage and stop reason equal
//!   the values read from the native JSON here, independently of the
//!   conversion's own wire types;
//! * streams: the converted events pass the Anthropic grammar validator, give
//!   the same values as the terminal event's response (`response.completed` /
//!   `response.incomplete` carry the whole response), and accumulate to the
//!   whole-response conversion of that response;
//! * error responses map to typed Anthropic error kinds.
//!
//! The recordings redact ids and encrypted content with numbered
//! placeholders (`id_REDACTED_5`) that differ between a stream's events and
//! its terminal response, so the stream/whole comparison decodes the
//! reasoning signatures and drops the placeholder numbers first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod openai_responses_support;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use messages_convert::openai_chat::response::tool_input;
use messages_convert::openai_responses::{
    decode_reasoning_signature, error_response, from_response, parse_response, wire::Response,
    ResponsesStreamConverter,
};
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{ContentBlock, ErrorKind, Message, StopReason, StreamEvent};
use openai_responses_support::sse_events;
use serde_json::Value;

fn exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    let all = load_all(&dir, &Filter::api("openai-responses")).unwrap();
    assert_eq!(all.len(), 182, "expected the whole openai-responses corpus");
    Some(all)
}

/// What the native reply says, read straight from its JSON.
#[derive(Debug, Default, PartialEq)]
struct Native {
    text: String,
    thinking: String,
    tools: Vec<(String, String, Value)>,
    input: u64,
    cached: u64,
    output: u64,
    reasoning: Option<u64>,
    stop: Option<StopReason>,
}

fn native(r: &Value) -> Native {
    let mut n = Native::default();
    if let Some(s) = r["reasoning"].as_str() {
        n.thinking.push_str(s);
    }
    let mut refusal = false;
    for item in r["output"].as_array().unwrap() {
        match item["type"].as_str().unwrap() {
            "message" => {
                for p in item["content"].as_array().unwrap() {
                    match p["type"].as_str().unwrap() {
                        "output_text" => n.text.push_str(p["text"].as_str().unwrap()),
                        "refusal" => {
                            refusal = true;
                            n.text.push_str(p["refusal"].as_str().unwrap());
                        }
                        other => panic!("unexpected part {other}"),
                    }
                }
            }
            "reasoning" => {
                let texts: Vec<&str> = item["summary"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["text"].as_str().unwrap())
                    .collect();
                n.thinking.push_str(&texts.join("\n\n"));
            }
            "function_call" => {
                let args = item["arguments"].as_str().unwrap();
                // Cut off by the token limit: repaired by the Chat family's rule.
                let parsed = if args.trim().is_empty() {
                    serde_json::json!({})
                } else {
                    serde_json::from_str(args).unwrap_or_else(|_| {
                        // Main's rule: repair only a reply cut by the token limit.
                        let cut = r["incomplete_details"]["reason"] == "max_output_tokens";
                        tool_input(args, cut)
                            .expect("invalid arguments in a complete reply")
                            .0
                    })
                };
                n.tools.push((
                    item["call_id"].as_str().unwrap().to_owned(),
                    item["name"].as_str().unwrap().to_owned(),
                    parsed,
                ));
            }
            other => panic!("unexpected output item {other}"),
        }
    }
    let u = &r["usage"];
    let cached = u["input_tokens_details"]["cached_tokens"].as_u64().unwrap_or(0);
    n.input = u["input_tokens"].as_u64().unwrap() - cached;
    n.cached = cached;
    n.output = u["output_tokens"].as_u64().unwrap();
    n.reasoning = u["output_tokens_details"]["reasoning_tokens"].as_u64();
    n.stop = Some(
        match (r["status"].as_str(), r["incomplete_details"]["reason"].as_str()) {
            (Some("incomplete"), Some("max_output_tokens")) => StopReason::MaxTokens,
            (Some("completed"), _) if refusal => StopReason::Refusal,
            (Some("completed"), _) if !n.tools.is_empty() => StopReason::ToolUse,
            (Some("completed"), _) => StopReason::EndTurn,
            other => panic!("unexpected status {other:?}"),
        },
    );
    n
}

fn converted(m: &Message) -> Native {
    let mut n = Native::default();
    for b in &m.content {
        match b {
            ContentBlock::Text(t) => n.text.push_str(&t.text),
            ContentBlock::Thinking(t) => n.thinking.push_str(&t.thinking),
            ContentBlock::ToolUse(t) => n.tools.push((t.id.clone(), t.name.clone(), t.input.clone())),
            other => panic!("unexpected block {}", other.type_name()),
        }
    }
    n.input = m.usage.input_tokens.unwrap();
    n.cached = m.usage.cache_read_input_tokens.unwrap();
    n.output = m.usage.output_tokens.unwrap();
    n.reasoning = m
        .usage
        .output_tokens_details
        .as_ref()
        .and_then(|d| d.thinking_tokens);
    n.stop = m.stop_reason.clone();
    n
}

/// Every reasoning item becomes a thinking block whose signature carries
/// its id and encrypted content.
fn check_signatures(r: &Value, m: &Message, file: &str) {
    let items: Vec<&Value> = r["output"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "reasoning")
        .collect();
    let sigs: Vec<&str> = m
        .content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Thinking(t) if !t.signature.is_empty() => Some(t.signature.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        items.len(),
        sigs.len(),
        "{file}: one signed thinking block per reasoning item"
    );
    for (item, sig) in items.iter().zip(sigs) {
        let d = decode_reasoning_signature(sig).unwrap();
        assert_eq!(d.id, item["id"].as_str().unwrap(), "{file}");
        assert_eq!(
            d.encrypted_content.as_deref(),
            item["encrypted_content"].as_str(),
            "{file}"
        );
    }
}

#[test]
fn whole_responses_convert_faithfully() {
    let Some(all) = exchanges() else { return };
    let mut checked = 0;
    let mut with_tools = 0;
    let mut with_thinking = 0;
    for ex in all.iter().filter(|e| !e.stream && e.response.status == 200) {
        let body = ex.response.body_bytes().unwrap();
        let native_json: Value = serde_json::from_slice(&body).unwrap();
        let m = parse_response(&body, "requested").unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        let want = native(&native_json);
        assert_eq!(converted(&m), want, "{}", ex.file);
        check_signatures(&native_json, &m, &ex.file);
        assert!(
            matches!(
                m.usage.service_tier.as_deref(),
                None | Some("standard" | "priority" | "batch")
            ),
            "{}",
            ex.file
        );
        checked += 1;
        with_tools += usize::from(!want.tools.is_empty());
        with_thinking += usize::from(!want.thinking.is_empty());
    }
    assert_eq!(checked, 106);
    assert!(
        with_tools > 20 && with_thinking > 5,
        "{with_tools} {with_thinking}"
    );
}

/// Converts a recorded stream; also returns the terminal event's response.
fn convert_stream(ex: &Exchange) -> (Vec<StreamEvent>, Value) {
    let body = ex.response.body.clone().unwrap();
    let mut conv = ResponsesStreamConverter::new("requested");
    let mut out = Vec::new();
    let mut terminal = None;
    for (event, data) in sse_events(&body) {
        if let Ok(v) = serde_json::from_str::<Value>(&data) {
            if matches!(
                v["type"].as_str(),
                Some("response.completed" | "response.incomplete")
            ) {
                terminal = Some(v["response"].clone());
            }
        }
        conv.push(event.as_deref(), data.as_bytes(), &mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
    }
    conv.finish(&mut out)
        .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
    (
        out,
        terminal.unwrap_or_else(|| panic!("{}: no terminal event", ex.file)),
    )
}

fn accumulate(events: &[StreamEvent], file: &str) -> Message {
    let mut acc = MessageAccumulator::new();
    for e in events {
        acc.push(e).unwrap_or_else(|err| panic!("{file}: {err}"));
    }
    acc.finish().unwrap_or_else(|err| panic!("{file}: {err}"))
}

/// `REDACTED_<n>` → `REDACTED`, after decoding signatures.
fn normalized(m: &Message) -> Value {
    let mut m = m.clone();
    m.id = String::new();
    for b in &mut m.content {
        if let ContentBlock::Thinking(t) = b {
            if let Some(d) = decode_reasoning_signature(&t.signature) {
                t.signature = serde_json::to_string(&d).unwrap();
            }
        }
    }
    let mut s = serde_json::to_string(&m).unwrap();
    let mut out = String::with_capacity(s.len());
    while let Some(pos) = s.find("REDACTED_") {
        out.push_str(&s[..pos + "REDACTED".len()]);
        let rest = &s[pos + "REDACTED_".len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        s = rest[digits..].to_owned();
    }
    out.push_str(&s);
    serde_json::from_str(&out).unwrap()
}

#[test]
fn streams_are_valid_and_agree_with_the_terminal_response() {
    let Some(all) = exchanges() else { return };
    let mut checked = 0;
    for ex in all.iter().filter(|e| e.stream && e.response.status == 200) {
        let (events, terminal) = convert_stream(ex);
        validate_stream(&events).unwrap_or_else(|e| panic!("{}: grammar: {e}", ex.file));
        let streamed = accumulate(&events, &ex.file);
        let want = native(&terminal);
        assert_eq!(converted(&streamed), want, "{}", ex.file);
        let response: Response = serde_json::from_value(terminal.clone()).unwrap();
        let whole = from_response(&response, "requested").unwrap();
        assert_eq!(normalized(&streamed), normalized(&whole), "{}", ex.file);
        checked += 1;
    }
    assert_eq!(checked, 69);
}

#[test]
fn error_responses_map_to_typed_errors() {
    let Some(all) = exchanges() else { return };
    let mut checked = 0;
    for ex in all.iter().filter(|e| e.response.status != 200) {
        let body = ex.response.body_bytes().unwrap();
        let native_json: Value = serde_json::from_slice(&body).unwrap();
        let e = error_response(ex.response.status, &body);
        assert_eq!(
            e.error.message,
            native_json["error"]["message"].as_str().unwrap(),
            "{}",
            ex.file
        );
        let want = match (ex.response.status, native_json["error"]["code"].as_str()) {
            (_, Some(c)) if c.contains("not_found") => ErrorKind::NotFound,
            (401, _) => ErrorKind::Authentication,
            (400, _) => ErrorKind::InvalidRequest,
            other => panic!("{}: unexpected {other:?}", ex.file),
        };
        assert_eq!(e.error.kind, want, "{}", ex.file);
        checked += 1;
    }
    assert_eq!(checked, 7);
}
