//! The library calls against replayed traffic: metadata, streaming helpers,
//! structured output, validation, routing, blocking use, timeouts,
//! cancellation and multi-turn tool loops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyllm::{
    Client, ContentBlock, Conversation, Error, MapEnv, MessageCreateParams, MessageParam, RequestOptions,
};
use anyllm_fixtures::{load, project_fixtures_dir, recorded_dir_or_skip, Exchange};
use anyllm_testkit::{exchange, json_diff, ReplayServer, ReplayTransport};
use futures_util::StreamExt;
use messages_http::{BoxFuture, ResponseBody, Transport};
use serde_json::{json, Value};

fn fixture(name: &str) -> Exchange {
    load(&project_fixtures_dir(), &format!("anthropic/{name}")).unwrap()
}

fn params_of(e: &Exchange) -> MessageCreateParams {
    serde_json::from_value(e.request.body.clone()).unwrap()
}

fn client_on(t: Arc<dyn Transport>) -> Client {
    Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "sk-ant-test")]))
        .transport(t)
        .max_retries(0)
        .build()
        .unwrap()
}

fn replay(exchanges: Vec<Exchange>) -> (Client, ReplayTransport) {
    let t = ReplayTransport::new(exchanges);
    (client_on(Arc::new(t.clone())), t)
}

#[tokio::test]
async fn the_raw_variant_gives_status_headers_request_id_and_rate_limits() {
    let ex = fixture("demo.json");
    let (client, t) = replay(vec![ex.clone()]);
    let raw = client.messages(&params_of(&ex)).raw().await.unwrap();
    assert_eq!(raw.status, 200);
    assert_eq!(raw.request_id.as_deref(), Some("req_01DemoWhole"));
    assert_eq!(raw.rate_limits.requests_remaining(), Some(49));
    assert_eq!(raw.header("content-type"), Some("application/json"));
    assert!(raw.body.text().starts_with("The sky looks blue"));
    t.replay().assert_clean();
}

#[tokio::test]
async fn streams_expose_metadata_first_then_snapshots_text_and_the_final_message() {
    let ex = fixture("demo_stream.json");
    let (client, t) = replay(vec![ex.clone(), ex.clone(), ex.clone()]);
    let params = params_of(&ex);

    let mut stream = client.messages(&params).stream().await.unwrap();
    assert_eq!(stream.request_id(), Some("req_01DemoStream"));
    assert_eq!(stream.status(), 200);
    assert!(stream.snapshot().is_none());
    let mut texts = Vec::new();
    while let Some(ev) = stream.next_event().await {
        ev.unwrap();
        if let Some(s) = stream.snapshot() {
            texts.push(s.text());
        }
    }
    assert!(texts.len() >= 5);
    assert!(
        texts.windows(2).all(|w| w[1].starts_with(&w[0])),
        "snapshots only grow"
    );
    let full = texts.last().unwrap().clone();
    assert!(full.ends_with("(Rayleigh scattering)."));

    let pieces: Vec<String> = client
        .messages(&params)
        .stream()
        .await
        .unwrap()
        .text_stream()
        .map(|t| t.unwrap())
        .collect()
        .await;
    assert_eq!(pieces.len(), 3);
    assert_eq!(pieces.concat(), full);

    let text = client
        .messages(&params)
        .stream()
        .await
        .unwrap()
        .final_text()
        .await
        .unwrap();
    assert_eq!(text, full);
    t.replay().assert_clean();
}

