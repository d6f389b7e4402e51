//! The Responses API providers: their rows, count_tokens, and which
//! endpoint `openai` and `azureopenai` use: a request with tools and
//! enabled thinking goes to the Responses API, every other request to Chat
//! Completions; `EndpointPolicy` (or `ANYLLM_OPENAI_API`) forces either;
//! other rows never route. Proven on the built requests and through the
//! client over loopback with a recorded OpenAI tool loop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../messages-convert/tests/openai_responses_support/mod.rs"]
mod openai_responses_support;

use anyllm::{Client, MapEnv};
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Filter};
use anyllm_openai::{spec, EndpointPolicy, OpenAiCompatible};
use anyllm_provider::{ApiKey, CallContext, Error, Provider};
use anyllm_testkit::ReplayServer;
use messages_convert::openai_responses::request_body;
use messages_types::MessageCreateParams;
use openai_responses_support::{anthropic_equivalent, normalized_converted, normalized_recorded};
use serde_json::{json, Map, Value};

fn params(tools: bool, thinking: Option<Value>) -> MessageCreateParams {
    let mut p = json!({
        "model": "o4-mini", "max_tokens": 4096,
        "messages": [{"role": "user", "content": "Weather in Paris?"}]
    });
    if tools {
        p["tools"] = json!([{"name": "get_weather", "input_schema": {"type": "object",
            "properties": {"city": {"type": "string"}}}}]);
    }
    if let Some(t) = thinking {
        p["thinking"] = t;
    }
    serde_json::from_value(p).unwrap()
}

fn enabled() -> Option<Value> {
    Some(json!({"type": "enabled", "budget_tokens": 2048}))
}

fn uri(p: &OpenAiCompatible, params: &MessageCreateParams, base: &str) -> String {
    let mut ctx = CallContext::new(base);
    ctx.api_key = Some(ApiKey::new("sk-test"));
    p.build_request(params, &ctx).unwrap().uri().to_string()
}

#[test]
fn openai_routes_tools_with_thinking_to_responses_and_everything_else_to_chat() {
    let openai = OpenAiCompatible::new(*spec("openai").unwrap());
    let base = "https://api.openai.com/v1";
    let chat = "https://api.openai.com/v1/chat/completions";
    let responses = "https://api.openai.com/v1/responses";
    assert_eq!(uri(&openai, &params(true, enabled()), base), responses);
    assert_eq!(
        uri(&openai, &params(true, Some(json!({"type": "adaptive"}))), base),
        responses
    );
    assert_eq!(uri(&openai, &params(true, None), base), chat);
    assert_eq!(uri(&openai, &params(false, enabled()), base), chat);
    assert_eq!(
        uri(&openai, &params(true, Some(json!({"type": "disabled"}))), base),
        chat
    );
    assert_eq!(uri(&openai, &params(false, None), base), chat);

    // Forced either way.
    let forced_chat = openai
        .clone()
        .with_endpoint_policy(EndpointPolicy::ChatCompletions);
    assert_eq!(uri(&forced_chat, &params(true, enabled()), base), chat);
    let forced_responses = openai.with_endpoint_policy(EndpointPolicy::Responses);
    assert_eq!(uri(&forced_responses, &params(false, None), base), responses);

    // Other rows never route, even with tools and thinking.
    let groq = OpenAiCompatible::new(*spec("groq").unwrap());
    assert_eq!(
        uri(&groq, &params(true, enabled()), "https://api.groq.com/openai/v1"),
        "https://api.groq.com/openai/v1/chat/completions"
    );
}

