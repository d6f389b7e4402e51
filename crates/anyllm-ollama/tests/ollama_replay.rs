//! The `ollama` provider end to end through the real `anyllm` client over
//! loopback HTTP (`anyllm-testkit`'s `ReplayServer`).
//!
//! Every recorded Ollama exchange (`../shared/fixtures/recorded/ollama`, 39
//! files) is replayed: the Anthropic request is the recording's Anthropic
//! equivalent (the module tests' inverse, shared by path); the body the
//! client sends must equal, as JSON, the family conversion of that request,
//! which this test first checks equals the recorded body up to the
//! documented normalisation. Replies come back through the client: whole
//! replies equal the family's conversion of the recorded body; NDJSON
//! streams pass the grammar validator and accumulate to the whole
//! conversion of the folded native reply. Errors (hand-written, Ollama's
//! `{"error": …}` shape) come back typed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../messages-convert/tests/family_support/mod.rs"]
mod family_support;
#[path = "../../messages-convert/tests/ollama_support/mod.rs"]
mod ollama_support;

use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams, StreamEvent};
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use anyllm_ollama::OllamaProvider;
use anyllm_testkit::ReplayServer;
use family_support::accumulate;
use messages_convert::ollama::{parse_response, request_body, ThinkStyle};
use messages_types::grammar::validate_stream;
use messages_types::{CountTokensParams, ErrorKind};
use ollama_support::{anthropic_params, fold_native, lines, normalize};
use serde_json::{json, Map, Value};

fn client(server: &ReplayServer) -> Client {
    Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(OllamaProvider::new()))
        .api_base("ollama", server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// The recording's Anthropic equivalent and the exchange the replay server
/// expects: the recording with its request body replaced by the
/// conversion's — checked here to equal the recorded body up to the
/// documented normalisation.
fn prepared(x: &Exchange) -> (MessageCreateParams, Exchange) {
    let native = &x.request.body;
    let mut params = anthropic_params(native);
    let stream = native["stream"].as_bool().unwrap();
    assert_eq!(
        anyllm_ollama::think_style(&params.model),
        ThinkStyle::Bool,
        "{}",
        x.file
    );
    let body = request_body(&params, stream, ThinkStyle::Bool, &Map::new())
        .unwrap_or_else(|e| panic!("{}: {e}", x.file));
    let expected: Value = serde_json::from_slice(&body).unwrap();
    let had = native["options"].get("num_predict").is_some();
    assert_eq!(
        normalize(expected.clone(), had),
        normalize(native.clone(), had),
        "{}",
        x.file
    );
    let mut ex = x.clone();
    ex.request.body = expected;
    params.model = format!("ollama:{}", params.model);
    (params, ex)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_exchange_replays_through_the_client() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("ollama-chat")).unwrap();
    assert_eq!(all.len(), 39, "expected the whole ollama corpus");
    let (mut whole, mut streams) = (0, 0);
    for x in &all {
        let (params, ex) = prepared(x);
        let model = x.request.body["model"].as_str().unwrap().to_owned();
        let server = ReplayServer::start(vec![ex]).await.unwrap();
        let client = client(&server);
        let body = x.response.body_bytes().unwrap();
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
            let folded = serde_json::to_vec(&fold_native(&lines(&body))).unwrap();
            let expected = parse_response(&folded, &model).unwrap();
            assert_eq!(accumulate(&events), expected, "{}", x.file);
            assert!(!expected.content.is_empty(), "{}", x.file);
            streams += 1;
        } else {
            let message = client
                .messages(&params)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", x.file));
            server.replay().assert_clean();
            assert_eq!(message, parse_response(&body, &model).unwrap(), "{}", x.file);
            whole += 1;
        }
    }
    assert_eq!((whole, streams), (24, 15));
}

