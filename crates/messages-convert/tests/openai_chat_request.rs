//! Request conversion, Anthropic → Chat Completions: a catalogue of
//! hand-written Anthropic requests (every block kind, tools and each
//! tool_choice, thinking budgets, output_config, images, documents, tool
//! results with images and `is_error`, metadata, cache_control) as insta
//! snapshots, the `Unsupported` errors, the extras escape hatch, and the
//! recorded native requests reproduced from equivalent Anthropic requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::openai_chat::{
    request_body, to_chat_request, Dialect, ReasoningControl, ReasoningEcho,
};
use messages_convert::ConvertError;
use messages_types::MessageCreateParams;
use serde_json::{json, Value};

/// The table's dialects (`anyllm-openai` uses the same constants), so the
/// snapshots show what each provider is really sent.
const MISTRAL: Dialect = Dialect::MISTRAL;
const DEEPSEEK: Dialect = Dialect::DEEPSEEK;
const OPENROUTER: Dialect = Dialect::OPENROUTER;

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

fn convert(p: &MessageCreateParams, d: &Dialect, stream: bool) -> Value {
    serde_json::to_value(to_chat_request(p, d, stream).unwrap()).unwrap()
}

const PNG: &str = "iVBORw0KGgo=";
const PDF: &str = "JVBERi0xLjQK";

