//! IBM watsonx.ai chat through the real `anyllm` client against loopback
//! servers (the chat API and IBM Cloud IAM): the exact URL, headers and body
//! of plain, streamed and tool requests (pinned by `fixtures/watsonx/`), the
//! documented replies converted to Anthropic messages and valid event
//! sequences, and the IAM token exchanged once, cached, refreshed ahead of
//! expiry and once after a 401.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams};
use anyllm_fixtures::{load, project_fixtures_dir, Exchange};
use anyllm_openai::{WatsonxProvider, WatsonxScope};
use anyllm_testkit::{CaptureServer, Captured, Reply};
use messages_types::grammar::validate_stream;
use serde_json::{json, Value};

fn fixture(name: &str) -> Exchange {
    load(&project_fixtures_dir(), name).unwrap()
}

/// IAM answers `token-N` (N = how many exchanges so far) valid for `expires_in`
/// seconds; the chat API answers from the fixture for the path, or 401 for
/// the hits listed in `reject`.
async fn servers(expires_in: u64, reject: &'static [usize], replies: Vec<Exchange>) -> CaptureServer {
    let tokens = std::sync::atomic::AtomicUsize::new(0);
    CaptureServer::start(move |i, req: &Captured| {
        if req.path_and_query == "/identity/token" {
            let n = tokens.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            // IBM IAM's documented reply (with its `expiration` epoch).
            return Reply::json(
                200,
                format!(
                    r#"{{"access_token":"token-{n}","refresh_token":"not_supported","token_type":"Bearer","expires_in":{expires_in},"expiration":4102444800,"scope":"ibm openid"}}"#
                ),
            );
        }
        if reject.contains(&i) {
            return Reply::json(
                401,
                r#"{"errors":[{"code":"authentication_token_expired","message":"Failed to authenticate the request due to an expired token"}],"trace":"t-1","status_code":401}"#,
            );
        }
        let stream = req.path_and_query.contains("chat_stream");
        let ex = replies
            .iter()
            .find(|e| e.stream == stream && (e.request.body.get("tools").is_some() == req.json().get("tools").is_some()))
            .unwrap();
        let ctype = if stream { "text/event-stream" } else { "application/json" };
        Reply::new(200, ctype, ex.response.body.clone().unwrap())
    })
    .await
    .unwrap()
}

