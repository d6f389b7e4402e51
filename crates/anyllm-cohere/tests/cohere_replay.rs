//! The `cohere` provider end to end through the real `anyllm` client over
//! loopback HTTP (`anyllm-testkit`'s `ReplayServer`).
//!
//! Every recorded Cohere exchange (`../shared/fixtures/recorded/cohere`, 32
//! files) is replayed: the Anthropic request is the recording's Anthropic
//! equivalent (the module tests' inverse, shared by path); the body the
//! client sends must equal, byte for byte as JSON, the family conversion of
//! that request, which this test first checks equals the recorded body up to
//! the documented normalisation. Replies come back through the client:
//! whole replies equal the family's conversion of the recorded body; streams
//! pass the grammar validator and accumulate to the whole conversion of the
//! folded native reply. Errors (hand-written, Cohere's documented shapes)
//! come back typed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../messages-convert/tests/cohere_support/mod.rs"]
mod cohere_support;
#[path = "../../messages-convert/tests/family_support/mod.rs"]
mod family_support;

use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams, StreamEvent};
use anyllm_cohere::CohereProvider;
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter, RecordedResponse};
use anyllm_testkit::ReplayServer;
use cohere_support::{anthropic_params, fold_native, normalize, sse_events};
use family_support::accumulate;
use messages_convert::cohere::{parse_response, request_body, ResponseContext};
use messages_types::grammar::validate_stream;
use messages_types::{CountTokensParams, ErrorKind};
use serde_json::{json, Map, Value};

const KEY: &str = "co-test-secret-key";

fn client(server: &ReplayServer) -> Client {
    Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(CohereProvider::new()))
        .api_key("cohere", KEY)
        .api_base("cohere", server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// The recording's Anthropic equivalent (extras as unknown top-level
/// fields, which the conversion passes through as given) and the exchange
/// the replay server expects: the recording with its request body replaced
/// by the conversion's — checked here to equal the recorded body up to the
/// documented normalisation.
fn prepared(x: &Exchange) -> (MessageCreateParams, Exchange) {
    let native = &x.request.body;
    let (mut params, extra) = anthropic_params(native);
    for (k, v) in extra {
        params.extra.insert(k, v);
    }
    let stream = native["stream"].as_bool() == Some(true);
    let body = request_body(&params, stream, &Map::new()).unwrap_or_else(|e| panic!("{}: {e}", x.file));
    let expected: Value = serde_json::from_slice(&body).unwrap();
    let had_max = native.get("max_tokens").is_some();
    assert_eq!(
        normalize(expected.clone(), had_max),
        normalize(native.clone(), had_max),
        "{}",
        x.file
    );
    let mut ex = x.clone();
    ex.request.body = expected;
    params.model = format!("cohere:{}", params.model);
    (params, ex)
}

fn ctx_of(x: &Exchange) -> (String, Vec<String>) {
    let model = x.request.body["model"].as_str().unwrap().to_owned();
    let stops =
        serde_json::from_value(x.request.body.get("stop_sequences").cloned().unwrap_or(json!([]))).unwrap();
    (model, stops)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_exchange_replays_through_the_client() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("cohere-chat")).unwrap();
    assert_eq!(all.len(), 32, "expected the whole cohere corpus");
    let (mut whole, mut streams) = (0, 0);
    for x in &all {
        let (params, ex) = prepared(x);
        let server = ReplayServer::start(vec![ex]).await.unwrap();
        let client = client(&server);
        let body = x.response.body_bytes().unwrap();
        let (model, stops) = ctx_of(x);
        let ctx = ResponseContext {
            model: &model,
            stop_sequences: &stops,
        };
        if x.stream {
            let mut stream = client
                .messages(&params)
                .stream()
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", x.file));
            let mut events: Vec<StreamEvent> = Vec::new();
            while let Some(ev) = stream.next_event().await {
                events.push(ev.unwrap_or_else(|e| panic!("{}: {e}", x.file)));
            }
            server.replay().assert_clean();
            validate_stream(&events).unwrap_or_else(|e| panic!("{}: {e}", x.file));
            let folded = serde_json::to_vec(&fold_native(&sse_events(&body))).unwrap();
            let expected = parse_response(&folded, &ctx).unwrap();
            assert_eq!(accumulate(&events), expected, "{}", x.file);
            assert!(!expected.content.is_empty(), "{}", x.file);
            streams += 1;
        } else {
            let message = client
                .messages(&params)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", x.file));
            server.replay().assert_clean();
            assert_eq!(message, parse_response(&body, &ctx).unwrap(), "{}", x.file);
            whole += 1;
        }
    }
    assert_eq!((whole, streams), (20, 12));
}

