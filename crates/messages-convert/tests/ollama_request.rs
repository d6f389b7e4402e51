//! Anthropic → Ollama `/api/chat` request conversion: insta snapshots of
//! hand-written requests (shapes from the Anthropic Messages API reference
//! and Ollama's `api/types.go`), `Unsupported` cases included, plus targeted
//! assertions of the mapping rules.
#![cfg(feature = "ollama")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::ollama::request::count_tokens;
use messages_convert::ollama::{request_body, ThinkStyle};
use messages_convert::ConvertError;
use messages_types::MessageCreateParams;
use serde_json::{json, Map, Value};

fn convert_with(
    v: Value,
    stream: bool,
    style: ThinkStyle,
    extra: &Map<String, Value>,
) -> Result<Value, ConvertError> {
    let p: MessageCreateParams = serde_json::from_value(v).unwrap();
    request_body(&p, stream, style, extra).map(|b| serde_json::from_slice(&b).unwrap())
}

fn convert(v: Value, stream: bool) -> Result<Value, ConvertError> {
    convert_with(v, stream, ThinkStyle::Bool, &Map::new())
}

fn outcome(r: Result<Value, ConvertError>) -> Value {
    match r {
        Ok(body) => json!({"ok": body}),
        Err(e) => json!({"err": e.to_string()}),
    }
}