fn catalogue() -> Vec<(&'static str, Value)> {
    vec![
        (
            "text_system_sampling",
            json!({"model": "m", "max_tokens": 256, "system": "You are terse.",
                "temperature": 0.2, "top_p": 0.9, "stop_sequences": ["END", "STOP"],
                "messages": [{"role": "user", "content": "Hello"}]}),
        ),
        (
            "system_blocks_with_cache_control",
            json!({"model": "m", "max_tokens": 64,
                "system": [{"type": "text", "text": "Rules.", "cache_control": {"type": "ephemeral"}},
                           {"type": "text", "text": "More rules."}],
                "cache_control": {"type": "ephemeral", "ttl": "1h"},
                "messages": [{"role": "user", "content": [
                    {"type": "text", "text": "Long context", "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": "Question?"}]}]}),
        ),
        (
            "images_base64_and_url",
            json!({"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
                {"type": "text", "text": "Compare them."}]}]}),
        ),
        (
            "documents_pdf_text_content",
            json!({"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": [
                {"type": "document", "title": "report.pdf",
                 "source": {"type": "base64", "media_type": "application/pdf", "data": PDF}},
                {"type": "document", "title": "Notes", "context": "From the meeting",
                 "source": {"type": "text", "media_type": "text/plain", "data": "Ship on Friday."}},
                {"type": "document", "source": {"type": "content", "content": [
                    {"type": "text", "text": "Chunk one."},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]}},
                {"type": "search_result", "source": "https://example.com/a", "title": "Result A",
                 "content": [{"type": "text", "text": "Fact A."}]},
                {"type": "text", "text": "Summarize."}]}]}),
        ),
        (
            "tools_and_parallel_tool_turn",
            json!({"model": "m", "max_tokens": 512,
                "tools": [
                    {"name": "get_weather", "description": "Weather for a city",
                     "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                     "cache_control": {"type": "ephemeral"}},
                    {"name": "get_time", "input_schema": {"type": "object", "properties": {}}, "strict": true}],
                "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
                "messages": [
                    {"role": "user", "content": "Weather and time in Paris?"},
                    {"role": "assistant", "content": [
                        {"type": "text", "text": "Checking."},
                        {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
                        {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}}]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "call_1", "content": "18°C, cloudy"},
                        {"type": "tool_result", "tool_use_id": "call_2", "content": [{"type": "text", "text": "14:05"}]},
                        {"type": "text", "text": "Thanks, and tomorrow?"}]}]}),
        ),
        (
            "tool_result_with_image_and_error",
            json!({"model": "m", "max_tokens": 128,
                "tools": [{"name": "screenshot", "input_schema": {"type": "object"}}],
                "messages": [
                    {"role": "user", "content": "Screenshot both pages."},
                    {"role": "assistant", "content": [
                        {"type": "tool_use", "id": "call_a", "name": "screenshot", "input": {"page": 1}},
                        {"type": "tool_use", "id": "call_b", "name": "screenshot", "input": {"page": 2}}]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "call_a", "content": [
                            {"type": "text", "text": "Page 1:"},
                            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]},
                        {"type": "tool_result", "tool_use_id": "call_b", "is_error": true,
                         "content": "page 2 does not exist"}]}]}),
        ),
        (
            "tool_choice_any",
            json!({"model": "m", "max_tokens": 32, "tool_choice": {"type": "any"},
                "tools": [{"name": "f", "input_schema": {"type": "object"}}],
                "messages": [{"role": "user", "content": "go"}]}),
        ),
        (
            "tool_choice_named",
            json!({"model": "m", "max_tokens": 32, "tool_choice": {"type": "tool", "name": "f"},
                "tools": [{"name": "f", "input_schema": {"type": "object"}}],
                "messages": [{"role": "user", "content": "go"}]}),
        ),
        (
            "tool_choice_none_without_tools",
            json!({"model": "m", "max_tokens": 32, "tool_choice": {"type": "none"},
                "messages": [{"role": "user", "content": "go"}]}),
        ),
        (
            "tool_choice_none",
            json!({"model": "m", "max_tokens": 32, "tool_choice": {"type": "none"},
                "tools": [{"name": "f", "input_schema": {"type": "object"}}],
                "messages": [{"role": "user", "content": "go"}]}),
        ),
        (
            "thinking_budget_and_history",
            json!({"model": "m", "max_tokens": 16000,
                "thinking": {"type": "enabled", "budget_tokens": 4096},
                "messages": [
                    {"role": "user", "content": "2+2?"},
                    {"role": "assistant", "content": [
                        // Minted by OpenRouter (messages_convert::signature): only
                        // OpenRouter gets them back, without the prefix.
                        {"type": "thinking", "thinking": "Add them.", "signature": "anyllm.openrouter.sig=="},
                        {"type": "redacted_thinking", "data": "anyllm.openrouter.opaque"},
                        {"type": "text", "text": "4"}]},
                    {"role": "user", "content": "And 3+3?"}]}),
        ),
        (
            "thinking_disabled",
            json!({"model": "m", "max_tokens": 64, "thinking": {"type": "disabled"},
                "messages": [{"role": "user", "content": "hi"}]}),
        ),
        (
            "thinking_adaptive_with_effort",
            json!({"model": "m", "max_tokens": 64, "thinking": {"type": "adaptive"},
                "output_config": {"effort": "high"},
                "messages": [{"role": "user", "content": "hi"}]}),
        ),
        (
            "output_config_json_schema",
            json!({"model": "m", "max_tokens": 64,
                "output_config": {"format": {"type": "json_schema", "schema": {
                    "title": "City Fact", "type": "object", "additionalProperties": false,
                    "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
                "messages": [{"role": "user", "content": "A city fact."}]}),
        ),
        (
            "metadata_and_service_tier",
            json!({"model": "m", "max_tokens": 64, "metadata": {"user_id": "user-42"},
                "service_tier": "auto", "messages": [{"role": "user", "content": "hi"}]}),
        ),
        (
            "assistant_prefill",
            json!({"model": "m", "max_tokens": 64, "messages": [
                {"role": "user", "content": "Give JSON."},
                {"role": "assistant", "content": "{"}]}),
        ),
        (
            "top_k",
            json!({"model": "m", "max_tokens": 64, "top_k": 40,
                "messages": [{"role": "user", "content": "hi"}]}),
        ),
    ]
}

fn dialects() -> [(&'static str, Dialect); 5] {
    [
        ("openai", Dialect::OPENAI),
        ("generic", Dialect::GENERIC),
        ("mistral", MISTRAL),
        ("deepseek", DEEPSEEK),
        ("openrouter", OPENROUTER),
    ]
}

/// Every catalogue request, for every dialect: the converted body, or the
/// typed error, snapshotted together per request.
#[test]
fn catalogue_snapshots() {
    for (name, req) in catalogue() {
        let p = params(req);
        let mut per_dialect = serde_json::Map::new();
        for (dname, d) in dialects() {
            let v = match to_chat_request(&p, &d, false) {
                Ok(r) => serde_json::to_value(r).unwrap(),
                Err(e) => json!({"error": e.to_string()}),
            };
            per_dialect.insert(dname.to_owned(), v);
        }
        insta::assert_json_snapshot!(format!("request__{name}"), per_dialect);
    }
}

#[test]
fn streaming_adds_stream_options_where_supported() {
    let p = params(json!({"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}));
    let v = convert(&p, &Dialect::OPENAI, true);
    assert_eq!(v["stream"], true);
    assert_eq!(v["stream_options"], json!({"include_usage": true}));
    let no_opts = Dialect {
        stream_usage: false,
        ..Dialect::GENERIC
    };
    let v = convert(&p, &no_opts, true);
    assert_eq!(v["stream"], true);
    assert!(v.get("stream_options").is_none());
    // `params.stream` is not what decides: the call does.
    let mut p2 = p.clone();
    p2.stream = Some(true);
    assert!(convert(&p2, &Dialect::OPENAI, false).get("stream").is_none());
}

#[test]
fn thinking_budgets_map_to_effort() {
    for (budget, effort) in [
        (1024, "minimal"),
        (2000, "low"),
        (8192, "medium"),
        (20000, "high"),
        (60000, "xhigh"),
    ] {
        let p = params(json!({"model": "m", "max_tokens": 64000,
            "thinking": {"type": "enabled", "budget_tokens": budget},
            "messages": [{"role": "user", "content": "hi"}]}));
        assert_eq!(convert(&p, &Dialect::OPENAI, false)["reasoning_effort"], effort);
        assert_eq!(
            convert(&p, &OPENROUTER, false)["reasoning"],
            json!({"max_tokens": budget})
        );
        assert_eq!(
            convert(&p, &DEEPSEEK, false)["thinking"],
            json!({"type": "enabled"})
        );
    }
}

fn unsupported(p: &MessageCreateParams, d: &Dialect) -> (String, String) {
    match to_chat_request(p, d, false) {
        Err(ConvertError::Unsupported { provider, field, .. }) => (provider, field),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn unsupported_fields_are_typed_errors_naming_field_and_provider() {
    let user = json!([{"role": "user", "content": "hi"}]);
    let cases: Vec<(Value, Dialect, &str)> = vec![
        (json!({"top_k": 5}), Dialect::OPENAI, "top_k"),
        (
            json!({"thinking": {"type": "enabled", "budget_tokens": 2048}}),
            MISTRAL,
            "thinking",
        ),
        (
            json!({"output_config": {"effort": "low"}}),
            MISTRAL,
            "output_config.effort",
        ),
        (
            json!({"tools": [{"type": "web_search_20250305", "name": "web_search"}]}),
            Dialect::OPENAI,
            "tools[0]",
        ),
        (json!({"container": "cntr_1"}), Dialect::OPENAI, "container"),
        (json!({"inference_geo": "us"}), Dialect::OPENAI, "inference_geo"),
        (
            json!({"context_management": {"edits": []}}),
            Dialect::OPENAI,
            "context_management",
        ),
        (
            json!({"system": [{"type": "text", "text": "a"}, {"type": "image", "source": {"type": "url", "url": "https://x"}}]}),
            Dialect::GENERIC,
            "system[1]",
        ),
        (
            json!({"mcp_servers": [{"type": "url", "url": "https://x", "name": "x"}]}),
            Dialect::OPENAI,
            "mcp_servers",
        ),
        (
            json!({"service_tier": "standard_only"}),
            Dialect::GENERIC,
            "service_tier",
        ),
        (
            json!({"metadata": {"user_id": "u"}}),
            Dialect {
                user_field: None,
                ..Dialect::GENERIC
            },
            "metadata.user_id",
        ),
        (
            json!({"output_config": {"format": {"type": "json_schema", "schema": {}}}}),
            Dialect {
                json_schema: false,
                ..Dialect::GENERIC
            },
            "output_config.format",
        ),
        (
            json!({"tool_choice": {"type": "any"}, "tools": [{"name": "f", "input_schema": {}}]}),
            Dialect {
                tool_choice_required: None,
                ..Dialect::GENERIC
            },
            "tool_choice",
        ),
    ];
    for (fields, d, field) in cases {
        let mut body = json!({"model": "m", "max_tokens": 8, "messages": user});
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (provider, got) = unsupported(&params(body), &d);
        assert_eq!(got, field);
        assert_eq!(provider, d.provider);
    }

    let block_cases = [
        (
            json!({"type": "image", "source": {"type": "file", "file_id": "file_1"}}),
            "messages[0].content[0].source",
        ),
        (
            json!({"type": "document", "source": {"type": "url", "url": "https://x/a.pdf"}}),
            "messages[0].content[0].source",
        ),
        (
            json!({"type": "document", "citations": {"enabled": true},
                   "source": {"type": "text", "media_type": "text/plain", "data": "x"}}),
            "messages[0].content[0].citations",
        ),
        (json!({"type": "future_block", "x": 1}), "messages[0].content[0]"),
        (
            json!({"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}}),
            "messages[0].content[0]",
        ),
    ];
    for (block, field) in block_cases {
        let p = params(
            json!({"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": [block]}]}),
        );
        let (_, got) = unsupported(&p, &Dialect::OPENAI);
        assert_eq!(got, field);
    }
    let no_media = Dialect {
        images: false,
        files: false,
        tools: false,
        ..Dialect::GENERIC
    };
    for (block, field) in [
        (
            json!({"type": "image", "source": {"type": "url", "url": "https://x/i.png"}}),
            "messages[0].content[0]",
        ),
        (
            json!({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}}),
            "messages[0].content[0]",
        ),
    ] {
        let p = params(
            json!({"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": [block]}]}),
        );
        assert_eq!(unsupported(&p, &no_media).1, field);
    }
    let p = params(
        json!({"model": "m", "max_tokens": 8, "tools": [{"name": "f", "input_schema": {}}],
        "messages": [{"role": "user", "content": "q"}]}),
    );
    assert_eq!(unsupported(&p, &no_media).1, "tools");
    let p = params(json!({"model": "m", "max_tokens": 8, "messages": [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": [{"type": "web_search_tool_result", "tool_use_id": "s", "content": []}]}]}));
    assert_eq!(unsupported(&p, &Dialect::OPENAI).1, "messages[1].content[0]");
}

#[test]
fn extras_are_merged_as_given() {
    let mut p = params(json!({"model": "m", "max_tokens": 8, "prompt_cache_key": "k1",
        "messages": [{"role": "user", "content": "hi"}]}));
    let mut extra = serde_json::Map::new();
    extra.insert("seed".into(), json!(7));
    extra.insert("logprobs".into(), json!(true));
    extra.insert("reasoning_effort".into(), json!("high"));
    extra.insert("max_tokens".into(), json!(99));
    let body: Value =
        serde_json::from_slice(&request_body(&p, &Dialect::GENERIC, false, &extra).unwrap()).unwrap();
    assert_eq!(body["seed"], 7);
    assert_eq!(body["logprobs"], true);
    assert_eq!(body["reasoning_effort"], "high");
    assert_eq!(body["max_tokens"], 99, "caller extras win over converted fields");
    assert_eq!(
        body["prompt_cache_key"], "k1",
        "unknown Anthropic fields pass through"
    );
    // Without extras the body is the plain serialization.
    p.extra.clear();
    let plain = request_body(&p, &Dialect::GENERIC, false, &serde_json::Map::new()).unwrap();
    assert_eq!(
        plain,
        serde_json::to_vec(&to_chat_request(&p, &Dialect::GENERIC, false).unwrap()).unwrap()
    );
}

// ---------------------------------------------------------------------------
// Recorded native requests reproduced from equivalent Anthropic requests.
// ---------------------------------------------------------------------------

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Filter};
use messages_convert::openai_chat::MaxTokensField;

/// Top-level fields an Anthropic request can express (the rest make the
/// recorded request out of scope: `n`, `logprobs`, `provider`, `grammar`, …).
const EXPRESSIBLE: &[&str] = &[
    "model",
    "messages",
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "stop",
    "stream",
    "stream_options",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    "thinking",
];

/// Text of a string or a list of text parts; `None` for other parts.
fn plain_text(content: &Value) -> Option<String> {
    match content {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some(String::new()),
        Value::Array(parts) => parts
            .iter()
            .map(|p| {
                (p["type"] == "text")
                    .then(|| p["text"].as_str().map(str::to_owned))
                    .flatten()
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat()),
        _ => None,
    }
}

/// A user part as an Anthropic block.
fn user_block(part: &Value) -> Option<Value> {
    match part["type"].as_str()? {
        "text" => Some(json!({"type": "text", "text": part["text"]})),
        "image_url" => {
            if !matches!(part["image_url"].get("detail"), None | Some(Value::Null))
                && part["image_url"]["detail"] != "auto"
            {
                return None;
            }
            let url = part["image_url"]["url"].as_str()?;
            if let Some(rest) = url.strip_prefix("data:") {
                let (media_type, data) = rest.split_once(";base64,")?;
                Some(
                    json!({"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}),
                )
            } else {
                Some(json!({"type": "image", "source": {"type": "url", "url": url}}))
            }
        }
        _ => None,
    }
}

/// The Anthropic request a recorded native request expresses, with the
/// dialect it was sent in; `None` when it uses something Anthropic cannot say.
fn to_anthropic(provider: &str, body: &Value) -> Option<(Value, Dialect)> {
    let obj = body.as_object()?;
    if obj.keys().any(|k| !EXPRESSIBLE.contains(&k.as_str())) {
        return None;
    }
    let mut d = if provider == "openai" {
        Dialect::OPENAI
    } else {
        Dialect::GENERIC
    };
    d.max_tokens_field = if obj.contains_key("max_completion_tokens") {
        MaxTokensField::MaxCompletionTokens
    } else {
        MaxTokensField::MaxTokens
    };
    d.stream_usage = obj.contains_key("stream_options");
    d.reasoning_echo = Some(ReasoningEcho::ReasoningContent);
    if provider == "mistral" {
        d.tool_choice_required = Some("any");
        d.assistant_prefix = true;
    }
    let mut req = json!({"model": body["model"]});
    let max = body.get("max_tokens").or(body.get("max_completion_tokens"))?;
    req["max_tokens"] = max.clone();
    for k in ["temperature", "top_p"] {
        if let Some(v) = body.get(k) {
            req[k] = v.clone();
        }
    }
    match body.get("stop") {
        None => {}
        Some(Value::Array(a)) => req["stop_sequences"] = Value::Array(a.clone()),
        Some(_) => return None,
    }
    match body.get("thinking") {
        None => {}
        Some(t) if t["type"] == "disabled" => {
            d.reasoning_control = ReasoningControl::DeepSeekThinking;
            req["thinking"] = json!({"type": "disabled"});
        }
        Some(_) => return None, // `enabled` without a budget has no Anthropic equivalent
    }
    if let Some(rf) = body.get("response_format") {
        if rf["type"] != "json_schema" {
            return None;
        }
        req["output_config"] =
            json!({"format": {"type": "json_schema", "schema": rf["json_schema"]["schema"]}});
    }
    if let Some(tools) = body.get("tools") {
        let mut out = Vec::new();
        for t in tools.as_array()? {
            let f = &t["function"];
            let mut tool = json!({"name": f["name"], "input_schema": f.get("parameters").cloned().unwrap_or(json!({"type": "object"}))});
            if let Some(desc) = f.get("description") {
                tool["description"] = desc.clone();
            }
            if let Some(strict) = f.get("strict") {
                tool["strict"] = strict.clone();
            }
            out.push(tool);
        }
        req["tools"] = Value::Array(out);
    }
    let parallel_off = body.get("parallel_tool_calls") == Some(&json!(false));
    match body.get("tool_choice") {
        None | Some(Value::Null) if parallel_off => {
            req["tool_choice"] = json!({"type": "auto", "disable_parallel_tool_use": true})
        }
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            let kind = match s.as_str() {
                "auto" => "auto",
                "none" => "none",
                "required" | "any" => "any",
                _ => return None,
            };
            req["tool_choice"] = json!({"type": kind});
            if parallel_off {
                req["tool_choice"]["disable_parallel_tool_use"] = json!(true);
            }
        }
        Some(c) => {
            req["tool_choice"] = json!({"type": "tool", "name": c["function"]["name"]});
            if parallel_off {
                req["tool_choice"]["disable_parallel_tool_use"] = json!(true);
            }
        }
    }

    let msgs = body["messages"].as_array()?;
    let mut out: Vec<Value> = Vec::new();
    let mut pending_user: Vec<Value> = Vec::new();
    let flush = |out: &mut Vec<Value>, pending: &mut Vec<Value>| {
        if !pending.is_empty() {
            out.push(json!({"role": "user", "content": std::mem::take(pending)}));
        }
    };
    for (i, m) in msgs.iter().enumerate() {
        match m["role"].as_str()? {
            "system" if i == 0 => req["system"] = json!(plain_text(&m["content"])?),
            "user" => {
                let content = &m["content"];
                if let Value::String(s) = content {
                    if pending_user.is_empty() {
                        out.push(json!({"role": "user", "content": s}));
                        continue;
                    }
                    pending_user.push(json!({"type": "text", "text": s}));
                } else {
                    for p in content.as_array()? {
                        pending_user.push(user_block(p)?);
                    }
                }
                flush(&mut out, &mut pending_user);
            }
            "tool" => pending_user.push(json!({"type": "tool_result", "tool_use_id": m["tool_call_id"],
                "content": plain_text(&m["content"])?})),
            "assistant" => {
                flush(&mut out, &mut pending_user);
                if m.get("prefix").is_some() && i + 1 != msgs.len() {
                    return None;
                }
                let mut blocks = Vec::new();
                if let Some(r) = m.get("reasoning_content").and_then(Value::as_str) {
                    blocks.push(json!({"type": "thinking", "thinking": r, "signature": ""}));
                }
                let text = plain_text(m.get("content").unwrap_or(&Value::Null))?;
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
                for tc in m
                    .get("tool_calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let args: Value = serde_json::from_str(tc["function"]["arguments"].as_str()?).ok()?;
                    blocks.push(json!({"type": "tool_use", "id": tc["id"], "name": tc["function"]["name"], "input": args}));
                }
                if blocks.is_empty() {
                    blocks.push(json!({"type": "text", "text": ""}));
                }
                out.push(json!({"role": "assistant", "content": blocks}));
            }
            _ => return None,
        }
    }
    flush(&mut out, &mut pending_user);
    req["messages"] = Value::Array(out);
    Some((req, d))
}

/// The recorded body with equivalent spellings made canonical: text-only part
/// lists as strings, `null` fields and `parallel_tool_calls: true` (the
/// default) removed, the json_schema `name` ignored, tool arguments
/// re-serialized, the stream-delta `index` echoed in tool calls dropped.
fn normalize(body: &Value) -> Value {
    let mut b = body.clone();
    let obj = b.as_object_mut().unwrap();
    obj.retain(|_, v| !v.is_null());
    if obj.get("parallel_tool_calls") == Some(&json!(true)) {
        obj.remove("parallel_tool_calls");
    }
    if let Some(rf) = obj.get_mut("response_format") {
        rf["json_schema"]["name"] = json!("*");
        rf["json_schema"]["strict"] = json!(true);
    }
    if let Some(Value::Array(tools)) = obj.get_mut("tools") {
        for t in tools {
            if t["function"].get("parameters").is_none() {
                t["function"]["parameters"] = json!({"type": "object"});
            }
        }
    }
    if let Some(Value::Array(msgs)) = obj.get_mut("messages") {
        for m in msgs {
            let m = m.as_object_mut().unwrap();
            m.retain(|_, v| !v.is_null());
            let role = m["role"].as_str().unwrap_or("").to_owned();
            if let Some(Value::Array(parts)) = m.get_mut("content") {
                for p in parts {
                    // `detail: auto` is the default.
                    if p["image_url"].get("detail") == Some(&json!("auto")) {
                        p["image_url"].as_object_mut().unwrap().remove("detail");
                    }
                }
            }
            if let Some(c) = m.get("content").cloned() {
                let single_text = matches!(&c, Value::Array(p) if p.len() == 1 && p[0]["type"] == "text");
                if role != "user" || single_text {
                    if let Some(t) = plain_text(&c) {
                        m.insert("content".into(), json!(t));
                    }
                }
            }
            if role == "assistant" && m.contains_key("tool_calls") && m.get("content") == Some(&json!("")) {
                m.remove("content");
            }
            if let Some(Value::Array(calls)) = m.get_mut("tool_calls") {
                for c in calls {
                    // `index` is a stream-delta field some clients echo back.
                    c.as_object_mut().unwrap().remove("index");
                    let args = c["function"]["arguments"].as_str().unwrap_or("{}");
                    let v: Value = serde_json::from_str(args).unwrap_or(json!({}));
                    c["function"]["arguments"] = json!(v.to_string());
                }
            }
        }
    }
    b
}

#[test]
fn recorded_requests_are_reproduced() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("openai-chat")).unwrap();
    let mut reproduced = 0;
    for ex in &all {
        let Some((anthropic, d)) = to_anthropic(&ex.provider, &ex.request.body) else {
            continue;
        };
        let p: MessageCreateParams = match serde_json::from_value(anthropic.clone()) {
            Ok(p) => p,
            // A deliberately malformed request (e.g. `temperature: "hot"`), rejected by the server too.
            Err(_) if ex.response.status != 200 => continue,
            Err(e) => panic!("{}: {e}\n{anthropic:#}", ex.file),
        };
        let ours = convert(&p, &d, ex.request.body.get("stream") == Some(&json!(true)));
        let ours = normalize(&ours);
        let recorded = normalize(&ex.request.body);
        if let Some(diff) = first_difference("", &ours, &recorded) {
            panic!("{}: {diff}\nours: {ours}\nrecorded: {recorded}", ex.file);
        }
        reproduced += 1;
    }
    eprintln!(
        "reproduced {reproduced} of {} recorded openai-chat requests",
        all.len()
    );
    assert!(
        reproduced >= 300,
        "only {reproduced} recorded requests were expressible"
    );
}

/// The first path where two JSON values differ, for readable failures.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (va, vb) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                if let Some(d) = first_difference(&format!("{path}.{k}"), va, vb) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_difference(&format!("{path}[{i}]"), va, vb)),
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => None,
        _ if a == b => None,
        _ => Some(format!("at {path}: ours {a} vs recorded {b}")),
    }
}

// ---------------------------------------------------------------------------
// Structural invariants over generated conversations.
// ---------------------------------------------------------------------------

use proptest::prelude::*;

#[derive(Debug, Clone)]
enum UserPiece {
    Text(String),
    Image,
}

#[derive(Debug, Clone)]
struct Turn {
    thinking: Option<String>,
    text: Option<String>,
    calls: usize,
    error_mask: u8,
    user_after: Vec<UserPiece>,
}

fn turn() -> impl Strategy<Value = Turn> {
    (
        proptest::option::of("[a-z ]{1,8}"),
        proptest::option::of("[a-z ]{1,8}"),
        0usize..3,
        any::<u8>(),
        proptest::collection::vec(
            prop_oneof!["[a-z]{1,6}".prop_map(UserPiece::Text), Just(UserPiece::Image)],
            0..3,
        ),
    )
        .prop_map(|(thinking, text, calls, error_mask, user_after)| Turn {
            thinking,
            text,
            calls,
            error_mask,
            user_after,
        })
}

fn build(turns: &[Turn]) -> Value {
    let mut messages = vec![json!({"role": "user", "content": "start"})];
    for (i, t) in turns.iter().enumerate() {
        let mut blocks = Vec::new();
        if let Some(th) = &t.thinking {
            blocks.push(json!({"type": "thinking", "thinking": th, "signature": "s"}));
        }
        if let Some(tx) = &t.text {
            blocks.push(json!({"type": "text", "text": tx}));
        }
        for c in 0..t.calls {
            blocks.push(
                json!({"type": "tool_use", "id": format!("call_{i}_{c}"), "name": "f", "input": {"c": c}}),
            );
        }
        if blocks.is_empty() {
            blocks.push(json!({"type": "text", "text": "ok"}));
        }
        messages.push(json!({"role": "assistant", "content": blocks}));
        let mut user = Vec::new();
        for c in 0..t.calls {
            let is_error = t.error_mask & (1 << c) != 0;
            user.push(json!({"type": "tool_result", "tool_use_id": format!("call_{i}_{c}"),
                "is_error": is_error, "content": [
                    {"type": "text", "text": format!("result {i} {c}")},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}]}));
        }
        for p in &t.user_after {
            user.push(match p {
                UserPiece::Text(s) => json!({"type": "text", "text": s}),
                UserPiece::Image => {
                    json!({"type": "image", "source": {"type": "url", "url": "https://x/i.png"}})
                }
            });
        }
        if user.is_empty() {
            user.push(json!({"type": "text", "text": "go on"}));
        }
        messages.push(json!({"role": "user", "content": user}));
    }
    json!({"model": "m", "max_tokens": 100, "tools": [{"name": "f", "input_schema": {"type": "object"}}], "messages": messages})
}

proptest! {
    /// Tool messages follow their assistant turn directly and in order (the
    /// target rejects anything else), every result and every user text is
    /// kept in order, `is_error` is visible, and images from tool results land
    /// in the next user message.
    #[test]
    fn generated_conversations_keep_order_and_content(turns in proptest::collection::vec(turn(), 0..6)) {
        let p = params(build(&turns));
        let body = convert(&p, &Dialect::GENERIC, false);
        let msgs = body["messages"].as_array().unwrap();
        let mut pending: Vec<String> = Vec::new();
        let mut user_texts: Vec<String> = Vec::new();
        let mut tool_ids: Vec<String> = Vec::new();
        let mut images = 0usize;
        for m in msgs {
            match m["role"].as_str().unwrap() {
                "assistant" => {
                    prop_assert!(pending.is_empty(), "unanswered calls before the next assistant turn");
                    for c in m["tool_calls"].as_array().into_iter().flatten() {
                        pending.push(c["id"].as_str().unwrap().to_owned());
                    }
                }
                "tool" => {
                    let id = m["tool_call_id"].as_str().unwrap().to_owned();
                    prop_assert_eq!(pending.first(), Some(&id), "tool messages answer the calls in order");
                    pending.remove(0);
                    tool_ids.push(id);
                }
                "user" => {
                    prop_assert!(pending.is_empty(), "a user message between tool calls and their results");
                    match &m["content"] {
                        Value::String(s) => user_texts.push(s.clone()),
                        Value::Array(parts) => for part in parts {
                            match part["type"].as_str().unwrap() {
                                "text" => user_texts.push(part["text"].as_str().unwrap().to_owned()),
                                "image_url" => images += 1,
                                other => prop_assert!(false, "unexpected part {}", other),
                            }
                        },
                        other => prop_assert!(false, "bad content {}", other),
                    }
                }
                other => prop_assert!(false, "unexpected role {}", other),
            }
        }
        let calls: usize = turns.iter().map(|t| t.calls).sum();
        prop_assert_eq!(tool_ids.len(), calls);
        let want_images = calls + turns.iter().flat_map(|t| &t.user_after).filter(|p| matches!(p, UserPiece::Image)).count();
        prop_assert_eq!(images, want_images);
        let want_texts: Vec<String> = std::iter::once("start".to_owned())
            .chain(turns.iter().flat_map(|t| {
                let texts: Vec<String> = t.user_after.iter().filter_map(|p| match p { UserPiece::Text(s) => Some(s.clone()), UserPiece::Image => None }).collect();
                if t.calls == 0 && t.user_after.is_empty() { vec!["go on".to_owned()] } else { texts }
            }))
            .collect();
        let got: Vec<String> = user_texts.into_iter().filter(|t| !t.starts_with("Attachments of the tool result")).collect();
        prop_assert_eq!(got, want_texts);
        for (t_i, t) in turns.iter().enumerate() {
            for c in 0..t.calls {
                let id = format!("call_{t_i}_{c}");
                let msg = msgs.iter().find(|m| m["tool_call_id"] == json!(id)).unwrap();
                let text = msg["content"].as_str().unwrap();
                prop_assert_eq!(text.starts_with("Error: "), t.error_mask & (1 << c) != 0);
                let want = format!("result {t_i} {c}");
                prop_assert!(text.ends_with(&want));
            }
        }
    }
}