fn hello() -> MessageCreateParams {
    serde_json::from_value(json!({
        "model": "cohere:command-a-03-2025", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap()
}

/// A hand-written exchange answering [`hello`] with `status`, `headers`, `body`.
fn error_exchange(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
    let mut hs = Map::new();
    hs.insert("content-type".into(), json!("application/json"));
    for (k, v) in headers {
        hs.insert((*k).to_owned(), json!(v));
    }
    serde_json::from_value(json!({
        "origin": "hand-written: Cohere's documented error shape ({\"message\": …}, docs.cohere.com/reference/errors)",
        "provider": "cohere", "api": "cohere-chat", "stream": false,
        "request": {"method": "POST", "path": "/v2/chat", "query": [], "headers": {},
            "body": {"model": "command-a-03-2025", "max_tokens": 64,
                     "messages": [{"role": "user", "content": "Hi"}]}},
        "response": {"status": status, "headers": Value::Object(hs), "body": body}
    }))
    .unwrap()
}

async fn error_of(ex: Exchange) -> anyllm::Error {
    let server = ReplayServer::start(vec![ex]).await.unwrap();
    let err = client(&server).messages(&hello()).await.unwrap_err();
    server.replay().assert_clean();
    assert!(!err.to_string().contains(KEY));
    assert!(!format!("{err:?}").contains(KEY));
    err
}

#[tokio::test]
async fn errors_are_typed() {
    let err = error_of(error_exchange(
        429,
        &[("retry-after", "7")],
        r#"{"message":"You are using a Trial key, which is limited to 10 API calls / minute."}"#,
    ))
    .await;
    assert_eq!((err.status(), err.kind()), (Some(429), ErrorKind::RateLimit));
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)));
    assert!(err.to_error_response().error.message.contains("Trial key"));

    let err = error_of(error_exchange(498, &[], r#"{"message":"invalid api token"}"#)).await;
    assert_eq!((err.status(), err.kind()), (Some(498), ErrorKind::Authentication));
    assert_eq!(err.to_error_response().error.message, "invalid api token");

    let err = error_of(error_exchange(
        499,
        &[],
        r#"{"message":"request cancelled by user"}"#,
    ))
    .await;
    assert_eq!((err.status(), err.kind()), (Some(499), ErrorKind::Api));

    let err = error_of(error_exchange(
        400,
        &[],
        r#"{"id":"e1","message":"invalid request: message must be at least 1 token long"}"#,
    ))
    .await;
    assert_eq!((err.status(), err.kind()), (Some(400), ErrorKind::InvalidRequest));
    assert!(err
        .to_error_response()
        .error
        .message
        .starts_with("invalid request"));
}

#[tokio::test]
async fn a_reply_that_finished_with_error_is_a_typed_error() {
    let mut ex = error_exchange(200, &[], "");
    ex.response = RecordedResponse {
        body: Some(
            r#"{"id":"g1","finish_reason":"ERROR","message":{"role":"assistant","content":[]}}"#.to_owned(),
        ),
        ..ex.response
    };
    let err = error_of(ex).await;
    assert_eq!(err.kind(), ErrorKind::Api);
}

#[tokio::test]
async fn a_mid_stream_error_ends_the_stream_typed() {
    let sse = concat!(
        "event: message-start\ndata: {\"id\":\"g1\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}\n\n",
        "event: content-start\ndata: {\"index\":0,\"type\":\"content-start\",\"delta\":{\"message\":{\"content\":{\"type\":\"text\",\"text\":\"\"}}}}\n\n",
        "event: content-delta\ndata: {\"index\":0,\"type\":\"content-delta\",\"delta\":{\"message\":{\"content\":{\"text\":\"Hel\"}}}}\n\n",
        "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"ERROR\",\"error\":\"internal failure\"}}\n\n",
    );
    let mut ex = error_exchange(200, &[("content-type", "text/event-stream")], sse);
    ex.stream = true;
    ex.request.body["stream"] = json!(true);
    let server = ReplayServer::start(vec![ex]).await.unwrap();
    let mut stream = client(&server).messages(&hello()).stream().await.unwrap();
    let mut texts = 0;
    let mut failure = None;
    while let Some(ev) = stream.next_event().await {
        match ev {
            Ok(StreamEvent::ContentBlockDelta(_)) => texts += 1,
            Ok(_) => {}
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    server.replay().assert_clean();
    assert_eq!(texts, 1, "the text before the error is delivered");
    let err = failure.expect("the stream ends with a typed error");
    assert!(err.to_string().contains("internal failure"), "{err}");
}

#[tokio::test]
async fn count_tokens_is_unsupported() {
    let server = ReplayServer::start(vec![]).await.unwrap();
    let params = CountTokensParams::from(&hello());
    let err = client(&server).count_tokens(&params).await.unwrap_err();
    assert!(
        matches!(
            err,
            anyllm::Error::Unsupported {
                operation: "count_tokens",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.replay().served(), 0);
}

/// The key comes from `COHERE_API_KEY`, else `CO_API_KEY`, as a bearer token.
#[tokio::test]
async fn the_key_comes_from_cohere_api_key_then_co_api_key() {
    use anyllm::Provider;
    let info = CohereProvider::new().info().clone();
    assert_eq!(info.key_env, ["COHERE_API_KEY", "CO_API_KEY"]);
    assert_eq!(info.default_base_url, "https://api.cohere.com");
    for (env, key) in [
        (MapEnv::new([("CO_API_KEY", "from-co")]), "from-co"),
        (
            MapEnv::new([("COHERE_API_KEY", "from-cohere"), ("CO_API_KEY", "from-co")]),
            "from-cohere",
        ),
    ] {
        let mut ex = error_exchange(200, &[], "");
        ex.response.body = Some(
            r#"{"id":"g1","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"Hi!"}]}}"#
                .to_owned(),
        );
        ex.request
            .headers
            .insert("authorization".into(), json!(format!("Bearer {key}")));
        let rules = anyllm_testkit::MatchRules::default().require_headers(["authorization"]);
        let server = ReplayServer::start_with_rules(vec![ex], rules).await.unwrap();
        let client = Client::builder()
            .env(env)
            .register(Arc::new(CohereProvider::new()))
            .api_base("cohere", server.url())
            .max_retries(0)
            .build()
            .unwrap();
        let message = client.messages(&hello()).await.unwrap();
        server.replay().assert_clean();
        assert_eq!(message.text(), "Hi!");
    }
}

/// The call's `extra_body` is applied to the native body as a JSON Merge
/// Patch (Cohere-only fields such as `seed`, `safety_mode`).
#[test]
fn extra_body_is_merged_into_the_native_body() {
    use anyllm::{ApiKey, CallContext, Provider};
    let mut params = hello();
    params.model = "command-a-03-2025".to_owned();
    let mut ctx = CallContext::new("https://api.cohere.com");
    ctx.api_key = Some(ApiKey::new(KEY));
    ctx.extra_body.insert("seed".into(), json!(7));
    ctx.extra_body.insert("safety_mode".into(), json!("OFF"));
    let req = CohereProvider::new().build_request(&params, &ctx).unwrap();
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(
        (body["seed"].clone(), body["safety_mode"].clone()),
        (json!(7), json!("OFF"))
    );
    assert_eq!(body["max_tokens"], 64);
    assert!(!format!("{req:?}").contains(KEY), "the key never shows in Debug");
}
