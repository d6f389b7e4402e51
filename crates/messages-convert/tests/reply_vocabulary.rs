//! The standing check of issue 11: every reply converted from recorded
//! traffic (every `openai-chat`, `gemini`, `openai-responses`, `cohere-chat`,
//! `ollama-chat` and `bedrock-converse` exchange, and the `anthropic`
//! pass-through), whole and streamed, plus the hand-written zero-valued
//! gateway fixtures (`fixtures/zero-valued/`), holds only values of
//! Anthropic's reply vocabulary:
//!
//! * the typed values carry no catch-all (`Other` / `Unknown`) variant;
//! * every enum-valued field of the JSON (block and delta types, stop
//!   reason, stop details, service tier, server tool names, error types)
//!   holds one of Anthropic's documented values; `server_tool_use` usage has
//!   both counts; tool names are not empty.
//!
//! It also writes every converted message and event to
//! `target/sdk-validation/<family>.jsonl` (or `$ANYLLM_SDK_OUT`), for the
//! second, independent check by the official `anthropic` Python package
//! (`scripts/validate_with_sdk.py`, run by `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;

use anyllm_fixtures::{
    load, load_all, project_fixtures_dir, recorded_dir_or_skip, workspace_root, Exchange, Filter,
};
use messages_convert::gemini::{message_from_slice, GeminiStream};
use messages_convert::openai_chat::{parse_response, ChunkConverter, Dialect, ResponseContext};
use messages_convert::vocabulary::{REFUSAL_CATEGORIES, SERVICE_TIERS, STOP_REASONS};
use messages_convert::{Frame, Framing, StreamConverter};
use messages_http::{EventStreamParser, NdjsonParser, SseParser};
use messages_types::{ContentBlock, Message, StopReason, StreamEvent};
use serde_json::{json, Value};

