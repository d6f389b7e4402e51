//! anyllm's `tracing` spans exported to OpenTelemetry.
//!
//! The client (feature `tracing`) opens one span per call with the
//! OpenTelemetry GenAI attribute names; `tracing-opentelemetry` turns each
//! into an OpenTelemetry span (its `otel.name`, `otel.kind` and
//! `otel.status_code` fields become the span's name, kind and status) and
//! hands it to the OpenTelemetry SDK, here with the stdout exporter. A real
//! program puts the OTLP exporter (`opentelemetry-otlp`) in its place.
//!
//! Runs offline: the upstream is a server on 127.0.0.1 answering as the
//! Anthropic Messages API does — first a 529 (so the whole call is retried
//! and its span carries a `retry` event), then the answer, a stream and a
//! token count. It exits by itself.
//!
//! ```text
//! cargo run -p otel-tracing-example                       # no prompt or completion in the spans
//! cargo run -p otel-tracing-example -- --capture-content  # gen_ai.input/output.messages too
//! ```
//!
//! Crates: `opentelemetry` / `opentelemetry_sdk` / `opentelemetry-stdout`
//! 0.33 and `tracing-opentelemetry` 0.34 — one release train (the bridge
//! 0.34 is built on the API 0.33; mixing trains compiles two API copies that
//! do not see each other). `tracing-subscriber`'s registry holds the layer.

use std::process::ExitCode;

use anyllm::{Client, CountTokensParams, MapEnv, MessageCreateParams};
use anyllm_testkit::capture::{CaptureServer, Reply};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
use opentelemetry_sdk::Resource;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer as _;

