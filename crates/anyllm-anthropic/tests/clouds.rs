//! Claude on Vertex AI (`vertexaianthropic`) and in Microsoft Foundry
//! (`azureanthropic`) through the real `anyllm` client against a loopback
//! server: the exact URL, headers and body of plain, streamed, tool and
//! count-tokens requests; every recorded Anthropic request goes out
//! unchanged except for the documented differences, and every recorded
//! reply comes back unchanged (whole and streamed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use anyllm::{Client, CountTokensParams, MapEnv, MessageCreateParams, RequestOptions};
use anyllm_anthropic::{AzureAnthropicProvider, VertexAnthropicProvider, AZURE_COGNITIVE_SERVICES_SCOPE};
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use anyllm_provider::credentials::{OAuthTokenExchange, StaticToken};
use anyllm_provider::Provider;
use anyllm_testkit::{json_diff, CaptureServer, Captured, Reply};
use messages_types::grammar::validate_stream;
use serde_json::{json, Value};

const BASE_PATH: &str = "/v1/projects/proj-1/locations/us-east5";

fn client_for(provider: Arc<dyn Provider>, name: &str, key: Option<&str>, base: String) -> Client {
    let mut b = Client::builder()
        .env(MapEnv::empty())
        .register(provider)
        .api_base(name, base)
        .max_retries(1);
    if let Some(key) = key {
        b = b.api_key(name, key);
    }
    b.build().unwrap()
}

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

const MESSAGE: &str = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":3}}"#;
const TOOL_MESSAGE: &str = r#"{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":50,"output_tokens":20}}"#;
const STREAM: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_3\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n\
event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n\
event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi!\"}}\n\n\
event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n\
event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

