//! The lenient conversion policy per family (`anyllm::lenient`,
//! `messages_convert::lenient`): a Claude-Code-like request — betas,
//! `context_management`, `cache_control` on the system prompt, a tool and a
//! message, `top_k`, `metadata.user_id` — sent to each family. Strict: the
//! typed `Unsupported` naming the first field. Lenient: the native request
//! the provider would send (snapshot) and the exact report. Then a property:
//! whatever droppable fields a request carries, lenient never removes a
//! message, content block, system block or tool, and a field the policy
//! keeps stays an error.
//!
//! The request's shape follows what Claude Code sends to `POST /v1/messages`
//! (its system prompt and tools with `cache_control`, `context_management`
//! edits, the `interleaved-thinking` / `context-management` betas); written
//! by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::{CallContext, Client, ConversionPolicy, Error, MapEnv, MessageCreateParams, RequestOptions};
use messages_convert::lenient::DropKind;
use messages_convert::ConvertError;
use proptest::prelude::*;
use serde_json::{json, Value};

const BETAS: [&str; 2] = ["interleaved-thinking-2025-05-14", "context-management-2025-06-27"];

fn client() -> Client {
    Client::builder()
        .env(MapEnv::new([
            ("OPENAI_API_KEY", "k"),
            ("GEMINI_API_KEY", "k"),
            ("CO_API_KEY", "k"),
            ("COHERE_API_KEY", "k"),
            ("ANTHROPIC_API_KEY", "k"),
            ("AWS_BEARER_TOKEN_BEDROCK", "k"),
            ("AWS_REGION", "us-east-1"),
        ]))
        .build()
        .unwrap()
}

fn claude_code_request(model: &str) -> MessageCreateParams {
    serde_json::from_value(json!({
        "model": model,
        "max_tokens": 32000,
        "top_k": 40,
        "stream": true,
        "metadata": {"user_id": "user_4f1c_account__session_9b2e"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "system": [
            {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude."},
            {"type": "text", "text": "Use the tools to help the user.", "cache_control": {"type": "ephemeral"}}
        ],
        "tools": [{
            "name": "Read", "description": "Reads a file from the local filesystem.",
            "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}},
                             "required": ["file_path"]},
            "cache_control": {"type": "ephemeral"}
        }],
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "What is in README.md?", "cache_control": {"type": "ephemeral"}}]}
        ]
    }))
    .unwrap()
}

fn options() -> RequestOptions {
    BETAS.iter().fold(RequestOptions::new(), |o, b| o.beta(*b))
}

/// The native request `provider:model` would send for `params` (bare model), as JSON.
fn native_body(client: &Client, params: &MessageCreateParams) -> Value {
    let (provider, model) = client.route(&params.model, None).unwrap();
    let mut bare = params.clone();
    bare.model = model;
    let mut ctx = CallContext::new("http://127.0.0.1:9");
    ctx.api_key = Some("k".into());
    let req = provider.build_request(&bare, &ctx).unwrap();
    serde_json::from_slice(req.body()).unwrap()
}

