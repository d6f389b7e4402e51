//! End-to-end client overhead, transport excluded: a canned in-memory
//! transport answers instantly, so the figures are what anyllm itself costs
//! (request building, header handling, response parsing, SSE framing, event
//! parsing and accumulation).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::future::IntoFuture;
use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams, MessageParam, Provider};
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use messages_http::{transport_fn, ResponseBody};
use serde_json::json;

fn canned(content_type: &'static str, body: Bytes, chunk: usize) -> Client {
    let t = transport_fn(move |_req: http::Request<Bytes>| {
        let chunks: Vec<Bytes> = (0..body.len())
            .step_by(chunk)
            .map(|s| body.slice(s..(s + chunk).min(body.len())))
            .collect();
        async move {
            let mut r = http::Response::new(ResponseBody::from_chunks(chunks));
            r.headers_mut()
                .insert("content-type", http::HeaderValue::from_static(content_type));
            Ok(r)
        }
    });
    Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "k")]))
        .transport(Arc::new(t))
        .build()
        .unwrap()
}

fn conversation(turns: usize) -> MessageCreateParams {
    let mut messages = Vec::new();
    for i in 0..turns {
        messages.push(MessageParam::user(
            format!("Question {i}: what is {i} squared? ").repeat(8),
        ));
        messages.push(MessageParam::assistant(
            format!("{} squared is {}. ", i, i * i).repeat(8),
        ));
    }
    messages.push(MessageParam::user("Thanks, and the next one?"));
    anyllm::params("claude-haiku-4-5", 1024, messages)
}

fn sse_body(deltas: usize) -> Bytes {
    let mut s = String::new();
    let ev = |s: &mut String, name: &str, data: serde_json::Value| {
        s.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    };
    ev(
        &mut s,
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1",
        "type": "message", "role": "assistant", "model": "m", "content": [], "stop_reason": null,
        "stop_sequence": null, "usage": {"input_tokens": 10, "output_tokens": 1}}}),
    );
    ev(
        &mut s,
        "content_block_start",
        json!({"type": "content_block_start", "index": 0,
        "content_block": {"type": "text", "text": ""}}),
    );
    for i in 0..deltas {
        ev(
            &mut s,
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": format!("token{i} ")}}),
        );
    }
    ev(
        &mut s,
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    );
    ev(
        &mut s,
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn",
        "stop_sequence": null}, "usage": {"output_tokens": deltas}}),
    );
    ev(&mut s, "message_stop", json!({"type": "message_stop"}));
    Bytes::from(s)
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Request building alone: 41-message conversation → http::Request.
    let params = conversation(20);
    let provider = anyllm_anthropic::AnthropicProvider::new();
    let mut ctx = anyllm::CallContext::new("https://api.anthropic.com");
    ctx.api_key = Some(anyllm::ApiKey::new("k"));
    let mut g = c.benchmark_group("anthropic");
    g.bench_function("build_request_41_messages", |b| {
        b.iter(|| provider.build_request(&params, &ctx).unwrap())
    });

    // A whole call end to end (validate, route, build, send, parse).
    let msg = json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
        "content": [{"type": "text", "text": "word ".repeat(400)}], "stop_reason": "end_turn",
        "stop_sequence": null, "usage": {"input_tokens": 10, "output_tokens": 400}});
    let client = canned("application/json", Bytes::from(msg.to_string()), 16 * 1024);
    let small = anyllm::params("claude-haiku-4-5", 1024, vec![MessageParam::user("Hi")]);
    g.bench_function("messages_call", |b| {
        b.iter(|| rt.block_on(client.messages(&small).into_future()).unwrap())
    });
    g.bench_function("messages_call_41_messages", |b| {
        b.iter(|| rt.block_on(client.messages(&params).into_future()).unwrap())
    });

    // A 2,000-delta stream, 1 KiB chunks: framing + parsing + accumulation.
    let deltas = 2000;
    let client = canned("text/event-stream", sse_body(deltas), 1024);
    g.throughput(Throughput::Elements(deltas as u64 + 6));
    g.bench_function("stream_2000_deltas_final_message", |b| {
        b.iter(|| {
            rt.block_on(async {
                let s = client.messages(&small).stream().await.unwrap();
                s.final_message().await.unwrap()
            })
        })
    });
    g.finish();
    telemetry(c, &rt);
    lenient(c);
}