#[test]
fn the_routed_response_and_stream_are_converted_as_responses() {
    let openai = OpenAiCompatible::new(*spec("openai").unwrap());
    let p = params(true, enabled());
    let body = br#"{"id":"resp_1","status":"completed","model":"o4-mini","output":[
        {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}],
        "usage":{"input_tokens":10,"output_tokens":5}}"#;
    let msg = openai
        .parse_response(&p, http::Response::new(bytes::Bytes::from_static(body)))
        .unwrap();
    assert_eq!(msg.stop_reason, Some(messages_types::StopReason::ToolUse));
    // A Chat Completions body is not a Responses reply (no silent empty message).
    let chat_body = br#"{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,
        "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}"#;
    let err = openai
        .parse_response(&p, http::Response::new(bytes::Bytes::from_static(chat_body)))
        .unwrap_err();
    assert!(err.to_string().contains("not a Responses API response"), "{err}");
    // Not routed: the same body is not a Chat Completions reply.
    let chat_only = openai.with_endpoint_policy(EndpointPolicy::ChatCompletions);
    assert!(chat_only
        .parse_response(&p, http::Response::new(bytes::Bytes::from_static(body)))
        .is_err());
}

#[test]
fn azure_routes_to_its_v1_responses_path_with_the_deployment_as_model() {
    let azure = OpenAiCompatible::new(*spec("azureopenai").unwrap());
    let base = "https://res.openai.azure.com";
    let mut ctx = CallContext::new(base);
    ctx.api_key = Some(ApiKey::new("az-key"));
    let p = params(true, enabled());
    let req = azure.build_request(&p, &ctx).unwrap();
    assert_eq!(req.uri(), "https://res.openai.azure.com/openai/v1/responses");
    assert_eq!(req.headers()["api-key"], "az-key");
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["model"], "o4-mini");
    assert_eq!(body["store"], false);
    assert_eq!(
        uri(&azure, &params(false, None), base),
        "https://res.openai.azure.com/openai/deployments/o4-mini/chat/completions?api-version=2024-10-21"
    );
}

#[test]
fn the_endpoint_env_var_forces_an_endpoint_and_rejects_unknown_values() {
    let p = params(false, None);
    let mut ctx = CallContext::new("https://api.openai.com/v1");
    ctx.api_key = Some(ApiKey::new("sk-test"));
    let find = |env: &MapEnv, name: &str| {
        anyllm_openai::providers_with_env(env)
            .into_iter()
            .find(|p| p.info().name == name)
            .unwrap()
    };
    let env = MapEnv::new([(anyllm_openai::ENDPOINT_ENV, "responses")]);
    let req = find(&env, "openai").build_request(&p, &ctx).unwrap();
    assert_eq!(req.uri(), "https://api.openai.com/v1/responses");
    // Rows outside openai/azureopenai ignore it.
    let req = find(&env, "xai").build_request(&p, &ctx).unwrap();
    assert!(req.uri().path().ends_with("/chat/completions"));

    let env = MapEnv::new([(anyllm_openai::ENDPOINT_ENV, "chat")]);
    let req = find(&env, "openai")
        .build_request(&params(true, enabled()), &ctx)
        .unwrap();
    assert_eq!(req.uri(), "https://api.openai.com/v1/chat/completions");

    let env = MapEnv::new([(anyllm_openai::ENDPOINT_ENV, "sometimes")]);
    let err = find(&env, "openai").build_request(&p, &ctx).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidConfig(m) if m.contains("ANYLLM_OPENAI_API") && m.contains("sometimes")),
        "{err}"
    );
}

