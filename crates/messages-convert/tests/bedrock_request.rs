//! Hand-written Anthropic requests converted to Converse bodies (insta
//! snapshots), and every `Unsupported` case with the field it names.
//! The shapes follow botocore's `bedrock-runtime` service model.

#![cfg(feature = "bedrock")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::bedrock::{count_tokens_body, to_converse_request, ModelFamily};
use messages_convert::ConvertError;
use messages_types::{CountTokensParams, MessageCreateParams};
use serde_json::{json, Value};

const CLAUDE: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOVA: &str = "amazon.nova-lite-v1:0";
const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

fn convert(v: Value) -> Value {
    serde_json::to_value(to_converse_request(&params(v)).unwrap()).unwrap()
}

#[test]
fn request_text_system_sampling() {
    insta::assert_json_snapshot!(
        "request__text_system_sampling",
        convert(json!({
            "model": CLAUDE, "max_tokens": 256, "system": "You are terse.",
            "temperature": 0.2, "top_p": 0.9, "top_k": 40, "stop_sequences": ["END"],
            "metadata": {"user_id": "user-42"}, "service_tier": "standard_only",
            "messages": [
                {"role": "user", "content": "Hello"},
                {"role": "assistant", "content": "Hi."},
                {"role": "user", "content": [{"type": "text", "text": "Again"}]}
            ]
        }))
    );
}

#[test]
fn request_cache_points() {
    insta::assert_json_snapshot!(
        "request__cache_points",
        convert(json!({
            "model": CLAUDE, "max_tokens": 64,
            "system": [
                {"type": "text", "text": "Long stable instructions.", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "Volatile part."}
            ],
            "cache_control": {"type": "ephemeral"},
            "tools": [
                {"name": "a", "input_schema": {"type": "object"}},
                {"name": "b", "description": "B", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
            ],
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "Big context", "cache_control": {"type": "ephemeral", "ttl": "5m"}},
                    {"type": "text", "text": "Question?"}
                ]}
            ]
        }))
    );
}

#[test]
fn request_images_and_documents() {
    insta::assert_json_snapshot!(
        "request__images_and_documents",
        convert(json!({
            "model": NOVA, "max_tokens": 64,
            "messages": [{"role": "user", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQK"}, "title": "Q3 report.pdf"},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain words"},
                 "context": "Notes from the meeting", "citations": {"enabled": true}},
                {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "part one"}, {"type": "text", "text": "part two"}]}, "title": "Parts [draft]"},
                {"type": "search_result", "source": "https://example.com/a", "title": "A", "content": [{"type": "text", "text": "result text"}], "citations": {"enabled": true}},
                {"type": "text", "text": "Summarise these."}
            ]}]
        }))
    );
}

#[test]
fn request_tools_and_results() {
    insta::assert_json_snapshot!(
        "request__tools_and_results",
        convert(json!({
            "model": NOVA, "max_tokens": 512,
            "tools": [{"name": "get_weather", "description": "Weather for a city", "strict": true,
                       "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
            "tool_choice": {"type": "tool", "name": "get_weather"},
            "messages": [
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Checking."},
                    {"type": "tool_use", "id": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}},
                    {"type": "tool_use", "id": "tooluse_2", "name": "get_weather", "input": {"city": "Rome"}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "tooluse_1", "content": "{\"temp_c\": 21}"},
                    {"type": "tool_result", "tool_use_id": "tooluse_2", "is_error": true, "content": [
                        {"type": "text", "text": "service down"},
                        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}
                    ]}
                ]}
            ]
        }))
    );
}

#[test]
fn request_thinking_history_on_claude() {
    insta::assert_json_snapshot!(
        "request__thinking_history_on_claude",
        convert(json!({
            "model": format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{CLAUDE}"),
            "max_tokens": 4096,
            "thinking": {"type": "enabled", "budget_tokens": 2048},
            "messages": [
                {"role": "user", "content": "Think, then call the tool."},
                {"role": "assistant", "content": [
                    {"type": "thinking", "thinking": "Let me think.", "signature": "anyllm.bedrock.EqQBCkYIBxgCKkB"},
                    {"type": "redacted_thinking", "data": "anyllm.bedrock.EmwKAhgBEgy3va3pzix/LafPsn4aDFIT"},
                    {"type": "tool_use", "id": "toolu_1", "name": "calc", "input": {"x": 1}}
                ]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "2"}]}
            ],
            "tools": [{"name": "calc", "input_schema": {"type": "object"}}]
        }))
    );
}

