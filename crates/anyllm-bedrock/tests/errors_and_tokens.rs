//! Errors, mid-stream exceptions and `count_tokens` through the real
//! `anyllm` client over loopback HTTP (hand-written exchanges; shapes from
//! botocore's `bedrock-runtime` service model).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../messages-convert/tests/bedrock_support/mod.rs"]
mod bedrock_support;

use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams, StreamEvent};
use anyllm_bedrock::{BedrockAnthropicProvider, BedrockProvider};
use anyllm_testkit::{exchange, ReplayServer};
use base64::Engine as _;
use messages_types::{CountTokensParams, ErrorKind};
use serde_json::{json, Value};

use bedrock_support::{encode_frames, Frame};

const NOVA: &str = "amazon.nova-lite-v1:0";
const NOVA_PATH: &str = "/model/amazon.nova-lite-v1%3A0";

fn env() -> MapEnv {
    MapEnv::new([("AWS_REGION", "us-east-1")])
}

fn client(server: &ReplayServer) -> Client {
    Client::builder()
        .env(env())
        .register(Arc::new(BedrockProvider::from_env(Arc::new(env()))))
        .register(Arc::new(BedrockAnthropicProvider::from_env(Arc::new(env()))))
        .api_key("bedrock", "bedrock-api-key")
        .api_key("bedrock-anthropic", "bedrock-api-key")
        .api_base("bedrock", server.url())
        .api_base("bedrock-anthropic", server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

fn params(model: &str) -> MessageCreateParams {
    serde_json::from_value(json!({
        "model": model, "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap()
}

fn converse_body() -> Value {
    json!({"messages": [{"role": "user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": 64}})
}

#[tokio::test]
async fn error_responses_are_classified_with_the_request_id() {
    for (status, code, kind) in [
        (429, "ThrottlingException", ErrorKind::RateLimit),
        (403, "AccessDeniedException", ErrorKind::Permission),
        (503, "ServiceUnavailableException", ErrorKind::Overloaded),
        (400, "ValidationException", ErrorKind::InvalidRequest),
    ] {
        let mut ex = exchange(
            "POST",
            &format!("{NOVA_PATH}/converse"),
            converse_body(),
            status,
            "application/json",
            r#"{"message":"Bedrock says no"}"#,
        );
        ex.response.headers.insert(
            "x-amzn-errortype".into(),
            json!(format!(
                "{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
            )),
        );
        ex.response
            .headers
            .insert("x-amzn-requestid".into(), json!("req-err-1"));
        let server = ReplayServer::start(vec![ex]).await.unwrap();
        let err = client(&server)
            .messages(&params(&format!("bedrock:{NOVA}")))
            .await
            .unwrap_err();
        server.replay().assert_clean();
        assert_eq!(err.kind(), kind, "{code}: {err}");
        assert_eq!(err.request_id(), Some("req-err-1"), "{code}");
        let text = err.to_string();
        assert!(text.contains("Bedrock says no") && text.contains(code), "{text}");
        assert!(!text.contains("bedrock-api-key"), "{text}");
    }
}

fn stream_exchange(path: &str, body: Value, frames: &[Frame]) -> anyllm_fixtures::Exchange {
    let mut ex = exchange("POST", path, body, 200, "application/vnd.amazon.eventstream", "");
    ex.stream = true;
    ex.response.body = None;
    ex.response.body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(encode_frames(frames)));
    ex
}

#[tokio::test]
async fn an_exception_mid_stream_ends_it_with_a_typed_error_after_the_delivered_events() {
    let frames = [
        Frame::event("messageStart", r#"{"role":"assistant"}"#),
        Frame::event(
            "contentBlockDelta",
            r#"{"contentBlockIndex":0,"delta":{"text":"Hel"}}"#,
        ),
        Frame::exception(
            "throttlingException",
            r#"{"message":"Too many tokens, please wait."}"#,
        ),
    ];
    let server = ReplayServer::start(vec![stream_exchange(
        &format!("{NOVA_PATH}/converse-stream"),
        converse_body(),
        &frames,
    )])
    .await
    .unwrap();
    let mut stream = client(&server)
        .messages(&params(&format!("bedrock:{NOVA}")))
        .stream()
        .await
        .unwrap();
    let mut events: Vec<StreamEvent> = Vec::new();
    let mut error = None;
    while let Some(ev) = stream.next_event().await {
        match ev {
            Ok(ev) => events.push(ev),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    server.replay().assert_clean();
    let names: Vec<&str> = events.iter().map(StreamEvent::type_name).collect();
    assert_eq!(
        names,
        ["message_start", "content_block_start", "content_block_delta"]
    );
    let error = error.expect("the exception ends the stream with an error");
    assert_eq!(error.kind(), ErrorKind::RateLimit, "{error}");
    assert!(error.to_string().contains("Too many tokens"), "{error}");
}

#[tokio::test]
async fn a_cut_invoke_stream_is_an_error_not_a_silent_end() {
    let chunk = |event: &str| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(event);
        Frame::event("chunk", serde_json::to_vec(&json!({"bytes": b64})).unwrap())
    };
    let frames = [
        chunk(
            r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}"#,
        ),
        chunk(r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
        chunk(r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#),
    ];
    let model = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    let body = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hi"}]});
    let server = ReplayServer::start(vec![stream_exchange(
        "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream",
        body,
        &frames,
    )])
    .await
    .unwrap();
    let stream = client(&server)
        .messages(&params(&format!("bedrock-anthropic:{model}")))
        .stream()
        .await
        .unwrap();
    let err = stream.final_message().await.unwrap_err();
    server.replay().assert_clean();
    assert!(err.to_string().contains("message_stop"), "{err}");
}

#[tokio::test]
async fn count_tokens_goes_through_count_tokens() {
    let model = "anthropic.claude-3-haiku-20240307-v1:0";
    let ex = exchange(
        "POST",
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/count-tokens",
        json!({"input": {"converse": {"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}}}),
        200,
        "application/json",
        r#"{"inputTokens": 11}"#,
    );
    for provider in ["bedrock", "bedrock-anthropic"] {
        let server = ReplayServer::start(vec![ex.clone()]).await.unwrap();
        let params: CountTokensParams = serde_json::from_value(json!({
            "model": format!("{provider}:{model}"), "messages": [{"role": "user", "content": "Hi"}]
        }))
        .unwrap();
        let counted = client(&server).count_tokens(&params).await.unwrap();
        server.replay().assert_clean();
        assert_eq!(counted.input_tokens, 11, "{provider}");
    }
}
