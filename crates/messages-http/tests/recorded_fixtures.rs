//! Every recorded streaming body decodes (SSE, NDJSON, AWS event stream), the
//! same way whole and in small chunks; every recorded error body parses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderMap, StatusCode};
use messages_http::{
    Error, ErrorKind, EventStreamDecoder, EventStreamParser, NdjsonParser, ResponseBody, SseDecoder,
    SseEvent, SseEventRef, SseMap, SseParser,
};
use serde_json::Value;

fn exchanges(api: &str) -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let mut f = Filter::api(api);
    f.stream = Some(true);
    f.success = Some(true);
    let v = load_all(&dir, &f).unwrap();
    assert!(!v.is_empty(), "no recorded {api} streams");
    v
}

fn sse_whole(body: &[u8]) -> Vec<SseEvent> {
    let mut p = SseParser::new();
    p.feed(body);
    p.finish();
    let mut out = Vec::new();
    while let Some(ev) = p.next_event().unwrap() {
        out.push(ev);
    }
    out
}

fn sse_chunked(body: &[u8], n: usize) -> Vec<SseEvent> {
    let chunks: Vec<Bytes> = body.chunks(n).map(Bytes::copy_from_slice).collect();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(
        SseDecoder::new(ResponseBody::from_chunks(chunks))
            .map(|e| e.unwrap())
            .collect(),
    )
}

fn sse_mapped(body: &[u8], n: usize) -> Vec<SseEvent> {
    let chunks: Vec<Bytes> = body.chunks(n).map(Bytes::copy_from_slice).collect();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(
        SseMap::new(ResponseBody::from_chunks(chunks), |ev: SseEventRef<'_>| {
            Ok(Some(ev.to_owned_event()))
        })
        .map(|e| e.unwrap())
        .collect(),
    )
}

/// Lines starting with `data:`: every recorded event has exactly one.
fn data_lines(body: &[u8]) -> usize {
    body.split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"data:"))
        .count()
}

fn check_sse_api(api: &str) -> usize {
    let mut total = 0;
    for e in exchanges(api) {
        let body = e.response.body_bytes().unwrap();
        let events = sse_whole(&body);
        assert!(!events.is_empty(), "{}", e.file);
        assert_eq!(events.len(), data_lines(&body), "{}", e.file);
        for ev in &events {
            if &ev.data[..] == b"[DONE]" {
                continue;
            }
            let v: Value = serde_json::from_slice(&ev.data)
                .unwrap_or_else(|err| panic!("{}: {err}: {:?}", e.file, ev.data));
            // Named events carry their name as the payload's `type` (OpenRouter's
            // Responses stream sends no names at all).
            if (api == "anthropic-messages" || api == "openai-responses") && ev.event.is_some() {
                assert_eq!(
                    v["type"].as_str(),
                    Some(ev.event_type()),
                    "{}: event name matches the payload type",
                    e.file
                );
            }
        }
        for n in [1, 7, 64, 4096] {
            assert_eq!(sse_chunked(&body, n), events, "{} in {n}-byte chunks", e.file);
        }
        assert_eq!(sse_mapped(&body, 5), events, "{} through SseMap", e.file);
        total += events.len();
    }
    total
}

#[test]
fn anthropic_sse_streams_decode() {
    let n = check_sse_api("anthropic-messages");
    assert!(n > 1000 || n == 0, "{n}");
}

#[test]
fn anthropic_stream_missing_its_final_blank_line_keeps_message_stop() {
    for e in exchanges("anthropic-messages") {
        let events = sse_whole(&e.response.body_bytes().unwrap());
        assert_eq!(
            events.last().map(|e| e.event_type()),
            Some("message_stop"),
            "{}",
            e.file
        );
    }
}

#[test]
fn openai_chat_sse_streams_decode() {
    check_sse_api("openai-chat");
}

#[test]
fn openai_responses_sse_streams_decode() {
    check_sse_api("openai-responses");
}

#[test]
fn gemini_crlf_sse_streams_decode() {
    check_sse_api("gemini");
}

#[test]
fn cohere_sse_streams_decode() {
    check_sse_api("cohere-chat");
}

#[test]
fn ollama_ndjson_streams_decode() {
    for e in exchanges("ollama-chat") {
        let body = e.response.body_bytes().unwrap();
        let expected = body
            .split(|b| *b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
            .count();
        for n in [1, 5, 100, usize::MAX] {
            let mut p = NdjsonParser::new();
            let mut lines = Vec::new();
            for c in body.chunks(n.min(body.len().max(1))) {
                p.feed(c);
                while let Some(l) = p.next_line().unwrap() {
                    lines.push(l);
                }
            }
            p.finish();
            while let Some(l) = p.next_line().unwrap() {
                lines.push(l);
            }
            assert_eq!(lines.len(), expected, "{}", e.file);
            let last: Value = serde_json::from_slice(lines.last().unwrap()).unwrap();
            assert_eq!(last["done"], Value::Bool(true), "{}", e.file);
            for l in &lines {
                serde_json::from_slice::<Value>(l).unwrap();
            }
        }
    }
}

#[test]
fn bedrock_event_streams_decode() {
    for e in exchanges("bedrock-converse") {
        let body = e.response.body_bytes().unwrap();
        let mut p = EventStreamParser::new();
        p.feed(&body);
        p.finish();
        let mut msgs = Vec::new();
        while let Some(m) = p.next_message().unwrap() {
            msgs.push(m);
        }
        assert!(msgs.len() >= 3, "{}", e.file);
        assert_eq!(
            msgs.first().unwrap().event_type(),
            Some("messageStart"),
            "{}",
            e.file
        );
        assert!(
            msgs.iter().any(|m| m.event_type() == Some("messageStop")),
            "{}",
            e.file
        );
        for m in &msgs {
            assert_eq!(m.message_type(), Some("event"));
            assert_eq!(m.header_str(":content-type"), Some("application/json"));
            let v: Value = serde_json::from_slice(&m.payload).unwrap();
            assert!(v.is_object());
            // Re-encoding gives back the received bytes.
        }
        let reencoded: Vec<u8> = msgs.iter().flat_map(|m| m.encode()).collect();
        assert_eq!(reencoded, body, "{}", e.file);
        // The async decoder agrees, chunk size 1 and 13.
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        for n in [1, 13] {
            let chunks: Vec<Bytes> = body.chunks(n).map(Bytes::copy_from_slice).collect();
            let got: Vec<_> = rt.block_on(
                EventStreamDecoder::new(ResponseBody::from_chunks(chunks))
                    .map(|m| m.unwrap())
                    .collect(),
            );
            assert_eq!(got, msgs);
        }
    }
}

#[test]
fn recorded_error_bodies_parse_into_typed_errors() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let f = Filter {
        success: Some(false),
        ..Filter::default()
    };
    let errors = load_all(&dir, &f).unwrap();
    assert!(errors.len() >= 30, "{}", errors.len());
    for e in errors {
        let status = StatusCode::from_u16(e.response.status).unwrap();
        let body = Bytes::from(e.response.body_bytes().unwrap());
        let err = Error::from_response(status, HeaderMap::new(), body);
        assert_eq!(err.status(), Some(status), "{}", e.file);
        assert_eq!(err.kind(), ErrorKind::from_status(status.as_u16()), "{}", e.file);
        let msg = err
            .message()
            .unwrap_or_else(|| panic!("{}: no message in {err:?}", e.file));
        assert!(!msg.is_empty(), "{}", e.file);
        assert!(err.to_string().contains(msg), "{}", e.file);
    }
}
