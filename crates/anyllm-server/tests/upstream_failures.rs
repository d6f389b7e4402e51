//! How upstream failures reach the client: upstream credentials are the
//! gateway's fault (5xx naming the provider, never the client's 401), a bare
//! unknown model is a 404, an empty upstream stream falls back, every
//! credential the providers read is redacted, and the error body carries the
//! gateway's request id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm::MapEnv;
use anyllm_server::{Config, Gateway};
use anyllm_testkit::{CaptureServer, ReplayServer, Reply as Upstream};
use common::configs::openai_then_gemini_config;
use common::*;

fn messages_body(model: &str) -> serde_json::Value {
    serde_json::to_value(demo_params(model)).unwrap()
}

/// OpenAI's 401 for a bad key quotes (part of) the key it got.
const OPENAI_401: &str = r#"{"error":{"message":"Incorrect API key provided: sk-openai-upstream-secret.","type":"invalid_request_error","code":"invalid_api_key"}}"#;

#[tokio::test]
async fn upstream_credential_failures_are_gateway_errors_naming_the_provider() {
    let openai = CaptureServer::start(|_, _| Upstream::json(401, OPENAI_401))
        .await
        .unwrap();
    let anthropic = CaptureServer::start(|_, _| {
        Upstream::json(
            403,
            r#"{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission"}}"#,
        )
    })
    .await
    .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{}/v1\"\n\
         [providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n\
         [[keys]]\nname = \"a\"\nkey_env = \"TEAM_A_KEY\"\n",
        openai.url(),
        anthropic.url()
    );
    let gw = start(&toml).await;
    let good = [
        ("x-api-key", "client-key-a"),
        ("content-type", "application/json"),
    ];
    let reply = send(
        gw.addr,
        "POST",
        "/v1/messages",
        &good,
        messages_body("fast").to_string(),
    )
    .await;
    let msg = reply.assert_error(500, "api_error");
    assert!(msg.contains("`openai`") && msg.contains("401"), "{msg}");
    let text = String::from_utf8_lossy(&reply.body);
    assert!(!text.contains("Incorrect API key"), "{text}");
    assert_eq!(openai.requests().len(), 1);

    let reply = send(
        gw.addr,
        "POST",
        "/v1/messages",
        &good,
        messages_body("claude-haiku-4-5").to_string(),
    )
    .await;
    let msg = reply.assert_error(500, "api_error");
    assert!(msg.contains("`anthropic`") && msg.contains("403"), "{msg}");

    // A bad CLIENT key stays the client's 401 (what the SDKs raise as AuthenticationError).
    let bad = [("x-api-key", "wrong"), ("content-type", "application/json")];
    send(
        gw.addr,
        "POST",
        "/v1/messages",
        &bad,
        messages_body("fast").to_string(),
    )
    .await
    .assert_error(401, "authentication_error");
    assert_eq!(
        openai.requests().len(),
        1,
        "the upstream was called for a bad client key"
    );
}

#[tokio::test]
async fn unresolvable_upstream_credentials_are_a_gateway_error() {
    // Half of the AWS key pair: the credential chain fails before any request.
    let mut env: Vec<(&str, &str)> = ENV.to_vec();
    env.extend([("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_REGION", "us-east-1")]);
    let config = Config::from_toml(
        "max_retries = 0\n[providers.bedrock]\napi_base = \"http://127.0.0.1:9\"\n\
         [models.\"b\"]\ntargets = [\"bedrock:anthropic.claude-3-haiku-20240307-v1:0\"]\n",
    )
    .unwrap();
    let gw = start_gateway(Gateway::new(config, MapEnv::new(env)).unwrap()).await;
    let reply = post_json(gw.addr, "/v1/messages", &messages_body("b")).await;
    let msg = reply.assert_error(500, "api_error");
    assert!(msg.contains("`bedrock`") && msg.contains("credentials"), "{msg}");
}

