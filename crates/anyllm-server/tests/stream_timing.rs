//! When a streamed reply's headers go out: within the first-event window a
//! failure falls back to the next target; past it the client gets the
//! headers and pings while the upstream is silent, and a failure is an SSE
//! `error` event. Zero durations in the settings are raised to the minimum.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use anyllm::MapEnv;
use anyllm_server::{Config, Gateway};
use anyllm_testkit::ReplayServer;
use common::configs::{openai_config, openai_then_gemini_config as fallback_config};
use common::raw_client::{read_rest, read_until, stream_body};
use common::raw_upstream::*;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn gateway(toml: &str) -> Gateway {
    Gateway::new(Config::from_toml(toml).unwrap(), MapEnv::new(ENV)).unwrap()
}

const PING: &str = "event: ping\n";

#[tokio::test]
async fn a_silent_upstream_gets_headers_and_pings_before_its_first_event() {
    let (go_tx, go) = tokio::sync::oneshot::channel::<()>();
    // Silent (no response at all) until the test says go.
    let url = serve_first(|mut sock| async move {
        let _ = tokio::time::timeout(Duration::from_secs(10), go).await;
        write(&mut sock, SSE_HEAD).await;
        write(&mut sock, &delta("Hi")).await;
        write(&mut sock, &finish()).await;
        peer_closed(&mut sock, Duration::from_secs(10)).await;
    })
    .await;
    let gw =
        start_gateway(gateway(&openai_config(&url)).with_ping_interval(Duration::from_millis(100))).await;
    let resp = tokio::time::timeout(
        Duration::from_secs(5),
        send_raw(gw.addr, "POST", "/v1/messages", &[], stream_body("fast")),
    )
    .await
    .expect("no headers while the upstream was silent");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    assert_eq!(resp.headers()["anyllm-served-by"], "openai:gpt-4.1-mini");
    let mut body = resp.into_body();
    // Bounded: at most 50 frames, 5 s each.
    let mut got = read_until(&mut body, 50, |t| t.matches(PING).count() >= 2).await;
    let before = String::from_utf8_lossy(&got).into_owned();
    assert!(before.matches(PING).count() >= 2, "{before}");
    assert!(!before.contains("message_start"), "{before}");
    go_tx.send(()).unwrap();
    got.extend_from_slice(&read_rest(body).await);
    let reply = Reply {
        status: http::StatusCode::OK,
        headers: http::HeaderMap::new(),
        body: got.into(),
    };
    let (events, pings) = reply.events();
    assert!(pings >= 2);
    let names: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
    assert_eq!(names.first(), Some(&"message_start"), "{names:?}");
    assert_eq!(names.last(), Some(&"message_stop"), "{names:?}");
    let text = String::from_utf8_lossy(&reply.body);
    assert!(
        text.contains("\"model\":\"fast\""),
        "the alias names the model: {text}"
    );
    assert!(text.contains("Hi"), "{text}");
}

#[tokio::test]
async fn a_failure_inside_the_first_event_window_still_falls_back() {
    // The first target fails after 300 ms — several ping intervals, but
    // inside the (longer) first-event window.
    let url = serve_first(|mut sock| async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        write(&mut sock, &unavailable()).await;
        peer_closed(&mut sock, Duration::from_secs(5)).await;
    })
    .await;
    let working = ReplayServer::start(vec![fixture("gemini/demo_stream.json")])
        .await
        .unwrap();
    let gw = gateway(&fallback_config(&url, &working.url()))
        .with_ping_interval(Duration::from_millis(50))
        .with_first_event_window(Duration::from_secs(5));
    let gw = start_gateway(gw).await;
    let reply = send(gw.addr, "POST", "/v1/messages", &[], stream_body("m")).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("anyllm-served-by"), Some("gemini:gemini-2.5-flash"));
    let (events, pings) = reply.events();
    assert_eq!(pings, 0, "nothing was sent before the first event");
    assert_eq!(events.first().map(|e| e.type_name()), Some("message_start"));
    assert_eq!(events.last().map(|e| e.type_name()), Some("message_stop"));
    working.replay().assert_clean();
}

#[tokio::test]
async fn a_failure_after_the_first_event_window_is_an_error_event_without_fallback() {
    let url = serve_first(|mut sock| async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        write(&mut sock, &unavailable()).await;
        peer_closed(&mut sock, Duration::from_secs(5)).await;
    })
    .await;
    let second = anyllm_testkit::CaptureServer::start(|_, _| anyllm_testkit::Reply::json(500, "{}"))
        .await
        .unwrap();
    let gw = gateway(&fallback_config(&url, &second.url())).with_ping_interval(Duration::from_millis(100));
    let gw = start_gateway(gw).await;
    let reply = send(gw.addr, "POST", "/v1/messages", &[], stream_body("m")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("anyllm-served-by"), Some("openai:gpt-4.1-mini"));
    let text = String::from_utf8_lossy(&reply.body);
    assert!(text.starts_with(PING), "{text}");
    let (kind, v) = reply.sse_error_type();
    assert_eq!(kind, "api_error", "{v}");
    assert!(
        second.requests().is_empty(),
        "fell back after the headers went out"
    );
}

#[tokio::test]
async fn zero_durations_are_raised_to_the_minimum() {
    let upstream = ReplayServer::start(vec![fixture("openai/demo_stream.json")])
        .await
        .unwrap();
    let gw = gateway(&openai_config(&upstream.url()))
        .with_ping_interval(Duration::ZERO)
        .with_write_stall_limit(Duration::ZERO)
        .with_header_timeout(Duration::ZERO);
    let gw = start_gateway(gw).await;
    // A request written at once is served despite the (raised) header timeout.
    let mut sock = TcpStream::connect(gw.addr).await.unwrap();
    let body = stream_body("fast");
    let req = format!(
        "POST /v1/messages HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut got))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    // The stream ran to its end (a zero ping interval used to panic its task).
    assert!(text.contains("event: message_stop"), "{text}");
    upstream.replay().assert_clean();
}
