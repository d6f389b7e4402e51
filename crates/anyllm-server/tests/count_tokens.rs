//! `count_tokens` on every route: the provider's own counter (`exact`), else
//! the local estimate (`approximate`, feature `token-estimate`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm_testkit::ReplayServer;
use common::*;

#[tokio::test]
async fn a_provider_counter_answers_its_own_number_marked_exact() {
    let ex = fixture("anthropic/count_tokens.json");
    let upstream = ReplayServer::start(vec![ex.clone()]).await.unwrap();
    let toml = format!(
        "[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let mut body = ex.request.body.clone();
    body["model"] = "anthropic:claude-haiku-4-5".into();
    let reply = post_json(gw.addr, "/v1/messages/count_tokens", &body).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    upstream.replay().assert_clean();
    // fixtures/anthropic/count_tokens.json answers 24.
    assert_eq!(reply.json()["input_tokens"], 24);
    assert_eq!(reply.header("anyllm-token-count"), Some("exact"));
}

/// The fixed prompt of the estimate test and its texts' o200k_base counts.
#[cfg(feature = "token-estimate")]
const SYSTEM: &str = "You are a helpful assistant.";
#[cfg(feature = "token-estimate")]
const USER: &str = "The quick brown fox jumps over the lazy dog.";

#[cfg(feature = "token-estimate")]
#[tokio::test]
async fn a_route_without_a_counter_answers_the_local_estimate_marked_approximate() {
    use anyllm_server::estimate::{text_tokens, MESSAGE_OVERHEAD, REPLY_PRIMING};

    // Port 9 (discard) on loopback: the estimate must not call the upstream.
    let gw = start(
        "[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"http://127.0.0.1:9/v1\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n",
    )
    .await;
    let body = serde_json::json!({
        "model": "fast", "system": SYSTEM,
        "messages": [{"role": "user", "content": USER}]
    });
    let reply = post_json(gw.addr, "/v1/messages/count_tokens", &body).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("anyllm-token-count"), Some("approximate"));
    assert_eq!(reply.header("anyllm-served-by"), Some("openai:gpt-4.1-mini"));
    let n = reply.json()["input_tokens"].as_u64().unwrap();
    // The texts' exact o200k_base count plus the documented framing: the
    // system prompt and one message (3 each) and the reply priming (3).
    assert_eq!(text_tokens(USER).unwrap(), 10);
    let exact = text_tokens(SYSTEM).unwrap() + text_tokens(USER).unwrap();
    assert_eq!(n, exact + 2 * MESSAGE_OVERHEAD + REPLY_PRIMING);
    // A sane magnitude: two short sentences are 15–35 tokens in any tokenizer.
    assert!((15..=35).contains(&n), "{n}");

    // Tool definitions, tool calls and results count too: a larger request counts more.
    let body = serde_json::json!({
        "model": "openai:gpt-4.1-mini", "system": SYSTEM,
        "tools": [{"name": "get_weather", "description": "The weather in a city",
                   "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}],
        "messages": [
            {"role": "user", "content": USER},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "Sunny, 21 °C"}]}
        ]
    });
    let reply = post_json(gw.addr, "/v1/messages/count_tokens", &body).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("anyllm-token-count"), Some("approximate"));
    let more = reply.json()["input_tokens"].as_u64().unwrap();
    assert!(more > n + 20, "{more} vs {n}");
}
