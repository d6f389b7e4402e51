//! Fuzzes the SSE decoder: arbitrary bytes, split into arbitrary chunks,
//! must never panic, must give the same events as one whole feed, and the
//! borrowed API must agree with the owned one. Tight limits must fail with a
//! typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use messages_http::{SseEvent, SseLimits, SseParser};

fn run(chunks: &[&[u8]], limits: SseLimits) -> Result<Vec<SseEvent>, messages_http::FramingError> {
    let mut p = SseParser::with_limits(limits);
    let mut out = Vec::new();
    for c in chunks {
        p.feed_bytes(bytes::Bytes::copy_from_slice(c));
        while let Some(ev) = p.next_event()? {
            out.push(ev);
        }
    }
    p.finish();
    while let Some(ev) = p.next_event()? {
        out.push(ev);
    }
    Ok(out)
}

fn run_ref(chunks: &[&[u8]]) -> Vec<SseEvent> {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    for c in chunks {
        p.feed(c);
        while let Ok(Some(ev)) = p.next_event_ref() {
            out.push(ev.to_owned_event());
        }
    }
    p.finish();
    while let Ok(Some(ev)) = p.next_event_ref() {
        out.push(ev.to_owned_event());
    }
    out
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the chunk size; the rest is the stream.
    let Some((&k, stream)) = data.split_first() else {
        return;
    };
    let size = usize::from(k % 64) + 1;
    let chunks: Vec<&[u8]> = stream.chunks(size).collect();
    let whole = run(&[stream], SseLimits::default()).expect("default limits are far above fuzz input sizes");
    let split = run(&chunks, SseLimits::default()).expect("default limits are far above fuzz input sizes");
    assert_eq!(whole, split, "chunking changed the events");
    assert_eq!(run_ref(&chunks), whole, "borrowed and owned APIs disagree");
    // Tight limits: a typed error or the same events, never a panic.
    if let Ok(events) = run(&chunks, SseLimits::new(32, 64)) {
        assert_eq!(events, whole);
    }
});
