//! The `tracing` feature: one span per call with the OpenTelemetry GenAI
//! attribute names, a retry event, and no prompt, completion or key unless
//! content capture is on — observed by a capturing `tracing` layer against a
//! 127.0.0.1 upstream answering as the Anthropic Messages API does (replies
//! written by hand in the shape of `fixtures/anthropic/demo.json` and
//! `demo_stream.json`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use anyllm::{Client, CountTokensParams, MapEnv, MessageCreateParams};
use anyllm_testkit::capture::{CaptureServer, Reply};
use futures_util::StreamExt;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

const KEY: &str = "sk-ant-KEY-SECRET-55e1";
const PROMPT: &str = "PROMPT-SECRET-7f3a: why is the sky blue?";
const SYSTEM: &str = "SYSTEM-SECRET-2b8d: answer in one sentence.";
const COMPLETION: &str = "COMPLETION-SECRET-91bc Rayleigh scattering.";

/// A span as it closed, or an event as it fired.
#[derive(Debug, Clone)]
struct Record_ {
    name: String,
    target: String,
    /// The span the event fired in (events only).
    parent: Option<String>,
    fields: BTreeMap<String, String>,
}

impl Record_ {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

#[derive(Default)]
struct Captured {
    closed: Vec<Record_>,
    events: Vec<Record_>,
}

impl Captured {
    /// Everything captured as text: names, targets, field names and values.
    fn dump(&self) -> String {
        format!("{:?}{:?}", self.closed, self.events)
    }
}

/// Stores each span's fields in its extensions; on close, the span goes to
/// the shared list.
struct CaptureLayer(Arc<Mutex<Captured>>);

struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CaptureLayer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields(BTreeMap::new());
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields(BTreeMap::new());
        event.record(&mut fields);
        let parent = ctx.event_span(event).map(|s| s.name().to_owned());
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .events
            .push(Record_ {
                name: event.metadata().name().to_owned(),
                target: event.metadata().target().to_owned(),
                parent,
                fields: fields.0,
            });
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            let fields = span
                .extensions_mut()
                .remove::<Fields>()
                .map(|f| f.0)
                .unwrap_or_default();
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .closed
                .push(Record_ {
                    name: span.name().to_owned(),
                    target: span.metadata().target().to_owned(),
                    parent: None,
                    fields,
                });
        }
    }
}

/// Runs `f` with the capturing subscriber as this thread's default (the
/// tests run on a current-thread runtime: the server and the client poll here).
fn capture() -> (Arc<Mutex<Captured>>, tracing::subscriber::DefaultGuard) {
    let store = Arc::new(Mutex::new(Captured::default()));
    let subscriber = tracing_subscriber::registry().with(CaptureLayer(store.clone()));
    (store, tracing::subscriber::set_default(subscriber))
}

fn client(server: &CaptureServer, capture_content: bool, retries: u32) -> Client {
    Client::builder()
        .env(MapEnv::empty())
        .api_key("anthropic", KEY)
        .api_base("anthropic", server.url())
        .max_retries(retries)
        .capture_content(capture_content)
        .build()
        .unwrap()
}

fn params() -> MessageCreateParams {
    serde_json::from_value(json!({
        "model": "anthropic:claude-haiku-4-5",
        "max_tokens": 200,
        "temperature": 0.5,
        "top_k": 40,
        "system": SYSTEM,
        "messages": [{"role": "user", "content": PROMPT}],
    }))
    .unwrap()
}

fn message_reply() -> Reply {
    Reply::json(
        200,
        json!({
            "id": "msg_01Telemetry", "type": "message", "role": "assistant",
            "model": "claude-haiku-4-5-20251001",
            "content": [{"type": "text", "text": COMPLETION}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 24, "cache_creation_input_tokens": 7,
                      "cache_read_input_tokens": 100, "output_tokens": 31}
        })
        .to_string(),
    )
}

