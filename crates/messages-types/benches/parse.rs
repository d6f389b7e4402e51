//! Parse throughput on the recorded Anthropic traffic.
//!
//! * `stream_events/*`: every event of every recorded stream, through the
//!   generic forward-compatible deserializer, through the fast path
//!   (`StreamEvent::from_json_slice`), and two floors without any of the
//!   forward-compatibility machinery: a plain `serde_json::Value` parse and a
//!   syntax-only scan (`IgnoredAny`).
//! * `hot_deltas/*`: only the text/input_json/thinking delta events, adding a
//!   strict serde-derive mirror (internally tagged, no catch-alls, no unknown
//!   field maps) to show what forward compatibility costs on the hot path.
//! * `hot_deltas_type_first/*`: the same with keys in the API's own order
//!   (`type` first; the recordings have sorted keys).
//! * `stream_events_type_first/*`: every event in the API's own key order.
//! * `accumulate/*`: folding every recorded stream into its message, with and
//!   without live partial-JSON tool inputs, and validating its grammar.
//! * `responses/*`: every recorded whole `Message` response.
//!
//! For stable relative numbers on a busy machine see `examples/parse_ab.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
#![allow(clippy::enum_variant_names)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{Message, StreamEvent};
use serde::Deserialize;

fn recorded() -> (Vec<String>, Vec<String>) {
    let dir = anyllm_fixtures::recorded_dir();
    let exchanges = anyllm_fixtures::load_all(&dir, &anyllm_fixtures::Filter::api("anthropic-messages"))
        .expect("recorded fixtures (set ANYLLM_RECORDED_DIR)");
    let mut events = Vec::new();
    let mut responses = Vec::new();
    for ex in exchanges.iter().filter(|e| e.response.status == 200) {
        let body = ex.response.body.clone().unwrap_or_default();
        if ex.stream {
            for line in body.lines() {
                if let Some(data) = line.strip_prefix("data:") {
                    events.push(data.trim_start().to_owned());
                }
            }
        } else {
            responses.push(body);
        }
    }
    (events, responses)
}

/// Every recorded stream, parsed.
fn recorded_streams() -> Vec<Vec<StreamEvent>> {
    let dir = anyllm_fixtures::recorded_dir();
    anyllm_fixtures::load_all(&dir, &anyllm_fixtures::Filter::api("anthropic-messages"))
        .unwrap()
        .iter()
        .filter(|e| e.stream && e.response.status == 200)
        .map(|e| {
            e.response
                .body
                .as_deref()
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| StreamEvent::from_json_str(d.trim_start()).unwrap())
                .collect()
        })
        .collect()
}