fn hello() -> MessageCreateParams {
    serde_json::from_value(json!({
        "model": "ollama:qwen3:4b", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap()
}

/// A hand-written exchange answering [`hello`] (shapes from Ollama's
/// `api/types.go` and `server/routes.go`).
fn exchange(stream: bool, status: u16, content_type: &str, body: &str) -> Exchange {
    serde_json::from_value(json!({
        "origin": "hand-written: Ollama's error shape {\"error\": …} (server/routes.go)",
        "provider": "ollama", "api": "ollama-chat", "stream": stream,
        "request": {"method": "POST", "path": "/api/chat", "query": [], "headers": {},
            "body": {"model": "qwen3:4b", "stream": stream, "options": {"num_predict": 64},
                     "messages": [{"role": "user", "content": "Hi"}]}},
        "response": {"status": status, "headers": {"content-type": content_type}, "body": body}
    }))
    .unwrap()
}

#[tokio::test]
async fn errors_are_typed() {
    let server = ReplayServer::start(vec![exchange(
        false,
        404,
        "application/json",
        r#"{"error":"model \"qwen3:4b\" not found, try pulling it first"}"#,
    )])
    .await
    .unwrap();
    let err = client(&server).messages(&hello()).await.unwrap_err();
    server.replay().assert_clean();
    assert_eq!((err.status(), err.kind()), (Some(404), ErrorKind::NotFound));
    assert!(err
        .to_error_response()
        .error
        .message
        .contains("try pulling it first"));

    let server = ReplayServer::start(vec![exchange(
        false,
        400,
        "application/json",
        r#"{"error":"\"qwen2:0.5b\" does not support thinking"}"#,
    )])
    .await
    .unwrap();
    let err = client(&server).messages(&hello()).await.unwrap_err();
    assert_eq!((err.status(), err.kind()), (Some(400), ErrorKind::InvalidRequest));
    assert!(err
        .to_error_response()
        .error
        .message
        .contains("does not support thinking"));
}

#[tokio::test]
async fn a_mid_stream_error_line_ends_the_stream_typed() {
    let body = concat!(
        "{\"model\":\"qwen3:4b\",\"created_at\":\"2026-08-05T08:10:56Z\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n",
        "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n",
    );
    let server = ReplayServer::start(vec![exchange(true, 200, "application/x-ndjson", body)])
        .await
        .unwrap();
    let mut stream = client(&server).messages(&hello()).stream().await.unwrap();
    let mut deltas = 0;
    let mut failure = None;
    while let Some(ev) = stream.next_event().await {
        match ev {
            Ok(StreamEvent::ContentBlockDelta(_)) => deltas += 1,
            Ok(_) => {}
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    server.replay().assert_clean();
    assert_eq!(deltas, 1, "the text before the error is delivered");
    let err = failure.expect("the stream ends with a typed error");
    assert!(err.to_string().contains("unexpected EOF"), "{err}");
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

/// `OLLAMA_HOST` as Ollama spells it (`host:port`, no scheme) is plain HTTP.
#[tokio::test]
async fn ollama_host_without_a_scheme_is_http() {
    let mut ex = exchange(
        false,
        200,
        "application/json",
        r#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56Z","message":{"role":"assistant","content":"Hi!"},"done":true,"done_reason":"stop","prompt_eval_count":9,"eval_count":2}"#,
    );
    ex.origin = "hand-written: a whole /api/chat reply (api/types.go ChatResponse)".into();
    let server = ReplayServer::start(vec![ex]).await.unwrap();
    let host = server.addr().to_string();
    let client = Client::builder()
        .env(MapEnv::new([("OLLAMA_HOST", host.as_str())]))
        .register(Arc::new(OllamaProvider::new()))
        .max_retries(0)
        .build()
        .unwrap();
    let message = client.messages(&hello()).await.unwrap();
    server.replay().assert_clean();
    assert_eq!(message.text(), "Hi!");
    assert_eq!(message.usage.input_tokens, Some(9));
}

/// The call's `extra_body` is applied to the native body as a JSON Merge
/// Patch: `options` merge with the converted ones, `seed` moves into
/// `options`, `keep_alive` stays top level; `gpt-oss` models get `think` levels.
#[test]
fn extra_body_is_merged_and_gpt_oss_thinks_in_levels() {
    use anyllm::{CallContext, Provider};
    let mut params: MessageCreateParams = serde_json::from_value(json!({
        "model": "gpt-oss:20b", "max_tokens": 64,
        "thinking": {"type": "enabled", "budget_tokens": 8000},
        "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap();
    let mut ctx = CallContext::new("http://localhost:11434");
    ctx.extra_body.insert("seed".into(), json!(7));
    ctx.extra_body.insert("keep_alive".into(), json!("5m"));
    ctx.extra_body.insert("options".into(), json!({"num_ctx": 8192}));
    let req = OllamaProvider::new().build_request(&params, &ctx).unwrap();
    assert_eq!(req.uri(), "http://localhost:11434/api/chat");
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(
        body["options"],
        json!({"num_predict": 64, "seed": 7, "num_ctx": 8192})
    );
    assert_eq!(body["keep_alive"], "5m");
    assert_eq!(body["think"], "medium");
    params.model = "qwen3:4b".to_owned();
    let req = OllamaProvider::new().build_request(&params, &ctx).unwrap();
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["think"], true);
}