const BLOCK_TYPES: &[&str] = &[
    "text",
    "thinking",
    "redacted_thinking",
    "tool_use",
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "tool_search_tool_result",
    "container_upload",
    // The one deliberate extension (docs/providers.md): Gemini image output.
    "image",
];
const SERVER_TOOLS: &[&str] = &[
    "web_search",
    "web_fetch",
    "code_execution",
    "bash_code_execution",
    "text_editor_code_execution",
    "tool_search_tool_regex",
    "tool_search_tool_bm25",
];
const CITATION_TYPES: &[&str] = &[
    "char_location",
    "page_location",
    "content_block_location",
    "web_search_result_location",
    "search_result_location",
];
const DELTA_TYPES: &[&str] = &[
    "text_delta",
    "input_json_delta",
    "thinking_delta",
    "signature_delta",
    "citations_delta",
];
const ERROR_TYPES: &[&str] = &[
    "invalid_request_error",
    "authentication_error",
    "billing_error",
    "permission_error",
    "not_found_error",
    "request_too_large",
    "rate_limit_error",
    "timeout_error",
    "api_error",
    "overloaded_error",
];
const IMAGE_TYPES: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Problems found in one converted value, each with where it is.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn one_of(&mut self, at: &str, v: &Value, allowed: &[&str]) {
        match v.as_str() {
            Some(s) if allowed.contains(&s) => {}
            _ => self.0.push(format!("{at}: {v} is not one of {allowed:?}")),
        }
    }

    fn nullable_one_of(&mut self, at: &str, v: Option<&Value>, allowed: &[&str]) {
        if let Some(v) = v.filter(|v| !v.is_null()) {
            self.one_of(at, v, allowed);
        }
    }

    fn usage(&mut self, at: &str, u: &Value) {
        self.nullable_one_of(
            &format!("{at}.service_tier"),
            u.get("service_tier"),
            SERVICE_TIERS,
        );
        if let Some(s) = u.get("server_tool_use").filter(|s| !s.is_null()) {
            for k in ["web_search_requests", "web_fetch_requests"] {
                if !s.get(k).is_some_and(Value::is_u64) {
                    self.0.push(format!("{at}.server_tool_use.{k} missing: {s}"));
                }
            }
        }
    }

    fn stop(&mut self, at: &str, holder: &Value) {
        self.nullable_one_of(
            &format!("{at}.stop_reason"),
            holder.get("stop_reason"),
            STOP_REASONS,
        );
        if let Some(d) = holder.get("stop_details").filter(|d| !d.is_null()) {
            self.one_of(&format!("{at}.stop_details.type"), &d["type"], &["refusal"]);
            self.nullable_one_of(
                &format!("{at}.stop_details.category"),
                d.get("category"),
                REFUSAL_CATEGORIES,
            );
        }
    }

    fn block(&mut self, at: &str, b: &Value) {
        self.one_of(&format!("{at}.type"), &b["type"], BLOCK_TYPES);
        match b["type"].as_str() {
            Some("tool_use") if b["name"].as_str().is_none_or(str::is_empty) => {
                self.0.push(format!("{at}: tool_use without a name"));
            }
            Some("server_tool_use") => self.one_of(&format!("{at}.name"), &b["name"], SERVER_TOOLS),
            Some("text") => {
                for (i, c) in b["citations"].as_array().into_iter().flatten().enumerate() {
                    self.one_of(&format!("{at}.citations[{i}].type"), &c["type"], CITATION_TYPES);
                }
            }
            Some("image") => {
                self.one_of(&format!("{at}.source.type"), &b["source"]["type"], &["base64"]);
                self.one_of(
                    &format!("{at}.source.media_type"),
                    &b["source"]["media_type"],
                    IMAGE_TYPES,
                );
            }
            _ => {}
        }
    }

    fn message(&mut self, at: &str, m: &Value) {
        self.one_of(&format!("{at}.type"), &m["type"], &["message"]);
        self.one_of(&format!("{at}.role"), &m["role"], &["assistant"]);
        if !m["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("msg_") && id.len() > 4)
        {
            self.0.push(format!("{at}.id: {}", m["id"]));
        }
        self.stop(at, m);
        self.usage(&format!("{at}.usage"), &m["usage"]);
        for (i, b) in m["content"].as_array().into_iter().flatten().enumerate() {
            self.block(&format!("{at}.content[{i}]"), b);
        }
    }

    fn event(&mut self, at: &str, e: &Value) {
        match e["type"].as_str() {
            Some("message_start") => self.message(&format!("{at}.message"), &e["message"]),
            Some("content_block_start") => self.block(&format!("{at}.content_block"), &e["content_block"]),
            Some("content_block_delta") => {
                self.one_of(&format!("{at}.delta.type"), &e["delta"]["type"], DELTA_TYPES);
            }
            Some("message_delta") => {
                self.stop(&format!("{at}.delta"), &e["delta"]);
                self.usage(&format!("{at}.usage"), &e["usage"]);
            }
            Some("error") => self.one_of(&format!("{at}.error.type"), &e["error"]["type"], ERROR_TYPES),
            Some("content_block_stop" | "message_stop" | "ping") => {}
            _ => self.0.push(format!("{at}.type: {}", e["type"])),
        }
    }
}

/// The typed check: no catch-all variant in a converted message.
fn typed_message(at: &str, m: &Message, p: &mut Problems) {
    if let Some(StopReason::Other(s)) = &m.stop_reason {
        p.0.push(format!("{at}: stop_reason Other({s})"));
    }
    for (i, b) in m.content.iter().enumerate() {
        if let ContentBlock::Unknown(v) = b {
            p.0.push(format!("{at}.content[{i}]: Unknown {v}"));
        }
    }
}