/// The hot events with no forward-compatibility machinery at all.
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StrictEvent {
    ContentBlockDelta { index: usize, delta: StrictDelta },
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StrictDelta {
    TextDelta { text: String },
    InputJsonDelta { partial_json: String },
    ThinkingDelta { thinking: String },
    SignatureDelta { signature: String },
}

fn bench(c: &mut Criterion) {
    let (events, responses) = recorded();
    let bytes: u64 = events.iter().map(|e| e.len() as u64).sum();

    let mut g = c.benchmark_group("stream_events");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("generic_serde", |b| {
        b.iter(|| {
            for e in &events {
                black_box(serde_json::from_str::<StreamEvent>(e).unwrap());
            }
        })
    });
    g.bench_function("generic_serde_from_slice", |b| {
        b.iter(|| {
            for e in &events {
                black_box(serde_json::from_slice::<StreamEvent>(e.as_bytes()).unwrap());
            }
        })
    });
    g.bench_function("fast_path_screen_and_try", |b| {
        b.iter(|| {
            for e in &events {
                black_box(StreamEvent::from_json_slice_hot(e.as_bytes()));
            }
        })
    });
    g.bench_function("from_json_slice", |b| {
        b.iter(|| {
            for e in &events {
                black_box(StreamEvent::from_json_slice(e.as_bytes()).unwrap());
            }
        })
    });
    g.bench_function("floor_value_only", |b| {
        b.iter(|| {
            for e in &events {
                black_box(serde_json::from_str::<serde_json::Value>(e).unwrap());
            }
        })
    });
    g.bench_function("floor_syntax_scan", |b| {
        b.iter(|| {
            for e in &events {
                black_box(serde_json::from_str::<serde::de::IgnoredAny>(e).unwrap());
            }
        })
    });
    g.finish();
    eprintln!("{} events, {bytes} bytes", events.len());

    // The same events with keys in the API's own order (`type` first): the
    // recordings have sorted keys, which sends every union down the slow path.
    let wire: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(&serde_json::from_str::<StreamEvent>(e).unwrap()).unwrap())
        .collect();
    let mut g = c.benchmark_group("stream_events_type_first");
    g.throughput(Throughput::Elements(wire.len() as u64));
    g.bench_function("generic_serde", |b| {
        b.iter(|| {
            for e in &wire {
                black_box(serde_json::from_str::<StreamEvent>(e).unwrap());
            }
        })
    });
    g.bench_function("from_json_slice", |b| {
        b.iter(|| {
            for e in &wire {
                black_box(StreamEvent::from_json_slice(e.as_bytes()).unwrap());
            }
        })
    });
    g.bench_function("floor_value_only", |b| {
        b.iter(|| {
            for e in &wire {
                black_box(serde_json::from_str::<serde_json::Value>(e).unwrap());
            }
        })
    });
    g.finish();

    let hot: Vec<&String> = events
        .iter()
        .filter(|e| serde_json::from_str::<StrictEvent>(e).is_ok())
        .collect();
    let mut g = c.benchmark_group("hot_deltas");
    g.throughput(Throughput::Elements(hot.len() as u64));
    g.bench_function("generic_serde", |b| {
        b.iter(|| {
            for e in &hot {
                black_box(serde_json::from_str::<StreamEvent>(e).unwrap());
            }
        })
    });
    g.bench_function("from_json_slice", |b| {
        b.iter(|| {
            for e in &hot {
                black_box(StreamEvent::from_json_slice(e.as_bytes()).unwrap());
            }
        })
    });
    g.bench_function("strict_no_forward_compat", |b| {
        b.iter(|| {
            for e in &hot {
                black_box(serde_json::from_str::<StrictEvent>(e).unwrap());
            }
        })
    });
    g.finish();

    // The hot events in the API's own key order: the generic path streams
    // them (no Value), so it should be as fast as the strict derive.
    let hot_type_first: Vec<String> = hot
        .iter()
        .map(|e| serde_json::to_string(&serde_json::from_str::<StreamEvent>(e).unwrap()).unwrap())
        .collect();
    let mut g = c.benchmark_group("hot_deltas_type_first");
    g.throughput(Throughput::Elements(hot_type_first.len() as u64));
    g.bench_function("generic_serde", |b| {
        b.iter(|| {
            for e in &hot_type_first {
                black_box(serde_json::from_str::<StreamEvent>(e).unwrap());
            }
        })
    });
    g.bench_function("from_json_slice", |b| {
        b.iter(|| {
            for e in &hot_type_first {
                black_box(StreamEvent::from_json_slice(e.as_bytes()).unwrap());
            }
        })
    });
    g.bench_function("strict_no_forward_compat", |b| {
        b.iter(|| {
            for e in &hot_type_first {
                black_box(serde_json::from_str::<StrictEvent>(e).unwrap());
            }
        })
    });
    g.finish();

    // Folding every recorded stream into its message (events already parsed).
    let streams = recorded_streams();
    let n_events: usize = streams.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("accumulate");
    g.throughput(Throughput::Elements(n_events as u64));
    for live in [true, false] {
        let name = if live {
            "live_tool_inputs"
        } else {
            "inputs_at_stop_only"
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                for events in &streams {
                    let mut acc = MessageAccumulator::new().live_tool_inputs(live);
                    for e in events {
                        acc.push(e).unwrap();
                    }
                    black_box(acc.finish().unwrap());
                }
            })
        });
    }
    g.bench_function("grammar_validate", |b| {
        b.iter(|| {
            for events in &streams {
                validate_stream(black_box(events)).unwrap();
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("responses");
    g.throughput(Throughput::Elements(responses.len() as u64));
    g.bench_function("message", |b| {
        b.iter(|| {
            for r in &responses {
                black_box(serde_json::from_str::<Message>(r).unwrap());
            }
        })
    });
    g.bench_function("floor_value_only", |b| {
        b.iter(|| {
            for r in &responses {
                black_box(serde_json::from_str::<serde_json::Value>(r).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
