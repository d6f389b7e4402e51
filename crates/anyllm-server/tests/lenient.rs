//! Strict and lenient routes (`strict = true|false`): a Claude-Code-like
//! request (betas, `context_management`, `cache_control`, `top_k`,
//! `metadata.user_id`) through the gateway to a capturing upstream on
//! 127.0.0.1. Lenient: the upstream request lacks the dropped fields, the
//! reply's `anyllm-dropped-fields` header names them (whole and streamed;
//! the access log's `dropped` field: `lenient_access_log.rs`). Strict: the typed 400 naming the
//! field, nothing sent upstream. The client's `anthropic-beta` and
//! `anthropic-version` headers reach an Anthropic upstream.
//!
//! The upstream replies are the hand-written fixtures `openai/demo.json`,
//! `openai/demo_stream.json` and `anthropic/demo.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod lenient_common;

use common::*;
use lenient_common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn a_lenient_route_drops_and_reports() {
    let (up, reply) = lenient_openai_call().await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["model"], "claude-sonnet-4-5");
    let header: Value = serde_json::from_str(reply.header("anyllm-dropped-fields").unwrap()).unwrap();
    assert_eq!(header, expected_report());

    let sent = up.requests();
    assert_eq!(sent.len(), 1);
    let body = sent[0].json();
    for gone in ["top_k", "context_management", "metadata", "betas"] {
        assert!(body.get(gone).is_none(), "{gone} went upstream: {body}");
    }
    assert!(!body.to_string().contains("cache_control"), "{body}");
    assert_eq!(
        body["messages"][1]["content"], "Why is the sky blue?",
        "the conversation is whole"
    );
    assert_eq!(body["tools"][0]["function"]["name"], "Read");
    assert!(sent[0].header("anthropic-beta").is_none());
    assert!(
        sent[0].header("anthropic-version").is_none(),
        "not an Anthropic target"
    );
}

#[tokio::test]
async fn a_lenient_stream_carries_the_report_in_its_headers() {
    let up = upstream("openai/demo_stream.json", "text/event-stream").await;
    let gw = start(&openai_config(&up.url(), "strict = false", "")).await;
    let reply = post(
        gw.addr,
        &claude_code_request("claude-sonnet-4-5", true),
        &[("anthropic-beta", BETA_HEADER)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    let header: Value = serde_json::from_str(reply.header("anyllm-dropped-fields").unwrap()).unwrap();
    assert_eq!(header, expected_report());
    let (events, _) = reply.events();
    assert!(!events.is_empty());
    assert!(up.requests()[0].json().get("top_k").is_none());
}

/// Strict is the default; an alias's `strict = true` wins over a lenient top level.
#[tokio::test]
async fn a_strict_route_answers_400_naming_the_field() {
    let up = upstream("openai/demo.json", "application/json").await;
    for (top, alias) in [("", ""), ("strict = false", "strict = true")] {
        let gw = start(&openai_config(&up.url(), top, alias)).await;
        let request = claude_code_request("claude-sonnet-4-5", false);
        let with_betas = post(gw.addr, &request, &[("anthropic-beta", BETA_HEADER)]).await;
        let message = with_betas.assert_error(400, "invalid_request_error");
        assert!(
            message.contains("`anthropic-beta: interleaved-thinking-2025-05-14`"),
            "{message}"
        );
        assert!(with_betas.header("anyllm-dropped-fields").is_none());
        let without = post(gw.addr, &request, &[]).await;
        let message = without.assert_error(400, "invalid_request_error");
        assert!(message.contains("`top_k`"), "{message}");
    }
    assert!(up.requests().is_empty(), "nothing was sent upstream");
    // A lenient route that fits without drops sends no report header.
    let gw = start(&openai_config(&up.url(), "strict = false", "")).await;
    let plain = json!({"model": "claude-sonnet-4-5", "max_tokens": 64,
                       "messages": [{"role": "user", "content": "Why is the sky blue?"}]});
    let reply = post(gw.addr, &plain, &[]).await;
    assert_eq!(reply.status, 200);
    assert!(reply.header("anyllm-dropped-fields").is_none());
}

/// An Anthropic target carries everything: the client's betas and version
/// go upstream, nothing is dropped even on a strict route.
#[tokio::test]
async fn anthropic_beta_and_version_reach_an_anthropic_upstream() {
    let up = upstream("anthropic/demo.json", "application/json").await;
    let toml = format!(
        "max_retries = 0\n[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n\
         [models.\"claude-sonnet-4-5\"]\ntargets = [\"anthropic:claude-sonnet-4-5-20250929\"]\n",
        up.url()
    );
    let gw = start(&toml).await;
    let reply = post(
        gw.addr,
        &claude_code_request("claude-sonnet-4-5", false),
        &[
            (
                "anthropic-beta",
                "interleaved-thinking-2025-05-14, context-management-2025-06-27",
            ),
            // not the version the provider sends by itself (2023-06-01)
            ("anthropic-version", "2023-01-01"),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert!(reply.header("anyllm-dropped-fields").is_none());
    let sent = &up.requests()[0];
    assert_eq!(sent.header("anthropic-beta"), Some(BETA_HEADER));
    assert_eq!(sent.header("anthropic-version"), Some("2023-01-01"));
    let body = sent.json();
    assert_eq!(body["top_k"], 40);
    assert_eq!(
        body["context_management"]["edits"][0]["type"],
        "clear_thinking_20251015"
    );
    assert_eq!(body["system"][0]["cache_control"]["type"], "ephemeral");
}

/// `count_tokens` forwards the client's betas and version to an Anthropic target.
#[tokio::test]
async fn count_tokens_forwards_betas_and_version_to_an_anthropic_upstream() {
    let up = upstream("anthropic/count_tokens.json", "application/json").await;
    let toml = format!(
        "max_retries = 0\n[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n",
        up.url()
    );
    let gw = start(&toml).await;
    let body = json!({"model": "anthropic:claude-sonnet-4-5",
                      "messages": [{"role": "user", "content": "Why is the sky blue?"}]});
    let reply = send(
        gw.addr,
        "POST",
        "/v1/messages/count_tokens",
        &[
            ("content-type", "application/json"),
            ("anthropic-beta", "context-1m-2025-08-07"),
            ("anthropic-version", "2023-01-01"),
        ],
        body.to_string(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let sent = &up.requests()[0];
    assert_eq!(sent.header("anthropic-beta"), Some("context-1m-2025-08-07"));
    assert_eq!(sent.header("anthropic-version"), Some("2023-01-01"));
}