fn typed_event(at: &str, e: &StreamEvent, p: &mut Problems) {
    match e {
        StreamEvent::Unknown(v) => p.0.push(format!("{at}: Unknown event {v}")),
        StreamEvent::MessageStart(s) => typed_message(at, &s.message, p),
        StreamEvent::ContentBlockStart(s) => {
            if let ContentBlock::Unknown(v) = &s.content_block {
                p.0.push(format!("{at}: Unknown block {v}"));
            }
        }
        StreamEvent::MessageDelta(d) => {
            if let messages_types::Nullable::Value(StopReason::Other(s)) = &d.delta.stop_reason {
                p.0.push(format!("{at}: stop_reason Other({s})"));
            }
        }
        StreamEvent::Error(err) => {
            if let messages_types::ErrorKind::Other(s) = &err.error.kind {
                p.0.push(format!("{at}: error kind Other({s})"));
            }
        }
        _ => {}
    }
}

/// Where the converted values go for the SDK check.
fn out_dir() -> PathBuf {
    std::env::var_os("ANYLLM_SDK_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target").join("sdk-validation"))
}

/// Collects, checks and writes one family's converted values.
struct Family {
    name: &'static str,
    problems: Problems,
    lines: Vec<String>,
    messages: usize,
    events: usize,
}

impl Family {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            problems: Problems::default(),
            lines: Vec::new(),
            messages: 0,
            events: 0,
        }
    }

    fn message(&mut self, file: &str, m: &Message) {
        let v = serde_json::to_value(m).unwrap();
        typed_message(file, m, &mut self.problems);
        self.problems.message(file, &v);
        self.lines
            .push(json!({"file": file, "kind": "message", "value": v}).to_string());
        self.messages += 1;
    }

    fn events(&mut self, file: &str, events: &[StreamEvent]) {
        for (i, e) in events.iter().enumerate() {
            let at = format!("{file} event {i}");
            let v = serde_json::to_value(e).unwrap();
            typed_event(&at, e, &mut self.problems);
            self.problems.event(&at, &v);
            self.lines
                .push(json!({"file": file, "kind": "event", "value": v}).to_string());
            self.events += 1;
        }
    }

    /// Writes the values out and fails on any problem.
    fn finish(self) -> (usize, usize) {
        let dir = out_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let mut f = std::fs::File::create(dir.join(format!("{}.jsonl", self.name))).unwrap();
        for l in &self.lines {
            writeln!(f, "{l}").unwrap();
        }
        assert!(
            self.problems.0.is_empty(),
            "{}: {} values outside Anthropic's vocabulary:\n{}",
            self.name,
            self.problems.0.len(),
            self.problems.0.join("\n")
        );
        eprintln!(
            "{}: {} messages, {} events checked",
            self.name, self.messages, self.events
        );
        (self.messages, self.events)
    }
}

fn sse_data(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            out.extend(cur.take());
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
    out.extend(cur);
    out
}

fn recorded(api: &str) -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let mut filter = Filter::api(api);
    filter.success = Some(true);
    load_all(&dir, &filter).unwrap()
}

fn body(e: &Exchange) -> String {
    e.response.body.clone().unwrap_or_default()
}

fn dialect(provider: &str) -> Dialect {
    let base = match provider {
        "openai" => Dialect::OPENAI,
        "openrouter" => Dialect::OPENROUTER,
        _ => Dialect::GENERIC,
    };
    let name: &'static str = Box::leak(provider.to_owned().into_boxed_str());
    base.named(name)
}