fn unsupported_field(e: Error) -> String {
    match e {
        Error::Convert(ConvertError::Unsupported { field, .. }) => field,
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

/// Strict: the first field each family refuses. Lenient: the snapshot of
/// the native request and the report.
#[test]
fn a_claude_code_request_per_family() {
    let client = client();
    let cases = [
        ("openai:gpt-4.1-mini", "openai_chat"),
        ("openai-responses:gpt-5-mini", "openai_responses"),
        ("gemini:gemini-2.5-flash", "gemini"),
        ("cohere:command-a-03-2025", "cohere"),
        ("bedrock:meta.llama3-3-70b-instruct-v1:0", "bedrock_converse"),
        ("ollama:llama3.2", "ollama"),
    ];
    for (model, name) in cases {
        let params = claude_code_request(model);
        let opts = options();

        let strict = client.apply_policy(&params, &opts, true, ConversionPolicy::Strict);
        assert_eq!(
            unsupported_field(strict.unwrap_err()),
            format!("anthropic-beta: {}", BETAS[0]),
            "{model}: betas are refused first"
        );
        // Without betas, strict refuses the first feature the target lacks (the
        // library's ordinary call gives the same error).
        let no_betas = RequestOptions::new();
        client
            .apply_policy(&params, &no_betas, true, ConversionPolicy::Strict)
            .unwrap();
        let ordinary = client.route(model, None).unwrap();
        let mut bare = params.clone();
        bare.model = ordinary.1;
        let mut ctx = CallContext::new("http://127.0.0.1:9");
        ctx.api_key = Some("k".into());
        let refused = ordinary
            .0
            .validate(&bare, &ctx)
            .and_then(|()| ordinary.0.build_request(&bare, &ctx).map(|_| ()));
        let first = unsupported_field(refused.unwrap_err());

        let fitted = client
            .apply_policy(&params, &opts, true, ConversionPolicy::Lenient)
            .unwrap();
        assert_eq!(
            fitted
                .dropped
                .iter()
                .find(|d| d.kind != DropKind::Beta)
                .unwrap()
                .path,
            first
        );
        assert!(fitted.options.betas.is_empty(), "{model}: betas left the call");
        assert_eq!(fitted.params.model, model, "the model string is the one given");
        // Nothing the conversation needs was removed.
        assert_eq!(fitted.params.messages, params.messages);
        assert_eq!(fitted.params.system, params.system);
        assert_eq!(fitted.params.tools, params.tools);
        let report = serde_json::to_value(&fitted.dropped).unwrap();
        let body = native_body(&client, &fitted.params);
        insta::assert_json_snapshot!(
            format!("claude_code_{name}"),
            json!({"dropped": report, "native_request": body})
        );
    }
}

/// An Anthropic target carries everything: nothing dropped, the request
/// borrowed as it was.
#[test]
fn an_anthropic_target_drops_nothing() {
    let client = client();
    let params = claude_code_request("anthropic:claude-sonnet-4-5");
    let opts = options();
    for policy in [ConversionPolicy::Strict, ConversionPolicy::Lenient] {
        let fitted = client.apply_policy(&params, &opts, false, policy).unwrap();
        assert!(fitted.dropped.is_empty(), "{policy:?}");
        assert!(matches!(fitted.params, std::borrow::Cow::Borrowed(_)));
        assert_eq!(fitted.options.betas, BETAS);
    }
}

/// A beta sent as an `anthropic-beta` header is refused and dropped the same way.
#[test]
fn a_beta_header_counts_as_betas() {
    let client = client();
    let params: MessageCreateParams = serde_json::from_value(json!({
        "model": "gemini:gemini-2.5-flash", "max_tokens": 8,
        "messages": [{"role": "user", "content": "Hi"}]}))
    .unwrap();
    let opts = RequestOptions::new().header(
        http::HeaderName::from_static("anthropic-beta"),
        http::HeaderValue::from_static("a-1, b-2"),
    );
    let err = client
        .apply_policy(&params, &opts, false, ConversionPolicy::Strict)
        .unwrap_err();
    assert_eq!(unsupported_field(err), "anthropic-beta: a-1");
    let fitted = client
        .apply_policy(&params, &opts, false, ConversionPolicy::Lenient)
        .unwrap();
    let paths: Vec<&str> = fitted.dropped.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["anthropic-beta: a-1", "anthropic-beta: b-2"]);
    assert!(fitted.options.headers.get("anthropic-beta").is_none());
}

/// Fields the policy keeps stay the typed error even when lenient.
#[test]
fn what_lenient_keeps_stays_an_error() {
    let client = client();
    let cases = [
        // data residency: never dropped
        (
            "openai:gpt-4.1-mini",
            json!({"inference_geo": "us"}),
            "inference_geo",
        ),
        // where the reply stops
        (
            "openai-responses:gpt-5-mini",
            json!({"stop_sequences": ["END"]}),
            "stop_sequences",
        ),
        // a content block the model must see
        (
            "ollama:llama3.2",
            json!({"messages": [{"role": "user", "content": [
            {"type": "text", "text": "Summarize"},
            {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "D"}}]}]}),
            "messages[0].content[1]",
        ),
        // a tool the model was offered
        (
            "openai:gpt-4.1-mini",
            json!({"tools": [{"type": "web_search_20250305", "name": "web_search"}]}),
            "tools[0]",
        ),
    ];
    for (model, patch, field) in cases {
        let mut v = json!({"model": model, "max_tokens": 8, "top_k": 3,
            "messages": [{"role": "user", "content": "Hi"}]});
        for (k, val) in patch.as_object().unwrap() {
            v[k] = val.clone();
        }
        let params: MessageCreateParams = serde_json::from_value(v).unwrap();
        let err = client
            .apply_policy(&params, &RequestOptions::new(), false, ConversionPolicy::Lenient)
            .unwrap_err();
        assert_eq!(unsupported_field(err), field, "{model}");
    }
}