fn sse_reply() -> Reply {
    let (first, rest) = COMPLETION.split_at(10);
    let events = [
        json!({"type": "message_start", "message": {"id": "msg_01TelemetryStream", "type": "message",
            "role": "assistant", "model": "claude-haiku-4-5-20251001", "content": [],
            "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 24, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 100, "output_tokens": 1}}}),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "ping"}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": first}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": rest}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "message_delta", "delta": {"stop_reason": "max_tokens", "stop_sequence": null},
               "usage": {"output_tokens": 12}}),
        json!({"type": "message_stop"}),
    ];
    let body: String = events
        .iter()
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap()))
        .collect();
    Reply::new(200, "text/event-stream", body)
}

fn error_reply(status: u16, kind: &str) -> Reply {
    Reply::json(
        status,
        json!({"type": "error", "error": {"type": kind, "message": "try later"}}).to_string(),
    )
}

fn only_span<'a>(captured: &'a Captured, name: &str) -> &'a Record_ {
    let spans: Vec<_> = captured.closed.iter().filter(|s| s.name == name).collect();
    assert_eq!(spans.len(), 1, "one `{name}` span: {:#?}", captured.closed);
    spans[0]
}

#[tokio::test]
async fn a_whole_call_is_one_chat_span_with_the_gen_ai_attributes() {
    let server = CaptureServer::start(|_, _| message_reply()).await.unwrap();
    let (store, _guard) = capture();
    let message = client(&server, false, 0).messages(&params()).await.unwrap();
    assert_eq!(message.text(), COMPLETION);

    let captured = store.lock().unwrap();
    let span = only_span(&captured, "chat");
    let port = server.url().rsplit(':').next().unwrap().to_owned();
    let expected = [
        ("otel.name", "chat claude-haiku-4-5"),
        ("otel.kind", "client"),
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "anthropic"),
        ("anyllm.provider", "anthropic"),
        ("gen_ai.request.model", "claude-haiku-4-5"),
        ("gen_ai.request.max_tokens", "200"),
        ("gen_ai.request.temperature", "0.5"),
        ("gen_ai.request.top_k", "40"),
        ("gen_ai.response.id", "msg_01Telemetry"),
        ("gen_ai.response.model", "claude-haiku-4-5-20251001"),
        ("gen_ai.response.finish_reasons", r#"["end_turn"]"#),
        // input + cache read + cache creation: the conventions count every input token
        ("gen_ai.usage.input_tokens", "131"),
        ("gen_ai.usage.output_tokens", "31"),
        ("gen_ai.usage.cache_read.input_tokens", "100"),
        ("gen_ai.usage.cache_creation.input_tokens", "7"),
        ("server.address", "127.0.0.1"),
        ("server.port", port.as_str()),
    ];
    for (name, value) in expected {
        assert_eq!(span.field(name), Some(value), "{name} in {span:#?}");
    }
    assert_eq!(span.target, "anyllm");
    // Not set: top_p (not asked), error.type (no error), content (capture off).
    for absent in [
        "gen_ai.request.top_p",
        "error.type",
        "otel.status_code",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
    ] {
        assert_eq!(span.field(absent), None, "{absent} in {span:#?}");
    }
}

