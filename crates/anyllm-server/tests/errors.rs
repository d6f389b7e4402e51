//! Error replies, client keys, rate limits, fallback and cancellation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use anyllm_testkit::{CaptureServer, ReplayServer, Reply as Upstream};
use common::configs::{openai_config, openai_then_gemini_config};
use common::raw_client::{read_until, stream_body};
use common::upstreams::anthropic_overloaded;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::test]
async fn malformed_json_and_wrong_types_are_invalid_request_errors() {
    let gw = start("").await;
    let reply = send(gw.addr, "POST", "/v1/messages", &[], "{\"model\": ").await;
    let msg = reply.assert_error(400, "invalid_request_error");
    assert!(msg.contains("malformed JSON"), "{msg}");
    let reply = post_json(
        gw.addr,
        "/v1/messages",
        &serde_json::json!({"model": "x", "max_tokens": "many", "messages": []}),
    )
    .await;
    let msg = reply.assert_error(400, "invalid_request_error");
    assert!(msg.contains("invalid type"), "{msg}");
}

#[tokio::test]
async fn unknown_model_or_provider_is_not_found() {
    let gw = start("").await;
    let reply = post_demo(gw.addr, "nosuch:model").await;
    let msg = reply.assert_error(404, "not_found_error");
    assert!(msg.contains("nosuch"), "{msg}");
    let reply = send(gw.addr, "GET", "/v2/other", &[], "").await;
    reply.assert_error(404, "not_found_error");
}

#[tokio::test]
async fn body_over_the_limit_is_request_too_large() {
    let gw = start("body_limit = 1000\n").await;
    let big = format!("{{\"model\":\"{}\"}}", "x".repeat(2000));
    let reply = send(gw.addr, "POST", "/v1/messages", &[], big).await;
    reply.assert_error(413, "request_too_large");
}

#[tokio::test]
async fn client_keys_are_required_when_configured() {
    let upstream = ReplayServer::start(vec![fixture("openai/demo.json")])
        .await
        .unwrap();
    let toml = format!(
        "{}[[keys]]\nname = \"a\"\nkey_env = \"TEAM_A_KEY\"\n",
        openai_config(&upstream.url())
    );
    let gw = start(&toml).await;
    let body = serde_json::to_value(demo_params("fast")).unwrap().to_string();
    send(gw.addr, "POST", "/v1/messages", &[], body.clone())
        .await
        .assert_error(401, "authentication_error");
    send(
        gw.addr,
        "POST",
        "/v1/messages",
        &[("x-api-key", "client-key-b")],
        body.clone(),
    )
    .await
    .assert_error(401, "authentication_error");
    assert_eq!(upstream.replay().served(), 0);
    let ok = send(
        gw.addr,
        "POST",
        "/v1/messages",
        &[("authorization", "Bearer client-key-a")],
        body,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    let ok = send(gw.addr, "GET", "/v1/models", &[("x-api-key", "client-key-a")], "").await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let toml = "[[keys]]\nname = \"a\"\nkey_env = \"TEAM_A_KEY\"\nrequests_per_minute = 2\n";
    let gw = start(toml).await;
    let h = [("x-api-key", "client-key-a")];
    for _ in 0..2 {
        assert_eq!(send(gw.addr, "GET", "/v1/models", &h, "").await.status, 200);
    }
    let reply = send(gw.addr, "GET", "/v1/models", &h, "").await;
    reply.assert_error(429, "rate_limit_error");
    let secs: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&secs), "{secs}");
}

#[tokio::test]
async fn upstream_529_stays_overloaded_and_upstream_keys_never_leak() {
    let upstream = anthropic_overloaded().await;
    let toml = format!(
        "max_retries = 0\n[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let reply = post_demo(gw.addr, "claude-haiku-4-5").await;
    reply.assert_error(529, "overloaded_error");
    assert!(!String::from_utf8_lossy(&reply.body).contains("upstream-secret"));
    // The upstream got the gateway's key, the client never saw it.
    assert_eq!(
        upstream.requests()[0].header("x-api-key"),
        Some("sk-ant-upstream-secret")
    );
}

#[tokio::test]
async fn fallback_from_a_failing_target_names_the_one_that_served() {
    let failing = CaptureServer::start(|_, _| {
        Upstream::json(
            503,
            r#"{"error":{"message":"unavailable","type":"server_error"}}"#,
        )
    })
    .await
    .unwrap();
    let working = ReplayServer::start(vec![fixture("gemini/demo.json")])
        .await
        .unwrap();
    let toml = openai_then_gemini_config(&failing.url(), &working.url());
    let gw = start(&toml).await;
    let reply = post_demo(gw.addr, "m").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(failing.requests().len(), 1);
    working.replay().assert_clean();
    assert_eq!(reply.header("anyllm-served-by"), Some("gemini:gemini-2.5-flash"));
    assert_eq!(reply.json()["model"], "m");
}

#[tokio::test]
async fn no_fallback_after_the_first_byte_of_a_stream() {
    // The first target's stream starts, then fails with a server error event.
    let first = ReplayServer::start(vec![fixture("openai/stream_server_error.json")])
        .await
        .unwrap();
    let second = CaptureServer::start(|_, _| Upstream::json(500, "{}"))
        .await
        .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{}/v1\"\n\
         [providers.gemini]\napi_key_env = \"GEMINI_TEST_KEY\"\napi_base = \"{}\"\n\
         [models.\"m\"]\ntargets = [\"openai:gpt-4.1-mini\", \"gemini:gemini-2.5-flash\"]\n",
        first.url(),
        second.url()
    );
    let gw = start(&toml).await;
    let mut params = demo_params("m");
    params.stream = Some(true);
    let reply = post_json(gw.addr, "/v1/messages", &serde_json::to_value(&params).unwrap()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("anyllm-served-by"), Some("openai:gpt-4.1-mini"));
    let text = String::from_utf8_lossy(&reply.body);
    assert!(text.starts_with("event: message_start\n"), "{text}");
    assert!(text.contains("event: error\n"), "{text}");
    assert!(
        second.requests().is_empty(),
        "fell back after bytes reached the client"
    );
}