#[tokio::test]
async fn a_mid_stream_error_event_is_a_typed_error_after_the_prior_events() {
    let ex = fixture("stream_overloaded_error.json");
    let (client, _t) = replay(vec![ex.clone(), ex.clone()]);
    let mut stream = client.messages(&params_of(&ex)).stream().await.unwrap();
    let mut n = 0;
    let err = loop {
        match stream.next_event().await.unwrap() {
            Ok(_) => n += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(n, 4);
    assert!(
        stream.next_event().await.is_none(),
        "the stream ends after the error"
    );
    assert!(
        matches!(&err, Error::Http(e @ messages_http::Error::Api(_)) if e.kind() == anyllm::ErrorKind::Overloaded),
        "{err}"
    );
    assert_eq!(err.kind().as_str(), "overloaded_error");
    assert_eq!(err.request_id(), Some("req_01DemoOverload"));
    let err = client
        .messages(&params_of(&ex))
        .stream()
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(529));
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
struct Capital {
    /// The country.
    country: String,
    city: String,
    #[schemars(length(min = 2))]
    tags: Vec<String>,
}

fn message_with_text(text: &str) -> String {
    json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
        "stop_sequence": null, "usage": {"input_tokens": 10, "output_tokens": 12}})
    .to_string()
}

#[tokio::test]
async fn structured_output_sends_the_strict_schema_and_parses_the_text() {
    let base = anyllm::params(
        "claude-haiku-4-5",
        300,
        vec![MessageParam::user("Capital of France?")],
    );
    let schema = anyllm::structured::schema_for::<Capital>();
    // The SDK's rules, applied to the schemars schema.
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["properties"]["tags"]["description"], "{minItems: 2}");
    assert!(schema.get("$schema").is_none());
    let mut expected = serde_json::to_value(&base).unwrap();
    expected["output_config"] = json!({"format": {"type": "json_schema", "schema": schema}});
    let answer = r#"{"country":"France","city":"Paris","tags":["capital","large"]}"#;
    let ex = exchange(
        "POST",
        "/v1/messages",
        expected,
        200,
        "application/json",
        &message_with_text(answer),
    );
    let (client, t) = replay(vec![ex]);
    let parsed = client.messages(&base).parse::<Capital>().await.unwrap();
    assert_eq!(parsed.parsed_output().unwrap().city, "Paris");
    assert_eq!(parsed.parsed_blocks[0].index, 0);
    t.replay().assert_clean();

    // Streamed: the same request with `stream: true`, parsed at the end.
    let mut streamed = base.clone();
    anyllm::structured::apply_output_format::<Capital>(&mut streamed);
    let mut expected = serde_json::to_value(&streamed).unwrap();
    expected["stream"] = json!(true);
    let msg: anyllm::Message = serde_json::from_str(&message_with_text(answer)).unwrap();
    let sse: String = msg
        .to_stream_events()
        .iter()
        .map(|e| e.to_sse().unwrap())
        .collect();
    let ex = exchange("POST", "/v1/messages", expected, 200, "text/event-stream", &sse);
    let (client, t) = replay(vec![ex]);
    let parsed = client
        .messages(&streamed)
        .stream()
        .await
        .unwrap()
        .final_parsed::<Capital>()
        .await
        .unwrap();
    assert_eq!(parsed.parsed_output().unwrap().tags, ["capital", "large"]);
    t.replay().assert_clean();

    // A raw output_config passes through untouched (and is still parsed).
    let mut raw = base.clone();
    raw.output_config = Some(
        serde_json::from_value(json!({"format": {"type": "json_schema",
            "schema": {"type": "object", "properties": {"city": {"type": "string"}}}}, "effort": "low"}))
        .unwrap(),
    );
    let ex = exchange(
        "POST",
        "/v1/messages",
        serde_json::to_value(&raw).unwrap(),
        200,
        "application/json",
        &message_with_text("not json"),
    );
    let (client, t) = replay(vec![ex]);
    let err = client.messages(&raw).parse::<Capital>().await.unwrap_err();
    assert!(err.to_string().contains("structured output"), "{err}");
    t.replay().assert_clean();
}