#[tokio::test]
async fn a_stream_span_lasts_until_the_stream_ends_and_records_usage_and_finish_reason() {
    let server = CaptureServer::start(|_, _| sse_reply()).await.unwrap();
    let (store, _guard) = capture();
    let mut stream = client(&server, false, 0)
        .messages(&params())
        .stream()
        .await
        .unwrap();
    assert!(
        store.lock().unwrap().closed.is_empty(),
        "the span is still open while the stream is"
    );
    let first = stream.next().await.unwrap().unwrap();
    assert!(matches!(first, anyllm::StreamEvent::MessageStart(_)));
    assert!(store.lock().unwrap().closed.is_empty());
    let mut last = None;
    while let Some(event) = stream.next().await {
        last = Some(event.unwrap());
    }
    assert!(matches!(last, Some(anyllm::StreamEvent::MessageStop(_))));
    // Ended, not dropped yet: the span is closed all the same.
    assert_eq!(store.lock().unwrap().closed.len(), 1);
    let message = stream.final_message().await.unwrap();
    assert_eq!(message.text(), COMPLETION);

    let captured = store.lock().unwrap();
    let span = only_span(&captured, "chat");
    let expected = [
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "anthropic"),
        ("gen_ai.request.model", "claude-haiku-4-5"),
        ("gen_ai.response.id", "msg_01TelemetryStream"),
        ("gen_ai.response.model", "claude-haiku-4-5-20251001"),
        ("gen_ai.response.finish_reasons", r#"["max_tokens"]"#),
        ("gen_ai.usage.input_tokens", "124"),
        ("gen_ai.usage.output_tokens", "12"),
        ("gen_ai.usage.cache_read.input_tokens", "100"),
        ("gen_ai.usage.cache_creation.input_tokens", "0"),
    ];
    for (name, value) in expected {
        assert_eq!(span.field(name), Some(value), "{name} in {span:#?}");
    }
    assert_eq!(span.field("error.type"), None);
}

#[tokio::test]
async fn a_stream_dropped_before_its_end_is_recorded_as_cancelled() {
    let server = CaptureServer::start(|_, _| sse_reply()).await.unwrap();
    let (store, _guard) = capture();
    let mut stream = client(&server, false, 0)
        .messages(&params())
        .stream()
        .await
        .unwrap();
    stream.next().await.unwrap().unwrap();
    drop(stream);
    let captured = store.lock().unwrap();
    let span = only_span(&captured, "chat");
    assert_eq!(span.field("error.type"), Some("cancelled"));
    assert_eq!(span.field("otel.status_code"), Some("error"));
    // What the stream had told by then is kept.
    assert_eq!(span.field("gen_ai.usage.cache_read.input_tokens"), Some("100"));
}

