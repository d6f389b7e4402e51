//! Request conversion, Anthropic → Responses: a catalogue of hand-written
//! Anthropic requests as insta snapshots (the `Unsupported` ones snapshot
//! their error), the `Unsupported` errors naming their field, thinking
//! minted elsewhere being dropped, the input-token count body and the
//! extras escape hatch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::openai_responses::{
    encode_reasoning_signature, input_tokens_body, request_body, to_responses_request, ReasoningSignature,
    PROVIDER,
};
use messages_convert::ConvertError;
use messages_types::{CountTokensParams, MessageCreateParams};
use serde_json::{json, Map, Value};

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

const PNG: &str = "iVBORw0KGgo=";
const PDF: &str = "JVBERi0xLjQK";

fn signed(id: &str, encrypted: &str, summary: &[&str]) -> String {
    encode_reasoning_signature(&ReasoningSignature {
        id: id.to_owned(),
        encrypted_content: Some(encrypted.to_owned()),
        summary: summary.iter().map(|s| (*s).to_owned()).collect(),
    })
}

fn catalogue() -> Vec<(&'static str, Value)> {
    let weather = json!({"name": "get_weather", "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}});
    vec![
        (
            "text_system_sampling",
            json!({"model": "gpt-4.1", "max_tokens": 256, "system": "You are terse.",
                "temperature": 0.2, "top_p": 0.9,
                "messages": [{"role": "user", "content": "Hello"}]}),
        ),
        (
            "system_blocks_and_cache_control",
            json!({"model": "gpt-4.1", "max_tokens": 64,
                "system": [{"type": "text", "text": "Rules.", "cache_control": {"type": "ephemeral"}},
                           {"type": "text", "text": "More rules."}],
                "messages": [{"role": "user", "content": [
                    {"type": "text", "text": "Long context", "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": "Question?"}]}]}),
        ),
        (
            "images_and_documents",
            json!({"model": "gpt-4.1", "max_tokens": 64, "messages": [{"role": "user", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
                {"type": "document", "title": "report.pdf", "context": "Q3 numbers",
                 "source": {"type": "base64", "media_type": "application/pdf", "data": PDF}},
                {"type": "document", "source": {"type": "url", "url": "https://example.com/paper.pdf"}},
                {"type": "document", "title": "Notes", "source": {"type": "text", "media_type": "text/plain", "data": "plain notes"}},
                {"type": "search_result", "title": "Doc", "source": "https://example.com/doc",
                 "content": [{"type": "text", "text": "a finding"}]},
                {"type": "text", "text": "Summarise all of it."}]}]}),
        ),
        (
            "tools_and_a_tool_loop",
            json!({"model": "gpt-4.1", "max_tokens": 512,
                "tools": [weather.clone(), {"name": "noop", "input_schema": {"type": "object"}, "strict": true}],
                "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
                "messages": [
                    {"role": "user", "content": "Weather in Paris and Rome?"},
                    {"role": "assistant", "content": [
                        {"type": "text", "text": "Checking both."},
                        {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
                        {"type": "tool_use", "id": "call_2", "name": "get_weather", "input": {"city": "Rome"}}]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "call_1", "content": "18C, cloudy"},
                        {"type": "tool_result", "tool_use_id": "call_2", "is_error": true,
                         "content": [{"type": "text", "text": "service down"}]},
                        {"type": "text", "text": "And tomorrow?"}]}]}),
        ),
        (
            "tool_result_with_image",
            json!({"model": "gpt-4.1", "max_tokens": 64, "tools": [weather.clone()], "messages": [
                {"role": "user", "content": "Chart?"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Oslo"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": [
                    {"type": "text", "text": "chart attached"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]}]}]}),
        ),
        (
            "tool_choice_any",
            json!({"model": "gpt-4.1", "max_tokens": 64, "tools": [weather.clone()],
                "tool_choice": {"type": "any"}, "messages": [{"role": "user", "content": "Go"}]}),
        ),
        (
            "tool_choice_named",
            json!({"model": "gpt-4.1", "max_tokens": 64, "tools": [weather.clone()],
                "tool_choice": {"type": "tool", "name": "get_weather"},
                "messages": [{"role": "user", "content": "Go"}]}),
        ),
        (
            "thinking_budget_summarized",
            json!({"model": "gpt-5", "max_tokens": 16000,
                "thinking": {"type": "enabled", "budget_tokens": 8000, "display": "summarized"},
                "messages": [{"role": "user", "content": "Prove it."}]}),
        ),
        (
            "thinking_adaptive_with_effort",
            json!({"model": "gpt-5", "max_tokens": 4000, "thinking": {"type": "adaptive"},
                "output_config": {"effort": "max"},
                "messages": [{"role": "user", "content": "Think hard."}]}),
        ),
        (
            "reasoning_replayed_and_foreign_thinking_dropped",
            json!({"model": "gpt-5", "max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 2048},
                "tools": [weather.clone()],
                "messages": [
                    {"role": "user", "content": "Weather in Oslo?"},
                    {"role": "assistant", "content": [
                        {"type": "thinking", "thinking": "From Claude.", "signature": "EqQBCkgIARAB"},
                        {"type": "redacted_thinking", "data": "EmwKAhgB"},
                        {"type": "thinking", "thinking": "Need the tool.", "signature": signed("rs_1", "gAAAAB-enc", &["Need the tool."])},
                        {"type": "tool_use", "id": "call_9", "name": "get_weather", "input": {"city": "Oslo"}}]},
                    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_9", "content": "-3C"}]}]}),
        ),
        (
            "structured_output_metadata_service_tier",
            json!({"model": "gpt-4.1", "max_tokens": 128,
                "output_config": {"format": {"type": "json_schema", "schema": {"title": "City Info", "type": "object",
                    "properties": {"name": {"type": "string"}}, "required": ["name"], "additionalProperties": false}}},
                "metadata": {"user_id": "user-hash-1"}, "service_tier": "standard_only",
                "messages": [{"role": "user", "content": "A city?"}]}),
        ),
        (
            "web_search_and_its_history",
            json!({"model": "gpt-4.1", "max_tokens": 128,
                "tools": [{"type": "web_search_20250305", "name": "web_search", "allowed_domains": ["example.com"],
                           "user_location": {"type": "approximate", "city": "Paris", "country": "FR"}}],
                "messages": [
                    {"role": "user", "content": "News?"},
                    {"role": "assistant", "content": [
                        {"type": "server_tool_use", "id": "ws_1", "name": "web_search", "input": {"query": "news"}},
                        {"type": "web_search_tool_result", "tool_use_id": "ws_1", "content": []},
                        {"type": "text", "text": "Nothing new."}]},
                    {"role": "user", "content": "Thanks"}]}),
        ),
        (
            "unsupported_stop_sequences",
            json!({"model": "gpt-4.1", "max_tokens": 64, "stop_sequences": ["END"],
                "messages": [{"role": "user", "content": "Hi"}]}),
        ),
        (
            "unsupported_top_k",
            json!({"model": "gpt-4.1", "max_tokens": 64, "top_k": 40,
                "messages": [{"role": "user", "content": "Hi"}]}),
        ),
    ]
}

#[test]
fn catalogue_snapshots() {
    for (name, p) in catalogue() {
        let p = params(p);
        let snapshot = match to_responses_request(&p, name.contains("tool_loop")) {
            Ok(req) => serde_json::to_value(&req).unwrap(),
            Err(e) => json!({ "error": e.to_string() }),
        };
        insta::assert_json_snapshot!(format!("request__{name}"), snapshot);
    }
}

fn unsupported_field(p: Value) -> (String, String) {
    match to_responses_request(&params(p), false) {
        Err(ConvertError::Unsupported { provider, field, .. }) => (provider, field),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn unsupported_fields_are_typed_errors_naming_the_field() {
    let base = |extra: Value| {
        let mut v = json!({"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]});
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    let cases = [
        (json!({"stop_sequences": ["X"]}), "stop_sequences"),
        (json!({"top_k": 5}), "top_k"),
        (json!({"container": "c1"}), "container"),
        (json!({"inference_geo": "us"}), "inference_geo"),
        (json!({"context_management": {}}), "context_management"),
        (
            json!({"mcp_servers": [{"type": "url", "url": "https://x", "name": "x"}]}),
            "mcp_servers",
        ),
        (
            json!({"tools": [{"type": "bash_20250124", "name": "bash"}]}),
            "tools[0]",
        ),
        (
            json!({"tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}]}),
            "tools[0].max_uses",
        ),
        (json!({"thinking": {"type": "later"}}), "thinking"),
        (
            json!({"output_config": {"effort": "extreme"}}),
            "output_config.effort",
        ),
        (json!({"service_tier": "flex"}), "service_tier"),
        (
            json!({"messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "file", "file_id": "f1"}}]}]}),
            "messages[0].content[0].source",
        ),
        (
            json!({"messages": [{"role": "user", "content": [{"type": "document", "citations": {"enabled": true},
                "source": {"type": "text", "media_type": "text/plain", "data": "x"}}]}]}),
            "messages[0].content[0].citations",
        ),
        (
            json!({"messages": [{"role": "assistant", "content": [{"type": "server_tool_use", "id": "s", "name": "code_execution", "input": {}}]}]}),
            "messages[0].content[0]",
        ),
    ];
    for (extra, field) in cases {
        assert_eq!(
            unsupported_field(base(extra)),
            (PROVIDER.to_owned(), field.to_owned())
        );
    }
    // An empty stop_sequences list asks for nothing.
    assert!(to_responses_request(&params(base(json!({"stop_sequences": []}))), false).is_ok());
}

#[test]
fn thinking_minted_elsewhere_is_dropped_and_ours_is_sent_back() {
    let p = params(json!({"model": "m", "max_tokens": 64, "messages": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Anthropic thought", "signature": "EqQBCkgIARAB"},
            {"type": "thinking", "thinking": "no signature", "signature": ""},
            {"type": "thinking", "thinking": "a\n\nb", "signature": signed("rs_7", "enc", &["a", "b"])},
            {"type": "text", "text": "Hello"}]}]}));
    let v = serde_json::to_value(to_responses_request(&p, false).unwrap()).unwrap();
    assert_eq!(
        v["input"],
        json!([
            {"type": "message", "role": "user", "content": "Hi"},
            {"type": "reasoning", "id": "rs_7", "encrypted_content": "enc",
             "summary": [{"type": "summary_text", "text": "a"}, {"type": "summary_text", "text": "b"}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello"}]}
        ])
    );
    assert_eq!(v["include"], json!(["reasoning.encrypted_content"]));
    assert!(!v.to_string().contains("Anthropic thought"));
}

#[test]
fn encrypted_reasoning_is_asked_for_only_when_reasoning_is_on() {
    let with = |thinking: Value| {
        let p = params(json!({"model": "m", "max_tokens": 4000, "thinking": thinking,
            "messages": [{"role": "user", "content": "Hi"}]}));
        serde_json::to_value(to_responses_request(&p, false).unwrap()).unwrap()
    };
    let off = with(json!({"type": "disabled"}));
    assert_eq!(off["reasoning"], json!({"effort": "none"}));
    assert!(off.get("include").is_none());
    let on = with(json!({"type": "enabled", "budget_tokens": 1024}));
    assert_eq!(on["reasoning"], json!({"effort": "minimal"}));
    assert_eq!(on["include"], json!(["reasoning.encrypted_content"]));
    let adaptive = with(json!({"type": "adaptive"}));
    assert_eq!(adaptive["reasoning"], json!({}));
    assert_eq!(adaptive["include"], json!(["reasoning.encrypted_content"]));
}

#[test]
fn input_tokens_body_keeps_only_what_the_endpoint_takes() {
    let p: CountTokensParams = serde_json::from_value(json!({
        "model": "gpt-5", "system": "Be brief.",
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "tools": [{"name": "t", "input_schema": {"type": "object"}}], "tool_choice": {"type": "any"},
        "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap();
    let body: Value = serde_json::from_slice(&input_tokens_body(&p, &Map::new()).unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"model": "gpt-5", "instructions": "Be brief.",
            "input": [{"type": "message", "role": "user", "content": "Hi"}],
            "reasoning": {"effort": "minimal"},
            "tools": [{"type": "function", "name": "t", "parameters": {"type": "object"}}],
            "tool_choice": "required"})
    );
}

#[test]
fn extras_are_merged_last() {
    let p = params(json!({"model": "m", "max_tokens": 64, "prompt_cache_key": "k1",
        "messages": [{"role": "user", "content": "Hi"}]}));
    let mut extra = Map::new();
    extra.insert("store".into(), json!(true));
    let body: Value = serde_json::from_slice(&request_body(&p, true, &extra).unwrap()).unwrap();
    assert_eq!(body["prompt_cache_key"], "k1");
    assert_eq!(body["store"], true);
    assert_eq!(body["stream"], true);
}