#[test]
fn request_nova_top_k_and_disabled_thinking() {
    insta::assert_json_snapshot!(
        "request__nova_top_k",
        convert(json!({
            "model": format!("us.{NOVA}"), "max_tokens": 32, "top_k": 20,
            "thinking": {"type": "disabled"},
            "messages": [{"role": "user", "content": "Hi"}]
        }))
    );
}

#[test]
fn request_structured_output_and_effort() {
    insta::assert_json_snapshot!(
        "request__structured_output_and_effort",
        convert(json!({
            "model": CLAUDE, "max_tokens": 128,
            "output_config": {"effort": "low", "format": {"type": "json_schema", "schema": {
                "type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"], "additionalProperties": false}}},
            "messages": [{"role": "user", "content": "Answer in JSON."}]
        }))
    );
}

#[test]
fn request_tool_choice_none_sends_no_tools() {
    let body = convert(json!({
        "model": NOVA, "max_tokens": 32,
        "tools": [{"name": "add", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "none"},
        "messages": [{"role": "user", "content": "20 + 22?"}]
    }));
    assert!(body.get("toolConfig").is_none(), "{body}");
    insta::assert_json_snapshot!("request__tool_choice_none", body);
}

#[test]
fn request_prefill_and_auto_choice() {
    insta::assert_json_snapshot!(
        "request__prefill_and_auto_choice",
        convert(json!({
            "model": "mistral.mistral-large-2407-v1:0", "max_tokens": 32,
            "tools": [{"name": "lookup", "input_schema": {"type": "object", "properties": {}}}],
            "tool_choice": {"type": "auto"},
            "messages": [
                {"role": "user", "content": "List three colours as JSON."},
                {"role": "assistant", "content": "["}
            ]
        }))
    );
}

#[test]
fn count_tokens_request() {
    let p: CountTokensParams = serde_json::from_value(json!({
        "model": CLAUDE, "system": "Be brief.",
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "tools": [{"name": "calc", "input_schema": {"type": "object"}}],
        "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap();
    let body: Value = serde_json::from_slice(&count_tokens_body(&p).unwrap()).unwrap();
    assert!(body["input"]["converse"]["messages"].is_array());
    insta::assert_json_snapshot!("request__count_tokens", body);
}

fn unsupported_field(v: Value) -> (String, String) {
    match to_converse_request(&params(v)) {
        Err(e @ ConvertError::Unsupported { .. }) => {
            let ConvertError::Unsupported { ref field, .. } = e else {
                unreachable!()
            };
            (field.clone(), e.to_string())
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn unsupported_cases_name_their_field() {
    let user = |content: Value| json!([{"role": "user", "content": content}]);
    let cases: Vec<(&str, Value)> = vec![
        (
            "image_url",
            json!({"model": CLAUDE, "max_tokens": 8, "messages": user(json!([
            {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}]))}),
        ),
        (
            "image_file",
            json!({"model": CLAUDE, "max_tokens": 8, "messages": user(json!([
            {"type": "image", "source": {"type": "file", "file_id": "file_1"}}]))}),
        ),
        (
            "image_bmp",
            json!({"model": CLAUDE, "max_tokens": 8, "messages": user(json!([
            {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "Qk0="}}]))}),
        ),
        (
            "document_url",
            json!({"model": CLAUDE, "max_tokens": 8, "messages": user(json!([
            {"type": "text", "text": "read"},
            {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}}]))}),
        ),
        (
            "document_content_image",
            json!({"model": CLAUDE, "max_tokens": 8, "messages": user(json!([
            {"type": "document", "source": {"type": "content", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]}}]))}),
        ),
        (
            "server_tool_block",
            json!({"model": CLAUDE, "max_tokens": 8, "messages": [
            {"role": "user", "content": "search"},
            {"role": "assistant", "content": [{"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}}]}]}),
        ),
        (
            "builtin_tool",
            json!({"model": CLAUDE, "max_tokens": 8, "messages": user(json!("hi")),
            "tools": [{"type": "web_search_20250305", "name": "web_search"}]}),
        ),
        (
            "disable_parallel",
            json!({"model": CLAUDE, "max_tokens": 8, "messages": user(json!("hi")),
            "tools": [{"name": "a", "input_schema": {"type": "object"}}],
            "tool_choice": {"type": "auto", "disable_parallel_tool_use": true}}),
        ),
        (
            "none_with_tool_history",
            json!({"model": CLAUDE, "max_tokens": 8,
            "tools": [{"name": "a", "input_schema": {"type": "object"}}], "tool_choice": {"type": "none"},
            "messages": [{"role": "user", "content": "go"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "a", "input": {}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}]}),
        ),
        (
            "top_k_deepseek",
            json!({"model": "us.deepseek.r1-v1:0", "max_tokens": 8, "top_k": 5, "messages": user(json!("hi"))}),
        ),
        (
            "top_k_provisioned_arn",
            json!({"model": "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc", "max_tokens": 8, "top_k": 5, "messages": user(json!("hi"))}),
        ),
        (
            "thinking_nova",
            json!({"model": NOVA, "max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 1024}, "messages": user(json!("hi"))}),
        ),
        (
            "effort_nova",
            json!({"model": NOVA, "max_tokens": 8, "output_config": {"effort": "high"}, "messages": user(json!("hi"))}),
        ),
        (
            "user_id_charset",
            json!({"model": CLAUDE, "max_tokens": 8, "metadata": {"user_id": "ü<script>"}, "messages": user(json!("hi"))}),
        ),
        (
            "container",
            json!({"model": CLAUDE, "max_tokens": 8, "container": "c_1", "messages": user(json!("hi"))}),
        ),
        (
            "inference_geo",
            json!({"model": CLAUDE, "max_tokens": 8, "inference_geo": "us", "messages": user(json!("hi"))}),
        ),
        (
            "mcp_servers",
            json!({"model": CLAUDE, "max_tokens": 8, "mcp_servers": [{"type": "url", "url": "https://mcp.example.com", "name": "m"}], "messages": user(json!("hi"))}),
        ),
        (
            "context_management",
            json!({"model": CLAUDE, "max_tokens": 8, "context_management": {"edits": []}, "messages": user(json!("hi"))}),
        ),
        (
            "unknown_field",
            json!({"model": CLAUDE, "max_tokens": 8, "frobnicate": true, "messages": user(json!("hi"))}),
        ),
        (
            "system_image",
            json!({"model": CLAUDE, "max_tokens": 8, "system": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}], "messages": user(json!("hi"))}),
        ),
    ];
    let mut report = serde_json::Map::new();
    for (name, v) in cases {
        let (field, message) = unsupported_field(v);
        assert!(message.contains(&field), "{name}: {message}");
        report.insert(name.to_owned(), json!({"field": field, "error": message}));
    }
    insta::assert_json_snapshot!("request__unsupported", report);
}

#[test]
fn the_family_decides_and_can_be_named() {
    let p = params(
        json!({"model": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/xyz",
        "max_tokens": 8, "top_k": 3, "messages": [{"role": "user", "content": "hi"}]}),
    );
    assert!(to_converse_request(&p).is_err());
    let req = messages_convert::bedrock::to_converse_request_for(&p, ModelFamily::Anthropic).unwrap();
    assert_eq!(
        serde_json::to_value(req).unwrap()["additionalModelRequestFields"],
        json!({"top_k": 3})
    );
}

#[test]
fn long_or_odd_titles_become_valid_names() {
    use messages_convert::bedrock::request::document_name;
    assert_eq!(document_name(Some("a  b__c.pdf"), 1), "a b c pdf");
    assert_eq!(document_name(Some("  ***  "), 3), "document-3");
    assert_eq!(document_name(None, 2), "document-2");
    assert_eq!(document_name(Some(&"x".repeat(500)), 1).len(), 200);
}
