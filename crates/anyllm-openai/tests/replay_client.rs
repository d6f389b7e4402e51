//! Every recorded `openai-chat` exchange replayed through the real `anyllm`
//! client over loopback HTTP: the client routes `provider:model` to this
//! crate's provider, sends the converted request (the replay server answers
//! only that exact body), and gets back the recorded answer converted — a
//! `Message`, a valid event stream whose `final_message()` equals converting
//! the same answer directly, or a typed error with the recorded status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::{Client, MapEnv, MessageCreateParams};
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use anyllm_openai::spec;
use anyllm_testkit::ReplayServer;
use messages_convert::openai_chat::{parse_response, request_body, ChunkConverter, ResponseContext};
use messages_http::SseParser;
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::StreamEvent;
use serde_json::json;

/// The table row that serves a recorded provider folder (servers not in the
/// table, e.g. copilot or venice, go through `openai-compatible`).
fn provider_for(folder: &str) -> &'static str {
    if spec(folder).is_some() {
        spec(folder).unwrap().name
    } else {
        "openai-compatible"
    }
}

/// The exchange with its request replaced by what this crate sends for a
/// small Anthropic request to the recorded model, the base URL pointing at
/// the replay server plus the recorded path prefix.
fn rewrite(ex: &Exchange, params: &MessageCreateParams, provider: &str) -> Exchange {
    let d = spec(provider).unwrap().dialect;
    let body = request_body(params, &d, ex.stream, &serde_json::Map::new()).unwrap();
    let mut ex = ex.clone();
    ex.request.body = serde_json::from_slice(&body).unwrap();
    ex
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_exchanges_through_the_client() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("openai-chat")).unwrap();
    let (mut whole, mut streams, mut errors) = (0, 0, 0);
    for ex in &all {
        let provider = provider_for(&ex.provider);
        let model = ex.request.body["model"].as_str().unwrap_or("m").to_owned();
        let params: MessageCreateParams = serde_json::from_value(json!({
            "model": format!("{provider}:{model}"), "max_tokens": 64,
            "messages": [{"role": "user", "content": "Say hi."}]
        }))
        .unwrap();
        let mut native_params = params.clone();
        native_params.model = model.clone();
        let exchange = rewrite(ex, &native_params, provider);
        let server = ReplayServer::start(vec![exchange]).await.unwrap();
        let prefix = ex.request.path.strip_suffix("/chat/completions").unwrap_or("");
        let client = Client::builder()
            .env(MapEnv::empty())
            .api_key(provider, "test-key")
            .api_base(provider, format!("{}{prefix}", server.url()))
            .max_retries(0)
            .build()
            .unwrap();
        let d = spec(provider).unwrap().dialect;
        let direct_ctx = ResponseContext::new(&d, &model);
        let body = ex.response.body_bytes().unwrap();
        if ex.response.status != 200 {
            let err = if ex.stream {
                client.messages(&params).stream().await.err().unwrap()
            } else {
                client.messages(&params).await.unwrap_err()
            };
            assert_eq!(err.status(), Some(ex.response.status), "{}: {err}", ex.file);
            errors += 1;
        } else if ex.stream {
            let mut stream = client
                .messages(&params)
                .stream()
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
            let mut events = Vec::new();
            while let Some(ev) = stream.next_event().await {
                events.push(ev.unwrap_or_else(|e| panic!("{}: {e}", ex.file)));
            }
            validate_stream(&events).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
            let direct = direct_stream(&body, &direct_ctx);
            // A server without a response id gets a fresh generated id on each
            // conversion (`msg_anyllm_…`, unique by design): those two may differ.
            if let (Some(StreamEvent::MessageStart(a)), Some(StreamEvent::MessageStart(b))) =
                (events.first_mut(), direct.first())
            {
                same_generated_id(&mut a.message, &b.message);
            }
            assert_eq!(
                events, direct,
                "{}: the client delivers exactly the converted events",
                ex.file
            );
            let mut fin = client
                .messages(&params)
                .stream()
                .await
                .unwrap()
                .final_message()
                .await
                .unwrap();
            let mut acc = MessageAccumulator::new();
            for e in &direct {
                acc.push(e).unwrap();
            }
            let acc = acc.finish().unwrap();
            same_generated_id(&mut fin, &acc);
            assert_eq!(fin, acc, "{}: final_message", ex.file);
            streams += 1;
        } else {
            let mut msg = client
                .messages(&params)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
            let direct = parse_response(&body, &direct_ctx).unwrap();
            same_generated_id(&mut msg, &direct);
            assert_eq!(
                serde_json::to_value(&msg).unwrap(),
                serde_json::to_value(&direct).unwrap(),
                "{}",
                ex.file
            );
            whole += 1;
        }
        let mismatches = server.replay().mismatches();
        assert!(
            mismatches.is_empty(),
            "{}: request differs: {mismatches:?}",
            ex.file
        );
    }
    assert!(
        whole >= 400 && streams >= 290 && errors >= 40,
        "{whole} {streams} {errors}"
    );
}