fn weather_tool() -> Value {
    json!({"name": "get_weather", "description": "Weather for a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}})
}

fn cases() -> Vec<(&'static str, Value, bool)> {
    vec![
        (
            "basic_options_stream",
            json!({
                "model": "qwen3:4b", "max_tokens": 256, "system": [{"type": "text", "text": "Be brief."}, {"type": "text", "text": "Answer in French."}],
                "temperature": 0.2, "top_p": 0.9, "top_k": 40, "stop_sequences": ["END"],
                "messages": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Bonjour"}, {"role": "user", "content": [{"type": "text", "text": "Again"}, {"type": "text", "text": "please", "cache_control": {"type": "ephemeral"}}]}]
            }),
            true,
        ),
        (
            "images_base64",
            json!({
                "model": "gemma3:4b", "max_tokens": 64,
                "messages": [{"role": "user", "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]}]
            }),
            false,
        ),
        (
            "tool_round_trip",
            json!({
                "model": "qwen3:4b", "max_tokens": 128, "tools": [weather_tool()],
                "messages": [
                    {"role": "user", "content": "Weather in Paris and Rome?"},
                    {"role": "assistant", "content": [
                        {"type": "thinking", "thinking": "Two calls.", "signature": "sig"},
                        {"type": "text", "text": "Checking."},
                        {"type": "tool_use", "id": "call_a", "name": "get_weather", "input": {"city": "Paris"}},
                        {"type": "tool_use", "id": "call_b", "name": "get_weather", "input": {"city": "Rome"}}]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "call_a", "content": [{"type": "text", "text": "18C"}, {"type": "text", "text": "sunny"}]},
                        {"type": "tool_result", "tool_use_id": "call_b", "content": "station down", "is_error": true},
                        {"type": "text", "text": "Summarise."}]}]
            }),
            false,
        ),
        (
            "thinking_bool",
            json!([
                {"model": "qwen3:4b", "max_tokens": 64, "thinking": {"type": "enabled", "budget_tokens": 20000}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "qwen3:4b", "max_tokens": 64, "thinking": {"type": "adaptive"}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "qwen3:4b", "max_tokens": 64, "thinking": {"type": "disabled"}, "messages": [{"role": "user", "content": "Hi"}]}
            ]),
            false,
        ),
        (
            "structured_output",
            json!({
                "model": "qwen3:4b", "max_tokens": 64,
                "output_config": {"format": {"type": "json_schema", "schema": {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}}},
                "messages": [{"role": "user", "content": "Answer in JSON"}]
            }),
            false,
        ),
        (
            "tool_choice_none_sends_no_tools",
            json!({
                "model": "qwen3:4b", "max_tokens": 64, "tools": [weather_tool()], "tool_choice": {"type": "none"},
                "messages": [{"role": "user", "content": "Just chat"}]
            }),
            false,
        ),
        (
            "unsupported_image_url",
            json!({
                "model": "gemma3:4b", "max_tokens": 64,
                "messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}]}]
            }),
            false,
        ),
        (
            "unsupported_tool_choice_any",
            json!({
                "model": "qwen3:4b", "max_tokens": 64, "tools": [weather_tool()], "tool_choice": {"type": "any"},
                "messages": [{"role": "user", "content": "Go"}]
            }),
            false,
        ),
        (
            "unsupported_document",
            json!({
                "model": "qwen3:4b", "max_tokens": 64,
                "messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}]}]
            }),
            false,
        ),
        (
            "unsupported_other",
            json!([
                {"model": "m", "max_tokens": 8, "messages": [{"role": "assistant", "content": [{"type": "tool_use", "id": "c", "name": "t", "input": {}}]},
                    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA=="}}]}]}]},
                {"model": "m", "max_tokens": 8, "metadata": {"user_id": "u1"}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "output_config": {"effort": "high"}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "tools": [{"type": "web_search_20250305", "name": "web_search"}], "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "tools": [weather_tool()], "tool_choice": {"type": "tool", "name": "get_weather"}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "service_tier": "standard_only", "messages": [{"role": "user", "content": "Hi"}]}
            ]),
            false,
        ),
    ]
}

#[test]
fn request_snapshots() {
    for (name, input, stream) in cases() {
        let result = match input {
            Value::Array(list) => {
                Value::Array(list.into_iter().map(|v| outcome(convert(v, stream))).collect())
            }
            v => outcome(convert(v, stream)),
        };
        insta::assert_json_snapshot!(name, result);
    }
}

fn case(name: &str) -> (Value, bool) {
    let (_, v, s) = cases().into_iter().find(|(n, _, _)| *n == name).unwrap();
    (v, s)
}

#[test]
fn options_carry_the_sampling_parameters() {
    let (v, s) = case("basic_options_stream");
    let body = convert(v, s).unwrap();
    assert_eq!(
        body["options"],
        json!({"num_predict": 256, "temperature": 0.2, "top_p": 0.9, "top_k": 40, "stop": ["END"]})
    );
    assert_eq!(body["stream"], true);
    assert_eq!(body["messages"][3]["content"], "Again\n\nplease");
}

#[test]
fn images_are_raw_base64() {
    let (v, s) = case("images_base64");
    let body = convert(v, s).unwrap();
    assert_eq!(body["messages"][0]["images"], json!(["iVBORw0KGgo="]));
    assert_eq!(body["stream"], false);
}

#[test]
fn tool_turns_carry_objects_names_and_thinking() {
    let (v, s) = case("tool_round_trip");
    let body = convert(v, s).unwrap();
    let msgs = body["messages"].as_array().unwrap();
    assert_eq!(msgs[1]["thinking"], "Two calls.");
    assert_eq!(msgs[1]["content"], "Checking.");
    assert_eq!(
        msgs[1]["tool_calls"][1]["function"],
        json!({"index": 1, "name": "get_weather", "arguments": {"city": "Rome"}})
    );
    assert_eq!(
        msgs[2],
        json!({"role": "tool", "content": "18C\n\nsunny", "tool_name": "get_weather", "tool_call_id": "call_a"})
    );
    assert_eq!(msgs[3]["content"], "Error: station down");
    assert_eq!(msgs[4], json!({"role": "user", "content": "Summarise."}));
}

#[test]
fn think_levels_follow_the_budget_for_models_that_take_levels() {
    let levels: Vec<Value> = [1024, 8000, 20000]
        .into_iter()
        .map(|b| {
            let v = json!({"model": "gpt-oss:20b", "max_tokens": 64, "thinking": {"type": "enabled", "budget_tokens": b}, "messages": [{"role": "user", "content": "Hi"}]});
            convert_with(v, false, ThinkStyle::Levels, &Map::new()).unwrap()["think"].clone()
        })
        .collect();
    assert_eq!(levels, [json!("low"), json!("medium"), json!("high")]);
    let v = json!({"model": "gpt-oss:20b", "max_tokens": 64, "output_config": {"effort": "medium"}, "messages": [{"role": "user", "content": "Hi"}]});
    assert_eq!(
        convert_with(v, false, ThinkStyle::Levels, &Map::new()).unwrap()["think"],
        "medium"
    );
    let (Value::Array(list), _) = case("thinking_bool") else {
        panic!()
    };
    let thinks: Vec<Value> = list
        .into_iter()
        .map(|v| convert(v, false).unwrap()["think"].clone())
        .collect();
    assert_eq!(thinks, [json!(true), json!(true), json!(false)]);
}

#[test]
fn extras_seed_and_keep_alive() {
    let v = json!({"model": "qwen3:4b", "max_tokens": 8, "temperature": 0.5, "messages": [{"role": "user", "content": "Hi"}]});
    let extra = json!({"seed": 42, "keep_alive": -1, "options": {"temperature": 0.1, "num_ctx": 4096}});
    let body = convert_with(v, false, ThinkStyle::Bool, extra.as_object().unwrap()).unwrap();
    assert_eq!(
        body["options"],
        json!({"num_predict": 8, "seed": 42, "temperature": 0.1, "num_ctx": 4096})
    );
    assert_eq!(body["keep_alive"], -1);
}

#[test]
fn format_and_tool_choice_none() {
    let (v, s) = case("structured_output");
    assert_eq!(convert(v, s).unwrap()["format"]["required"], json!(["answer"]));
    let (v, s) = case("tool_choice_none_sends_no_tools");
    assert!(convert(v, s).unwrap().get("tools").is_none());
}

#[test]
fn unsupported_cases_name_the_field() {
    let mut fields = Vec::new();
    for name in [
        "unsupported_image_url",
        "unsupported_tool_choice_any",
        "unsupported_document",
    ] {
        let (v, s) = case(name);
        match convert(v, s) {
            Err(ConvertError::Unsupported { provider, field, .. }) => {
                assert_eq!(provider, "ollama");
                fields.push(field);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    let (Value::Array(list), _) = case("unsupported_other") else {
        panic!()
    };
    for v in list {
        match convert(v, false) {
            Err(ConvertError::Unsupported { field, .. }) => fields.push(field),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        fields,
        [
            "messages[0].content[0].source",
            "tool_choice",
            "messages[0].content[0]",
            "messages[1].content[0].content[0]",
            "metadata.user_id",
            "output_config.effort",
            "tools[0]",
            "tool_choice",
            "service_tier",
        ]
    );
}

#[test]
fn a_tool_result_for_an_unknown_call_is_invalid() {
    let v = json!({"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "nope", "content": "x"}]}]});
    assert!(matches!(convert(v, false), Err(ConvertError::Invalid { .. })));
}

#[test]
fn count_tokens_is_unsupported() {
    let p =
        serde_json::from_value(json!({"model": "qwen3:4b", "messages": [{"role": "user", "content": "Hi"}]}))
            .unwrap();
    match count_tokens(&p) {
        Err(ConvertError::Unsupported { provider, field, .. }) => {
            assert_eq!((provider.as_str(), field.as_str()), ("ollama", "count_tokens"))
        }
        other => panic!("{other:?}"),
    }
}
