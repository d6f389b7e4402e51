//! The client against real hyper servers on 127.0.0.1: retries, typed errors,
//! timeouts and streaming failure modes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use futures_util::StreamExt;
use messages_http::{
    Error, ErrorKind, EventStreamDecoder, ResponseBody, SecretString, SseDecoder, SseEvent, SseLimits,
    SseParser, TimeoutPhase, Timeouts,
};

const OVERLOADED: &str =
    r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_body"}"#;

fn quick() -> Timeouts {
    Timeouts::default()
        .with_request(Some(Duration::from_secs(20)))
        .with_idle(Some(Duration::from_secs(20)))
}

#[tokio::test]
async fn rate_limit_with_retry_after_ms_is_retried_then_succeeds() {
    let server = serve(|n, _| match n {
        0 => with_header(
            full(
                429,
                r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}"#,
            ),
            "retry-after-ms",
            "5",
        ),
        _ => with_header(full(200, r#"{"ok":true}"#), "request-id", "req_ok"),
    })
    .await;
    let raw = client(quick())
        .send(post(&server.url("/v1/messages")))
        .await
        .unwrap();
    assert_eq!(raw.status, 200);
    assert_eq!(&raw.body[..], br#"{"ok":true}"#);
    assert_eq!(raw.request_id.as_deref(), Some("req_ok"));
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn should_retry_false_is_not_retried() {
    let server = serve(|_, _| with_header(full(500, "{}"), "x-should-retry", "false")).await;
    let err = client(quick()).send(post(&server.url("/"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api, "{err:?}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn should_retry_true_retries_a_400() {
    let server = serve(|n, _| match n {
        0 => with_header(full(400, "{}"), "x-should-retry", "true"),
        _ => full(200, "{}"),
    })
    .await;
    client(quick()).send(post(&server.url("/"))).await.unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn overloaded_529_is_retried_then_typed() {
    let server = serve(|_, _| with_header(full(529, OVERLOADED), "request-id", "req_529")).await;
    let err = client(quick()).send(post(&server.url("/"))).await.unwrap_err();
    assert_eq!(server.hits(), 3, "first attempt + 2 retries");
    let Error::Api(api) = &err else { panic!("{err:?}") };
    assert_eq!(api.kind, ErrorKind::Overloaded);
    assert_eq!(api.status, 529);
    assert_eq!(err.request_id(), Some("req_529"));
    assert_eq!(err.error_type(), Some("overloaded_error"));
    assert_eq!(err.message(), Some("Overloaded"));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn internal_500_is_retried_then_typed() {
    let server = serve(|_, _| full(500, r#"{"error":{"message":"boom","type":"server_error"}}"#)).await;
    let err = client(quick()).send(post(&server.url("/"))).await.unwrap_err();
    assert_eq!(server.hits(), 3);
    assert_eq!(err.kind(), ErrorKind::Api, "{err:?}");
    assert_eq!(err.message(), Some("boom"));
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (status, check) in [
        (
            400u16,
            (|e: &Error| e.kind() == ErrorKind::InvalidRequest) as fn(&Error) -> bool,
        ),
        (401, |e| e.kind() == ErrorKind::Authentication),
        (402, |e| e.kind() == ErrorKind::Billing),
        (403, |e| e.kind() == ErrorKind::Permission),
        (404, |e| e.kind() == ErrorKind::NotFound),
        (413, |e| e.kind() == ErrorKind::RequestTooLarge),
        (422, |e| e.kind() == ErrorKind::Unprocessable),
    ] {
        let server = serve(move |_, _| full(status, r#"{"detail":"nope"}"#)).await;
        let err = client(quick()).send(post(&server.url("/"))).await.unwrap_err();
        assert!(check(&err), "{status}: {err:?}");
        assert_eq!(err.message(), Some("nope"));
        assert_eq!(server.hits(), 1, "{status}");
    }
}

#[tokio::test]
async fn streaming_retries_before_the_body_is_handed_over() {
    let server = serve(|n, _| match n {
        0 => full(529, OVERLOADED),
        _ => streamed(vec![Bytes::from_static(b"data: {\"a\":1}\n\n")], Then::End),
    })
    .await;
    let raw = client(quick())
        .send_streaming(post(&server.url("/")))
        .await
        .unwrap();
    let events: Vec<_> = SseDecoder::new(raw.body).collect().await;
    assert_eq!(events.len(), 1);
    assert_eq!(&events[0].as_ref().unwrap().data[..], br#"{"a":1}"#);
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn stalled_stream_hits_the_idle_timeout() {
    let server = serve(|_, _| {
        streamed(
            vec![Bytes::from_static(b"event: ping\ndata: {}\n\n")],
            Then::Stall,
        )
    })
    .await;
    // The stall is endless; the limit only has to exceed the delivery of the
    // first event by a wide margin on a loaded machine.
    let timeouts = quick().with_idle(Some(Duration::from_secs(3)));
    let raw = client(timeouts)
        .send_streaming(post(&server.url("/")))
        .await
        .unwrap();
    let mut events = SseDecoder::new(raw.body);
    let first = events.next().await.unwrap().unwrap();
    assert_eq!(first.event_type(), "ping");
    let err = events.next().await.unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::Idle,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(events.next().await.is_none());
    assert_eq!(server.hits(), 1, "never retried after the body was handed over");
}

#[tokio::test]
async fn stalled_non_streaming_body_hits_the_request_timeout() {
    let server = serve(|_, _| streamed(vec![Bytes::from_static(b"{")], Then::Stall)).await;
    let timeouts = quick().with_request(Some(Duration::from_millis(300)));
    let c = client(timeouts).with_retry_policy(messages_http::RetryPolicy::never());
    let err = c.send(post(&server.url("/"))).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::Request,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_cut_mid_stream_gives_events_then_a_typed_error() {
    let server = serve(|_, _| {
        streamed(
            vec![
                Bytes::from_static(b"event: a\ndata: 1\n\n"),
                Bytes::from_static(b"event: b\ndata: 2\n\nevent: c\nda"),
            ],
            Then::Cut,
        )
    })
    .await;
    let raw = client(quick())
        .send_streaming(post(&server.url("/")))
        .await
        .unwrap();
    let items: Vec<_> = SseDecoder::new(raw.body).collect().await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().event_type(), "a");
    assert_eq!(items[1].as_ref().unwrap().event_type(), "b");
    let err = items[2].as_ref().unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert_eq!(server.hits(), 1);
}

fn anthropic_like_stream() -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(b"event: message_start\ndata: {\"type\":\"message_start\"}\n\n");
    for i in 0..40 {
        s.extend_from_slice(
            format!(
                "event: content_block_delta\r\ndata: {{\"type\":\"content_block_delta\",\"delta\":{{\"text\":\"h\u{e9}llo \u{1F30D} {i}\"}}}}\r\n\r\n"
            )
            .as_bytes(),
        );
    }
    s.extend_from_slice(b": keep-alive\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    s
}

fn parse_whole(bytes: &[u8]) -> Vec<SseEvent> {
    let mut p = SseParser::new();
    p.feed(bytes);
    p.finish();
    let mut out = Vec::new();
    while let Some(ev) = p.next_event().unwrap() {
        out.push(ev);
    }
    out
}

#[tokio::test]
async fn one_byte_drip_decodes_like_one_chunk() {
    let stream = anthropic_like_stream();
    let expected = parse_whole(&stream);
    assert_eq!(expected.len(), 42);
    let chunks = chunks_of(&stream, 1);
    let server = serve(move |_, _| streamed(chunks.clone(), Then::End)).await;
    let raw = client(quick())
        .send_streaming(post(&server.url("/")))
        .await
        .unwrap();
    let mut received_chunks = 0usize;
    let counted = raw.body.inspect(|_| received_chunks += 1);
    let body = ResponseBody::new(futures_util::stream::iter(counted.collect::<Vec<_>>().await));
    assert!(
        received_chunks > 100,
        "the body really dripped ({received_chunks} chunks)"
    );
    let got: Vec<SseEvent> = SseDecoder::new(body).map(|e| e.unwrap()).collect().await;
    assert_eq!(got, expected);
}

#[tokio::test]
async fn garbage_bytes_never_panic_and_end_the_stream() {
    let garbage: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let g = garbage.clone();
    let server = serve(move |_, _| streamed(chunks_of(&g, 97), Then::End)).await;
    let c = client(quick());

    // SSE: anything goes; the decoder ends and agrees with the one-shot parse.
    let raw = c.send_streaming(post(&server.url("/"))).await.unwrap();
    let got: Vec<_> = SseDecoder::new(raw.body).collect().await;
    let ok: Vec<SseEvent> = got.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(ok, parse_whole(&garbage));

    // AWS event stream: garbage is a typed framing error, not a panic or a hang.
    let raw = c.send_streaming(post(&server.url("/"))).await.unwrap();
    let got: Vec<_> = EventStreamDecoder::new(raw.body).collect().await;
    assert_eq!(got.len(), 1);
    assert!(matches!(got[0], Err(Error::Framing(_))), "{got:?}");
}

#[tokio::test]
async fn oversized_line_is_a_limit_error() {
    let mut big = b"data: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 300_000));
    let server = serve(move |_, _| streamed(chunks_of(&big, 16 * 1024), Then::Stall)).await;
    let raw = client(quick())
        .send_streaming(post(&server.url("/")))
        .await
        .unwrap();
    let decoder = SseParser::with_limits(SseLimits::new(64 * 1024, 128 * 1024));
    let mut events = messages_http::DecodeStream::with_decoder(raw.body, decoder);
    let err = events.next().await.unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Framing(messages_http::FramingError::LineTooLong { limit: 65536 })
        ),
        "{err:?}"
    );
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn oversized_collected_body_is_refused() {
    let server = serve(|_, _| full(200, vec![b'x'; 10_000])).await;
    let transport = messages_http::HyperTransport::builder()
        .proxy(messages_http::ProxyConfig::Disabled)
        .build()
        .unwrap();
    let c = messages_http::HttpClient::builder()
        .transport(transport)
        .max_body_bytes(1000)
        .build()
        .unwrap();
    let err = c.send(post(&server.url("/"))).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 1000 }), "{err:?}");
}

#[tokio::test]
async fn connection_refused_is_retried_then_a_connection_error() {
    // A socket bound but not listening: the port stays ours (no other test
    // can take it) and every connection attempt is refused.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let attempts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = attempts.clone();
    let hyper = messages_http::HyperTransport::builder()
        .proxy(messages_http::ProxyConfig::Disabled)
        .build()
        .unwrap();
    let transport = messages_http::transport_fn(move |req| {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let hyper = hyper.clone();
        async move { messages_http::Transport::send(&hyper, req).await }
    });
    let c = messages_http::HttpClient::builder()
        .transport(transport)
        .timeouts(quick())
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let err = c.send(post(&format!("http://{addr}/"))).await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(
        attempts.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "first attempt + 2 retries"
    );
    drop(socket);
}

#[tokio::test]
async fn headers_user_agent_and_secrets() {
    let server = serve(|_, _| {
        full(
            401,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        )
    })
    .await;
    let key = SecretString::new("sk-ant-SECRET-123");
    let mut req = post(&server.url("/v1/messages"));
    req.headers_mut().insert("x-api-key", key.header_value().unwrap());
    req.headers_mut().insert("authorization", key.bearer().unwrap());
    let c = client(quick());
    let err = c.send(req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let shown = format!("{err} {err:?} {c:?} {key:?} {key}");
    assert!(!shown.contains("SECRET"), "{shown}");

    let seen = server.seen.lock().unwrap();
    let parts = &seen[0];
    assert_eq!(parts.headers["user-agent"], messages_http::USER_AGENT_VALUE);
    assert_eq!(parts.headers["x-api-key"], "sk-ant-SECRET-123");
    assert!(format!("{:?}", messages_http::RedactedHeaders(&parts.headers)).contains("[REDACTED]"));
    assert!(!format!("{:?}", messages_http::RedactedHeaders(&parts.headers)).contains("SECRET"));
}

#[tokio::test]
async fn plain_http_is_http1_and_reuses_one_pooled_connection() {
    let server = serve(|_, _| full(200, "ok")).await;
    let c = client(quick());
    for _ in 0..5 {
        c.send(post(&server.url("/"))).await.unwrap();
    }
    assert_eq!(server.hits(), 5);
    assert_eq!(server.conns.load(std::sync::atomic::Ordering::SeqCst), 1);
    let seen = server.seen.lock().unwrap();
    assert!(seen.iter().all(|p| p.version == http::Version::HTTP_11));
}

#[tokio::test]
async fn default_headers_and_a_custom_user_agent() {
    let server = serve(|_, _| full(200, "ok")).await;
    let transport = messages_http::HyperTransport::builder()
        .proxy(messages_http::ProxyConfig::Disabled)
        .build()
        .unwrap();
    let c = messages_http::HttpClient::builder()
        .transport(transport)
        .default_header(
            http::HeaderName::from_static("anthropic-version"),
            http::HeaderValue::from_static("2023-06-01"),
        )
        .default_header(
            http::HeaderName::from_static("x-api-key"),
            http::HeaderValue::from_static("sk-default-SECRET"),
        )
        .user_agent(http::HeaderValue::from_static("my-app/1.0"))
        .build()
        .unwrap();
    assert!(!format!("{c:?}").contains("SECRET"));
    let mut req = post(&server.url("/"));
    req.headers_mut()
        .insert("anthropic-version", http::HeaderValue::from_static("2099-01-01"));
    c.send(req).await.unwrap();
    let seen = server.seen.lock().unwrap();
    let h = &seen[0].headers;
    assert_eq!(h["user-agent"], "my-app/1.0");
    assert_eq!(
        h["anthropic-version"], "2099-01-01",
        "the request's own header wins"
    );
    assert_eq!(h["x-api-key"], "sk-default-SECRET");
}

#[tokio::test]
async fn connect_timeout_is_typed() {
    // A listener that never accepts, with its accept queue filled: further
    // SYNs are dropped, so connecting hangs until the connect timeout.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(s)) =
            tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(addr)).await
        {
            fillers.push(s);
        }
    }
    let transport = messages_http::HyperTransport::builder()
        .proxy(messages_http::ProxyConfig::Disabled)
        .connect_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // Should the kernel accept the connection after all, the request timeout
    // turns a hang into a failed assertion.
    let c = messages_http::HttpClient::builder()
        .transport(transport)
        .timeouts(quick())
        .retry_policy(messages_http::RetryPolicy::never())
        .build()
        .unwrap();
    let err = c.send(post(&format!("http://{addr}/"))).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    drop(listener);
}