/// What this example can fail with.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> ExitCode {
    let capture_content = std::env::args().any(|a| a == "--capture-content");
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("otel-tracing: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let exporter = opentelemetry_stdout::SpanExporter::default();
    match rt.block_on(run(capture_content, exporter)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("otel-tracing: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Makes the three calls with the spans exported to `exporter` (stdout here;
/// OTLP in a real program).
async fn run(capture_content: bool, exporter: impl SpanExporter + 'static) -> Result<(), BoxError> {
    // The OpenTelemetry SDK: spans exported one by one as they end.
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name("otel-tracing-example")
                .build(),
        )
        .build();
    let tracer = provider.tracer("otel-tracing-example");
    // `tracing` -> OpenTelemetry: the client's spans (target `anyllm`), its
    // retry events (`messages_http::retry`) and this program's span; not
    // the HTTP stack's own debug events.
    let wanted = Targets::new()
        .with_target("anyllm", LevelFilter::INFO)
        .with_target("messages_http", LevelFilter::INFO)
        .with_target("otel_tracing_example", LevelFilter::INFO);
    let subscriber = tracing_subscriber::registry().with(
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(wanted),
    );
    let guard = tracing::subscriber::set_default(subscriber);

    let upstream = CaptureServer::start(|i, req| {
        if req.path_and_query.starts_with("/v1/messages/count_tokens") {
            Reply::json(200, r#"{"input_tokens":24}"#)
        } else if i == 0 {
            Reply::json(
                529,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            )
        } else if i == 2 {
            Reply::new(200, "text/event-stream", STREAM_REPLY)
        } else {
            Reply::json(200, MESSAGE_REPLY)
        }
    })
    .await?;
    let client = Client::builder()
        .env(MapEnv::empty())
        .api_key("anthropic", "sk-ant-example-key")
        .api_base("anthropic", upstream.url())
        .capture_content(capture_content)
        .build()?;
    let params = request();

    // One trace: the three calls under the example's own span.
    let root = tracing::info_span!("otel-tracing-example");
    let work = async {
        let message = client.messages(&params).await?;
        println!("whole:  {}", message.text());
        let streamed = client.messages(&params).stream().await?.final_text().await?;
        println!("stream: {streamed}");
        let count = client.count_tokens(&CountTokensParams::from(&params)).await?;
        println!("count:  {} input tokens", count.input_tokens);
        Ok::<(), anyllm::Error>(())
    };
    tracing::Instrument::instrument(work, root).await?;

    drop(guard);
    provider.shutdown()?;
    Ok(())
}

/// The request: what any caller of the Messages API sends.
fn request() -> MessageCreateParams {
    anyllm::params(
        "anthropic:claude-haiku-4-5",
        200,
        vec![anyllm::MessageParam::user("Why is the sky blue?")],
    )
}

/// A Messages API answer (the shape of `fixtures/anthropic/demo.json`).
const MESSAGE_REPLY: &str = r#"{"id":"msg_01OtelExample","type":"message","role":"assistant",
"model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"Rayleigh scattering."}],
"stop_reason":"end_turn","stop_sequence":null,
"usage":{"input_tokens":24,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":6}}"#;

/// A Messages API stream (the shape of `fixtures/anthropic/demo_stream.json`).
const STREAM_REPLY: &str = concat!(
    "event: message_start\n",
    r#"data: {"type":"message_start","message":{"id":"msg_01OtelStream","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":24,"output_tokens":1}}}"#,
    "\n\nevent: content_block_start\n",
    r#"data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
    "\n\nevent: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Rayleigh scattering."}}"#,
    "\n\nevent: content_block_stop\n",
    r#"data: {"type":"content_block_stop","index":0}"#,
    "\n\nevent: message_delta\n",
    r#"data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}"#,
    "\n\nevent: message_stop\n",
    r#"data: {"type":"message_stop"}"#,
    "\n\n",
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::{Arc, Mutex};

    use opentelemetry::trace::{SpanKind, Status};
    use opentelemetry::{KeyValue, Value};
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::trace::{SpanData, SpanExporter};

    /// Keeps what the SDK exports.
    #[derive(Debug, Clone, Default)]
    struct Collect(Arc<Mutex<Vec<SpanData>>>);

    impl SpanExporter for Collect {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            self.0.lock().unwrap().extend(batch);
            Ok(())
        }
    }

    fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a Value> {
        attrs.iter().find(|kv| kv.key.as_str() == key).map(|kv| &kv.value)
    }

    fn export(capture_content: bool) -> Vec<SpanData> {
        let collect = Collect::default();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(super::run(capture_content, collect.clone())).unwrap();
        let spans = collect.0.lock().unwrap().clone();
        spans
    }

    #[test]
    fn the_calls_arrive_as_opentelemetry_client_spans_of_one_trace() {
        let spans = export(false);
        let names: Vec<&str> = spans.iter().map(|s| s.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "chat claude-haiku-4-5",
                "chat claude-haiku-4-5",
                "count_tokens claude-haiku-4-5",
                "otel-tracing-example"
            ]
        );
        let trace = spans[3].span_context.trace_id();
        assert!(spans.iter().all(|s| s.span_context.trace_id() == trace));
        let (whole, stream, count) = (&spans[0], &spans[1], &spans[2]);
        for s in [whole, stream, count] {
            assert_eq!(s.span_kind, SpanKind::Client);
            assert_eq!(s.status, Status::Unset);
            assert_eq!(s.parent_span_id, spans[3].span_context.span_id());
        }
        // Typed attributes: integers stay integers through the bridge.
        assert_eq!(
            attr(&whole.attributes, "gen_ai.usage.input_tokens"),
            Some(&Value::I64(24))
        );
        assert_eq!(
            attr(&whole.attributes, "gen_ai.usage.output_tokens"),
            Some(&Value::I64(6))
        );
        assert_eq!(
            attr(&whole.attributes, "gen_ai.provider.name")
                .map(Value::as_str)
                .as_deref(),
            Some("anthropic")
        );
        assert_eq!(
            attr(&stream.attributes, "gen_ai.response.id")
                .map(Value::as_str)
                .as_deref(),
            Some("msg_01OtelStream")
        );
        assert_eq!(
            attr(&count.attributes, "anyllm.count_tokens.input_tokens"),
            Some(&Value::I64(24))
        );
        // The 529 of the first attempt: one `retry` span event on the whole call.
        let events: Vec<&str> = whole.events.iter().map(|e| e.name.as_ref()).collect();
        assert_eq!(events, ["retry"]);
        let retry = &whole.events[0].attributes;
        assert_eq!(attr(retry, "http.response.status_code"), Some(&Value::I64(529)));
        assert_eq!(attr(retry, "retry.attempt"), Some(&Value::I64(1)));
        // No content by default.
        assert!(spans
            .iter()
            .all(|s| attr(&s.attributes, "gen_ai.input.messages").is_none()));
        assert!(!format!("{spans:?}").contains("Rayleigh"));
    }

    #[test]
    fn content_capture_exports_the_messages() {
        let spans = export(true);
        let input = attr(&spans[0].attributes, "gen_ai.input.messages")
            .unwrap()
            .as_str();
        assert!(input.contains("Why is the sky blue?"), "{input}");
        let output = attr(&spans[1].attributes, "gen_ai.output.messages")
            .unwrap()
            .as_str();
        assert!(output.contains("Rayleigh scattering."), "{output}");
    }
}