#[tokio::test]
async fn count_tokens_is_its_own_span() {
    let server = CaptureServer::start(|_, _| Reply::json(200, r#"{"input_tokens":42}"#))
        .await
        .unwrap();
    let (store, _guard) = capture();
    let count = CountTokensParams::from(&params());
    let n = client(&server, false, 0).count_tokens(&count).await.unwrap();
    assert_eq!(n.input_tokens, 42);
    assert_eq!(server.requests()[0].path_and_query, "/v1/messages/count_tokens");

    let captured = store.lock().unwrap();
    let span = only_span(&captured, "count_tokens");
    assert_eq!(span.field("gen_ai.operation.name"), Some("count_tokens"));
    assert_eq!(span.field("otel.name"), Some("count_tokens claude-haiku-4-5"));
    assert_eq!(span.field("gen_ai.provider.name"), Some("anthropic"));
    assert_eq!(span.field("gen_ai.request.model"), Some("claude-haiku-4-5"));
    assert_eq!(span.field("anyllm.count_tokens.input_tokens"), Some("42"));
    // A count is not usage: dashboards summing usage must not see it.
    assert_eq!(span.field("gen_ai.usage.input_tokens"), None);
    assert!(captured.closed.iter().all(|s| s.name != "chat"));
}

#[tokio::test]
async fn an_error_sets_error_type_and_the_error_status() {
    let server = CaptureServer::start(|_, _| error_reply(400, "invalid_request_error"))
        .await
        .unwrap();
    let (store, _guard) = capture();
    let err = client(&server, false, 0).messages(&params()).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    {
        let captured = store.lock().unwrap();
        let span = only_span(&captured, "chat");
        assert_eq!(span.field("error.type"), Some("invalid_request_error"));
        assert_eq!(span.field("otel.status_code"), Some("error"));
        assert_eq!(span.field("gen_ai.response.id"), None);
    }
    // A failed stream open too.
    let err = client(&server, false, 0)
        .messages(&params())
        .stream()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let captured = store.lock().unwrap();
    assert_eq!(captured.closed.len(), 2);
    assert_eq!(
        captured.closed[1].field("error.type"),
        Some("invalid_request_error")
    );
}

/// Failures before anything is sent (validation, a missing key, an unknown
/// provider) have their span and `error.type` too, for every operation.
#[tokio::test]
async fn a_failure_before_sending_has_a_span_with_its_error_type() {
    let server = CaptureServer::start(|_, _| message_reply()).await.unwrap();
    let (store, _guard) = capture();
    let ok = client(&server, false, 0);
    let mut invalid = params();
    invalid.messages.clear();
    let mut unknown = params();
    unknown.model = "nosuch:model-x".into();
    let no_key = Client::builder().env(MapEnv::empty()).build().unwrap();

    let e = ok.messages(&invalid).await.unwrap_err();
    assert_eq!(anyllm::telemetry::error_type(&e), "validation", "{e}");
    let e = ok.messages(&unknown).stream().await.unwrap_err();
    assert_eq!(anyllm::telemetry::error_type(&e), "unknown_provider", "{e}");
    let e = no_key.messages(&params()).await.unwrap_err();
    assert_eq!(anyllm::telemetry::error_type(&e), "missing_api_key", "{e}");
    let mut count = CountTokensParams::from(&params());
    count.messages.clear();
    let e = ok.count_tokens(&count).await.unwrap_err();
    assert_eq!(anyllm::telemetry::error_type(&e), "validation", "{e}");
    assert!(server.requests().is_empty(), "nothing was sent");

    let captured = store.lock().unwrap();
    let got: Vec<_> = captured
        .closed
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.field("error.type"),
                s.field("otel.status_code"),
                s.field("otel.name"),
                s.field("gen_ai.provider.name"),
            )
        })
        .collect();
    let err = Some("error");
    assert_eq!(
        got,
        [
            (
                "chat",
                Some("validation"),
                err,
                Some("chat anthropic:claude-haiku-4-5"),
                Some("anthropic")
            ),
            (
                "chat",
                Some("unknown_provider"),
                err,
                Some("chat nosuch:model-x"),
                None
            ),
            (
                "chat",
                Some("missing_api_key"),
                err,
                Some("chat anthropic:claude-haiku-4-5"),
                Some("anthropic")
            ),
            (
                "count_tokens",
                Some("validation"),
                err,
                Some("count_tokens anthropic:claude-haiku-4-5"),
                Some("anthropic")
            ),
        ]
    );
    // The request attributes known before routing are there too.
    assert_eq!(captured.closed[0].field("gen_ai.request.max_tokens"), Some("200"));
}

#[tokio::test]
async fn a_retry_is_an_event_in_the_call_span_with_attempt_status_and_delay() {
    // 529 first (retried after the policy's delay: 0.5 s at most), then 200.
    let server = CaptureServer::start(|i, _| match i {
        0 => error_reply(529, "overloaded_error"),
        _ => message_reply(),
    })
    .await
    .unwrap();
    let (store, _guard) = capture();
    let message = client(&server, false, 2).messages(&params()).await.unwrap();
    assert_eq!(message.text(), COMPLETION);
    assert_eq!(server.requests().len(), 2);

    let captured = store.lock().unwrap();
    let retries: Vec<_> = captured
        .events
        .iter()
        .filter(|e| e.target == "messages_http::retry")
        .collect();
    assert_eq!(retries.len(), 1, "{:#?}", captured.events);
    let retry = retries[0];
    assert_eq!(retry.name, "retry");
    assert_eq!(retry.parent.as_deref(), Some("chat"));
    assert_eq!(retry.field("retry.attempt"), Some("1"));
    assert_eq!(retry.field("http.request.resend_count"), Some("1"));
    assert_eq!(retry.field("http.response.status_code"), Some("529"));
    assert_eq!(retry.field("error.type"), Some("overloaded_error"));
    let delay: u64 = retry.field("retry.delay_ms").unwrap().parse().unwrap();
    assert!(delay <= 8_000, "{delay}");
    // The call succeeded in the end: no error on the span.
    let span = only_span(&captured, "chat");
    assert_eq!(span.field("error.type"), None);
    assert_eq!(span.field("gen_ai.response.id"), Some("msg_01Telemetry"));
}