/// A recorded OpenAI reasoning tool loop (`/v1/responses`), addressed as
/// `openai:MODEL` with tools and adaptive thinking: the client sends it to
/// the Responses API — the replay server answers only the recorded path and
/// the exact converted body — and the reply is converted as Responses.
/// Forced to Chat Completions, the same call goes to `/v1/chat/completions`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_tool_loop_through_the_client_is_routed_to_responses() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("openai-responses")).unwrap();
    let ex = all
        .iter()
        .find(|e| {
            e.file == "openai/chat_history__chat_appends_reasoning_tool_turns_to_caller_history__0.json"
        })
        .expect("the recorded OpenAI reasoning tool loop");
    let mut params = anthropic_equivalent(&ex.request.body, None).unwrap();
    assert!(params.tools.as_ref().is_some_and(|t| !t.is_empty()));
    // Adaptive thinking sends no effort of its own (output_config.effort
    // stays the recorded one): the body is the recorded one.
    params.thinking = Some(serde_json::from_value(json!({"type": "adaptive"})).unwrap());
    let converted = request_body(&params, false, &Map::new()).unwrap();
    assert_eq!(
        normalized_converted(&converted),
        normalized_recorded(&ex.request.body, params.max_tokens)
    );
    let mut exchange = ex.clone();
    exchange.request.body = serde_json::from_slice(&converted).unwrap();
    let server = ReplayServer::start(vec![exchange]).await.unwrap();
    let client = Client::builder()
        .env(MapEnv::empty())
        .api_key("openai", "sk-test")
        .api_base("openai", format!("{}/v1", server.url()))
        .max_retries(0)
        .build()
        .unwrap();
    let model = params.model.clone();
    params.model = format!("openai:{model}");
    let msg = client.messages(&params).await.unwrap();
    let direct =
        messages_convert::openai_responses::parse_response(&ex.response.body_bytes().unwrap(), &model)
            .unwrap();
    assert_eq!(msg, direct);
    assert!(server.replay().mismatches().is_empty());
    assert_eq!(server.replay().served(), 1);

    // Forced to Chat Completions: the request goes to /chat/completions
    // (the replay server, holding only the Responses exchange, refuses it).
    let server = ReplayServer::start(vec![ex.clone()]).await.unwrap();
    let client = Client::builder()
        .env(MapEnv::new([(anyllm_openai::ENDPOINT_ENV, "chat")]))
        .api_key("openai", "sk-test")
        .api_base("openai", format!("{}/v1", server.url()))
        .max_retries(0)
        .build()
        .unwrap();
    assert!(client.messages(&params).await.is_err());
    let mismatches = server.replay().mismatches();
    assert_eq!(mismatches.len(), 1);
    assert!(
        mismatches[0].path.ends_with("/v1/chat/completions"),
        "{mismatches:?}"
    );
}

