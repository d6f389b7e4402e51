//! SSE decoding speed on the recorded Anthropic and OpenAI streams, beside two
//! baselines on the same bytes: bare `memchr` line splitting (the floor) and
//! the `eventsource-stream` crate.
//!
//! Variants: `anyllm_parser` (owned `SseEvent`s, data zero-copy `Bytes`),
//! `anyllm_parser_borrowed` (`SseEventRef`, no allocation), `anyllm_map_stream`
//! (the `SseMap` stream over borrowed events) and `anyllm_decoder_stream` (the
//! `SseDecoder` stream of owned events).
//!
//! Run with `cargo xtask bench` (prints MB/s and events/s) or
//! `cargo bench -p messages-http --bench sse`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(missing_docs)] // criterion_group! generates an undocumented fn

use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use criterion::{criterion_group, Criterion, Throughput};
use futures_core::Stream;
use messages_http::{Error, SseDecoder, SseEventRef, SseMap, SseParser};

/// Network-sized chunks, as hyper hands them over.
const CHUNK: usize = 16 * 1024;

struct Corpus {
    name: &'static str,
    bytes: Vec<u8>,
    chunks: Vec<Bytes>,
    events: usize,
}

fn corpus(name: &'static str, api: &str) -> Option<Corpus> {
    let dir = anyllm_fixtures::recorded_dir_or_skip()?;
    let filter = anyllm_fixtures::Filter {
        stream: Some(true),
        success: Some(true),
        ..anyllm_fixtures::Filter::api(api)
    };
    let mut bytes = Vec::new();
    for e in anyllm_fixtures::load_all(&dir, &filter).unwrap() {
        bytes.extend_from_slice(&e.response.body_bytes().unwrap());
        // Keep streams apart (one recorded stream lacks its final blank line).
        bytes.extend_from_slice(b"\n\n");
    }
    let chunks: Vec<Bytes> = bytes.chunks(CHUNK).map(Bytes::copy_from_slice).collect();
    let events = parse_sync(&chunks);
    Some(Corpus {
        name,
        bytes,
        chunks,
        events,
    })
}

fn parse_sync(chunks: &[Bytes]) -> usize {
    let mut p = SseParser::new();
    let mut n = 0;
    for c in chunks {
        p.feed_bytes(c.clone());
        while let Some(ev) = p.next_event().unwrap() {
            black_box(&ev);
            n += 1;
        }
    }
    p.finish();
    while let Some(ev) = p.next_event().unwrap() {
        black_box(&ev);
        n += 1;
    }
    n
}

fn parse_ref(chunks: &[Bytes]) -> usize {
    let mut p = SseParser::new();
    let mut n = 0;
    for c in chunks {
        p.feed_bytes(c.clone());
        while let Some(ev) = p.next_event_ref().unwrap() {
            black_box(&ev);
            n += 1;
        }
    }
    p.finish();
    while let Some(ev) = p.next_event_ref().unwrap() {
        black_box(&ev);
        n += 1;
    }
    n
}

/// Drains an always-ready stream without a runtime.
fn drain<S: Stream>(s: S) -> usize {
    let mut s = pin!(s);
    let mut cx = Context::from_waker(Waker::noop());
    let mut n = 0;
    loop {
        match s.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(item)) => {
                black_box(&item);
                n += 1;
            }
            Poll::Ready(None) => return n,
            Poll::Pending => panic!("in-memory stream was pending"),
        }
    }
}

fn memchr_lines(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        black_box(&bytes[start..end]);
        start = end + 1;
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion) {
    let corpora: Vec<Corpus> = [
        corpus("anthropic", "anthropic-messages"),
        corpus("openai", "openai-chat"),
    ]
    .into_iter()
    .flatten()
    .collect();
    write_corpus_info(&corpora);
    for corpus in &corpora {
        let mut g = c.benchmark_group(format!("sse/{}", corpus.name));
        g.throughput(Throughput::Bytes(corpus.bytes.len() as u64));
        g.bench_function("memchr_lines_floor", |b| b.iter(|| memchr_lines(&corpus.bytes)));
        g.bench_function("anyllm_parser", |b| {
            b.iter(|| assert_eq!(parse_sync(&corpus.chunks), corpus.events))
        });
        g.bench_function("anyllm_parser_borrowed", |b| {
            b.iter(|| assert_eq!(parse_ref(&corpus.chunks), corpus.events))
        });
        g.bench_function("anyllm_map_stream", |b| {
            b.iter(|| {
                let s = futures_util::stream::iter(corpus.chunks.iter().cloned().map(Ok::<_, Error>));
                let m = SseMap::new(s, |ev: SseEventRef<'_>| Ok(Some(ev.data.len())));
                assert_eq!(drain(m), corpus.events);
            })
        });
        g.bench_function("anyllm_decoder_stream", |b| {
            b.iter(|| {
                let s = futures_util::stream::iter(corpus.chunks.iter().cloned().map(Ok::<_, Error>));
                assert_eq!(drain(SseDecoder::new(s)), corpus.events);
            })
        });
        g.bench_function("eventsource_stream", |b| {
            b.iter(|| {
                let s = futures_util::stream::iter(
                    corpus
                        .chunks
                        .iter()
                        .cloned()
                        .map(Ok::<_, std::convert::Infallible>),
                );
                let n = drain(eventsource_stream::EventStream::new(s));
                assert_eq!(n, corpus.events);
            })
        });
        g.finish();
    }
}

/// Writes `name bytes events` lines beside criterion's results so
/// `cargo xtask bench` can print events/s.
fn write_corpus_info(corpora: &[Corpus]) {
    let Some(target) = std::env::current_exe()
        .ok()
        .and_then(|p| p.ancestors().nth(3).map(|p| p.to_path_buf()))
    else {
        return;
    };
    let dir = target.join("criterion");
    let _ = std::fs::create_dir_all(&dir);
    let text: String = corpora
        .iter()
        .map(|c| format!("{}\t{}\t{}\n", c.name, c.bytes.len(), c.events))
        .collect();
    let _ = std::fs::write(dir.join("sse-corpus.tsv"), text);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