fn stop_sequences(e: &Exchange) -> Vec<String> {
    match &e.request.body["stop"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

fn openai_chat(fam: &mut Family, e: &Exchange) {
    let d = dialect(&e.provider);
    let stops = stop_sequences(e);
    let model = e.request.body["model"].as_str().unwrap_or("model").to_owned();
    let ctx = ResponseContext {
        dialect: &d,
        stop_sequences: &stops,
        model: &model,
    };
    if e.stream {
        let mut conv = ChunkConverter::new(&ctx);
        let mut events = Vec::new();
        for data in sse_data(&body(e)) {
            conv.push(data.as_bytes(), &mut events)
                .unwrap_or_else(|err| panic!("{}: {err}", e.file));
        }
        conv.finish(&mut events)
            .unwrap_or_else(|err| panic!("{}: {err}", e.file));
        fam.events(&e.file, &events);
    } else {
        let m = parse_response(body(e).as_bytes(), &ctx).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        fam.message(&e.file, &m);
    }
}

#[test]
fn openai_chat_replies_stay_in_anthropic_vocabulary() {
    let mut fam = Family::new("openai-chat");
    let all = recorded("openai-chat");
    for e in &all {
        openai_chat(&mut fam, e);
    }
    // The hand-written zero-valued gateway (fixtures/zero-valued/): a
    // tool call and a text answer, whole and streamed.
    for name in ["tool_call.json", "text.json", "stream.json"] {
        let e = load(&project_fixtures_dir(), &format!("zero-valued/{name}")).unwrap();
        openai_chat(&mut fam, &e);
    }
    let (messages, events) = fam.finish();
    if !all.is_empty() {
        assert!(
            messages > 400 && events > 10_000,
            "{messages} messages, {events} events"
        );
    }
}

#[test]
fn gemini_replies_stay_in_anthropic_vocabulary() {
    let mut fam = Family::new("gemini");
    let all = recorded("gemini");
    for e in &all {
        if e.stream {
            let mut conv = GeminiStream::new();
            let mut events = Vec::new();
            for data in sse_data(&body(e)) {
                conv.push_data(data.as_bytes(), &mut events)
                    .unwrap_or_else(|err| panic!("{}: {err}", e.file));
            }
            conv.finish(&mut events)
                .unwrap_or_else(|err| panic!("{}: {err}", e.file));
            fam.events(&e.file, &events);
        } else {
            let m = message_from_slice(body(e).as_bytes()).unwrap_or_else(|err| panic!("{}: {err}", e.file));
            fam.message(&e.file, &m);
        }
    }
    let (messages, events) = fam.finish();
    if !all.is_empty() {
        assert!(
            messages > 100 && events > 500,
            "{messages} messages, {events} events"
        );
    }
}

/// Anthropic replies pass through unchanged (decoded and re-encoded): the
/// conversion adds nothing, so any catch-all here would be Anthropic's own
/// new value — the vocabulary lists above are then out of date.
#[test]
fn anthropic_pass_through_replies_stay_in_anthropic_vocabulary() {
    let mut fam = Family::new("anthropic");
    let all = recorded("anthropic-messages");
    for e in &all {
        if e.stream {
            let events: Vec<StreamEvent> = sse_data(&body(e))
                .iter()
                .map(|d| serde_json::from_str(d).unwrap_or_else(|err| panic!("{}: {err}", e.file)))
                .collect();
            fam.events(&e.file, &events);
        } else {
            let m: Message = serde_json::from_str(&body(e)).unwrap_or_else(|err| panic!("{}: {err}", e.file));
            fam.message(&e.file, &m);
        }
    }
    let (messages, events) = fam.finish();
    if !all.is_empty() {
        assert!(
            messages > 150 && events > 1_000,
            "{messages} messages, {events} events"
        );
    }
}

/// The requested model of a recorded exchange (body `model`, or the Bedrock
/// path `/model/<id>/converse…`).
fn requested_model(e: &Exchange) -> String {
    if let Some(m) = e.request.body["model"].as_str() {
        return m.to_owned();
    }
    e.request
        .path
        .strip_prefix("/model/")
        .and_then(|p| p.rsplit_once('/'))
        .map_or_else(|| "model".to_owned(), |(id, _)| id.replace("%3A", ":"))
}

/// Runs a recorded stream body through a family's [`StreamConverter`],
/// framed as that family's wire framing says.
fn convert_stream(
    file: &str,
    framing: Framing,
    body: &[u8],
    conv: &mut dyn StreamConverter,
) -> Vec<StreamEvent> {
    let mut events = Vec::new();
    let mut push = |frame: Frame<'_>, events: &mut Vec<StreamEvent>| {
        conv.on_frame(frame, events)
            .unwrap_or_else(|err| panic!("{file}: {err}"));
    };
    match framing {
        Framing::Sse => {
            let mut p = SseParser::new();
            p.feed(body);
            p.finish();
            while let Some(e) = p.next_event().unwrap() {
                push(
                    Frame::Sse {
                        event: e.event.as_deref(),
                        data: &e.data,
                    },
                    &mut events,
                );
            }
        }
        Framing::Ndjson => {
            let mut p = NdjsonParser::new();
            p.feed(body);
            p.finish();
            while let Some(l) = p.next_line().unwrap() {
                push(Frame::Line(&l), &mut events);
            }
        }
        Framing::AwsEventStream => {
            let mut p = EventStreamParser::new();
            p.feed(body);
            p.finish();
            while let Some(m) = p.next_message().unwrap() {
                let message_type = m.message_type().unwrap_or("event");
                let event_type = match message_type {
                    "exception" => m.exception_type(),
                    "error" => m.error_code(),
                    _ => m.event_type(),
                }
                .unwrap_or("");
                push(
                    Frame::AwsEvent {
                        message_type,
                        event_type,
                        payload: &m.payload,
                    },
                    &mut events,
                );
            }
        }
        other => panic!("{file}: framing {other:?} not covered here"),
    }
    conv.finish(&mut events)
        .unwrap_or_else(|err| panic!("{file}: {err}"));
    events
}

/// Checks every recorded successful exchange of `api` through `one`, and
/// that the corpus held at least `min` messages and events.
fn check_family(name: &'static str, api: &str, one: impl Fn(&mut Family, &Exchange), min: (usize, usize)) {
    let mut fam = Family::new(name);
    let all = recorded(api);
    for e in &all {
        one(&mut fam, e);
    }
    let (messages, events) = fam.finish();
    if !all.is_empty() {
        assert!(
            messages >= min.0 && events >= min.1,
            "{name}: {messages} messages, {events} events"
        );
    }
}

#[test]
fn openai_responses_replies_stay_in_anthropic_vocabulary() {
    use messages_convert::openai_responses as fam;
    check_family(
        "openai-responses",
        "openai-responses",
        |f, e| {
            let model = requested_model(e);
            let raw = e.response.body_bytes().unwrap();
            if e.stream {
                let mut conv = fam::stream(&model);
                f.events(&e.file, &convert_stream(&e.file, fam::FRAMING, &raw, &mut conv));
            } else {
                let m = fam::response(&raw, &model).unwrap_or_else(|err| panic!("{}: {err}", e.file));
                f.message(&e.file, &m);
            }
        },
        (50, 1_000),
    );
}

#[test]
fn cohere_replies_stay_in_anthropic_vocabulary() {
    use messages_convert::cohere as fam;
    check_family(
        "cohere-chat",
        "cohere-chat",
        |f, e| {
            let model = requested_model(e);
            let ctx = fam::ResponseContext::new(&model);
            let raw = e.response.body_bytes().unwrap();
            if e.stream {
                let mut conv = fam::stream(&ctx);
                f.events(&e.file, &convert_stream(&e.file, fam::FRAMING, &raw, &mut conv));
            } else {
                let m = fam::response(&raw, &ctx).unwrap_or_else(|err| panic!("{}: {err}", e.file));
                f.message(&e.file, &m);
            }
        },
        (10, 100),
    );
}

#[test]
fn ollama_replies_stay_in_anthropic_vocabulary() {
    use messages_convert::ollama as fam;
    check_family(
        "ollama-chat",
        "ollama-chat",
        |f, e| {
            let model = requested_model(e);
            let raw = e.response.body_bytes().unwrap();
            if e.stream {
                let mut conv = fam::stream(&model);
                f.events(&e.file, &convert_stream(&e.file, fam::FRAMING, &raw, &mut conv));
            } else {
                let m = fam::response(&raw, &model).unwrap_or_else(|err| panic!("{}: {err}", e.file));
                f.message(&e.file, &m);
            }
        },
        (10, 100),
    );
}

#[test]
fn bedrock_converse_replies_stay_in_anthropic_vocabulary() {
    use messages_convert::bedrock as fam;
    check_family(
        "bedrock-converse",
        "bedrock-converse",
        |f, e| {
            let model = requested_model(e);
            let raw = e.response.body_bytes().unwrap();
            if e.stream {
                let mut conv = fam::stream(&model, Some("req-1"));
                f.events(&e.file, &convert_stream(&e.file, fam::FRAMING, &raw, &mut conv));
            } else {
                let m = fam::response(&raw, fam::ResponseMeta::new(&model))
                    .unwrap_or_else(|err| panic!("{}: {err}", e.file));
                f.message(&e.file, &m);
            }
        },
        (5, 50),
    );
}

/// Hand-written replies of the four later families, shaped after their API
/// references (the recordings hold none of these cases): a Responses reply
/// on the `flex` tier with a web search (Responses API reference,
/// `service_tier`, `web_search_call`), the `auto` tier streamed, a Bedrock
/// guardrail stop without a request id (Converse API reference,
/// `stopReason`), an Ollama reply without `created_at`. The conversion must
/// keep them in Anthropic's vocabulary too (tier omitted, both
/// `server_tool_use` counts, no provider reason as a refusal category,
/// a `msg_` id).
#[test]
fn hand_written_edge_cases_of_the_later_families_stay_in_anthropic_vocabulary() {
    use messages_convert::{bedrock, ollama, openai_responses};
    let mut fam = Family::new("later-families-edge-cases");
    let responses = json!({
        "id": "resp_1", "object": "response", "status": "completed", "model": "gpt-4.1",
        "service_tier": "flex",
        "output": [
            {"type": "web_search_call", "id": "ws_1", "status": "completed",
             "action": {"type": "search", "query": "weather"}},
            {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
             "content": [{"type": "output_text", "text": "Sunny.", "annotations": []}]}
        ],
        "usage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    });
    let m = openai_responses::response(responses.to_string().as_bytes(), "gpt-4.1").unwrap();
    assert_eq!(m.usage.service_tier, None, "flex has no Anthropic tier");
    fam.message("responses-flex-web-search", &m);

    let created = json!({"type": "response.created", "response": {"id": "resp_2", "status": "in_progress", "output": []}});
    let completed = json!({"type": "response.completed", "response": {
        "id": "resp_2", "status": "completed", "service_tier": "auto", "output": [
            {"type": "message", "id": "msg_2", "role": "assistant", "status": "completed",
             "content": [{"type": "output_text", "text": "", "annotations": []}]}],
        "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}}});
    let sse = format!(
        "event: response.created\ndata: {created}\n\nevent: response.completed\ndata: {completed}\n\n"
    );
    let mut conv = openai_responses::stream("gpt-4.1");
    let events = convert_stream(
        "responses-auto-tier",
        openai_responses::FRAMING,
        sse.as_bytes(),
        &mut conv,
    );
    fam.events("responses-auto-tier", &events);

    let guardrail = json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "I can't help."}]}},
        "stopReason": "guardrail_intervened",
        "usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7}
    });
    let m = bedrock::response(
        guardrail.to_string().as_bytes(),
        bedrock::ResponseMeta::new("anthropic.claude-3-haiku"),
    )
    .unwrap();
    assert_eq!(m.stop_reason, Some(StopReason::Refusal));
    fam.message("bedrock-guardrail", &m);

    let no_created_at = json!({"model": "llama3.2", "message": {"role": "assistant", "content": "hi"},
        "done": true, "done_reason": "stop"});
    let m = ollama::response(no_created_at.to_string().as_bytes(), "llama3.2").unwrap();
    fam.message("ollama-no-created-at", &m);
    assert_eq!(fam.finish(), (3, events.len()));
}
