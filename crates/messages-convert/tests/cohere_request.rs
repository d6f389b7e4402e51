//! Anthropic → Cohere v2 request conversion: insta snapshots of hand-written
//! requests (the shapes come from the Anthropic Messages API reference and
//! Cohere's `v2/chat` types in the Cohere Python SDK), `Unsupported` cases
//! included, plus targeted assertions of the mapping rules.
#![cfg(feature = "cohere")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::cohere::request_body;
use messages_convert::ConvertError;
use messages_types::MessageCreateParams;
use serde_json::{json, Map, Value};

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

fn convert(v: Value, stream: bool) -> Result<Value, ConvertError> {
    let p = params(v);
    request_body(&p, stream, &Map::new()).map(|b| serde_json::from_slice(&b).unwrap())
}

fn outcome(v: Value, stream: bool) -> Value {
    match convert(v, stream) {
        Ok(body) => json!({"ok": body}),
        Err(e) => json!({"err": e.to_string()}),
    }
}

fn weather_tool() -> Value {
    json!({"name": "get_weather", "description": "Weather for a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}})
}

fn time_tool() -> Value {
    json!({"name": "get_time", "input_schema": {"type": "object", "properties": {}}})
}

fn cases() -> Vec<(&'static str, Value, bool)> {
    vec![
        (
            "basic_sampling_stream",
            json!({
                "model": "command-a-03-2025", "max_tokens": 256, "system": [{"type": "text", "text": "Be brief."}, {"type": "text", "text": "Answer in French.", "cache_control": {"type": "ephemeral"}}],
                "temperature": 0.2, "top_p": 0.9, "top_k": 40, "stop_sequences": ["END"],
                "messages": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Bonjour"}, {"role": "user", "content": [{"type": "text", "text": "Again"}]}]
            }),
            true,
        ),
        (
            "images",
            json!({
                "model": "command-a-vision-07-2025", "max_tokens": 64,
                "messages": [{"role": "user", "content": [
                    {"type": "text", "text": "Compare"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                    {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}]}]
            }),
            false,
        ),
        (
            "documents",
            json!({
                "model": "command-a-03-2025", "max_tokens": 128,
                "messages": [{"role": "user", "content": [
                    {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "The grass is green."}, "title": "Facts", "context": "From a textbook", "citations": {"enabled": true}},
                    {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "Sky: blue."}, {"type": "text", "text": "Sea: blue."}]}},
                    {"type": "text", "text": "What colour is the grass?"}]}]
            }),
            false,
        ),
        (
            "tool_round_trip",
            json!({
                "model": "command-a-03-2025", "max_tokens": 128, "tools": [weather_tool(), time_tool()],
                "messages": [
                    {"role": "user", "content": "Weather in Paris and the time?"},
                    {"role": "assistant", "content": [
                        {"type": "text", "text": "I will look both up."},
                        {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
                        {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}}]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "call_1", "content": [{"type": "text", "text": "18C"},
                            {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Forecast: sun"}, "title": "forecast"}]},
                        {"type": "tool_result", "tool_use_id": "call_2", "content": "clock offline", "is_error": true},
                        {"type": "text", "text": "Summarise."}]}]
            }),
            false,
        ),
        (
            "thinking_enabled_and_echoed",
            json!({
                "model": "command-a-reasoning-08-2025", "max_tokens": 4096,
                "thinking": {"type": "enabled", "budget_tokens": 2048},
                "messages": [
                    {"role": "user", "content": "2+2?"},
                    {"role": "assistant", "content": [{"type": "thinking", "thinking": "Add.", "signature": "sig"}, {"type": "redacted_thinking", "data": "xx"}, {"type": "text", "text": "4"}]},
                    {"role": "user", "content": "And 3+3?"}]
            }),
            false,
        ),
        (
            "thinking_adaptive_and_disabled",
            json!([
                {"model": "command-a-reasoning-08-2025", "max_tokens": 64, "thinking": {"type": "adaptive"}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "command-a-reasoning-08-2025", "max_tokens": 64, "thinking": {"type": "disabled"}, "messages": [{"role": "user", "content": "Hi"}]}
            ]),
            false,
        ),
        (
            "tool_choice_and_strict",
            json!([
                {"model": "command-a-03-2025", "max_tokens": 64, "tools": [weather_tool(), time_tool()], "tool_choice": {"type": "any"}, "messages": [{"role": "user", "content": "Go"}]},
                {"model": "command-a-03-2025", "max_tokens": 64, "tools": [weather_tool()], "tool_choice": {"type": "none"}, "messages": [{"role": "user", "content": "Go"}]},
                {"model": "command-a-03-2025", "max_tokens": 64, "tools": [weather_tool()], "tool_choice": {"type": "tool", "name": "get_weather"}, "messages": [{"role": "user", "content": "Go"}]},
                {"model": "command-a-03-2025", "max_tokens": 64, "tools": [{"name": "t", "strict": true, "input_schema": {"type": "object"}}], "tool_choice": {"type": "auto"}, "messages": [{"role": "user", "content": "Go"}]}
            ]),
            false,
        ),
        (
            "structured_output",
            json!({
                "model": "command-a-03-2025", "max_tokens": 64,
                "output_config": {"format": {"type": "json_schema", "schema": {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}}},
                "messages": [{"role": "user", "content": "Answer in JSON"}]
            }),
            false,
        ),
        (
            "unsupported_named_tool_among_several",
            json!({
                "model": "command-a-03-2025", "max_tokens": 64, "tools": [weather_tool(), time_tool()],
                "tool_choice": {"type": "tool", "name": "get_time"}, "messages": [{"role": "user", "content": "Go"}]
            }),
            false,
        ),
        (
            "unsupported_pdf_document",
            json!({
                "model": "command-a-03-2025", "max_tokens": 64,
                "messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}}]}]
            }),
            false,
        ),
        (
            "unsupported_other",
            json!([
                {"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA=="}}]}]}]},
                {"model": "m", "max_tokens": 8, "metadata": {"user_id": "u1"}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "output_config": {"effort": "high"}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "tools": [weather_tool()], "tool_choice": {"type": "auto", "disable_parallel_tool_use": true}, "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "tools": [{"type": "web_search_20250305", "name": "web_search"}], "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "tools": [{"name": "a", "strict": true, "input_schema": {"type": "object"}}, weather_tool()], "messages": [{"role": "user", "content": "Hi"}]},
                {"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "file", "file_id": "file_1"}}]}]},
                {"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": [{"type": "search_result", "source": "s", "title": "t", "content": [{"type": "text", "text": "x"}]}]}]}
            ]),
            false,
        ),
    ]
}

