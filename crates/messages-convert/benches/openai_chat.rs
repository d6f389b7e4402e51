//! OpenAI Chat Completions conversion speed.
//!
//! * `openai_chat_request`: converting + serializing an Anthropic request
//!   against plainly serializing the same Anthropic request — the ratio is
//!   the conversion's cost;
//! * `openai_chat_response`: decoding + converting a whole response;
//! * `openai_chat_stream`: converting every recorded OpenAI stream
//!   (`../shared/fixtures/recorded/openai`, SSE payloads pre-split), against
//!   only decoding the same chunks — throughput in payload bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Filter};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use messages_convert::openai_chat::wire::ChatChunk;
use messages_convert::openai_chat::{parse_response, request_body, ChunkConverter, Dialect, ResponseContext};
use messages_types::MessageCreateParams;
use serde_json::json;

/// A 40-turn tool-using conversation with thinking, like an agent loop.
fn conversation() -> MessageCreateParams {
    let mut messages = vec![json!({"role": "user", "content": "Start the long task."})];
    for i in 0..20 {
        messages.push(json!({"role": "assistant", "content": [
            {"type": "thinking", "thinking": "I need the next step. ".repeat(10), "signature": "c2lnbmF0dXJl".repeat(20)},
            {"type": "text", "text": format!("Step {i}: calling the tool.")},
            {"type": "tool_use", "id": format!("call_{i}"), "name": "lookup", "input": {"query": "x".repeat(40), "n": i}}
        ]}));
        messages.push(json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": format!("call_{i}"),
             "content": format!("{{\"rows\": [{i}, 2, 3], \"note\": \"{}\"}}", "y".repeat(80))}
        ]}));
    }
    serde_json::from_value(json!({
        "model": "gpt-4.1-mini", "max_tokens": 4096, "system": "You are a careful agent.",
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "tools": [{"name": "lookup", "description": "Look something up", "input_schema": {"type": "object",
            "properties": {"query": {"type": "string"}, "n": {"type": "integer"}}}}],
        "messages": messages
    }))
    .unwrap()
}

fn small() -> MessageCreateParams {
    serde_json::from_value(json!({"model": "gpt-4.1-mini", "max_tokens": 200,
        "system": "You are a concise assistant.", "messages": [{"role": "user", "content": "Why is the sky blue?"}]}))
    .unwrap()
}

fn request(c: &mut Criterion) {
    let extra = serde_json::Map::new();
    for (name, params) in [("agent_40_turns", conversation()), ("one_question", small())] {
        let mut g = c.benchmark_group(format!("openai_chat_request/{name}"));
        g.throughput(Throughput::Bytes(
            serde_json::to_vec(&params).unwrap().len() as u64
        ));
        g.bench_function("anthropic_serialize", |b| {
            b.iter(|| serde_json::to_vec(black_box(&params)).unwrap())
        });
        g.bench_function("convert_and_serialize", |b| {
            b.iter(|| request_body(black_box(&params), &Dialect::OPENAI, false, &extra).unwrap())
        });
        g.finish();
    }
}

fn response(c: &mut Criterion) {
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(40);
    let body = json!({"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": null,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{\"query\":\"fox\",\"n\":3}"}}]},
            "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 450, "total_tokens": 1350,
            "prompt_tokens_details": {"cached_tokens": 512}, "completion_tokens_details": {"reasoning_tokens": 0}}})
    .to_string()
    .into_bytes();
    let mut g = c.benchmark_group("openai_chat_response");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("parse_and_convert", |b| {
        b.iter(|| parse_response(black_box(&body), &ResponseContext::new(&Dialect::OPENAI, "m")).unwrap())
    });
    g.finish();
}

/// The SSE `data` payloads of every recorded OpenAI stream (synthetic
/// chunks when the recorded traffic is not available).
fn streams() -> Vec<Vec<Vec<u8>>> {
    let from_disk = recorded_dir_or_skip().map(|dir| {
        let mut f = Filter::provider("openai");
        f.api = Some("openai-chat".into());
        f.stream = Some(true);
        f.success = Some(true);
        load_all(&dir, &f)
            .unwrap()
            .into_iter()
            .map(|ex| {
                let body = String::from_utf8(ex.response.body_bytes().unwrap()).unwrap();
                body.split("\n\n")
                    .filter_map(|ev| ev.trim().strip_prefix("data:"))
                    .map(|d| d.trim_start().as_bytes().to_vec())
                    .collect()
            })
            .collect::<Vec<Vec<Vec<u8>>>>()
    });
    from_disk.filter(|s| !s.is_empty()).unwrap_or_else(|| {
        let mut s: Vec<Vec<u8>> = (0..200)
            .map(|i| {
                json!({"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": format!("chunk {i} of a streamed answer, ")}}]})
                    .to_string()
                    .into_bytes()
            })
            .collect();
        s.push(b"[DONE]".to_vec());
        vec![s]
    })
}

fn stream(c: &mut Criterion) {
    let streams = streams();
    let bytes: usize = streams.iter().flatten().map(Vec::len).sum();
    let chunks: usize = streams.iter().map(Vec::len).sum();
    eprintln!(
        "openai_chat_stream: {} streams, {chunks} payloads, {bytes} bytes",
        streams.len()
    );
    let mut g = c.benchmark_group("openai_chat_stream");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("decode_chunks_only", |b| {
        b.iter(|| {
            for s in &streams {
                for p in s.iter().filter(|p| p.as_slice() != b"[DONE]") {
                    black_box(serde_json::from_slice::<ChatChunk<'_>>(p).unwrap());
                }
            }
        })
    });
    g.bench_function("convert_to_anthropic_events", |b| {
        b.iter_batched(
            || Vec::with_capacity(256),
            |mut out| {
                for s in &streams {
                    let mut conv = ChunkConverter::new(&ResponseContext::new(&Dialect::OPENAI, "m"));
                    for p in s {
                        conv.push(p, &mut out).unwrap();
                    }
                    conv.finish(&mut out).unwrap();
                    out.clear();
                }
                out
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, request, response, stream);
criterion_main!(benches);
