//! `bedrock-anthropic` end to end through the real `anyllm` client over
//! loopback HTTP, with every recorded Anthropic exchange
//! (`../shared/fixtures/recorded`, `api: anthropic-messages`, 2xx):
//!
//! * the recorded Anthropic request goes out as the InvokeModel body with
//!   only the documented differences (no `model`, no `stream`,
//!   `anthropic_version: "bedrock-2023-05-31"`), to
//!   `/model/{id}/invoke` or `/invoke-with-response-stream` — the replay
//!   server answers only when the body equals that;
//! * a whole reply comes back as the recorded message;
//! * a recorded stream, wrapped into InvokeModelWithResponseStream `chunk`
//!   frames (`{"bytes": base64}`, encoded by the test's own event-stream
//!   encoder), comes back as the same events.
//!
//! Betas (`anthropic_beta` in the body) are covered by `messages-convert`'s
//! `bedrock_invoke` tests; these calls carry none.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../messages-convert/tests/bedrock_support/mod.rs"]
mod bedrock_support;

use std::sync::Arc;

use anyllm::{Client, MapEnv, Message, MessageCreateParams, StreamEvent};
use anyllm_bedrock::endpoint::model_path_segment;
use anyllm_bedrock::BedrockAnthropicProvider;
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use anyllm_testkit::ReplayServer;
use base64::Engine as _;
use messages_http::SseParser;
use serde_json::json;

use bedrock_support::{encode_frames, Frame};

fn recorded() -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let mut filter = Filter::api("anthropic-messages");
    filter.success = Some(true);
    load_all(&dir, &filter).unwrap()
}

/// The `data` payloads of an SSE body.
fn sse_data(body: &[u8]) -> Vec<Vec<u8>> {
    let mut parser = SseParser::new();
    parser.feed(body);
    parser.finish();
    let mut out = Vec::new();
    while let Some(ev) = parser.next_event().unwrap() {
        if !ev.data.is_empty() {
            out.push(ev.data.to_vec());
        }
    }
    out
}

fn chunk_frame(data: &[u8]) -> Frame {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    Frame::event("chunk", serde_json::to_vec(&json!({ "bytes": b64 })).unwrap())
}

/// The exchange as Bedrock would carry it: the InvokeModel path and body,
/// the reply as is (whole) or wrapped into chunk frames (stream).
fn as_bedrock(e: &Exchange, model: &str) -> Exchange {
    let mut b = e.clone();
    let operation = if e.stream {
        "invoke-with-response-stream"
    } else {
        "invoke"
    };
    b.request.path = format!("/model/{}/{operation}", model_path_segment(model).unwrap());
    b.request.query.clear();
    let body = b.request.body.as_object_mut().unwrap();
    body.remove("model");
    body.remove("stream");
    body.insert("anthropic_version".into(), json!("bedrock-2023-05-31"));
    if e.stream {
        let data = sse_data(e.response.body.as_deref().unwrap().as_bytes());
        let frames: Vec<Frame> = data.iter().map(|d| chunk_frame(d)).collect();
        b.response.body = None;
        b.response.body_base64 =
            Some(base64::engine::general_purpose::STANDARD.encode(encode_frames(&frames)));
        b.response.headers = serde_json::Map::from_iter([(
            "content-type".to_owned(),
            json!("application/vnd.amazon.eventstream"),
        )]);
    }
    b
}

fn client(server: &ReplayServer) -> Client {
    Client::builder()
        .env(MapEnv::new([("AWS_REGION", "us-east-1")]))
        .register(Arc::new(BedrockAnthropicProvider::from_env(Arc::new(
            MapEnv::new([("AWS_REGION", "us-east-1")]),
        ))))
        .api_key("bedrock-anthropic", "bedrock-api-key")
        .api_base("bedrock-anthropic", server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn recorded_anthropic_exchanges_through_invoke_model() {
    let (mut whole, mut streams, mut events_seen, mut untyped) = (0, 0, 0, 0);
    for e in recorded() {
        let file = e.file.clone();
        // The history a Bedrock conversation carries: the signatures Bedrock
        // handed out, minted (the recorded body, what goes out, has them bare).
        let mut history = e.request.body.clone();
        mint_bedrock_json(&mut history);
        let Ok(mut params) = serde_json::from_value::<MessageCreateParams>(history) else {
            // Bodies the typed request cannot hold are checked as JSON in messages-convert.
            untyped += 1;
            continue;
        };
        let model = params.model.clone();
        params.model = format!("bedrock-anthropic:{model}");
        let server = ReplayServer::start(vec![as_bedrock(&e, &model)]).await.unwrap();
        let client = client(&server);
        if e.stream {
            let expected: Vec<StreamEvent> = sse_data(e.response.body.as_deref().unwrap().as_bytes())
                .iter()
                .map(|d| serde_json::from_slice(d).unwrap())
                .take_while(|ev: &StreamEvent| !matches!(ev, StreamEvent::Error(_)))
                .map(|ev| minted_event(&ev))
                .collect();
            let mut stream = client
                .messages(&params)
                .stream()
                .await
                .unwrap_or_else(|err| panic!("{file}: {err}"));
            let mut got = Vec::new();
            while let Some(ev) = stream.next_event().await {
                match ev {
                    Ok(ev) => got.push(ev),
                    Err(_) => break,
                }
            }
            assert_eq!(got, expected, "{file}");
            events_seen += got.len();
            streams += 1;
        } else {
            let message = client
                .messages(&params)
                .await
                .unwrap_or_else(|err| panic!("{file}: {err}"));
            let recorded: Message = serde_json::from_str(e.response.body.as_deref().unwrap()).unwrap();
            assert_eq!(message, minted_message(&recorded), "{file}");
            whole += 1;
        }
        server.replay().assert_clean();
    }
    if recorded_dir_or_skip().is_some() {
        assert_eq!(
            (whole, streams, untyped),
            (193, 122, 0),
            "every 2xx recording, typed"
        );
        assert!(events_seen > streams * 4, "{events_seen} events");
    }
}

/// The recorded Anthropic value as the client hands it out: thinking
/// signatures and `redacted_thinking` data minted with the Bedrock prefix
/// (`messages_convert::signature`), written here independently on the JSON.
fn mint_bedrock_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            let key = match o.get("type").and_then(|t| t.as_str()) {
                Some("thinking" | "signature_delta") => Some("signature"),
                Some("redacted_thinking") => Some("data"),
                _ => None,
            };
            if let Some(serde_json::Value::String(s)) = key.and_then(|k| o.get_mut(k)) {
                if !s.is_empty() {
                    *s = format!("anyllm.bedrock.{s}");
                }
            }
            o.values_mut().for_each(mint_bedrock_json);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(mint_bedrock_json),
        _ => {}
    }
}

fn minted_event(e: &StreamEvent) -> StreamEvent {
    let mut v = serde_json::to_value(e).unwrap();
    mint_bedrock_json(&mut v);
    serde_json::from_value(v).unwrap()
}

fn minted_message(m: &Message) -> Message {
    let mut v = serde_json::to_value(m).unwrap();
    mint_bedrock_json(&mut v);
    serde_json::from_value(v).unwrap()
}
