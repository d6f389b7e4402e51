//! Gemini conversion speed: request out, whole response in, stream chunks in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use messages_convert::gemini::{message_from_slice, to_gemini_request, GeminiStream};
use messages_types::MessageCreateParams;
use serde_json::json;

/// A 40-turn tool-using conversation with thinking signatures.
fn conversation() -> MessageCreateParams {
    let mut messages = vec![json!({"role": "user", "content": "Start the long task."})];
    for i in 0..20 {
        messages.push(json!({"role": "assistant", "content": [
            {"type": "thinking", "thinking": "I need the next step. ".repeat(10), "signature": "c2lnbmF0dXJl".repeat(20)},
            {"type": "text", "text": format!("Step {i}: calling the tool.")},
            {"type": "tool_use", "id": format!("toolu_gemini_r{i}_0"), "name": "lookup", "input": {"query": "x".repeat(40), "n": i}},
            {"type": "thinking", "thinking": "", "signature": "c2lnbmF0dXJl".repeat(20)}
        ]}));
        messages.push(json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": format!("toolu_gemini_r{i}_0"), "content": format!("{{\"rows\": [{i}, 2, 3], \"note\": \"{}\"}}", "y".repeat(80))}
        ]}));
    }
    serde_json::from_value(json!({
        "model": "gemini-2.5-flash", "max_tokens": 4096, "system": "You are a careful agent.",
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "tools": [{"name": "lookup", "description": "Look something up", "input_schema": {"type": "object", "properties": {"query": {"type": "string"}, "n": {"type": "integer"}}}}],
        "messages": messages
    }))
    .unwrap()
}

fn response_body() -> Vec<u8> {
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(40);
    json!({"candidates": [{"content": {"role": "model", "parts": [
        {"text": "Thinking it over. ".repeat(30), "thought": true},
        {"text": text, "thoughtSignature": "c2lnbmF0dXJl".repeat(30)},
        {"functionCall": {"name": "lookup", "args": {"query": "fox", "n": 3}}}
    ]}, "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 900, "candidatesTokenCount": 450, "thoughtsTokenCount": 120, "totalTokenCount": 1470},
    "modelVersion": "gemini-2.5-flash", "responseId": "resp_bench"})
    .to_string()
    .into_bytes()
}

/// 200 SSE data payloads of ~8 words each, the last with finishReason.
fn stream_payloads() -> Vec<Vec<u8>> {
    (0..200)
        .map(|i| {
            let mut c = json!({"candidates": [{"content": {"role": "model", "parts": [{"text": format!("chunk {i} of a streamed answer, ")}]}, "index": 0}],
                "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": i, "totalTokenCount": 30 + i},
                "modelVersion": "gemini-2.5-flash", "responseId": "resp_stream"});
            if i == 199 {
                c["candidates"][0]["finishReason"] = json!("STOP");
            }
            c.to_string().into_bytes()
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let params = conversation();
    let mut g = c.benchmark_group("gemini");
    g.bench_function("request_40_turns", |b| {
        b.iter(|| to_gemini_request(black_box(&params)).unwrap())
    });
    g.bench_function("request_40_turns_to_json", |b| {
        b.iter(|| serde_json::to_vec(&to_gemini_request(black_box(&params)).unwrap()).unwrap())
    });

    let body = response_body();
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("response_decode_convert", |b| {
        b.iter(|| message_from_slice(black_box(&body)).unwrap())
    });

    let payloads = stream_payloads();
    let total: usize = payloads.iter().map(Vec::len).sum();
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("stream_200_chunks", |b| {
        b.iter(|| {
            let mut s = GeminiStream::new();
            let mut out = Vec::with_capacity(256);
            for p in &payloads {
                s.push_data(black_box(p), &mut out).unwrap();
            }
            s.finish(&mut out).unwrap();
            out
        })
    });
    g.finish();
}

criterion_group!(gemini, benches);
criterion_main!(gemini);
