//! The `gemini` provider end to end through the real `anyllm` client over
//! loopback HTTP, against the project's Gemini fixtures
//! (`fixtures/gemini/*.json`): the replay server answers only when the body
//! the provider sends equals the fixture's request exactly, so these also pin
//! the native request.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use anyllm::{Client, MapEnv, MessageCreateParams, StopReason, StreamEvent};
use anyllm_fixtures::{load, project_fixtures_dir, Exchange};
use anyllm_gemini::GeminiProvider;
use anyllm_testkit::ReplayServer;
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{CountTokensParams, ErrorKind};

fn fixture(name: &str) -> Exchange {
    load(&project_fixtures_dir(), &format!("gemini/{name}")).unwrap()
}

fn demo_params() -> MessageCreateParams {
    let text = std::fs::read_to_string(project_fixtures_dir().join("demo_request.json")).unwrap();
    let mut params: MessageCreateParams = serde_json::from_str(&text).unwrap();
    params.model = "gemini:gemini-2.5-flash".to_owned();
    params
}

fn client(server: &ReplayServer) -> Client {
    Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(GeminiProvider::new()))
        .api_key("gemini", "AIza-test-key")
        .api_base("gemini", server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn demo_whole() {
    let server = ReplayServer::start(vec![fixture("demo.json")]).await.unwrap();
    let message = client(&server).messages(&demo_params()).await.unwrap();
    server.replay().assert_clean();
    assert!(message.text().starts_with("The sky looks blue because"));
    assert_eq!(message.stop_reason, Some(StopReason::EndTurn));
    assert_eq!(message.model, "gemini-2.5-flash");
    assert_eq!(message.usage.input_tokens, Some(19));
    assert_eq!(message.usage.output_tokens, Some(38 + 61));
    // The text part's signature travels in a signature-only thinking block after it.
    let signatures: Vec<&str> = message.thinking().map(|t| t.signature.as_str()).collect();
    // Minted with Gemini's prefix (messages_convert::signature).
    assert_eq!(
        signatures,
        ["anyllm.gemini.CsYBAdHtim9demoSignatureWholeResponse0Q2x1ZQ=="]
    );
}

#[tokio::test]
async fn demo_stream() {
    let server = ReplayServer::start(vec![fixture("demo_stream.json")])
        .await
        .unwrap();
    let client = client(&server);
    let mut stream = client.messages(&demo_params()).stream().await.unwrap();
    let mut events: Vec<StreamEvent> = Vec::new();
    while let Some(ev) = stream.next_event().await {
        events.push(ev.unwrap());
    }
    server.replay().assert_clean();
    validate_stream(&events).unwrap();
    let text_deltas = events
        .iter()
        .filter(|e| matches!(e, StreamEvent::ContentBlockDelta(d) if d.delta.type_name() == "text_delta"))
        .count();
    assert_eq!(text_deltas, 3, "one delta per chunk");
    let mut acc = MessageAccumulator::new();
    for e in &events {
        acc.push(e).unwrap();
    }
    let message = acc.finish().unwrap();
    assert!(message.text().ends_with("from every direction."));
    assert_eq!(message.stop_reason, Some(StopReason::EndTurn));
    assert_eq!(message.usage.output_tokens, Some(99));
    assert_eq!(message.thinking().count(), 1);

    // final_message() on a second replay equals the accumulation.
    let server = ReplayServer::start(vec![fixture("demo_stream.json")])
        .await
        .unwrap();
    let fin = client_final(&server).await;
    assert_eq!(fin, message);
}

async fn client_final(server: &ReplayServer) -> anyllm::Message {
    let stream = client(server).messages(&demo_params()).stream().await.unwrap();
    stream.final_message().await.unwrap()
}

#[tokio::test]
async fn count_tokens() {
    let server = ReplayServer::start(vec![fixture("count_tokens.json")])
        .await
        .unwrap();
    let demo = demo_params();
    let params = CountTokensParams {
        model: demo.model,
        messages: demo.messages,
        system: demo.system,
        tools: None,
        tool_choice: None,
        thinking: None,
        output_config: None,
        extra: Default::default(),
    };
    let counted = client(&server).count_tokens(&params).await.unwrap();
    server.replay().assert_clean();
    assert_eq!(counted.input_tokens, 19);
}

#[tokio::test]
async fn invalid_key_is_an_authentication_error() {
    let server = ReplayServer::start(vec![fixture("error_api_key_invalid.json")])
        .await
        .unwrap();
    let err = client(&server).messages(&demo_params()).await.unwrap_err();
    server.replay().assert_clean();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(
        err.to_error_response().error.message,
        "API key not valid. Please pass a valid API key."
    );
    assert!(!err.to_string().contains("AIza-test-key"));
}

#[tokio::test]
async fn quota_error_carries_retry_info() {
    let server = ReplayServer::start(vec![fixture("error_rate_limit.json")])
        .await
        .unwrap();
    let err = client(&server).messages(&demo_params()).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.kind(), ErrorKind::RateLimit);
    let anyllm::Error::Http(http) = &err else {
        panic!("{err}")
    };
    assert_eq!(http.retry_after(), Some(Duration::from_secs(34)));
}