#[test]
fn request_snapshots() {
    for (name, input, stream) in cases() {
        let result = match input {
            Value::Array(list) => Value::Array(list.into_iter().map(|v| outcome(v, stream)).collect()),
            v => outcome(v, stream),
        };
        insta::assert_json_snapshot!(name, result);
    }
}

fn case(name: &str) -> (Value, bool) {
    let (_, v, s) = cases().into_iter().find(|(n, _, _)| *n == name).unwrap();
    (v, s)
}

#[test]
fn sampling_maps_to_p_and_k() {
    let (v, s) = case("basic_sampling_stream");
    let body = convert(v, s).unwrap();
    assert_eq!((body["p"].clone(), body["k"].clone()), (json!(0.9), json!(40)));
    assert_eq!(body["stop_sequences"], json!(["END"]));
    assert_eq!(body["stream"], true);
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": "Be brief.\n\nAnswer in French."})
    );
    assert!(body.get("top_p").is_none() && body.get("top_k").is_none());
}

#[test]
fn documents_move_to_the_top_level_with_document_index_ids() {
    let (v, s) = case("documents");
    let body = convert(v, s).unwrap();
    assert_eq!(body["documents"][0]["id"], "doc_0");
    assert_eq!(body["documents"][0]["data"]["title"], "Facts");
    assert_eq!(body["documents"][1]["id"], "doc_1");
    assert_eq!(body["documents"][1]["data"]["text"], "Sky: blue.\n\nSea: blue.");
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": "What colour is the grass?"}])
    );
}

#[test]
fn tool_turns_use_tool_plan_tool_calls_and_tool_messages() {
    let (v, s) = case("tool_round_trip");
    let body = convert(v, s).unwrap();
    let msgs = body["messages"].as_array().unwrap();
    assert_eq!(msgs[1]["tool_plan"], "I will look both up.");
    assert_eq!(
        msgs[1]["tool_calls"][0]["function"]["arguments"],
        "{\"city\":\"Paris\"}"
    );
    assert!(msgs[1].get("content").is_none());
    assert_eq!(msgs[2]["role"], "tool");
    assert_eq!(msgs[2]["tool_call_id"], "call_1");
    assert_eq!(msgs[2]["content"][1]["type"], "document");
    assert_eq!(
        msgs[3]["content"],
        json!([{"type": "text", "text": "Error: clock offline"}])
    );
    assert_eq!(msgs[4], json!({"role": "user", "content": "Summarise."}));
}

#[test]
fn thinking_and_tool_choice() {
    let (v, s) = case("thinking_enabled_and_echoed");
    let body = convert(v, s).unwrap();
    assert_eq!(body["thinking"], json!({"type": "enabled", "token_budget": 2048}));
    assert_eq!(
        body["messages"][1]["content"],
        json!([{"type": "thinking", "thinking": "Add."}, {"type": "text", "text": "4"}])
    );
    let (Value::Array(list), _) = case("tool_choice_and_strict") else {
        panic!()
    };
    let choices: Vec<Value> = list
        .into_iter()
        .map(|v| convert(v, false).unwrap()["tool_choice"].clone())
        .collect();
    assert_eq!(
        choices,
        [json!("REQUIRED"), json!("NONE"), json!("REQUIRED"), Value::Null]
    );
}

#[test]
fn unsupported_cases_name_the_field() {
    let (v, s) = case("unsupported_named_tool_among_several");
    match convert(v, s) {
        Err(ConvertError::Unsupported { provider, field, .. }) => {
            assert_eq!(
                (provider.as_str(), field.as_str()),
                ("cohere", "tool_choice.name")
            );
        }
        other => panic!("{other:?}"),
    }
    let (Value::Array(list), _) = case("unsupported_other") else {
        panic!()
    };
    let fields: Vec<String> = list
        .into_iter()
        .map(|v| match convert(v, false) {
            Err(ConvertError::Unsupported { field, .. }) => field,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        fields,
        [
            "messages[0].content[0].content[0]",
            "metadata.user_id",
            "output_config.effort",
            "tool_choice.disable_parallel_tool_use",
            "tools[0]",
            "tools[].strict",
            "messages[0].content[0].source",
            "messages[0].content[0]",
        ]
    );
}

#[test]
fn document_ids_count_every_document_block_in_request_order() {
    let v = json!({
        "model": "command-a-03-2025", "max_tokens": 64, "tools": [weather_tool()],
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "c1", "name": "get_weather", "input": {"city": "Oslo"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "c1", "content": [{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Rain."}}]},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Umbrellas help."}},
                {"type": "text", "text": "Advice?"}]}]
    });
    let body = convert(v, false).unwrap();
    assert_eq!(body["messages"][2]["content"][0]["document"]["id"], "doc_0");
    assert_eq!(
        body["documents"],
        json!([{"id": "doc_1", "data": {"text": "Umbrellas help."}}])
    );
}