/// `thinking` sent to a target that cannot reason on request (Llama through
/// Bedrock Converse): strict names it; lenient drops and reports it, and the
/// thinking block in the history is left to the family's own rule
/// (unsigned by Bedrock: left out of the native request, never reported as
/// a lenient drop). A target that reasons maps `thinking` and drops nothing.
#[test]
fn thinking_goes_only_where_the_target_cannot_reason() {
    let client = client();
    let request = |model: &str| -> MessageCreateParams {
        serde_json::from_value(json!({"model": model, "max_tokens": 2048,
            "thinking": {"type": "enabled", "budget_tokens": 1024},
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": [
                    {"type": "thinking", "thinking": "Greet back.", "signature": "sig-from-anthropic"},
                    {"type": "text", "text": "Hello!"}]},
                {"role": "user", "content": "How are you?"}]}))
        .unwrap()
    };
    let llama = request("bedrock:meta.llama3-3-70b-instruct-v1:0");
    let opts = RequestOptions::new();
    // Strict: what the call answers (the conversion refuses it).
    let (provider, model) = client.route(&llama.model, None).unwrap();
    let mut bare = llama.clone();
    bare.model = model;
    let mut ctx = CallContext::new("http://127.0.0.1:9");
    ctx.api_key = Some("k".into());
    let err = provider.build_request(&bare, &ctx).unwrap_err();
    assert_eq!(unsupported_field(err), "thinking");

    let fitted = client
        .apply_policy(&llama, &opts, false, ConversionPolicy::Lenient)
        .unwrap();
    let paths: Vec<&str> = fitted.dropped.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["thinking"]);
    assert_eq!(fitted.dropped[0].kind, DropKind::Feature);
    assert!(fitted.params.thinking.is_none());
    assert_eq!(fitted.params.messages, llama.messages, "the history is untouched");

    let gemini = request("gemini:gemini-2.5-flash");
    let fitted = client
        .apply_policy(&gemini, &opts, false, ConversionPolicy::Lenient)
        .unwrap();
    assert!(fitted.dropped.is_empty(), "{:?}", fitted.dropped);
    assert!(fitted.params.thinking.is_some());
}

fn droppable_features() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    proptest::sample::subsequence(
        vec![
            ("top_k", json!(5)),
            ("context_management", json!({"edits": []})),
            ("container", json!("container_1")),
            (
                "mcp_servers",
                json!([{"type": "url", "url": "https://mcp.example", "name": "m"}]),
            ),
            ("service_tier", json!("standard_only")),
            ("metadata", json!({"user_id": "u"})),
            ("x_future_flag", json!(true)),
        ],
        0..=7,
    )
}

fn block() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "text", "text": "t"})),
        Just(json!({"type": "text", "text": "c", "cache_control": {"type": "ephemeral"}})),
        Just(
            json!({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "D"},
                    "citations": {"enabled": true}})
        ),
        Just(
            json!({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "D"}})
        ),
    ]
}