/// The interleaved-thinking beta lifts the `budget_tokens < max_tokens` rule
/// whether it comes as a beta name or as an `anthropic-beta` header.
#[tokio::test]
async fn an_interleaved_thinking_beta_header_is_honoured_by_validation() {
    let mut ex = fixture("demo.json");
    ex.request.body["max_tokens"] = json!(4000);
    ex.request.body["thinking"] = json!({"type": "enabled", "budget_tokens": 8000});
    let (client, t) = replay(vec![ex.clone(), ex.clone(), ex.clone()]);
    let p = params_of(&ex);
    let err = client.messages(&p).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "thinking.budget_tokens"),
        "{err}"
    );
    let beta = "interleaved-thinking-2025-05-14";
    client.messages(&p).beta(beta).await.unwrap();
    let header = RequestOptions::new().header(
        http::HeaderName::from_static("anthropic-beta"),
        http::HeaderValue::from_str(&format!("other-beta, {beta}")).unwrap(),
    );
    client.messages(&p).options(header.clone()).await.unwrap();
    let default_header = Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "sk-ant-test")]))
        .transport(Arc::new(t.clone()))
        .default_header("anthropic-beta", beta)
        .build()
        .unwrap();
    default_header.messages(&p).await.unwrap();
    assert_eq!(t.replay().served(), 3);
    t.replay().assert_clean();
}

#[tokio::test]
async fn nothing_is_sent_when_validation_fails() {
    let (client, t) = replay(vec![fixture("demo.json")]);
    let mut p = params_of(&fixture("demo.json"));
    p.messages.push(MessageParam::user(vec![ContentBlock::ToolResult(
        anyllm::ToolResultBlock::new("toolu_missing", "x"),
    )]));
    let err = client.messages(&p).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "messages[1].content[0].tool_use_id"),
        "{err}"
    );
    let mut p = params_of(&fixture("demo.json"));
    p.model = String::new();
    assert!(
        matches!(client.messages(&p).await.unwrap_err(), Error::Validation { field, .. } if field == "model")
    );
    assert_eq!(t.replay().served(), 0);
    assert!(t.replay().mismatches().is_empty());
}

#[tokio::test]
async fn routing_keys_and_unknown_providers() {
    let ex = fixture("demo.json");
    let t = ReplayTransport::new(vec![ex.clone(), ex.clone(), ex.clone()]);
    let no_key = Client::builder()
        .env(MapEnv::empty())
        .transport(Arc::new(t.clone()))
        .build()
        .unwrap();
    let err = no_key.messages(&params_of(&ex)).await.unwrap_err();
    assert!(matches!(&err, Error::MissingApiKey { env_var, .. } if env_var == "ANTHROPIC_API_KEY"));
    // A per-call key and an explicit provider.
    let opts = RequestOptions::new().provider("anthropic").api_key("sk-per-call");
    no_key
        .messages(&params_of(&ex))
        .options(opts.clone())
        .await
        .unwrap();
    // The same through the builder's own setters; `options` replaces what was set before it.
    no_key
        .messages(&params_of(&ex))
        .provider("anthropic")
        .api_key("sk-per-call")
        .await
        .unwrap();
    let err = no_key
        .messages(&params_of(&ex))
        .api_key("sk-per-call")
        .options(RequestOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::MissingApiKey { .. }), "{err}");
    // `anthropic:` prefix is stripped before sending.
    let mut p = params_of(&ex);
    p.model = format!("anthropic:{}", p.model);
    client_on(Arc::new(t.clone())).messages(&p).await.unwrap();
    t.replay().assert_clean();
    let mut p = params_of(&ex);
    p.model = "mystery:model-1".into();
    let err = no_key.messages(&p).await.unwrap_err();
    match err {
        Error::UnknownProvider { name, known } => {
            assert_eq!(name, "mystery");
            assert!(known.contains(&"anthropic".to_owned()));
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn count_tokens_with_metadata() {
    let ex = fixture("count_tokens.json");
    let (client, t) = replay(vec![ex.clone()]);
    let params: anyllm::CountTokensParams = serde_json::from_value(ex.request.body.clone()).unwrap();
    let raw = client.count_tokens(&params).raw().await.unwrap();
    assert_eq!(raw.body.input_tokens, 24);
    assert_eq!(raw.request_id.as_deref(), Some("req_01DemoCount"));
    t.replay().assert_clean();
}

#[tokio::test]
async fn large_max_tokens_is_not_refused_on_a_whole_call() {
    let mut ex = fixture("demo.json");
    ex.request.body["max_tokens"] = json!(128_000);
    let (client, t) = replay(vec![ex.clone()]);
    client.messages(&params_of(&ex)).await.unwrap();
    t.replay().assert_clean();
}

#[tokio::test(start_paused = true)]
async fn the_timeout_is_configurable_per_client_and_per_call() {
    let client = client_on(Arc::new(messages_http::test_util::NeverTransport));
    let p = params_of(&fixture("demo.json"));
    let opts = RequestOptions::new().timeout(Duration::from_secs(7));
    let err = client.messages(&p).options(opts.clone()).await.unwrap_err();
    match err {
        Error::Http(messages_http::Error::Timeout { after, .. }) => {
            assert_eq!(after, Duration::from_secs(7));
        }
        other => panic!("{other}"),
    }
    // The client default is the SDK's 10 minutes.
    assert_eq!(anyllm::DEFAULT_TIMEOUT, Duration::from_secs(600));
    let err = client.messages(&p).await.unwrap_err();
    assert!(
        matches!(err, Error::Http(messages_http::Error::Timeout { after, .. }) if after == anyllm::DEFAULT_TIMEOUT)
    );
    // Per client.
    let per_client = Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "sk-ant-test")]))
        .transport(Arc::new(messages_http::test_util::NeverTransport))
        .timeout(Duration::from_secs(3))
        .max_retries(0)
        .build()
        .unwrap();
    let err = per_client.messages(&p).await.unwrap_err();
    assert!(
        matches!(err, Error::Http(messages_http::Error::Timeout { after, .. }) if after == Duration::from_secs(3)),
        "{err}"
    );
}

