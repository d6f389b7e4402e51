//! `POST /v1/messages` through the gateway, against replay upstreams on
//! 127.0.0.1 serving the project's provider fixtures (`fixtures/<provider>/`,
//! hand-written in the shapes of `../shared/fixtures/recorded`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm::{Client, MapEnv, StreamEvent};
use anyllm_testkit::ReplayServer;
use common::*;
use messages_types::grammar::validate_stream;
use serde_json::Value;

fn config(openai: &ReplayServer, gemini: &ReplayServer) -> String {
    format!(
        r#"
max_retries = 0
[providers.openai]
api_key_env = "OPENAI_TEST_KEY"
api_base = "{}/v1"
[providers.gemini]
api_key_env = "GEMINI_TEST_KEY"
api_base = "{}"
[models."fast"]
targets = ["openai:gpt-4.1-mini"]
[models."flash"]
targets = ["gemini:gemini-2.5-flash"]
max_tokens = 200
"#,
        openai.url(),
        gemini.url()
    )
}

fn direct_client(provider: &str, base: String, key: &str) -> Client {
    Client::builder()
        .env(MapEnv::empty())
        .api_key(provider, key)
        .api_base(provider, base)
        .max_retries(0)
        .build()
        .unwrap()
}

/// Whole reply through an alias equals the client's own, but for `model` (the alias).
async fn whole_case(fixture_name: &str, alias: &str, target: &str, provider: &str, base_suffix: &str) {
    let ex = fixture(fixture_name);
    let upstream = ReplayServer::start(vec![ex.clone()]).await.unwrap();
    let direct_upstream = ReplayServer::start(vec![ex]).await.unwrap();
    let gw = start(&config(&upstream, &upstream)).await;
    let body = serde_json::to_value(demo_params(alias)).unwrap();
    let reply = post_json(gw.addr, "/v1/messages", &body).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    upstream.replay().assert_clean();
    assert_eq!(reply.header("anyllm-served-by"), Some(target));
    assert!(reply.header("request-id").is_some());
    let got = reply.json();
    assert_eq!(got["model"], alias);

    let key = if provider == "openai" {
        "sk-openai-upstream-secret"
    } else {
        "AIza-upstream-secret"
    };
    let client = direct_client(provider, format!("{}{base_suffix}", direct_upstream.url()), key);
    let mut want = serde_json::to_value(client.messages(&demo_params(target)).await.unwrap()).unwrap();
    want["model"] = Value::from(alias);
    assert_eq!(got, want);
    assert!(!String::from_utf8_lossy(&reply.body).contains("upstream-secret"));
}

async fn stream_case(fixture_name: &str, alias: &str, target: &str, provider: &str, base_suffix: &str) {
    let ex = fixture(fixture_name);
    let upstream = ReplayServer::start(vec![ex.clone()]).await.unwrap();
    let direct_upstream = ReplayServer::start(vec![ex]).await.unwrap();
    let gw = start(&config(&upstream, &upstream)).await;
    let mut params = demo_params(alias);
    params.stream = Some(true);
    let reply = post_json(
        gw.addr,
        "/v1/messages?beta=true",
        &serde_json::to_value(&params).unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    upstream.replay().assert_clean();
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    assert_eq!(reply.header("anyllm-served-by"), Some(target));
    let (events, _) = reply.events();
    validate_stream(&events).unwrap();

    let key = if provider == "openai" {
        "sk-openai-upstream-secret"
    } else {
        "AIza-upstream-secret"
    };
    let client = direct_client(provider, format!("{}{base_suffix}", direct_upstream.url()), key);
    let mut direct = demo_params(target);
    direct.stream = Some(true);
    let mut stream = client.messages(&direct).stream().await.unwrap();
    let mut want: Vec<StreamEvent> = Vec::new();
    while let Some(ev) = stream.next_event().await {
        want.push(ev.unwrap());
    }
    if let Some(StreamEvent::MessageStart(start)) = want.first_mut() {
        alias.clone_into(&mut start.message.model);
    } else {
        panic!("the direct stream does not start with message_start");
    }
    assert_eq!(events, want);
}

#[tokio::test]
async fn openai_alias_whole() {
    whole_case("openai/demo.json", "fast", "openai:gpt-4.1-mini", "openai", "/v1").await;
}

#[tokio::test]
async fn openai_alias_streamed() {
    stream_case(
        "openai/demo_stream.json",
        "fast",
        "openai:gpt-4.1-mini",
        "openai",
        "/v1",
    )
    .await;
}

#[tokio::test]
async fn gemini_alias_whole() {
    whole_case(
        "gemini/demo.json",
        "flash",
        "gemini:gemini-2.5-flash",
        "gemini",
        "",
    )
    .await;
}

#[tokio::test]
async fn gemini_alias_streamed() {
    stream_case(
        "gemini/demo_stream.json",
        "flash",
        "gemini:gemini-2.5-flash",
        "gemini",
        "",
    )
    .await;
}

#[tokio::test]
async fn anthropic_pass_through_without_alias() {
    let ex = fixture("anthropic/demo.json");
    let upstream = ReplayServer::start(vec![ex]).await.unwrap();
    let toml = format!(
        "[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    // No provider prefix: routed to anthropic, as the client does.
    let reply = post_demo(gw.addr, "claude-haiku-4-5").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    upstream.replay().assert_clean();
    assert_eq!(reply.header("anyllm-served-by"), Some("claude-haiku-4-5"));
    let v = reply.json();
    assert_eq!(v["type"], "message");
    assert!(v["content"][0]["text"].as_str().unwrap().contains("sky"));
}