/// Removes the field at a report path (`messages[0].content[2].citations`,
/// `metadata.user_id`, `top_k`) from a request's JSON: `false` when absent.
fn remove_path(v: &mut Value, path: &str) -> bool {
    let mut steps: Vec<Result<&str, usize>> = Vec::new();
    for part in path.split('.') {
        let mut pieces = part.split('[');
        steps.push(Ok(pieces.next().unwrap()));
        steps.extend(pieces.map(|i| Err(i.trim_end_matches(']').parse().unwrap())));
    }
    let Some((Ok(last), init)) = steps.split_last() else {
        return false;
    };
    let mut cur = v;
    for step in init {
        let next = match step {
            Ok(k) => cur.get_mut(*k),
            Err(i) => cur.get_mut(*i),
        };
        let Some(next) = next else { return false };
        cur = next;
    }
    cur.as_object_mut().is_some_and(|o| o.remove(*last).is_some())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Lenient drops only features and annotations: the messages keep every
    /// block (same count, same types, same text), system and tools stay
    /// whole, and the fitted request converts. If a target refuses a block
    /// itself, lenient answers that same error.
    #[test]
    fn lenient_never_drops_a_block(
        features in droppable_features(),
        blocks in proptest::collection::vec(block(), 1..5),
        target in prop_oneof![
            Just("openai:gpt-4.1-mini"), Just("gemini:gemini-2.5-flash"),
            Just("cohere:command-a-03-2025"), Just("bedrock:meta.llama3-3-70b-instruct-v1:0"),
            Just("ollama:llama3.2"), Just("openai-responses:gpt-5-mini"),
        ],
    ) {
        let client = client();
        let mut v = json!({"model": target, "max_tokens": 16,
            "system": [{"type": "text", "text": "S", "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": blocks}]});
        for (k, val) in &features {
            v[*k] = val.clone();
        }
        let params: MessageCreateParams = serde_json::from_value(v).unwrap();
        match client.apply_policy(&params, &RequestOptions::new(), false, ConversionPolicy::Lenient) {
            Ok(fitted) => {
                let before = serde_json::to_value(&params.messages).unwrap();
                let after = serde_json::to_value(&fitted.params.messages).unwrap();
                let (b, a) = (before[0]["content"].as_array().unwrap(), after[0]["content"].as_array().unwrap());
                prop_assert_eq!(b.len(), a.len());
                for (x, y) in b.iter().zip(a) {
                    prop_assert_eq!(&x["type"], &y["type"]);
                    prop_assert_eq!(&x["text"], &y["text"]);
                    prop_assert_eq!(&x["source"], &y["source"]);
                }
                let system = serde_json::to_value(&fitted.params.system).unwrap();
                prop_assert_eq!(system.as_array().map(Vec::len), Some(1));
                prop_assert_eq!(&system[0]["text"], "S");
                for d in &fitted.dropped {
                    prop_assert!(matches!(d.kind, DropKind::Feature | DropKind::Annotation | DropKind::UnknownField), "{d:?}");
                    prop_assert!(!d.path.ends_with(']'), "a whole element was reported dropped: {}", d.path);
                }
                // exactly the reported paths are gone, nothing else changed
                let mut expected = serde_json::to_value(&params).unwrap();
                for d in &fitted.dropped {
                    prop_assert!(remove_path(&mut expected, &d.path), "reported but absent: {}", d.path);
                }
                prop_assert_eq!(serde_json::to_value(&*fitted.params).unwrap(), expected);
                // the fitted request converts with nothing more to drop
                let again = client.apply_policy(&fitted.params, &fitted.options, false, ConversionPolicy::Lenient).unwrap();
                prop_assert!(again.dropped.is_empty(), "{:?}", again.dropped);
            }
            Err(e) => {
                let field = unsupported_field(e);
                prop_assert!(field.starts_with("messages[0].content["), "{target}: {field}");
                prop_assert!(!field.ends_with("cache_control") && !field.ends_with("citations"), "{field}");
            }
        }
    }
}