/// The documented replies: a message, a tool call, a stream, a token count.
fn documented_reply(_: usize, req: &Captured) -> Reply {
    let p = &req.path_and_query;
    if p.contains("count-tokens") || p.ends_with("/count_tokens") {
        Reply::json(200, r#"{"input_tokens":42}"#)
    } else if p.contains("streamRawPredict") || req.json()["stream"] == true {
        Reply::new(200, "text/event-stream", STREAM)
    } else if req.json()["tools"].is_array() {
        Reply::json(200, TOOL_MESSAGE)
    } else {
        Reply::json(200, MESSAGE)
    }
}

fn tool_params(model: &str) -> MessageCreateParams {
    params(json!({
        "model": model, "max_tokens": 256,
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [{"name": "get_weather", "description": "Current weather",
                   "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
        "tool_choice": {"type": "auto"}
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vertex_plain_stream_tool_and_count_tokens_requests() {
    let server = CaptureServer::start(documented_reply).await.unwrap();
    let provider = Arc::new(VertexAnthropicProvider::new("proj-1", "us-east5"));
    let client = client_for(
        provider,
        "vertexaianthropic",
        Some("ya29.vertex-secret"),
        format!("{}{BASE_PATH}", server.url()),
    );
    let plain = params(
        json!({"model": "vertexaianthropic:claude-sonnet-4-5@20250929", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hi"}]}),
    );
    let mut opts = RequestOptions::new();
    opts.betas = vec!["context-1m-2025-08-07".to_owned()];

    let msg = client.messages(&plain).options(opts.clone()).await.unwrap();
    assert_eq!(
        serde_json::to_value(&msg).unwrap(),
        serde_json::from_str::<Value>(MESSAGE).unwrap()
    );

    let mut stream = client.messages(&plain).stream().await.unwrap();
    let mut events = Vec::new();
    while let Some(ev) = stream.next_event().await {
        events.push(ev.unwrap());
    }
    validate_stream(&events).unwrap();
    assert_eq!(events.len(), 6);

    let tool = client
        .messages(&tool_params("vertexaianthropic:claude-sonnet-4-5@20250929"))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&tool).unwrap()["content"][0]["input"],
        json!({"city": "Paris"})
    );

    let count: CountTokensParams =
        serde_json::from_value(json!({"model": "vertexaianthropic:claude-sonnet-4-5@20250929",
        "messages": [{"role": "user", "content": "Hi"}]}))
        .unwrap();
    assert_eq!(client.count_tokens(&count).await.unwrap().input_tokens, 42);

    let seen = server.requests();
    assert_eq!(seen.len(), 4);
    let model_path = format!("{BASE_PATH}/publishers/anthropic/models/claude-sonnet-4-5@20250929");
    assert_eq!(seen[0].path_and_query, format!("{model_path}:rawPredict"));
    assert_eq!(seen[1].path_and_query, format!("{model_path}:streamRawPredict"));
    assert_eq!(seen[2].path_and_query, format!("{model_path}:rawPredict"));
    assert_eq!(
        seen[3].path_and_query,
        format!("{BASE_PATH}/publishers/anthropic/models/count-tokens:rawPredict")
    );
    for r in &seen {
        assert_eq!(r.method, http::Method::POST);
        assert_eq!(r.header("authorization"), Some("Bearer ya29.vertex-secret"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.header("x-api-key").is_none());
    }
    assert_eq!(
        seen[0].json(),
        json!({"max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}],
               "anthropic_version": "vertex-2023-10-16", "anthropic_beta": ["context-1m-2025-08-07"]})
    );
    assert_eq!(
        seen[1].json(),
        json!({"max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}], "stream": true,
               "anthropic_version": "vertex-2023-10-16"})
    );
    let mut want_tool = serde_json::to_value(tool_params("x")).unwrap();
    want_tool.as_object_mut().unwrap().remove("model");
    want_tool["anthropic_version"] = json!("vertex-2023-10-16");
    assert_eq!(seen[2].json(), want_tool);
    assert_eq!(
        seen[3].json(),
        json!({"model": "claude-sonnet-4-5@20250929", "messages": [{"role": "user", "content": "Hi"}],
               "anthropic_version": "vertex-2023-10-16"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vertex_token_from_the_resolver_and_never_in_debug_or_errors() {
    let server = CaptureServer::start(|_, _| {
        Reply::json(401, r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#)
    })
    .await
    .unwrap();
    let provider = Arc::new(
        VertexAnthropicProvider::new("proj-1", "global")
            .with_credentials(Arc::new(StaticToken::new("ya29.resolved-secret"))),
    );
    let debug = format!("{provider:?}");
    assert!(!debug.contains("resolved-secret"), "{debug}");
    let client = client_for(
        provider,
        "vertexaianthropic",
        None,
        format!("{}{BASE_PATH}", server.url()),
    );
    let err = client
        .messages(&params(
            json!({"model": "vertexaianthropic:claude-haiku-4-5", "max_tokens": 8,
            "messages": [{"role": "user", "content": "Hi"}]}),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!format!("{err} {err:?}").contains("resolved-secret"));
    let seen = server.requests();
    // A static token cannot be refreshed: no second attempt after the 401.
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer ya29.resolved-secret")
    );
}

#[test]
fn vertex_default_urls_by_location_and_a_missing_project() {
    let p = params(json!({"model": "claude-opus-4-1@20250805", "max_tokens": 8,
        "messages": [{"role": "user", "content": "Hi"}]}));
    let mut ctx =
        anyllm_provider::CallContext::new(VertexAnthropicProvider::new("p", "x").info().default_base_url);
    ctx.api_key = Some(anyllm_provider::ApiKey::new("t"));
    let regional = VertexAnthropicProvider::new("p", "europe-west1")
        .build_request(&p, &ctx)
        .unwrap();
    assert_eq!(
        regional.uri(),
        "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1/publishers/anthropic/models/claude-opus-4-1@20250805:rawPredict"
    );
    let global = VertexAnthropicProvider::new("p", "global")
        .build_request(&p, &ctx.clone().with_stream(true))
        .unwrap();
    assert_eq!(
        global.uri(),
        "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-opus-4-1@20250805:streamRawPredict"
    );
    let env = MapEnv::new([("GOOGLE_CLOUD_LOCATION", "us-east5")]);
    let err = VertexAnthropicProvider::from_env(&env)
        .build_request(&p, &ctx)
        .unwrap_err();
    assert!(err.to_string().contains("GOOGLE_CLOUD_PROJECT"), "{err}");
    let bad =
        params(json!({"model": "../x", "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}));
    assert!(VertexAnthropicProvider::new("p", "global")
        .build_request(&bad, &ctx)
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_plain_stream_tool_and_count_tokens_requests() {
    let server = CaptureServer::start(documented_reply).await.unwrap();
    let provider = Arc::new(AzureAnthropicProvider::new("unused-resource"));
    let client = client_for(
        provider,
        "azureanthropic",
        Some("foundry-secret-key"),
        format!("{}/anthropic", server.url()),
    );
    let plain = params(
        json!({"model": "azureanthropic:claude-sonnet-4-5", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hi"}]}),
    );
    let mut opts = RequestOptions::new();
    opts.betas = vec!["interleaved-thinking-2025-05-14".to_owned()];
    client.messages(&plain).options(opts.clone()).await.unwrap();
    let mut stream = client.messages(&plain).stream().await.unwrap();
    let mut events = Vec::new();
    while let Some(ev) = stream.next_event().await {
        events.push(ev.unwrap());
    }
    validate_stream(&events).unwrap();
    client
        .messages(&tool_params("azureanthropic:claude-sonnet-4-5"))
        .await
        .unwrap();
    let count: CountTokensParams =
        serde_json::from_value(json!({"model": "azureanthropic:claude-sonnet-4-5",
        "messages": [{"role": "user", "content": "Hi"}]}))
        .unwrap();
    assert_eq!(client.count_tokens(&count).await.unwrap().input_tokens, 42);

    let seen = server.requests();
    assert_eq!(seen.len(), 4);
    for (i, path) in [
        "/anthropic/v1/messages",
        "/anthropic/v1/messages",
        "/anthropic/v1/messages",
        "/anthropic/v1/messages/count_tokens",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(seen[i].path_and_query, *path);
        assert_eq!(seen[i].header("x-api-key"), Some("foundry-secret-key"));
        assert_eq!(seen[i].header("anthropic-version"), Some("2023-06-01"));
        assert!(seen[i].header("authorization").is_none());
    }
    assert_eq!(
        seen[0].header("anthropic-beta"),
        Some("interleaved-thinking-2025-05-14")
    );
    assert_eq!(
        seen[0].json(),
        json!({"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]})
    );
    assert_eq!(seen[1].json()["stream"], true);
    let mut want_tool = serde_json::to_value(tool_params("claude-sonnet-4-5")).unwrap();
    want_tool["model"] = json!("claude-sonnet-4-5");
    assert_eq!(seen[2].json(), want_tool);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_entra_id_token_exchange() {
    let server = CaptureServer::start(|_, req: &Captured| {
        if req.path_and_query == "/tenant-1/oauth2/v2.0/token" {
            Reply::json(
                200,
                r#"{"token_type":"Bearer","expires_in":3599,"access_token":"entra-access-token"}"#,
            )
        } else {
            Reply::json(200, MESSAGE)
        }
    })
    .await
    .unwrap();
    let exchange = OAuthTokenExchange::azure_client_credentials(
        "tenant-1",
        "client-1",
        "client-secret-value",
        AZURE_COGNITIVE_SERVICES_SCOPE,
    )
    .with_token_url(format!("{}/tenant-1/oauth2/v2.0/token", server.url()));
    let provider = Arc::new(AzureAnthropicProvider::new("r").with_credentials(Arc::new(exchange)));
    assert!(!format!("{provider:?}").contains("client-secret-value"));
    let client = client_for(
        provider,
        "azureanthropic",
        None,
        format!("{}/anthropic", server.url()),
    );
    let p = params(
        json!({"model": "azureanthropic:claude-sonnet-4-5", "max_tokens": 8,
        "messages": [{"role": "user", "content": "Hi"}]}),
    );
    client.messages(&p).await.unwrap();
    client.messages(&p).await.unwrap();
    let seen = server.requests();
    // One exchange, cached for the second call.
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        seen[0].form_field("grant_type").as_deref(),
        Some("client_credentials")
    );
    assert_eq!(
        seen[0].form_field("scope").as_deref(),
        Some("https://cognitiveservices.azure.com/.default")
    );
    assert_eq!(seen[0].form_field("client_id").as_deref(), Some("client-1"));
    for r in &seen[1..] {
        assert_eq!(r.header("authorization"), Some("Bearer entra-access-token"));
        assert!(r.header("x-api-key").is_none());
    }
}

#[test]
fn azure_resource_from_env_and_missing_key() {
    let p = params(
        json!({"model": "claude-sonnet-4-5", "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}),
    );
    let provider = AzureAnthropicProvider::from_env(&MapEnv::new([("AZURE_ANTHROPIC_RESOURCE", "my-res")]));
    let mut ctx = anyllm_provider::CallContext::new(provider.info().default_base_url);
    let err = provider.build_request(&p, &ctx).unwrap_err();
    assert!(err.to_string().contains("AZURE_ANTHROPIC_API_KEY"), "{err}");
    ctx.api_key = Some(anyllm_provider::ApiKey::new("k"));
    let req = provider.build_request(&p, &ctx).unwrap();
    assert_eq!(
        req.uri(),
        "https://my-res.services.ai.azure.com/anthropic/v1/messages"
    );
    assert!(!format!("{req:?}").contains("\"k\""));
    let none = AzureAnthropicProvider::from_env(&MapEnv::empty());
    let err = none.build_request(&p, &ctx).unwrap_err();
    assert!(err.to_string().contains("AZURE_ANTHROPIC_RESOURCE"), "{err}");
}

fn recorded_betas(e: &Exchange) -> Vec<String> {
    e.request
        .headers
        .get("anthropic-beta")
        .and_then(Value::as_str)
        .map(|b| b.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default()
}

fn sse_data(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .filter_map(|block| {
            let data: Vec<&str> = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            (!data.is_empty()).then(|| serde_json::from_str(&data.join("\n")).unwrap())
        })
        .collect()
}

/// Replays one recorded successful exchange through `name`, returning the body sent.
async fn replay(e: &Exchange, name: &str, provider: Arc<dyn Provider>, base_path: &str) -> Value {
    let recorded = e.response.body.clone().unwrap_or_default();
    let content_type = if e.stream {
        "text/event-stream"
    } else {
        "application/json"
    };
    let server = CaptureServer::start(move |_, _| Reply::new(200, content_type, recorded.clone()))
        .await
        .unwrap();
    let client = client_for(
        provider,
        name,
        Some("secret"),
        format!("{}{base_path}", server.url()),
    );
    let mut p: MessageCreateParams = serde_json::from_value(e.request.body.clone()).unwrap();
    p.model = format!("{name}:{}", p.model);
    let mut opts = RequestOptions::new();
    opts.betas = recorded_betas(e);
    if e.stream {
        let mut stream = client.messages(&p).options(opts.clone()).stream().await.unwrap();
        let mut got = Vec::new();
        while let Some(ev) = stream.next_event().await {
            match ev {
                Ok(ev) => got.push(serde_json::to_value(ev).unwrap()),
                Err(err) => panic!("{}: {err}", e.file),
            }
        }
        let want = sse_data(e.response.body.as_deref().unwrap());
        assert_eq!(got, want, "{}: events differ", e.file);
    } else {
        let msg = client.messages(&p).options(opts.clone()).await.unwrap();
        let want: Value = serde_json::from_str(e.response.body.as_deref().unwrap()).unwrap();
        if let Some(d) = json_diff(&want, &serde_json::to_value(&msg).unwrap()) {
            panic!("{}: message differs: {d}", e.file);
        }
    }
    let seen = server.requests();
    assert_eq!(seen.len(), 1, "{}", e.file);
    seen[0].json()
}

fn successful_recorded() -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let all = load_all(&dir, &Filter::api("anthropic-messages")).unwrap();
    let ok: Vec<Exchange> = all
        .into_iter()
        .filter(|e| {
            let stream_error = e.stream
                && sse_data(e.response.body.as_deref().unwrap_or(""))
                    .iter()
                    .any(|v| v["type"] == "error");
            e.response.status == 200 && !stream_error
        })
        .collect();
    assert!(
        ok.len() > 250,
        "expected the recorded anthropic exchanges, got {}",
        ok.len()
    );
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_anthropic_traffic_through_vertex_differs_only_as_documented() {
    for e in &successful_recorded() {
        let provider = Arc::new(VertexAnthropicProvider::new("proj-1", "us-east5"));
        let sent = replay(e, "vertexaianthropic", provider, BASE_PATH).await;
        let mut want = e.request.body.clone();
        let map = want.as_object_mut().unwrap();
        map.remove("model");
        map.insert("anthropic_version".into(), json!("vertex-2023-10-16"));
        let betas = recorded_betas(e);
        if !betas.is_empty() {
            map.insert("anthropic_beta".into(), json!(betas));
        }
        if let Some(d) = json_diff(&want, &sent) {
            panic!("{}: body differs: {d}", e.file);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_anthropic_traffic_through_azure_is_unchanged() {
    for e in &successful_recorded() {
        let provider = Arc::new(AzureAnthropicProvider::new("r"));
        let sent = replay(e, "azureanthropic", provider, "/anthropic").await;
        if let Some(d) = json_diff(&e.request.body, &sent) {
            panic!("{}: body differs: {d}", e.file);
        }
    }
}