fn client_for(server: &CaptureServer) -> Client {
    let provider = WatsonxProvider::new(Some(WatsonxScope::Project("proj-1".into())))
        .with_token_url(format!("{}/identity/token", server.url()));
    Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(provider))
        .api_key("watsonx", "ibm-cloud-api-key-secret")
        .api_base("watsonx", server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

fn plain() -> MessageCreateParams {
    serde_json::from_value(
        json!({"model": "watsonx:ibm/granite-3-8b-instruct", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Say hi."}]}),
    )
    .unwrap()
}

fn tool() -> MessageCreateParams {
    serde_json::from_value(json!({"model": "watsonx:ibm/granite-3-8b-instruct", "max_tokens": 256,
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [{"name": "get_weather", "description": "Current weather",
                   "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
        "tool_choice": {"type": "any"}}))
    .unwrap()
}

fn all_fixtures() -> Vec<Exchange> {
    [
        "watsonx/chat.json",
        "watsonx/chat_stream.json",
        "watsonx/chat_tools.json",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect()
}

fn assert_sent(seen: &Captured, ex: &Exchange, token: &str) {
    let query: Vec<String> = ex
        .request
        .query
        .iter()
        .map(|q| format!("{}={}", q.name, q.value))
        .collect();
    assert_eq!(
        seen.path_and_query,
        format!("{}?{}", ex.request.path, query.join("&")),
        "{}",
        ex.file
    );
    assert_eq!(seen.json(), ex.request.body, "{}: body", ex.file);
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert_eq!(seen.header("content-type"), Some("application/json"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_stream_and_tool_calls_with_one_cached_iam_token() {
    let fx = all_fixtures();
    let server = servers(3600, &[], fx.clone()).await;
    let client = client_for(&server);

    let msg = client.messages(&plain()).await.unwrap();
    let msg = serde_json::to_value(&msg).unwrap();
    assert_eq!(
        msg["content"],
        json!([{"type": "text", "text": "Hi! How can I help you today?"}])
    );
    assert_eq!(msg["stop_reason"], "end_turn");
    assert_eq!(msg["usage"]["input_tokens"], 14);
    assert_eq!(msg["usage"]["output_tokens"], 9);

    let mut stream = client.messages(&plain()).stream().await.unwrap();
    let mut events = Vec::new();
    while let Some(ev) = stream.next_event().await {
        events.push(ev.unwrap());
    }
    validate_stream(&events).unwrap();
    let text: String = events
        .iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .filter_map(|v| v["delta"]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(text, "Hi! How can I help?");
    let last_delta = events
        .iter()
        .rev()
        .find(|e| e.type_name() == "message_delta")
        .unwrap();
    let last_delta = serde_json::to_value(last_delta).unwrap();
    assert_eq!(last_delta["delta"]["stop_reason"], "end_turn");
    assert_eq!(last_delta["usage"]["output_tokens"], 7);

    let msg = serde_json::to_value(client.messages(&tool()).await.unwrap()).unwrap();
    assert_eq!(msg["stop_reason"], "tool_use");
    assert_eq!(msg["content"][0]["type"], "tool_use");
    assert_eq!(msg["content"][0]["name"], "get_weather");
    assert_eq!(msg["content"][0]["input"], json!({"city": "Paris"}));

    let seen = server.requests();
    assert_eq!(seen.len(), 4, "one token exchange, three calls");
    assert_eq!(seen[0].path_and_query, "/identity/token");
    assert_eq!(
        seen[0].form_field("grant_type").as_deref(),
        Some("urn:ibm:params:oauth:grant-type:apikey")
    );
    assert_eq!(
        seen[0].form_field("apikey").as_deref(),
        Some("ibm-cloud-api-key-secret")
    );
    assert_sent(&seen[1], &fx[0], "token-1");
    assert_sent(&seen[2], &fx[1], "token-1");
    assert_eq!(seen[2].header("accept"), Some("text/event-stream"));
    assert_sent(&seen[3], &fx[2], "token-1");
    for s in &seen[1..] {
        assert!(!String::from_utf8_lossy(&s.body).contains("api-key-secret"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_near_expiry_is_refreshed_before_the_next_call() {
    // 60 s is inside the 5-minute refresh-ahead window: every call gets a fresh token.
    let server = servers(60, &[], all_fixtures()).await;
    let client = client_for(&server);
    client.messages(&plain()).await.unwrap();
    client.messages(&plain()).await.unwrap();
    let seen = server.requests();
    let paths: Vec<&str> = seen.iter().map(|s| s.path_and_query.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/identity/token",
            "/ml/v1/text/chat?version=2024-10-17",
            "/identity/token",
            "/ml/v1/text/chat?version=2024-10-17"
        ]
    );
    assert_eq!(seen[1].header("authorization"), Some("Bearer token-1"));
    assert_eq!(seen[3].header("authorization"), Some("Bearer token-2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_refreshes_the_token_once() {
    // Hit 1 (the first chat call) is rejected: one new token, one retry.
    let server = servers(3600, &[1], all_fixtures()).await;
    let client = client_for(&server);
    client.messages(&plain()).await.unwrap();
    let seen = server.requests();
    let auth: Vec<Option<&str>> = seen.iter().map(|s| s.header("authorization")).collect();
    assert_eq!(seen.len(), 4, "{auth:?}");
    assert_eq!(seen[1].header("authorization"), Some("Bearer token-1"));
    assert_eq!(seen[2].path_and_query, "/identity/token");
    assert_eq!(seen[3].header("authorization"), Some("Bearer token-2"));

    // Rejected twice: the second 401 is the typed error (no loop), IBM's message kept.
    let server = servers(3600, &[1, 3], all_fixtures()).await;
    let client = client_for(&server);
    let err = client.messages(&plain()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("expired token"), "{err}");
    assert!(!format!("{err} {err:?}").contains("api-key-secret"));
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn body_names_space_or_extra_fields_and_secrets_stay_out_of_debug() {
    let env = MapEnv::new([
        ("WATSONX_SPACE_ID", "space-9"),
        ("WATSONX_API_VERSION", "2025-02-11"),
    ]);
    let p = WatsonxProvider::from_env(&env);
    let mut ctx = anyllm_provider::CallContext::new("https://eu-de.ml.cloud.ibm.com");
    ctx.api_key = Some(anyllm_provider::ApiKey::new("secret-ibm-key"));
    ctx.extra_body.insert("time_limit".into(), json!(10000));
    let mut params = plain();
    params.model = "ibm/granite-3-8b-instruct".into();
    let req = anyllm_provider::Provider::build_request(&p, &params, &ctx.clone().with_stream(true)).unwrap();
    assert_eq!(
        req.uri(),
        "https://eu-de.ml.cloud.ibm.com/ml/v1/text/chat_stream?version=2025-02-11"
    );
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["space_id"], "space-9");
    assert_eq!(body["time_limit"], 10000);
    assert!(
        body.get("stream").is_none() && body.get("stream_options").is_none() && body.get("model").is_none()
    );
    anyllm_provider::Provider::authorizer(&p, &ctx).unwrap().unwrap();
    let debug = format!("{p:?}");
    assert!(!debug.contains("secret-ibm-key"), "{debug}");
    ctx.api_key = None;
    let err = anyllm_provider::Provider::build_request(&p, &params, &ctx).unwrap_err();
    assert!(err.to_string().contains("WATSONX_API_KEY"), "{err}");
}
