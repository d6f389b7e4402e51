//! Every recorded Bedrock exchange (`../shared/fixtures/recorded/bedrock/`)
//! replayed through the real `anyllm` client over loopback HTTP
//! ([`ReplayServer`], which answers only when method, path and JSON body
//! equal the recording), signed with SigV4.
//!
//! * the Anthropic equivalent of each recorded request (the reverse mapping
//!   of `messages-convert`'s Bedrock tests) goes out as the recorded body,
//!   with the one documented difference: `inferenceConfig.maxTokens` is
//!   always sent (the Anthropic request requires `max_tokens`);
//! * whole replies equal the direct conversion, with the message id made
//!   from `x-amzn-requestid`;
//! * the event-stream bodies (stored base64, served as the recorded bytes)
//!   give a stream that passes the grammar validator and accumulates to the
//!   whole-reply conversion of the same events;
//! * error replies are typed errors of the right kind with Bedrock's message
//!   and `x-amzn-requestid` as the request id.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../messages-convert/tests/bedrock_support/mod.rs"]
mod bedrock_support;

use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams, StreamEvent};
use anyllm_bedrock::BedrockProvider;
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use anyllm_provider::credentials::{AwsCredentials, AwsCredentialsChain};
use anyllm_testkit::ReplayServer;
use messages_convert::bedrock::wire::ConverseResponse;
use messages_convert::bedrock::{from_converse_response, message_from_slice, ResponseMeta};
use messages_types::ErrorKind;
use serde_json::Value;

use bedrock_support::{
    accumulate_checked, decode_frames, expected_request, fold_native, model_from_path, reverse_request,
};

const REQUEST_ID: &str = "6b2c1d3e-replay";

fn exchanges() -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let all = load_all(&dir, &Filter::api("bedrock-converse")).unwrap();
    assert_eq!(all.len(), 19, "recorded bedrock exchanges");
    all
}

/// The exchange as the server serves it: the body the provider must send
/// ([`expected_request`]) and an `x-amzn-requestid` on the reply.
fn served(mut e: Exchange) -> Exchange {
    e.request.body = expected_request(&e.request.body);
    e.response
        .headers
        .insert("x-amzn-requestid".into(), Value::String(REQUEST_ID.into()));
    e
}

fn client(server: &ReplayServer) -> Client {
    let credentials = AwsCredentialsChain::from_env(Arc::new(MapEnv::empty())).explicit(AwsCredentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("session-token".into()),
    ));
    Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(BedrockProvider::new("us-east-1", Arc::new(credentials))))
        .api_base("bedrock", server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

fn params_of(e: &Exchange) -> (String, MessageCreateParams) {
    let model = model_from_path(&e.request.path);
    let mut anthropic = reverse_request(&model, &e.request.body);
    anthropic["model"] = Value::String(format!("bedrock:{model}"));
    (model, serde_json::from_value(anthropic).unwrap())
}

#[tokio::test]
async fn every_recorded_exchange_replays_through_the_client() {
    let (mut whole, mut streams, mut errors) = (0, 0, 0);
    for e in exchanges() {
        let file = e.file.clone();
        let (model, params) = params_of(&e);
        let server = ReplayServer::start(vec![served(e.clone())]).await.unwrap();
        let client = client(&server);
        match (e.stream, e.response.status) {
            (false, 200) => {
                let message = client
                    .messages(&params)
                    .await
                    .unwrap_or_else(|err| panic!("{file}: {err}"));
                let body = e.response.body.clone().unwrap();
                let mut meta = ResponseMeta::new(&model);
                meta.request_id = Some(REQUEST_ID);
                let direct = message_from_slice(body.as_bytes(), meta).unwrap();
                assert_eq!(message, direct, "{file}");
                assert_eq!(message.id, format!("msg_bdrk_{REQUEST_ID}"), "{file}");
                whole += 1;
            }
            (true, 200) => {
                let mut stream = client
                    .messages(&params)
                    .stream()
                    .await
                    .unwrap_or_else(|err| panic!("{file}: {err}"));
                let mut events: Vec<StreamEvent> = Vec::new();
                while let Some(ev) = stream.next_event().await {
                    events.push(ev.unwrap_or_else(|err| panic!("{file}: {err}")));
                }
                let streamed = accumulate_checked(&file, &events);
                let frames = decode_frames([e.response.body_bytes().unwrap().as_slice()]);
                let reply: ConverseResponse = serde_json::from_value(fold_native(&frames)).unwrap();
                let whole_reply = from_converse_response(&reply, ResponseMeta::new(&model)).unwrap();
                assert_eq!(streamed, whole_reply, "{file}");
                assert!(!streamed.content.is_empty(), "{file}: content");
                streams += 1;
            }
            (_, status) => {
                let err = client.messages(&params).await.unwrap_err();
                let native: Value = serde_json::from_str(e.response.body.as_deref().unwrap()).unwrap();
                let expected = match status {
                    400 => ErrorKind::InvalidRequest,
                    404 => ErrorKind::NotFound,
                    s => panic!("{file}: status {s} not expected"),
                };
                assert_eq!(err.kind(), expected, "{file}: {err}");
                assert_eq!(err.request_id(), Some(REQUEST_ID), "{file}");
                let text = err.to_string();
                assert!(
                    text.contains(native["message"].as_str().unwrap()),
                    "{file}: {text}"
                );
                assert!(
                    !text.contains("wJalrXUtnFEMI") && !text.contains("session-token"),
                    "{file}"
                );
                errors += 1;
            }
        }
        server.replay().assert_clean();
    }
    if recorded_dir_or_skip().is_some() {
        assert_eq!((whole, streams, errors), (11, 6, 2));
    }
}
