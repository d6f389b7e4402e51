//! Helpers of the lenient-route tests (`lenient.rs`, `lenient_access_log.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use anyllm_testkit::{CaptureServer, Reply as Upstream};
use serde_json::{json, Value};

use crate::common::*;

pub const BETA_HEADER: &str = "interleaved-thinking-2025-05-14,context-management-2025-06-27";

pub fn claude_code_request(model: &str, stream: bool) -> Value {
    json!({
        "model": model, "max_tokens": 1024, "top_k": 40, "stream": stream,
        "metadata": {"user_id": "user_4f1c_account__session_9b2e"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "system": [{"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}}],
        "tools": [{"name": "Read", "description": "Reads a file.",
                   "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}}},
                   "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Why is the sky blue?", "cache_control": {"type": "ephemeral"}}]}]
    })
}

/// An upstream answering every request with the body of fixture `name`.
pub async fn upstream(name: &str, content_type: &'static str) -> CaptureServer {
    let body = fixture(name).response.body.unwrap();
    CaptureServer::start(move |_, _| Upstream::new(200, content_type, body.clone()))
        .await
        .unwrap()
}

pub fn openai_config(base: &str, top_level: &str, alias: &str) -> String {
    format!(
        "max_retries = 0\n{top_level}\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{base}/v1\"\n\
         [models.\"claude-sonnet-4-5\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n{alias}\n"
    )
}

pub async fn post(addr: std::net::SocketAddr, body: &Value, headers: &[(&str, &str)]) -> Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    send(addr, "POST", "/v1/messages", &all, body.to_string()).await
}

/// The Claude Code request (whole, with `anthropic-beta` and
/// `anthropic-version`) through the lenient `claude-sonnet-4-5` alias to an
/// OpenAI upstream answering the demo reply: that upstream and the reply.
pub async fn lenient_openai_call() -> (CaptureServer, Reply) {
    let up = upstream("openai/demo.json", "application/json").await;
    let gw = start(&openai_config(&up.url(), "", "strict = false")).await;
    let reply = post(
        gw.addr,
        &claude_code_request("claude-sonnet-4-5", false),
        &[
            ("anthropic-beta", BETA_HEADER),
            ("anthropic-version", "2023-06-01"),
        ],
    )
    .await;
    (up, reply)
}

pub fn expected_report() -> Value {
    let no_betas = "the provider has no Anthropic beta features";
    json!([
        {"path": "anthropic-beta: interleaved-thinking-2025-05-14", "kind": "beta", "reason": no_betas},
        {"path": "anthropic-beta: context-management-2025-06-27", "kind": "beta", "reason": no_betas},
        {"path": "top_k", "kind": "feature", "reason": "the provider has no top-k sampling parameter"},
        {"path": "context_management", "kind": "feature"}
    ])
}