/// A transport whose streaming body records when it is dropped.
struct DropWatch {
    dropped: Arc<AtomicBool>,
    sse: String,
}

struct Guard(Arc<AtomicBool>);
impl Drop for Guard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Transport for DropWatch {
    fn send(
        &self,
        _req: http::Request<bytes::Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>, messages_http::Error>> {
        let guard = Guard(self.dropped.clone());
        let first = bytes::Bytes::from(self.sse.clone());
        // One chunk, then a body that never ends.
        let body = futures_util::stream::once(async move { Ok(first) })
            .chain(futures_util::stream::pending())
            .map(move |c| {
                let _keep = &guard;
                c
            });
        let mut resp = http::Response::new(ResponseBody::new(body));
        resp.headers_mut().insert(
            "content-type",
            http::HeaderValue::from_static("text/event-stream"),
        );
        Box::pin(async move { Ok(resp) })
    }
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_request() {
    let ex = fixture("demo_stream.json");
    let sse: String = ex
        .response
        .body
        .clone()
        .unwrap()
        .split("event: content_block_stop")
        .next()
        .unwrap()
        .to_owned();
    let dropped = Arc::new(AtomicBool::new(false));
    let client = client_on(Arc::new(DropWatch {
        dropped: dropped.clone(),
        sse,
    }));
    let mut stream = client.messages(&params_of(&ex)).stream().await.unwrap();
    let first = stream.next_event().await.unwrap().unwrap();
    assert_eq!(first.type_name(), "message_start");
    assert!(!dropped.load(Ordering::SeqCst));
    drop(stream);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the body (and its connection) is released"
    );
}

#[test]
fn blocking_calls_work_outside_a_runtime_and_refuse_inside_one() {
    let whole = fixture("demo.json");
    let stream = fixture("demo_stream.json");
    let count = fixture("count_tokens.json");
    let server = ReplayServer::start_background(vec![whole.clone(), stream.clone(), count.clone()]).unwrap();
    let inner = Client::builder()
        .env(MapEnv::new([
            ("ANTHROPIC_API_KEY", "k"),
            ("ANTHROPIC_BASE_URL", server.url().as_str()),
        ]))
        .build()
        .unwrap();
    let client = anyllm::blocking::Client::new(inner).unwrap();
    let msg = client.messages(&params_of(&whole)).send().unwrap();
    assert!(msg.text().starts_with("The sky"));
    let events: Vec<_> = client
        .messages(&params_of(&stream))
        .stream()
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    assert_eq!(events.len(), 9);
    let raw = client.messages(&params_of(&whole)).raw().unwrap();
    assert_eq!(raw.request_id.as_deref(), Some("req_01DemoWhole"));
    let count_params: anyllm::CountTokensParams = serde_json::from_value(count.request.body.clone()).unwrap();
    assert_eq!(
        client.count_tokens(&count_params).send().unwrap().input_tokens,
        24
    );
    server.replay().assert_clean();

    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let err = rt
        .block_on(async { client.messages(&params_of(&whole)).send() })
        .unwrap_err();
    assert!(matches!(err, Error::Runtime(_)), "{err}");
    assert!(err.to_string().contains("inside an async runtime"));
    // A blocking stream iterated inside a runtime gives the error once, then ends.
    let server = ReplayServer::start_background(vec![stream.clone()]).unwrap();
    let inner = Client::builder()
        .env(MapEnv::new([
            ("ANTHROPIC_API_KEY", "k"),
            ("ANTHROPIC_BASE_URL", server.url().as_str()),
        ]))
        .build()
        .unwrap();
    let client = anyllm::blocking::Client::new(inner).unwrap();
    let s = client.messages(&params_of(&stream)).stream().unwrap();
    let items: Vec<_> = rt.block_on(async { s.collect() });
    assert_eq!(items.len(), 1);
    assert!(matches!(&items[0], Err(Error::Runtime(_))));
}

/// A blocking client (and its stream) built, used and dropped inside an
/// async runtime gives errors, never a panic (tokio panics when a runtime is
/// dropped from async code).
#[tokio::test]
async fn a_blocking_client_made_and_dropped_inside_a_runtime_does_not_panic() {
    let ex = fixture("demo.json");
    let (inner, t) = replay(vec![ex.clone()]);
    let client = anyllm::blocking::Client::new(inner).unwrap();
    let err = client.messages(&params_of(&ex)).send().unwrap_err();
    assert!(matches!(err, Error::Runtime(_)), "{err}");
    let err = client.messages(&params_of(&ex)).stream().unwrap_err();
    assert!(err.to_string().contains("inside an async runtime"), "{err}");
    drop(client);
    let err = anyllm::blocking::messages(
        "anthropic:m",
        vec![MessageParam::user("x")],
        5,
        Default::default(),
    )
    .send()
    .unwrap_err();
    assert!(matches!(err, Error::Runtime(_)), "{err}");
    assert_eq!(t.replay().served(), 0, "nothing was sent");
}

/// A tool loop over the recorded sequential-tool-call conversation: the
/// recorded requests, with each assistant turn being the previous response's
/// blocks verbatim (including the `caller` field the API returned, which the
/// recording client dropped).
#[tokio::test]
async fn a_tool_loop_is_a_few_lines() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let name = |i| format!("anthropic/messages_sessions__sequential_tool_calls_nonstreaming__{i}.json");
    let mut exchanges: Vec<Exchange> = (0..3).map(|i| load(&dir, &name(i)).unwrap()).collect();
    let responses: Vec<Value> = exchanges
        .iter()
        .map(|e| serde_json::from_str(e.response.body.as_deref().unwrap()).unwrap())
        .collect();
    for e in exchanges.iter_mut().skip(1) {
        let msgs = e.request.body["messages"].as_array_mut().unwrap();
        for (turn, resp) in msgs
            .iter_mut()
            .filter(|m| m["role"] == "assistant")
            .zip(&responses)
        {
            *turn = json!({"role": "assistant", "content": resp["content"]});
        }
    }
    let (client, t) = replay(exchanges.clone());
    let mut params = params_of(&exchanges[0]);

