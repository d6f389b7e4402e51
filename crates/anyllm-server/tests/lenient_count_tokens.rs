//! `count_tokens` on strict and lenient routes: a Gemini target (its
//! `countTokens` converts the request) given Claude Code's
//! `context_management` and betas. Strict: the typed 400 naming the field,
//! nothing sent upstream. Lenient: 200, the upstream request without them
//! and the `anyllm-dropped-fields` header naming them — as `/v1/messages`
//! does on the same route (`lenient.rs`).
//!
//! The upstream reply `{"totalTokens": 12}` is the shape of Gemini's
//! `models.countTokens` response (ai.google.dev/api/tokens).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm_testkit::{CaptureServer, Reply as Upstream};
use common::*;
use serde_json::{json, Value};

const BETA: &str = "context-management-2025-06-27";

async fn gemini_upstream() -> CaptureServer {
    CaptureServer::start(|_, _| Upstream::json(200, r#"{"totalTokens": 12}"#))
        .await
        .unwrap()
}

fn config(base: &str, strict: &str) -> String {
    format!(
        "max_retries = 0\n[providers.gemini]\napi_key_env = \"GEMINI_TEST_KEY\"\napi_base = \"{base}\"\n\
         [models.\"flash\"]\ntargets = [\"gemini:gemini-2.5-flash\"]\n{strict}\n"
    )
}

fn request() -> Value {
    json!({"model": "flash",
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "messages": [{"role": "user", "content": "Why is the sky blue?"}]})
}

async fn count(addr: std::net::SocketAddr, body: &Value, beta: bool) -> Reply {
    let mut headers = vec![("content-type", "application/json")];
    if beta {
        headers.push(("anthropic-beta", BETA));
    }
    send(
        addr,
        "POST",
        "/v1/messages/count_tokens",
        &headers,
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn a_strict_route_refuses_what_gemini_cannot_count() {
    let up = gemini_upstream().await;
    let gw = start(&config(&up.url(), "")).await;
    let reply = count(gw.addr, &request(), true).await;
    let message = reply.assert_error(400, "invalid_request_error");
    assert!(
        message.contains(&format!("`anthropic-beta: {BETA}`")),
        "{message}"
    );
    let reply = count(gw.addr, &request(), false).await;
    let message = reply.assert_error(400, "invalid_request_error");
    assert!(message.contains("`context_management`"), "{message}");
    assert!(reply.header("anyllm-dropped-fields").is_none());
    assert!(up.requests().is_empty(), "nothing was sent upstream");
}

#[tokio::test]
async fn a_lenient_route_counts_without_them_and_reports() {
    let up = gemini_upstream().await;
    let gw = start(&config(&up.url(), "strict = false")).await;
    let reply = count(gw.addr, &request(), true).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["input_tokens"], 12);
    assert_eq!(reply.header("anyllm-token-count"), Some("exact"));
    let header: Value = serde_json::from_str(reply.header("anyllm-dropped-fields").unwrap()).unwrap();
    assert_eq!(
        header,
        json!([
            {"path": format!("anthropic-beta: {BETA}"), "kind": "beta",
             "reason": "the provider has no Anthropic beta features"},
            {"path": "context_management", "kind": "feature",
             "reason": header[1]["reason"].clone()}
        ])
    );
    let sent = up.requests();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].path_and_query.contains(":countTokens"),
        "{}",
        sent[0].path_and_query
    );
    let body = sent[0].json().to_string();
    assert!(
        !body.contains("context_management") && !body.contains("clear_thinking"),
        "{body}"
    );
    assert!(
        body.contains("Why is the sky blue?"),
        "the conversation is whole: {body}"
    );
    assert!(sent[0].header("anthropic-beta").is_none());

    // Nothing to drop: no header.
    let plain = json!({"model": "flash", "messages": [{"role": "user", "content": "Hi"}]});
    let reply = count(gw.addr, &plain, false).await;
    assert_eq!(reply.status, 200);
    assert!(reply.header("anyllm-dropped-fields").is_none());
}