const MESSAGE_START: &str = r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}"#;

/// An Anthropic upstream that sends `message_start` and then stays silent;
/// reports when the gateway closes the upstream connection.
async fn silent_upstream() -> (String, tokio::sync::oneshot::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 65536];
        let mut seen = Vec::new();
        // Read the request head and body (small) until the JSON body ends.
        while !seen.ends_with(b"}") {
            let n = sock.read(&mut buf).await.unwrap();
            assert!(n > 0);
            seen.extend_from_slice(&buf[..n]);
        }
        let event = format!("event: message_start\ndata: {MESSAGE_START}\n\n");
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{event}\r\n",
            event.len()
        );
        sock.write_all(head.as_bytes()).await.unwrap();
        // Silent until the peer closes (read returns 0 or fails), bounded.
        let closed = tokio::time::timeout(Duration::from_secs(20), sock.read(&mut buf)).await;
        if matches!(closed, Ok(Ok(0)) | Ok(Err(_))) {
            let _ = closed_tx.send(());
        }
    });
    (url, closed_rx)
}

#[tokio::test]
async fn silent_stream_gets_pings_and_a_client_disconnect_cancels_the_upstream() {
    let (url, closed) = silent_upstream().await;
    let toml = format!("max_retries = 0\n[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{url}\"\n");
    let config = anyllm_server::Config::from_toml(&toml).unwrap();
    let gateway = anyllm_server::Gateway::new(config, anyllm::MapEnv::new(ENV))
        .unwrap()
        .with_ping_interval(Duration::from_millis(50));
    let gw = start_gateway(gateway).await;
    let resp = send_raw(
        gw.addr,
        "POST",
        "/v1/messages",
        &[],
        stream_body("claude-haiku-4-5"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    // Headers came at once; read until two pings arrived (bounded).
    let got = read_until(&mut body, 20, |t| t.matches("event: ping\n").count() >= 2).await;
    let text = String::from_utf8_lossy(&got).into_owned();
    assert!(text.starts_with("event: message_start\n"), "{text}");
    assert!(text.matches("event: ping\n").count() >= 2, "{text}");
    // The client goes away: the gateway closes its upstream connection.
    drop(body);
    tokio::time::timeout(Duration::from_secs(10), closed)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn slow_loris_headers_are_cut_off() {
    let gateway = anyllm_server::Gateway::new(anyllm_server::Config::default(), anyllm::MapEnv::empty())
        .unwrap()
        .with_header_timeout(Duration::from_millis(200));
    let gw = start_gateway(gateway).await;
    let mut sock = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    // Half a request head, then silence.
    sock.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection stayed open past the header timeout");
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_request_too_large() {
    let gw = start("body_limit = 1000\n").await;
    let mut sock = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    let chunk = "x".repeat(1500);
    let req = format!(
        "POST /v1/messages HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("request_too_large"), "{text}");
}

#[tokio::test]
async fn fallback_when_the_first_target_refuses_the_connection() {
    // A port that was just free: nothing listens there.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let working = ReplayServer::start(vec![fixture("gemini/demo.json")])
        .await
        .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"http://{dead}/v1\"\n\
         [providers.gemini]\napi_key_env = \"GEMINI_TEST_KEY\"\napi_base = \"{}\"\n\
         [models.\"m\"]\ntargets = [\"openai:gpt-4.1-mini\", \"gemini:gemini-2.5-flash\"]\n",
        working.url()
    );
    let gw = start(&toml).await;
    let reply = post_demo(gw.addr, "m").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("anyllm-served-by"), Some("gemini:gemini-2.5-flash"));
}