    let mut message = client.messages(&params).await.unwrap();
    let mut turns = 1;
    while message.wants_tool_results() {
        let results: Vec<(String, Vec<ContentBlock>)> = message
            .tool_uses()
            .map(|call| {
                let (x, y) = (
                    call.input["x"].as_i64().unwrap(),
                    call.input["y"].as_i64().unwrap(),
                );
                let value = if call.name == "add" { x + y } else { x - y };
                (call.id.clone(), vec![ContentBlock::text(value.to_string())])
            })
            .collect();
        params.push_response(&message).push_tool_results(results);
        message = client.messages(&params).await.unwrap();
        turns += 1;
    }
    assert_eq!(turns, 3);
    assert_eq!(message.text(), "The final number is **2**!");
    let last_request = serde_json::to_value(&params).unwrap();
    assert_eq!(json_diff(&exchanges[2].request.body, &last_request), None);
    t.replay().assert_clean();
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let client = Client::builder()
        .env(MapEnv::new([("OPENAI_API_KEY", "sk-env-secret")]))
        .api_key("anthropic", "sk-ant-explicit-secret")
        .default_header("x-api-key", "sk-header-secret")
        .build()
        .unwrap();
    let dbg = format!("{client:?}");
    for secret in ["sk-env-secret", "sk-ant-explicit-secret", "sk-header-secret"] {
        assert!(!dbg.contains(secret), "{dbg}");
    }
    let opts = RequestOptions::new().api_key("sk-opt-secret");
    assert!(!format!("{opts:?}").contains("sk-opt-secret"));
}

