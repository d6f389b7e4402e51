//! Rules every provider follows the same way: the `extra_body` rule (JSON
//! Merge Patch) and `Provider::validate` (portable checks everywhere, the
//! Anthropic limits only on the Anthropic API).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::{ApiKey, CallContext, Error, MessageCreateParams, Provider};
use serde_json::{json, Value};

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

fn body(provider: &dyn Provider, p: &MessageCreateParams, extra: Value) -> Value {
    let mut ctx = CallContext::new(provider.info().default_base_url).with_stream(true);
    ctx.api_key = Some(ApiKey::new("k-test"));
    ctx.extra_body = extra.as_object().unwrap().clone();
    let req = provider.build_request(p, &ctx).unwrap();
    serde_json::from_slice(req.body()).unwrap()
}

/// Each provider: an object the conversion produced keeps its converted keys
/// and gains the extra one; `null` removes a converted key; a scalar replaces.
#[test]
fn every_provider_applies_extra_body_as_a_merge_patch() {
    let p = params(json!({"model": "m-1", "max_tokens": 64, "temperature": 0.5,
        "metadata": {"user_id": "u"}, "messages": [{"role": "user", "content": "Hi"}]}));

    let anthropic = anyllm_anthropic::AnthropicProvider::new();
    let b = body(
        &anthropic,
        &p,
        json!({"metadata": {"tag": "x"}, "temperature": null, "max_tokens": 9}),
    );
    assert_eq!(b["metadata"], json!({"user_id": "u", "tag": "x"}), "{b}");
    assert!(b.get("temperature").is_none(), "{b}");
    assert_eq!(b["max_tokens"], 9);

    let openai = anyllm_openai::OpenAiCompatible::new(*anyllm_openai::spec("openai").unwrap());
    let b = body(
        &openai,
        &p,
        json!({"stream_options": {"x": 1}, "temperature": null, "max_completion_tokens": 9}),
    );
    assert_eq!(b["stream_options"], json!({"include_usage": true, "x": 1}), "{b}");
    assert!(b.get("temperature").is_none(), "{b}");
    assert_eq!(b["max_completion_tokens"], 9);

    let gemini = anyllm_gemini::GeminiProvider::new();
    let b = body(
        &gemini,
        &p,
        json!({"generationConfig": {"seed": 7, "temperature": null, "maxOutputTokens": 9}}),
    );
    assert_eq!(
        b["generationConfig"],
        json!({"maxOutputTokens": 9, "seed": 7}),
        "{b}"
    );
}

/// The portable checks hold for every provider; the Anthropic API's own
/// limits (thinking budget, tool-name pattern) only for the Anthropic provider.
#[test]
fn validate_is_the_providers_own() {
    let ctx = CallContext::new("http://127.0.0.1:9");
    let anthropic = anyllm_anthropic::AnthropicProvider::new();
    let openai = anyllm_openai::OpenAiCompatible::new(*anyllm_openai::spec("openai").unwrap());
    let gemini = anyllm_gemini::GeminiProvider::new();
    let field = |r: Result<(), Error>| match r {
        Err(Error::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    let empty = params(json!({"model": "m", "max_tokens": 5, "messages": []}));
    let small_budget = params(json!({"model": "m", "max_tokens": 4000,
        "thinking": {"type": "enabled", "budget_tokens": 512},
        "tools": [{"name": "ns.tool", "input_schema": {"type": "object"}}],
        "messages": [{"role": "user", "content": "Hi"}]}));
    for p in [&anthropic as &dyn Provider, &openai, &gemini] {
        assert_eq!(field(p.validate(&empty, &ctx)), "messages", "{}", p.info().name);
    }
    assert_eq!(
        field(anthropic.validate(&small_budget, &ctx)),
        "thinking.budget_tokens"
    );
    openai.validate(&small_budget, &ctx).unwrap();
    gemini.validate(&small_budget, &ctx).unwrap();
    // A beta given as a plain header relaxes the budget < max_tokens rule.
    let big_budget = params(json!({"model": "m", "max_tokens": 4000,
        "thinking": {"type": "enabled", "budget_tokens": 8000},
        "messages": [{"role": "user", "content": "Hi"}]}));
    assert_eq!(
        field(anthropic.validate(&big_budget, &ctx)),
        "thinking.budget_tokens"
    );
    let mut beta = ctx.clone();
    beta.headers.insert(
        "anthropic-beta",
        "interleaved-thinking-2025-05-14".parse().unwrap(),
    );
    anthropic.validate(&big_budget, &beta).unwrap();
}