#[tokio::test]
async fn a_bare_unknown_model_without_default_credentials_is_not_found() {
    // ENV holds no ANTHROPIC_API_KEY and no [providers.anthropic] is configured.
    let gw = start("[models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n").await;
    let reply = post_json(gw.addr, "/v1/messages", &messages_body("gpt-5-mini")).await;
    let msg = reply.assert_error(404, "not_found_error");
    assert!(msg.contains("`gpt-5-mini`"), "{msg}");
    let reply = post_json(
        gw.addr,
        "/v1/messages/count_tokens",
        &serde_json::json!({"model": "gpt-5-mini", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    let msg = reply.assert_error(404, "not_found_error");
    assert!(msg.contains("`gpt-5-mini`"), "{msg}");
}

#[tokio::test]
async fn a_bare_model_routes_to_the_default_provider_when_it_has_credentials() {
    let anthropic = ReplayServer::start(vec![fixture("anthropic/demo.json")])
        .await
        .unwrap();
    // The provider's own variable counts as well as a configured api_key_env.
    let mut env: Vec<(&str, &str)> = ENV.to_vec();
    env.push(("ANTHROPIC_API_KEY", "sk-ant-from-the-default-variable"));
    let config = Config::from_toml(&format!(
        "max_retries = 0\n[providers.anthropic]\napi_base = \"{}\"\n",
        anthropic.url()
    ))
    .unwrap();
    let gw = start_gateway(Gateway::new(config, MapEnv::new(env)).unwrap()).await;
    let model = fixture("anthropic/demo.json").request.body["model"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = post_json(gw.addr, "/v1/messages", &messages_body(&model)).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    anthropic.replay().assert_clean();
}

#[tokio::test]
async fn an_empty_upstream_stream_falls_back_to_the_next_target() {
    let empty = CaptureServer::start(|_, _| Upstream::new(200, "text/event-stream", ""))
        .await
        .unwrap();
    let working = ReplayServer::start(vec![fixture("gemini/demo_stream.json")])
        .await
        .unwrap();
    let toml = openai_then_gemini_config(&empty.url(), &working.url());
    let gw = start(&toml).await;
    let mut params = demo_params("m");
    params.stream = Some(true);
    let reply = post_json(gw.addr, "/v1/messages", &serde_json::to_value(&params).unwrap()).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(empty.requests().len(), 1);
    assert_eq!(reply.header("anyllm-served-by"), Some("gemini:gemini-2.5-flash"));
    let (events, _) = reply.events();
    assert!(!events.is_empty());
    working.replay().assert_clean();
}

#[tokio::test]
async fn aws_and_token_credentials_from_the_environment_are_redacted() {
    const SECRET: &str = "wJalrXUtnFEMI-aws-secret-access-key";
    const SESSION: &str = "FwoGZXIvYXdzE-aws-session-token";
    const VERTEX: &str = "ya29.vertex-access-token";
    let message = format!("signature mismatch for {SECRET} / {SESSION} / {VERTEX}");
    let upstream = CaptureServer::start(move |_, _| {
        Upstream::json(
            400,
            serde_json::json!({"error": {"message": message, "type": "invalid_request_error"}}).to_string(),
        )
    })
    .await
    .unwrap();
    let mut env: Vec<(&str, &str)> = ENV.to_vec();
    env.extend([
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", SESSION),
        ("VERTEXAI_ACCESS_TOKEN", VERTEX),
    ]);
    let config = Config::from_toml(&format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{}/v1\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n",
        upstream.url()
    ))
    .unwrap();
    let gw = start_gateway(Gateway::new(config, MapEnv::new(env)).unwrap()).await;
    let reply = post_json(gw.addr, "/v1/messages", &messages_body("fast")).await;
    let msg = reply.assert_error(400, "invalid_request_error");
    assert!(msg.contains("signature mismatch"), "{msg}");
    for secret in [SECRET, SESSION, VERTEX] {
        assert!(!msg.contains(secret), "{msg}");
    }
    assert_eq!(msg.matches("[REDACTED]").count(), 3, "{msg}");
}

#[tokio::test]
async fn the_error_body_carries_the_gateways_request_id() {
    let upstream = CaptureServer::start(|_, _| {
        Upstream::json(
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_upstream_0001"}"#,
        )
    })
    .await
    .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let reply = post_json(gw.addr, "/v1/messages", &messages_body("claude-haiku-4-5")).await;
    reply.assert_error(529, "overloaded_error");
    let header = reply.header("request-id").unwrap();
    assert!(header.starts_with("req_anyllm_"), "{header}");
    assert_eq!(reply.json()["request_id"], header);
    // The gateway's own errors too.
    let reply = send(gw.addr, "GET", "/nowhere", &[], "").await;
    reply.assert_error(404, "not_found_error");
    assert_eq!(reply.json()["request_id"], reply.header("request-id").unwrap());
}