#[test]
fn per_call_headers_are_redacted_in_debug() {
    let opts = RequestOptions::new().header(
        http::HeaderName::from_static("authorization"),
        http::HeaderValue::from_static("Bearer sk-hdr-secret"),
    );
    assert!(!format!("{opts:?}").contains("sk-hdr-secret"));
}

#[test]
fn clients_and_streams_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Client>();
    send_sync::<anyllm::blocking::Client>();
    send_sync::<Error>();
    send::<anyllm::MessageStream>();
    send::<anyllm::blocking::MessageStream>();
}

#[tokio::test(start_paused = true)]
async fn retries_follow_the_client_and_the_call() {
    use messages_http::test_util::{CannedResponse, ReplayTransport as Canned};
    let overloaded = || {
        CannedResponse::new(
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
    };
    let ok = CannedResponse::new(200, message_with_text("fine"));
    let p = params_of(&fixture("demo.json"));

    // The default (2 retries) rides out two 529s.
    let t = Canned::new([overloaded(), overloaded(), ok.clone()]);
    let client = Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "k")]))
        .transport(Arc::new(t.clone()))
        .build()
        .unwrap();
    assert_eq!(client.messages(&p).await.unwrap().text(), "fine");
    assert_eq!(t.requests().len(), 3);

    // One retry per call is not enough for two 529s.
    let t = Canned::new([overloaded(), overloaded(), ok]);
    let client = Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "k")]))
        .transport(Arc::new(t.clone()))
        .build()
        .unwrap();
    let err = client.messages(&p).max_retries(1).await.unwrap_err();
    assert_eq!(err.status(), Some(529));
    assert_eq!(t.requests().len(), 2);
}

#[tokio::test]
async fn default_headers_betas_and_extra_body_reach_the_wire() {
    use messages_http::test_util::{CannedResponse, ReplayTransport as Canned};
    let t = Canned::new([
        CannedResponse::new(200, message_with_text("a")),
        CannedResponse::new(200, message_with_text("b")),
    ]);
    let client = Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "k")]))
        .transport(Arc::new(t.clone()))
        .default_header("x-team", "blue")
        .beta("files-api-2025-04-14")
        .build()
        .unwrap();
    let p = params_of(&fixture("demo.json"));
    client.messages(&p).await.unwrap();
    let opts = RequestOptions::new()
        .header(
            http::HeaderName::from_static("x-team"),
            http::HeaderValue::from_static("red"),
        )
        .beta("context-1m-2025-08-07")
        .extra_body("service_tier", json!("standard_only"));
    client.messages(&p).options(opts.clone()).await.unwrap();
    let reqs = t.requests();
    assert_eq!(reqs[0].headers()["x-team"], "blue");
    assert_eq!(reqs[0].headers()["anthropic-beta"], "files-api-2025-04-14");
    assert_eq!(reqs[1].headers()["x-team"], "red", "per-call headers win");
    assert_eq!(
        reqs[1].headers()["anthropic-beta"],
        "files-api-2025-04-14,context-1m-2025-08-07"
    );
    let body: Value = serde_json::from_slice(reqs[1].body()).unwrap();
    assert_eq!(body["service_tier"], "standard_only");
    assert!(reqs[0].headers()["user-agent"]
        .to_str()
        .unwrap()
        .starts_with("anyllm/"));
}

