#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
use bytes::Bytes;
use messages_http::SseParser;
use std::hint::black_box;
use std::time::Instant;

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
fn min_time(f: &mut dyn FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..400 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}
fn main() {
    let dir = anyllm_fixtures::recorded_dir_or_skip().unwrap();
    for api in ["anthropic-messages", "openai-chat"] {
        let filter = anyllm_fixtures::Filter {
            stream: Some(true),
            success: Some(true),
            ..anyllm_fixtures::Filter::api(api)
        };
        let mut bytes = Vec::new();
        for e in anyllm_fixtures::load_all(&dir, &filter).unwrap() {
            bytes.extend_from_slice(&e.response.body_bytes().unwrap());
            bytes.extend_from_slice(b"\n\n");
        }
        let chunks: Vec<Bytes> = bytes.chunks(16384).map(Bytes::copy_from_slice).collect();
        if std::env::var("ONLYREF").is_ok() {
            for _ in 0..3000 {
                black_box(parse_ref(&chunks));
            }
            continue;
        }
        let floor = min_time(&mut || {
            black_box(memchr_lines(&bytes));
        });
        let ours = min_time(&mut || {
            black_box(parse_sync(&chunks));
        });
        let r = min_time(&mut || {
            black_box(parse_ref(&chunks));
        });
        println!(
            "{api}: floor {:.1}us ours {:.1}us ratio {:.2} ref {:.1}us ratio {:.2}",
            floor * 1e6,
            ours * 1e6,
            ours / floor,
            r * 1e6,
            r / floor
        );
    }
}