/// The lenient relax loop (`Client::apply_policy`): a 41-message
/// conversation to an OpenAI target with 8 cited documents (each citation
/// switch one drop of a nested annotation), `top_k` and
/// `context_management` — 10 drops, 11 conversions.
fn lenient(c: &mut Criterion) {
    use anyllm::{ConversionPolicy, RequestOptions};
    let client = Client::builder()
        .env(MapEnv::new([("OPENAI_API_KEY", "k")]))
        .build()
        .unwrap();
    let mut v = serde_json::to_value(conversation(20)).unwrap();
    v["model"] = json!("openai:gpt-4.1-mini");
    v["top_k"] = json!(40);
    v["context_management"] = json!({"edits": [{"type": "clear_tool_uses_20250919"}]});
    for i in 0..8 {
        let text = v["messages"][i * 4]["content"].clone();
        v["messages"][i * 4]["content"] = json!([
            {"type": "document", "source": {"type": "text", "media_type": "text/plain",
             "data": "A document to cite. ".repeat(40)}, "citations": {"enabled": true}},
            {"type": "text", "text": text}
        ]);
    }
    let params: MessageCreateParams = serde_json::from_value(v).unwrap();
    let opts = RequestOptions::new();
    let fitted = client
        .apply_policy(&params, &opts, false, ConversionPolicy::Lenient)
        .unwrap();
    assert_eq!(fitted.dropped.len(), 10, "{:?}", fitted.dropped);
    let mut g = c.benchmark_group("lenient");
    g.bench_function("apply_policy_41_messages_10_drops", |b| {
        b.iter(|| {
            client
                .apply_policy(&params, &opts, false, ConversionPolicy::Lenient)
                .unwrap()
        })
    });
    g.finish();
}

/// The `tracing` feature's cost (this bench is built with it: `anyllm`'s
/// dev-dependency turns it on): a whole call and a 2,000-delta stream with no
/// subscriber, with a subscriber not interested in target `anyllm` (the
/// span is disabled), and with one recording the span (the work
/// `tracing-opentelemetry` starts from).
fn telemetry(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::Layer;

    /// A layer that wants every span and event and does nothing with them.
    struct Listen;
    impl<S: tracing::Subscriber> Layer<S> for Listen {}

    let msg = json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
        "content": [{"type": "text", "text": "word ".repeat(400)}], "stop_reason": "end_turn",
        "stop_sequence": null, "usage": {"input_tokens": 10, "output_tokens": 400}});
    let whole = canned("application/json", Bytes::from(msg.to_string()), 16 * 1024);
    let streamed = canned("text/event-stream", sse_body(2000), 1024);
    let small = anyllm::params("claude-haiku-4-5", 1024, vec![MessageParam::user("Hi")]);
    let mut g = c.benchmark_group("telemetry");
    let run = |g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, label: &str| {
        g.bench_function(format!("messages_call_{label}"), |b| {
            b.iter(|| rt.block_on(whole.messages(&small).into_future()).unwrap())
        });
        g.bench_function(format!("stream_2000_deltas_{label}"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let s = streamed.messages(&small).stream().await.unwrap();
                    s.final_message().await.unwrap()
                })
            })
        });
    };
    run(&mut g, "no_subscriber");
    let not_listening = tracing_subscriber::registry()
        .with(Listen.with_filter(Targets::new().with_target("anyllm", LevelFilter::OFF)));
    tracing::subscriber::with_default(not_listening, || run(&mut g, "span_disabled"));
    let listening = tracing_subscriber::registry().with(Listen);
    tracing::subscriber::with_default(listening, || run(&mut g, "span_recorded"));
    g.finish();
}

criterion_group!(client, benches);
criterion_main!(client);