/// `vertexai` speaks the same body on its own path; here with an explicit
/// base URL down to the location, as `api_base` / `VERTEXAI_BASE_URL` give it.
#[tokio::test]
async fn vertex_through_the_client() {
    let mut whole = fixture("demo.json");
    let prefix = "/v1/projects/anyllm-demo/locations/us-central1";
    whole.request.path = format!("{prefix}/publishers/google/models/gemini-2.5-flash:generateContent");
    let mut streamed = fixture("demo_stream.json");
    streamed.request.path =
        format!("{prefix}/publishers/google/models/gemini-2.5-flash:streamGenerateContent");
    let server = ReplayServer::start(vec![whole, streamed]).await.unwrap();
    let client = Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(anyllm_gemini::VertexAiProvider::new(
            "anyllm-demo",
            "us-central1",
        )))
        .api_key("vertexai", "ya29.test-token")
        .api_base("vertexai", format!("{}{prefix}", server.url()))
        .max_retries(0)
        .build()
        .unwrap();
    let mut params = demo_params();
    params.model = "vertexai:gemini-2.5-flash".to_owned();
    let message = client.messages(&params).await.unwrap();
    assert!(message.text().starts_with("The sky looks blue"));
    let streamed = client
        .messages(&params)
        .stream()
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(streamed.text(), message.text());
    server.replay().assert_clean();
}