#[tokio::test]
async fn a_stream_cut_before_message_stop_ends_with_an_error_not_silently() {
    let mut ex = fixture("demo_stream.json");
    let body = ex.response.body.clone().unwrap();
    let cut = body
        .find("event: message_stop")
        .expect("the fixture has a message_stop");
    ex.response.body = Some(body[..cut].to_owned());
    let (client, _t) = replay(vec![ex.clone(), ex.clone()]);

    let mut stream = client.messages(&params_of(&ex)).stream().await.unwrap();
    let mut delivered = 0;
    let err = loop {
        match stream.next_event().await {
            Some(Ok(_)) => delivered += 1,
            Some(Err(e)) => break e,
            None => panic!("a truncated stream ended without an error after {delivered} events"),
        }
    };
    assert!(
        delivered > 3,
        "the events before the cut are delivered first ({delivered})"
    );
    assert!(matches!(err, Error::Stream(_)), "{err}");
    assert!(err.to_string().contains("message_stop"), "{err}");
    assert!(
        stream.next_event().await.is_none(),
        "the stream ends after the error"
    );

    let err = client
        .messages(&params_of(&ex))
        .stream()
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("message_stop"), "{err}");
}

#[tokio::test]
async fn anthropic_only_limits_are_not_applied_to_other_providers() {
    use messages_http::test_util::{CannedResponse, ReplayTransport as Canned};
    let completion = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
        "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}"#;
    let body = |model: &str| {
        json!({
            "model": model, "max_tokens": 256,
            "thinking": {"type": "enabled", "budget_tokens": 512},
            "tools": [{"name": "lookup.v2", "input_schema": {"type": "object"}}],
            "messages": [{"role": "user", "content": "Hi"}]
        })
    };
    let t = Canned::new([CannedResponse::new(200, completion)]);
    // Tools with thinking would go to OpenAI's Responses API (issue 17): pinned to Chat
    // Completions, the endpoint this test is about.
    let client = Client::builder()
        .env(MapEnv::new([
            ("OPENAI_API_KEY", "k"),
            ("ANTHROPIC_API_KEY", "k"),
            ("ANYLLM_OPENAI_API", "chat"),
        ]))
        .transport(Arc::new(t.clone()))
        .max_retries(0)
        .build()
        .unwrap();

    // The Anthropic API refuses a 512-token budget, a budget not below max_tokens and a dotted
    // tool name: nothing is sent.
    let anthropic: MessageCreateParams = serde_json::from_value(body("anthropic:claude-sonnet-4-5")).unwrap();
    let err = client.messages(&anthropic).await.unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    assert_eq!(t.requests().len(), 0);

    // OpenAI takes the same request: the budget becomes the `minimal` effort and the tool name is
    // its own to judge.
    let openai: MessageCreateParams = serde_json::from_value(body("openai:gpt-4.1-mini")).unwrap();
    assert_eq!(client.messages(&openai).await.unwrap().text(), "ok");
    let sent = t.requests();
    assert_eq!(sent.len(), 1);
    let sent: Value = serde_json::from_slice(sent[0].body()).unwrap();
    assert_eq!(sent["reasoning_effort"], "minimal", "{sent}");
    assert_eq!(sent["tools"][0]["function"]["name"], "lookup.v2", "{sent}");
}
