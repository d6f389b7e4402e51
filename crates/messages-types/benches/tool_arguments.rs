//! CPU of folding long streamed tool arguments (8-byte `input_json_delta`
//! fragments) beside the same bytes as `text_delta`s: both must grow
//! linearly with the size (issue 10: 800 KB of arguments took 22 s when
//! every fragment re-parsed the whole buffer).
//!
//! `cargo bench -p messages-types --bench tool_arguments -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use messages_types::accumulate::MessageAccumulator;
use messages_types::{ContentBlock, Message, StopReason, StreamEvent, Usage};
use serde_json::json;

const FRAGMENT: usize = 8;

/// A JSON object of about `size` bytes: `{"content": "...."}`, ASCII only so
/// any 8-byte cut is a char boundary.
fn arguments(size: usize) -> String {
    let filler = "lorem ipsum dolor sit amet, ".repeat(size / 28 + 1);
    let doc = json!({"path": "notes.txt", "content": filler.get(..size.saturating_sub(40)).unwrap_or("")});
    doc.to_string()
}

fn events(size: usize, as_tool: bool) -> Vec<StreamEvent> {
    let args = arguments(size);
    let block = if as_tool {
        serde_json::from_value::<ContentBlock>(
            json!({"type": "tool_use", "id": "toolu_1", "name": "write_file", "input": {}}),
        )
        .unwrap()
    } else {
        ContentBlock::text("")
    };
    let mut out = vec![
        StreamEvent::message_start(Message::new("msg_1", "m", vec![])),
        StreamEvent::content_block_start(0, block),
    ];
    for piece in args.as_bytes().chunks(FRAGMENT) {
        let piece = std::str::from_utf8(piece).unwrap();
        out.push(if as_tool {
            StreamEvent::input_json_delta(0, piece)
        } else {
            StreamEvent::text_delta(0, piece)
        });
    }
    out.push(StreamEvent::content_block_stop(0));
    out.push(StreamEvent::message_delta(
        Some(StopReason::ToolUse),
        Usage::new(1, 1),
    ));
    out.push(StreamEvent::message_stop());
    out
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("streamed_arguments_8_byte_fragments");
    g.sample_size(10);
    for kb in [100usize, 200, 400, 800] {
        let size = kb * 1000;
        g.throughput(Throughput::Bytes(size as u64));
        for (name, as_tool) in [("tool_arguments", true), ("same_bytes_as_text", false)] {
            let evs = events(size, as_tool);
            g.bench_with_input(BenchmarkId::new(name, format!("{kb}KB")), &evs, |b, evs| {
                b.iter(|| {
                    let mut acc = MessageAccumulator::new();
                    for e in evs {
                        acc.push(e).unwrap();
                    }
                    black_box(acc.finish().unwrap())
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