#[tokio::test]
async fn no_prompt_completion_or_key_is_recorded_by_default() {
    let server = CaptureServer::start(|i, req| {
        if req.path_and_query.contains("count_tokens") {
            Reply::json(200, r#"{"input_tokens":42}"#)
        } else if i == 0 {
            error_reply(429, "rate_limit_error")
        } else if req.json()["stream"] == json!(true) {
            sse_reply()
        } else {
            message_reply()
        }
    })
    .await
    .unwrap();
    let (store, _guard) = capture();
    let client = client(&server, false, 2);
    client.messages(&params()).await.unwrap();
    let text: Vec<String> = client
        .messages(&params())
        .stream()
        .await
        .unwrap()
        .text_stream()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(text.concat(), COMPLETION);
    client
        .count_tokens(&CountTokensParams::from(&params()))
        .await
        .unwrap();
    // The upstream did get them (the check below is not vacuous).
    let sent = server.requests();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[0].header("x-api-key"), Some(KEY));
    assert!(String::from_utf8_lossy(&sent[0].body).contains(PROMPT));

    let captured = store.lock().unwrap();
    assert_eq!(captured.closed.len(), 3, "{:#?}", captured.closed);
    // (other crates' events — hyper-util's pool — may be there too)
    let retries = captured
        .events
        .iter()
        .filter(|e| e.target == "messages_http::retry")
        .count();
    assert_eq!(retries, 1, "{:#?}", captured.events);
    let dump = captured.dump();
    for secret in [
        KEY,
        "KEY-SECRET",
        "PROMPT-SECRET",
        "SYSTEM-SECRET",
        "COMPLETION-SECRET",
        "Rayleigh",
    ] {
        assert!(!dump.contains(secret), "`{secret}` was recorded: {dump}");
    }
}

#[tokio::test]
async fn content_capture_records_the_messages_as_the_conventions_json() {
    let server = CaptureServer::start(|_, req| {
        if req.json()["stream"] == json!(true) {
            sse_reply()
        } else {
            message_reply()
        }
    })
    .await
    .unwrap();
    let (store, _guard) = capture();
    let client = client(&server, true, 0);
    client.messages(&params()).await.unwrap();
    // The stream keeps no message of its own (text_stream): the span does.
    let text: Vec<String> = client
        .messages(&params())
        .stream()
        .await
        .unwrap()
        .text_stream()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(text.concat(), COMPLETION);

    let captured = store.lock().unwrap();
    assert_eq!(captured.closed.len(), 2);
    for span in &captured.closed {
        let input: serde_json::Value =
            serde_json::from_str(span.field("gen_ai.input.messages").unwrap()).unwrap();
        assert_eq!(
            input,
            json!([{"role": "user", "parts": [{"type": "text", "content": PROMPT}]}])
        );
        let system: serde_json::Value =
            serde_json::from_str(span.field("gen_ai.system_instructions").unwrap()).unwrap();
        assert_eq!(system, json!([{"type": "text", "content": SYSTEM}]));
        let output: serde_json::Value =
            serde_json::from_str(span.field("gen_ai.output.messages").unwrap()).unwrap();
        assert_eq!(output[0]["role"], "assistant");
        assert_eq!(
            output[0]["parts"],
            json!([{"type": "text", "content": COMPLETION}])
        );
        assert!(output[0]["finish_reason"] == "end_turn" || output[0]["finish_reason"] == "max_tokens");
    }
    // Still never the key.
    assert!(!captured.dump().contains("KEY-SECRET"));
}
