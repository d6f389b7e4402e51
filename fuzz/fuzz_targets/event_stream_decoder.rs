//! Fuzzes the AWS event-stream decoder: arbitrary bytes in arbitrary chunks
//! never panic and decode the same however they are split; every decoded
//! message re-encodes to the bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use messages_http::{EventStreamMessage, EventStreamParser, FramingError};

fn run(chunks: &[&[u8]]) -> (Vec<EventStreamMessage>, Option<FramingError>) {
    let mut p = EventStreamParser::with_max_message(1 << 16);
    let mut out = Vec::new();
    for c in chunks {
        p.feed(c);
        loop {
            match p.next_message() {
                Ok(Some(m)) => out.push(m),
                Ok(None) => break,
                Err(e) => return (out, Some(e)),
            }
        }
    }
    p.finish();
    loop {
        match p.next_message() {
            Ok(Some(m)) => out.push(m),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, stream)) = data.split_first() else {
        return;
    };
    let size = usize::from(k % 64) + 1;
    let chunks: Vec<&[u8]> = stream.chunks(size).collect();
    let (whole, whole_err) = run(&[stream]);
    let (split, split_err) = run(&chunks);
    assert_eq!(whole, split);
    assert_eq!(whole_err.is_some(), split_err.is_some());
    let reencoded: Vec<u8> = whole.iter().flat_map(|m| m.encode()).collect();
    assert!(stream.starts_with(&reencoded));
});
