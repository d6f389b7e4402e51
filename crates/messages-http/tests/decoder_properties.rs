//! Properties of the decoders: the same bytes give the same frames however
//! they are split into chunks; arbitrary bytes never panic; the SSE parser
//! agrees with a direct transcription of the WHATWG algorithm.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use messages_http::{
    EventStreamHeader, EventStreamHeaderValue, EventStreamMessage, EventStreamParser, FramingError,
    NdjsonParser, SseEvent, SseLimits, SseParser,
};
use proptest::prelude::*;

/// Feeds `input` split at `cuts` (positions, any order, may repeat).
fn pieces<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(input.len());
    let mut out = Vec::new();
    let mut start = 0;
    for c in cuts {
        out.push(&input[start..c]);
        start = c;
    }
    out
}

fn sse_events(parts: &[&[u8]], limits: SseLimits) -> Result<Vec<SseEvent>, FramingError> {
    let mut p = SseParser::with_limits(limits);
    let mut out = Vec::new();
    for part in parts {
        p.feed(part);
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

/// The WHATWG "interpret an event stream" algorithm, transcribed literally
/// over a whole input, plus this crate's documented (default) EOF flush.
fn reference(input: &[u8]) -> Vec<SseEvent> {
    reference_with(input, true)
}

/// The algorithm; `flush` = dispatch an event left open at the end of input
/// (the spec itself discards it, with any unterminated last line).
fn reference_with(input: &[u8], flush: bool) -> Vec<SseEvent> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'\n' => {
                lines.push(&input[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&input[start..i]);
                if input.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let tail = &input[start..];
    let mut out = Vec::new();
    let (mut data, mut event, mut last_id, mut retry): (Vec<u8>, Vec<u8>, Option<String>, Option<Duration>) =
        (Vec::new(), Vec::new(), None, None);
    let mut has_data = false;
    let dispatch = |data: &mut Vec<u8>,
                    has_data: &mut bool,
                    event: &mut Vec<u8>,
                    last_id: &Option<String>,
                    retry: &mut Option<Duration>,
                    out: &mut Vec<SseEvent>| {
        if !*has_data {
            event.clear();
            return;
        }
        if data.last() == Some(&b'\n') {
            data.pop();
        }
        out.push(SseEvent {
            event: (!event.is_empty()).then(|| String::from_utf8_lossy(event).into_owned()),
            data: bytes::Bytes::from(std::mem::take(data)),
            id: last_id.clone(),
            retry: retry.take(),
        });
        *has_data = false;
        event.clear();
    };
    let all: Vec<&[u8]> = lines
        .iter()
        .copied()
        .chain((flush && !tail.is_empty()).then_some(tail))
        .collect();
    for line in all {
        if line.is_empty() {
            dispatch(
                &mut data,
                &mut has_data,
                &mut event,
                &last_id,
                &mut retry,
                &mut out,
            );
            continue;
        }
        if line[0] == b':' {
            continue;
        }
        let (name, value) = match line.iter().position(|b| *b == b':') {
            Some(c) => {
                let v = &line[c + 1..];
                (&line[..c], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"event" => event = value.to_vec(),
            b"data" => {
                data.extend_from_slice(value);
                data.push(b'\n');
                has_data = true;
            }
            b"id" if !value.contains(&0) => last_id = Some(String::from_utf8_lossy(value).into_owned()),
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(ms) = std::str::from_utf8(value).unwrap().parse() {
                    retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }
    if flush {
        dispatch(
            &mut data,
            &mut has_data,
            &mut event,
            &last_id,
            &mut retry,
            &mut out,
        );
    }
    out
}

/// SSE-flavoured bytes: field names, separators, line ends, BOMs, multibyte text.
fn sse_like() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"data:".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"event: ".to_vec()),
        Just(b"id: ".to_vec()),
        Just(b"retry: ".to_vec()),
        Just(b"123".to_vec()),
        Just(b":".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just("é🌍".as_bytes().to_vec()),
        Just(b"{\"type\":\"x\"}".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\0".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ];
    proptest::collection::vec(token, 0..60).prop_map(|v| v.concat())
}

/// The same through the borrowing API.
fn sse_events_ref(parts: &[&[u8]]) -> Vec<SseEvent> {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    for part in parts {
        p.feed(part);
        while let Some(ev) = p.next_event_ref().unwrap() {
            out.push(ev.to_owned_event());
        }
    }
    p.finish();
    while let Some(ev) = p.next_event_ref().unwrap() {
        out.push(ev.to_owned_event());
    }
    out
}

fn ndjson_lines(parts: &[&[u8]], max: usize) -> Result<Vec<bytes::Bytes>, FramingError> {
    let mut p = NdjsonParser::with_max_line(max);
    let mut out = Vec::new();
    // Alternate the copying and the buffer-taking entry points.
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 0 {
            p.feed(part);
        } else {
            p.feed_bytes(bytes::Bytes::copy_from_slice(part));
        }
        while let Some(l) = p.next_line()? {
            out.push(l);
        }
    }
    p.finish();
    while let Some(l) = p.next_line()? {
        out.push(l);
    }
    Ok(out)
}

fn es_messages(parts: &[&[u8]]) -> Result<Vec<EventStreamMessage>, FramingError> {
    let mut p = EventStreamParser::with_max_message(1 << 16);
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 0 {
            p.feed_bytes(bytes::Bytes::copy_from_slice(part));
        } else {
            p.feed(part);
        }
        while let Some(m) = p.next_message()? {
            out.push(m);
        }
    }
    p.finish();
    while let Some(m) = p.next_message()? {
        out.push(m);
    }
    Ok(out)
}

fn header_value() -> impl Strategy<Value = EventStreamHeaderValue> {
    prop_oneof![
        any::<bool>().prop_map(EventStreamHeaderValue::Bool),
        any::<i8>().prop_map(EventStreamHeaderValue::Byte),
        any::<i16>().prop_map(EventStreamHeaderValue::Int16),
        any::<i32>().prop_map(EventStreamHeaderValue::Int32),
        any::<i64>().prop_map(EventStreamHeaderValue::Int64),
        proptest::collection::vec(any::<u8>(), 0..20)
            .prop_map(|v| EventStreamHeaderValue::ByteArray(v.into())),
        "[a-zA-Z:/ -]{0,20}".prop_map(EventStreamHeaderValue::String),
        any::<i64>().prop_map(EventStreamHeaderValue::Timestamp),
        any::<[u8; 16]>().prop_map(EventStreamHeaderValue::Uuid),
    ]
}

fn message() -> impl Strategy<Value = EventStreamMessage> {
    (
        proptest::collection::vec(("[a-z:-]{1,12}", header_value()), 0..5),
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(|(headers, payload)| EventStreamMessage {
            headers: headers
                .into_iter()
                .map(|(name, value)| EventStreamHeader { name, value })
                .collect(),
            payload: payload.into(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sse_chunking_invariant(input in sse_like(), cuts in proptest::collection::vec(any::<usize>(), 0..12)) {
        let whole = sse_events(&[&input], SseLimits::default()).unwrap();
        let split = sse_events(&pieces(&input, &cuts), SseLimits::default()).unwrap();
        prop_assert_eq!(&split, &whole);
        prop_assert_eq!(whole, reference(&input));
    }

    #[test]
    fn sse_borrowed_and_owned_agree(input in sse_like(), cuts in proptest::collection::vec(any::<usize>(), 0..12)) {
        let parts = pieces(&input, &cuts);
        prop_assert_eq!(sse_events_ref(&parts), reference(&input));
    }

    #[test]
    fn sse_strict_mode_matches_the_spec(input in sse_like(), cuts in proptest::collection::vec(any::<usize>(), 0..12)) {
        let mut p = SseParser::new().flush_on_eof(false);
        let mut got = Vec::new();
        for part in pieces(&input, &cuts) {
            p.feed(part);
            while let Some(ev) = p.next_event().unwrap() {
                got.push(ev);
            }
        }
        p.finish();
        while let Some(ev) = p.next_event().unwrap() {
            got.push(ev);
        }
        prop_assert_eq!(got, reference_with(&input, false));
    }

    #[test]
    fn sse_byte_at_a_time_matches(input in sse_like()) {
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(sse_events(&bytes, SseLimits::default()).unwrap(), reference(&input));
    }

    #[test]
    fn sse_limits_are_split_invariant(input in sse_like(), cuts in proptest::collection::vec(any::<usize>(), 0..12)) {
        // With tight limits the outcome (the events, or the same limit error)
        // does not depend on chunking.
        let limits = SseLimits::new(24, 40);
        let whole = sse_events(&[&input], limits);
        let split = sse_events(&pieces(&input, &cuts), limits);
        prop_assert_eq!(whole, split);
    }

    #[test]
    fn sse_arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..2048), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let _ = sse_events(&pieces(&input, &cuts), SseLimits::new(100, 200));
        let whole = sse_events(&[&input], SseLimits::default()).unwrap();
        prop_assert_eq!(whole, reference(&input));
    }

    #[test]
    fn ndjson_chunking_invariant(lines in proptest::collection::vec("[ a-z{}\":,0-9\r]{0,30}", 0..20), cuts in proptest::collection::vec(any::<usize>(), 0..10)) {
        let input = lines.join("\n").into_bytes();
        let whole = ndjson_lines(&[&input], 1 << 20).unwrap();
        prop_assert_eq!(&ndjson_lines(&pieces(&input, &cuts), 1 << 20).unwrap(), &whole);
        let expected: Vec<&str> = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
        let got: Vec<String> = whole.iter().map(|b| String::from_utf8(b.to_vec()).unwrap()).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn ndjson_arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..1024), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let _ = ndjson_lines(&pieces(&input, &cuts), 16);
    }

    #[test]
    fn event_stream_round_trip_and_chunking(msgs in proptest::collection::vec(message(), 0..6), cuts in proptest::collection::vec(any::<usize>(), 0..10)) {
        let wire: Vec<u8> = msgs.iter().flat_map(|m| m.encode()).collect();
        prop_assert_eq!(&es_messages(&[&wire]).unwrap(), &msgs);
        prop_assert_eq!(&es_messages(&pieces(&wire, &cuts)).unwrap(), &msgs);
    }

    #[test]
    fn event_stream_arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..1024), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let _ = es_messages(&pieces(&input, &cuts));
    }

    #[test]
    fn event_stream_corruption_is_detected(msg in message(), flip in any::<usize>(), bit in 0u8..8) {
        let mut wire = msg.encode();
        let i = flip % wire.len();
        wire[i] ^= 1 << bit;
        // Every single-bit flip is caught: prelude CRC, message CRC, or a
        // length that no longer fits (truncated at end of input).
        prop_assert!(es_messages(&[&wire]).is_err());
    }
}