#[test]
fn responses_rows_and_count_tokens() {
    use anyllm_openai::{responses_spec, OpenAiResponses};
    use messages_types::CountTokensParams;
    for (name, base, key) in [
        ("openai-responses", "https://api.openai.com/v1", "OPENAI_API_KEY"),
        ("xai-responses", "https://api.x.ai/v1", "XAI_API_KEY"),
        ("azureopenai-responses", "", "AZURE_OPENAI_API_KEY"),
        (
            "openrouter-responses",
            "https://openrouter.ai/api/v1",
            "OPENROUTER_API_KEY",
        ),
        (
            "openai-responses-compatible",
            "",
            "OPENAI_RESPONSES_COMPATIBLE_API_KEY",
        ),
    ] {
        let s = responses_spec(name).unwrap_or_else(|| panic!("missing {name}"));
        assert_eq!((s.default_base_url, s.key_env[0]), (base, key), "{name}");
    }
    let compat = OpenAiResponses::new(*responses_spec("openai-responses-compatible").unwrap());
    let err = compat
        .build_request(&params(false, None), &CallContext::new(""))
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidConfig(m) if m.contains("OPENAI_RESPONSES_COMPATIBLE_BASE_URL")),
        "{err}"
    );
    // A local server without a key: no authorization header.
    let req = compat
        .build_request(
            &params(false, None),
            &CallContext::new("http://127.0.0.1:8080/v1"),
        )
        .unwrap();
    assert_eq!(req.uri(), "http://127.0.0.1:8080/v1/responses");
    assert!(req.headers().get("authorization").is_none());

    let count: CountTokensParams = serde_json::from_value(json!({
        "model": "gpt-5-mini", "system": "Be brief.",
        "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap();
    let openai = OpenAiResponses::new(*responses_spec("openai-responses").unwrap());
    let mut ctx = CallContext::new("https://api.openai.com/v1").with_stream(true);
    ctx.api_key = Some(ApiKey::new("sk-test"));
    let req = openai.build_count_tokens_request(&count, &ctx).unwrap();
    assert_eq!(req.uri(), "https://api.openai.com/v1/responses/input_tokens");
    assert_eq!(req.headers()["accept"], "application/json");
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(
        body,
        json!({"model": "gpt-5-mini", "instructions": "Be brief.",
               "input": [{"type": "message", "role": "user", "content": "Hi"}]})
    );
    let parsed = openai
        .parse_count_tokens(http::Response::new(bytes::Bytes::from_static(
            br#"{"object":"response.input_tokens","input_tokens":12}"#,
        )))
        .unwrap();
    assert_eq!(parsed.input_tokens, 12);
    for name in [
        "xai-responses",
        "azureopenai-responses",
        "openrouter-responses",
        "openai-responses-compatible",
    ] {
        let p = OpenAiResponses::new(*responses_spec(name).unwrap());
        let err = p.build_count_tokens_request(&count, &ctx).unwrap_err();
        assert!(
            matches!(&err, Error::Unsupported { provider, operation: "count_tokens" } if provider == name),
            "{name}: {err}"
        );
    }
}

/// A recorded OpenAI error through the client: typed with its status, and a
/// failed response (HTTP 200, `status: failed`) is the typed error its code
/// names, not a message.
#[test]
fn a_failed_response_is_a_typed_error() {
    use anyllm_openai::{responses_spec, OpenAiResponses};
    let openai = OpenAiResponses::new(*responses_spec("openai-responses").unwrap());
    let body = br#"{"id":"resp_1","status":"failed","output":[],
        "error":{"code":"rate_limit_exceeded","message":"Too many requests"}}"#;
    let err = openai
        .parse_response(
            &params(false, None),
            http::Response::new(bytes::Bytes::from_static(body)),
        )
        .unwrap_err();
    match err {
        Error::Http(e) => {
            assert_eq!(e.status().map(|s| s.as_u16()), Some(429), "{e}");
            assert!(e.to_string().contains("Too many requests"), "{e}");
        }
        other => panic!("{other}"),
    }
}

/// The streamed side of the routing: a recorded OpenAI reasoning tool-loop
/// stream, addressed as `openai:MODEL` with tools and adaptive thinking,
/// goes to `/v1/responses` and comes back as the Responses converter's valid
/// event stream, accumulating to the whole conversion of the final response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_tool_loop_stream_through_the_client_is_routed_to_responses() {
    use messages_types::grammar::validate_stream;
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("openai-responses")).unwrap();
    let ex = all
        .iter()
        .find(|e| e.file == "openai/reasoning_tool_roundtrip__streaming__0.json")
        .expect("a recorded OpenAI reasoning tool-loop stream");
    assert!(ex.stream);
    let mut params = anthropic_equivalent(&ex.request.body, None).unwrap();
    assert!(params.tools.as_ref().is_some_and(|t| !t.is_empty()));
    params.thinking = Some(serde_json::from_value(json!({"type": "adaptive"})).unwrap());
    let converted = request_body(&params, true, &Map::new()).unwrap();
    assert_eq!(
        normalized_converted(&converted),
        normalized_recorded(&ex.request.body, params.max_tokens)
    );
    let mut exchange = ex.clone();
    exchange.request.body = serde_json::from_slice(&converted).unwrap();
    let server = ReplayServer::start(vec![exchange]).await.unwrap();
    let client = Client::builder()
        .env(MapEnv::empty())
        .api_key("openai", "sk-test")
        .api_base("openai", format!("{}/v1", server.url()))
        .max_retries(0)
        .build()
        .unwrap();
    params.model = format!("openai:{}", params.model);
    let mut stream = client.messages(&params).stream().await.unwrap();
    let mut events = Vec::new();
    while let Some(ev) = stream.next_event().await {
        events.push(ev.unwrap());
    }
    validate_stream(&events).unwrap();
    assert!(events
        .iter()
        .any(|e| matches!(e, messages_types::StreamEvent::ContentBlockStart(s)
            if matches!(s.content_block, messages_types::ContentBlock::ToolUse(_)))));
    // The reasoning comes back signed with the item, ready for the next turn.
    assert!(events
        .iter()
        .any(|e| matches!(e, messages_types::StreamEvent::ContentBlockDelta(d)
            if matches!(&d.delta, messages_types::ContentDelta::SignatureDelta(s)
                if s.signature.starts_with("anyllm.oair.")))));
    assert!(server.replay().mismatches().is_empty());
    assert_eq!(server.replay().served(), 1);
}