/// A two-turn tool conversation over HTTP: the streamed, signed function
/// call of turn 1 goes back in turn 2 with its signature on the same part,
/// and the tool result carries the function's name (pinned by the fixtures'
/// request bodies).
#[tokio::test]
async fn tool_conversation_replays_signatures() {
    let server = ReplayServer::start(vec![fixture("tool_turn_1.json"), fixture("tool_turn_2.json")])
        .await
        .unwrap();
    let client = client(&server);
    let mut params: MessageCreateParams = serde_json::from_value(serde_json::json!({
        "model": "gemini:gemini-2.5-flash", "max_tokens": 2048,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "tools": [{"name": "get_weather", "description": "Current weather for a city",
                   "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
        "messages": [{"role": "user", "content": "What is the weather in Paris?"}]
    }))
    .unwrap();
    let first = client
        .messages(&params)
        .stream()
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(first.stop_reason, Some(StopReason::ToolUse));
    let kinds: Vec<&str> = first.content.iter().map(|b| b.type_name()).collect();
    assert_eq!(kinds, ["thinking", "tool_use", "thinking"]);
    let call = first.tool_uses().next().unwrap().clone();
    assert_eq!(call.input, serde_json::json!({"city": "Paris"}));

    use anyllm::Conversation;
    params
        .push_response(&first)
        .push_tool_results([(call.id.clone(), r#"{"temp_c": 18, "sky": "clear"}"#)]);
    let second = client.messages(&params).await.unwrap();
    server.replay().assert_clean();
    assert_eq!(second.text(), "It is 18 °C with a clear sky in Paris.");
    assert_eq!(second.stop_reason, Some(StopReason::EndTurn));
}

/// A metadata server on 127.0.0.1 (plain HTTP/1.1, one reply per
/// connection) handing out `ya29.meta-<n>`; counts the tokens it gave.
async fn metadata_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c2 = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
            assert!(text.contains("metadata-flavor: google"), "{text}");
            assert!(text.starts_with("get /computemetadata/v1/instance/service-accounts/default/token"));
            let n = c2.fetch_add(1, Ordering::SeqCst);
            let body =
                format!(r#"{{"access_token":"ya29.meta-{n}","expires_in":3599,"token_type":"Bearer"}}"#);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    (addr.to_string(), count)
}

/// `vertexai` from the environment with no token: Application Default
/// Credentials (here the metadata server) give the token, added on every
/// attempt by the provider's hook and cached across calls; a 401 refreshes
/// it once and retries once (with retries off). Whole, streamed and
/// count-tokens calls all carry it.
#[tokio::test]
async fn vertex_default_credentials_through_the_client() {
    use std::sync::atomic::Ordering;
    let (metadata, tokens) = metadata_server().await;
    let prefix = "/v1/projects/anyllm-demo/locations/us-central1";
    let bearer = |n: usize| -> (String, serde_json::Value) {
        ("authorization".to_owned(), format!("Bearer ya29.meta-{n}").into())
    };
    let mut whole = fixture("demo.json");
    whole.request.path = format!("{prefix}/publishers/google/models/gemini-2.5-flash:generateContent");
    whole.request.headers.extend([bearer(0)]);
    // The first streamed attempt is refused (an expired token, say) …
    let mut refused = fixture("demo_stream.json");
    refused.request.path =
        format!("{prefix}/publishers/google/models/gemini-2.5-flash:streamGenerateContent");
    refused.request.headers.extend([bearer(0)]);
    refused.response.status = 401;
    refused.response.headers = serde_json::Map::from_iter([(
        "content-type".to_owned(),
        serde_json::Value::from("application/json"),
    )]);
    refused.response.body = Some(
        r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#
            .to_owned(),
    );
    // … the retry carries a fresh one.
    let mut streamed = fixture("demo_stream.json");
    streamed.request.path = refused.request.path.clone();
    streamed.request.headers.extend([bearer(1)]);
    let mut count = fixture("count_tokens.json");
    count.request.path = format!("{prefix}/publishers/google/models/gemini-2.5-flash:countTokens");
    let mut body = count.request.body["generateContentRequest"].clone();
    body.as_object_mut().unwrap().remove("model");
    count.request.body = body;
    count.request.headers.extend([bearer(1)]);
    let rules = anyllm_testkit::MatchRules::default().require_headers(["authorization"]);
    let server = ReplayServer::start_with_rules(vec![whole, refused, streamed, count], rules)
        .await
        .unwrap();

    let home = std::env::temp_dir().join(format!("anyllm-vertex-adc-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let env = MapEnv::new([
        ("GOOGLE_CLOUD_PROJECT", "anyllm-demo"),
        ("HOME", home.to_str().unwrap()),
        ("GCE_METADATA_HOST", metadata.as_str()),
    ]);
    let vertex = anyllm_gemini::VertexAiProvider::from_env(&env);
    let client = Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(vertex))
        .api_base("vertexai", format!("{}{prefix}", server.url()))
        .max_retries(0)
        .build()
        .unwrap();
    let mut params = demo_params();
    params.model = "vertexai:gemini-2.5-flash".to_owned();
    let message = client.messages(&params).await.unwrap();
    assert!(message.text().starts_with("The sky looks blue"));
    assert_eq!(tokens.load(Ordering::SeqCst), 1);
    let streamed = client
        .messages(&params)
        .stream()
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(streamed.text(), message.text());
    assert_eq!(tokens.load(Ordering::SeqCst), 2, "refreshed once after the 401");
    let counted = client
        .count_tokens(&CountTokensParams::from(&params))
        .await
        .unwrap();
    assert_eq!(counted.input_tokens, 19);
    assert_eq!(tokens.load(Ordering::SeqCst), 2, "the refreshed token is cached");
    server.replay().assert_clean();
    let _ = std::fs::remove_dir_all(&home);
}