/// Converting the recorded SSE body directly (no client, no HTTP).
/// A server without a response id gets a fresh generated id on each
/// conversion (`msg_anyllm_…`, unique by design): two conversions of one
/// reply then differ only there.
fn same_generated_id(a: &mut anyllm::Message, b: &anyllm::Message) {
    if a.id.starts_with("msg_anyllm_") && b.id.starts_with("msg_anyllm_") {
        a.id.clone_from(&b.id);
    }
}

fn direct_stream(body: &[u8], ctx: &ResponseContext<'_>) -> Vec<StreamEvent> {
    let mut parser = SseParser::new();
    parser.feed(body);
    parser.finish();
    let mut conv = ChunkConverter::new(ctx);
    let mut out = Vec::new();
    while let Some(ev) = parser.next_event().unwrap() {
        conv.push(&ev.data, &mut out).unwrap();
    }
    conv.finish(&mut out).unwrap();
    out
}

/// The project's own OpenAI error fixtures, through the client: a 401 comes
/// back as a typed authentication error with the provider's message and
/// request id; an error object mid-stream ends the stream with a typed error
/// after the text delivered before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_error_fixtures() {
    let fixtures = anyllm_fixtures::project_fixtures_dir().join("openai");
    let load = |name: &str| -> Exchange {
        serde_json::from_slice(&std::fs::read(fixtures.join(name)).unwrap()).unwrap()
    };
    let demo: MessageCreateParams = serde_json::from_slice(
        &std::fs::read(anyllm_fixtures::project_fixtures_dir().join("demo_request.json")).unwrap(),
    )
    .unwrap();
    let mut params = demo.clone();
    params.model = "openai:gpt-4.1-mini".into();

    let server = ReplayServer::start(vec![load("error_authentication.json")])
        .await
        .unwrap();
    let client = Client::builder()
        .env(MapEnv::empty())
        .api_key("openai", "sk-test")
        .api_base("openai", format!("{}/v1", server.url()))
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.messages(&params).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.kind(), messages_types::ErrorKind::Authentication);
    assert_eq!(err.request_id(), Some("req_demo_openai_401"));
    assert!(err
        .to_error_response()
        .error
        .message
        .starts_with("Incorrect API key provided"));
    assert!(server.replay().mismatches().is_empty());

    let server = ReplayServer::start(vec![load("stream_server_error.json")])
        .await
        .unwrap();
    let client = Client::builder()
        .env(MapEnv::empty())
        .api_key("openai", "sk-test")
        .api_base("openai", format!("{}/v1", server.url()))
        .max_retries(0)
        .build()
        .unwrap();
    let mut stream = client.messages(&params).stream().await.unwrap();
    let mut text = String::new();
    let mut failure = None;
    while let Some(ev) = stream.next_event().await {
        match ev {
            Ok(StreamEvent::ContentBlockDelta(d)) => {
                if let messages_types::ContentDelta::TextDelta(t) = d.delta {
                    text.push_str(&t.text);
                }
            }
            Ok(_) => {}
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    assert_eq!(text, "The sky looks blue because");
    let failure = failure.expect("the stream must fail");
    assert_eq!(failure.kind(), messages_types::ErrorKind::Api, "{failure}");
    assert!(server.replay().mismatches().is_empty());
}
