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
use opentelemetry_sdk::trace::SdkTracerProvider;
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
    match rt.block_on(run(capture_content)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("otel-tracing: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(capture_content: bool) -> Result<(), BoxError> {
    // The OpenTelemetry SDK: spans exported one by one to stdout.
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
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
