//! The replay transport and server: matching, diagnostics and real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm_fixtures::QueryParam;
use anyllm_testkit::{exchange, MatchRules, ReplayServer, ReplayTransport};
use bytes::Bytes;
use messages_http::{HttpClient, RetryPolicy, Transport};
use serde_json::{json, Value};

fn post(uri: &str, body: &str) -> http::Request<Bytes> {
    http::Request::post(uri)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

async fn send(t: &ReplayTransport, req: http::Request<Bytes>) -> (u16, Vec<Bytes>, Bytes) {
    use futures_util::StreamExt;
    let resp = t.send(req).await.unwrap();
    let status = resp.status().as_u16();
    let mut body = resp.into_body();
    let mut chunks = Vec::new();
    while let Some(c) = body.next().await {
        chunks.push(c.unwrap());
    }
    let all = chunks.iter().flat_map(|c| c.iter().copied()).collect::<Vec<u8>>();
    (status, chunks, Bytes::from(all))
}

#[tokio::test]
async fn json_equal_bodies_match_whatever_their_formatting() {
    let long = "x".repeat(500);
    let ex = exchange(
        "POST",
        "/v1/messages",
        json!({"a": 1, "b": [0.5, {"c": null}]}),
        200,
        "text/event-stream",
        &long,
    );
    let t = ReplayTransport::new(vec![ex]);
    let (status, chunks, body) = send(
        &t,
        post("http://h/v1/messages", r#"{ "b": [0.5, {"c": null}], "a": 1.0 }"#),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, long.as_bytes());
    assert!(chunks.len() > 5, "bodies arrive in several chunks");
    assert_eq!(t.replay().served(), 1);
    t.replay().assert_clean();
}

#[tokio::test]
async fn a_different_body_gets_a_418_and_a_recorded_mismatch() {
    let mut ex = exchange(
        "POST",
        "/v1/messages",
        json!({"model": "m", "max_tokens": 5}),
        200,
        "application/json",
        "{}",
    );
    ex.file = "anthropic/x.json".into();
    let t = ReplayTransport::new(vec![ex]);
    let (status, _, body) = send(
        &t,
        post("http://h/v1/messages", r#"{"model":"m","max_tokens":6}"#),
    )
    .await;
    assert_eq!(status, 418);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("$.max_tokens: expected 5, got 6"), "{msg}");
    let m = t.replay().mismatches();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].closest.as_deref(), Some("anthropic/x.json"));
    assert!(m[0].reason.contains("max_tokens"));
    assert_eq!(t.replay().unused(), vec!["anthropic/x.json".to_owned()]);

    // Extra and missing fields, path, method and non-JSON bodies are all caught.
    for (method, uri, body, needle) in [
        (
            "POST",
            "http://h/v1/messages",
            r#"{"model":"m","max_tokens":5,"x":1}"#,
            "unexpected field",
        ),
        (
            "POST",
            "http://h/v1/messages",
            r#"{"model":"m"}"#,
            "expected 5, got nothing",
        ),
        (
            "POST",
            "http://h/v1/other",
            r#"{"model":"m","max_tokens":5}"#,
            "path",
        ),
        (
            "GET",
            "http://h/v1/messages",
            r#"{"model":"m","max_tokens":5}"#,
            "method",
        ),
        ("POST", "http://h/v1/messages", "not json", "not JSON"),
    ] {
        let req = http::Request::builder()
            .method(method)
            .uri(uri)
            .body(Bytes::from(body))
            .unwrap();
        let (status, _, _) = send(&t, req).await;
        assert_eq!(status, 418);
        let last = t.replay().mismatches().pop().unwrap();
        assert!(last.reason.contains(needle), "{needle}: {}", last.reason);
    }
}

#[test]
#[should_panic(expected = "matched no recording")]
fn assert_clean_fails_the_test_on_a_mismatch() {
    let t = ReplayTransport::new(vec![]);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(send(&t, post("http://h/x", "{}")));
    t.replay().assert_clean();
}

#[tokio::test]
async fn query_is_compared_without_credentials_and_headers_on_request() {
    let mut ex = exchange(
        "POST",
        "/v1beta/models/g:streamGenerateContent",
        json!({}),
        200,
        "text/event-stream",
        "data: {}\n\n",
    );
    ex.request.query = vec![
        QueryParam {
            name: "alt".into(),
            value: "sse".into(),
        },
        QueryParam {
            name: "key".into(),
            value: "[REDACTED]".into(),
        },
    ];
    ex.request
        .headers
        .insert("x-goog-api-client".into(), json!("test/1"));
    let t = ReplayTransport::new(vec![ex.clone()]);
    let uri = "http://h/v1beta/models/g:streamGenerateContent?alt=sse";
    assert_eq!(send(&t, post(uri, "{}")).await.0, 200);
    let (status, _, _) = send(
        &t,
        post("http://h/v1beta/models/g:streamGenerateContent?alt=json", "{}"),
    )
    .await;
    assert_eq!(status, 418);
    assert!(t.replay().mismatches()[0].reason.contains("query"));
    // A credential in an ignored parameter is never echoed in the diagnostic.
    let uri_with_key = "http://h/v1beta/models/g:streamGenerateContent?alt=json&key=AIzaSecret";
    assert_eq!(send(&t, post(uri_with_key, "{}")).await.0, 418);
    let shown = t.replay().mismatches()[1].to_string();
    assert!(
        shown.contains("key=[REDACTED]") && !shown.contains("AIzaSecret"),
        "{shown}"
    );

    let strict = ReplayTransport::with_rules(
        vec![ex],
        MatchRules::default().require_headers(["x-goog-api-client"]),
    );
    assert_eq!(send(&strict, post(uri, "{}")).await.0, 418);
    let mut req = post(uri, "{}");
    req.headers_mut()
        .insert("x-goog-api-client", http::HeaderValue::from_static("test/1"));
    assert_eq!(send(&strict, req).await.0, 200);
}

#[tokio::test]
async fn repeated_requests_are_served_in_recorded_order() {
    let a = exchange(
        "POST",
        "/p",
        json!({"q": 1}),
        200,
        "application/json",
        r#"{"n":1}"#,
    );
    let b = exchange(
        "POST",
        "/p",
        json!({"q": 1}),
        200,
        "application/json",
        r#"{"n":2}"#,
    );
    let t = ReplayTransport::new(vec![a, b]);
    assert_eq!(
        send(&t, post("http://h/p", r#"{"q":1}"#)).await.2,
        &br#"{"n":1}"#[..]
    );
    assert_eq!(
        send(&t, post("http://h/p", r#"{"q":1}"#)).await.2,
        &br#"{"n":2}"#[..]
    );
    // Once every match was served, the first is replayed again.
    assert_eq!(
        send(&t, post("http://h/p", r#"{"q":1}"#)).await.2,
        &br#"{"n":1}"#[..]
    );
    assert!(t.replay().unused().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_replays_over_loopback_http() {
    let sse = "event: ping\ndata: {\"type\":\"ping\"}\n\n".repeat(40);
    let mut ex = exchange(
        "POST",
        "/v1/messages",
        json!({"model": "m"}),
        200,
        "text/event-stream; charset=utf-8",
        &sse,
    );
    ex.response.headers.insert("request-id".into(), json!("req_7"));
    let err = exchange(
        "POST",
        "/v1/bad",
        json!({}),
        429,
        "application/json",
        r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}"#,
    );
    let server = ReplayServer::start(vec![ex, err]).await.unwrap();
    let client = HttpClient::builder()
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();

    let raw = client
        .send(post(&format!("{}/v1/messages", server.url()), r#"{"model":"m"}"#))
        .await
        .unwrap();
    assert_eq!(raw.status, 200);
    assert_eq!(raw.request_id.as_deref(), Some("req_7"));
    assert_eq!(raw.body, sse.as_bytes());

    let e = client
        .send(post(&format!("{}/v1/bad", server.url()), "{}"))
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(429));

    let e = client
        .send(post(
            &format!("{}/v1/messages", server.url()),
            r#"{"model":"other"}"#,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(418));
    assert_eq!(server.replay().mismatches().len(), 1);
    assert_eq!(server.replay().served(), 2);
}

#[test]
fn the_background_server_works_without_a_runtime() {
    let ex = exchange("POST", "/x", json!({}), 200, "application/json", r#"{"ok":true}"#);
    let server = ReplayServer::start_background(vec![ex]).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let raw = rt
        .block_on(
            HttpClient::new()
                .unwrap()
                .send(post(&format!("{}/x", server.url()), "{}")),
        )
        .unwrap();
    assert_eq!(raw.body, &br#"{"ok":true}"#[..]);
    drop(server); // stops and joins its thread
}
