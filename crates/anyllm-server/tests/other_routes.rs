//! `count_tokens`, `models`, `health`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm_testkit::ReplayServer;
use common::*;

#[tokio::test]
async fn count_tokens_uses_the_providers_counter_through_an_alias() {
    let ex = fixture("anthropic/count_tokens.json");
    let upstream = ReplayServer::start(vec![ex.clone()]).await.unwrap();
    let toml = format!(
        "[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n[models.\"h\"]\ntargets = [\"anthropic:claude-haiku-4-5\"]\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let mut body = ex.request.body.clone();
    body["model"] = "h".into();
    let reply = post_json(gw.addr, "/v1/messages/count_tokens", &body).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    upstream.replay().assert_clean();
    // fixtures/anthropic/count_tokens.json answers 24.
    assert_eq!(reply.json()["input_tokens"], 24);
    assert_eq!(
        reply.header("anyllm-served-by"),
        Some("anthropic:claude-haiku-4-5")
    );
}

// With the feature `token-estimate` such routes answer the local estimate (tests/count_tokens.rs).
#[cfg(not(feature = "token-estimate"))]
#[tokio::test]
async fn count_tokens_without_a_provider_counter_is_a_typed_400() {
    let gw = start(
        "[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"http://127.0.0.1:9/v1\"\n",
    )
    .await;
    let body =
        serde_json::json!({"model": "openai:gpt-4.1-mini", "messages": [{"role": "user", "content": "hi"}]});
    let reply = post_json(gw.addr, "/v1/messages/count_tokens", &body).await;
    let msg = reply.assert_error(400, "invalid_request_error");
    assert!(msg.contains("does not support"), "{msg}");
}

#[tokio::test]
async fn models_lists_aliases_then_their_targets_in_anthropic_shape() {
    let gw = start(
        "[models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\", \"gemini:gemini-2.5-flash\"]\n\
         [models.\"mini\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n",
    )
    .await;
    let reply = send(gw.addr, "GET", "/v1/models", &[], "").await;
    assert_eq!(reply.status, 200);
    let v = reply.json();
    let data = v["data"].as_array().unwrap();
    assert_eq!(data[0]["id"], "fast");
    assert_eq!(data[0]["type"], "model");
    assert!(data[0]["display_name"].is_string() && data[0]["created_at"].is_string());
    let ids: Vec<&str> = data.iter().map(|m| m["id"].as_str().unwrap()).collect();
    // aliases first, then each target once; a bare provider name is not a model
    assert_eq!(
        ids,
        ["fast", "mini", "gemini:gemini-2.5-flash", "openai:gpt-4.1-mini"]
    );
    assert_eq!(v["has_more"], false);
    assert_eq!(v["first_id"], "fast");
    assert_eq!(v["last_id"], data.last().unwrap()["id"]);
}

#[tokio::test]
async fn health_answers_ok_with_a_request_id() {
    let gw = start("").await;
    let reply = send(gw.addr, "GET", "/health", &[], "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
    assert!(reply.header("request-id").is_some());
}

#[test]
fn config_rejects_unknown_keys_and_aliases_to_unknown_providers() {
    assert!(anyllm_server::Config::from_toml("listn = \"x\"").is_err());
    let c = anyllm_server::Config::from_toml("[models.\"a\"]\ntargets = [\"nope:x\"]\n").unwrap();
    assert!(anyllm_server::Gateway::new(c, anyllm::MapEnv::empty()).is_err());
    let c = anyllm_server::Config::from_toml("[[keys]]\nname = \"a\"\nkey_env = \"UNSET\"\n").unwrap();
    let e = anyllm_server::Gateway::new(c, anyllm::MapEnv::empty())
        .unwrap_err()
        .to_string();
    assert!(e.contains("UNSET"), "{e}");
}
