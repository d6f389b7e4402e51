//! Anthropic request → Ollama native `/api/chat` request.
//!
//! | Anthropic | Ollama |
//! |---|---|
//! | `system` (string or text blocks, joined with a blank line) | first `system` message |
//! | `max_tokens`, `temperature`, `top_p`, `top_k`, `stop_sequences` | `options.num_predict`, `.temperature`, `.top_p`, `.top_k`, `.stop` |
//! | `thinking` enabled | `think: true`, or with [`ThinkStyle::Levels`] a level by budget ([`level_for_budget`]) |
//! | `thinking` adaptive / disabled | `think: true` / `think: false` |
//! | `output_config.effort` | `think: "low" \| "medium" \| "high"` with [`ThinkStyle::Levels`] (`xhigh`, `max` → `high`), else `Unsupported` |
//! | `output_config.format` / `output_format` json_schema | `format` (the schema) |
//! | `tools` (custom) | `{type: function, function: {name, description, parameters}}` |
//! | `tool_choice` auto / none | omitted / the tools are not sent (Ollama has no tool choice; without tools the model cannot call one) |
//! | `stream` (from the call) | `stream` (always sent: Ollama streams by default) |
//! | extras `seed` and `options` (an object) | merged into `options` ([`request_body`]) |
//! | other unknown top-level fields and extras (`keep_alive`, `truncate`, …) | merged into the body as given |
//!
//! Content: a turn's text blocks joined into `content` (user turns with a
//! blank line between blocks; assistant blocks, pieces of one reply, with
//! nothing); base64 images → `images` (the data without a data-URI prefix);
//! assistant `thinking` → `thinking` (echoed back), `tool_use` →
//! `tool_calls` (`{id, function: {index, name, arguments}}`, arguments an
//! object). A `tool_result` becomes a `tool` message (one per call, before
//! the rest of the turn) with `tool_name` — the name of the `tool_use` it
//! answers, looked up in the earlier turns (unknown id → `Invalid`) — and
//! `tool_call_id`; its text blocks joined with a blank line, prefixed with
//! `Error: ` when `is_error` is set.
//!
//! Dropped (documented losses): `cache_control` (Ollama keeps its own KV
//! cache), thinking signatures and `redacted_thinking` blocks, citations on
//! assistant text.
//!
//! `Unsupported`: image URL and Files API sources, documents, search
//! results, images or documents inside tool results, server-tool blocks,
//! unknown block kinds, Anthropic-defined tools, `tool_choice` any / tool
//! and `disable_parallel_tool_use`, and the top-level features
//! [`CAPABILITIES`](super::CAPABILITIES) refuses (checked first:
//! `max_tokens: 0`, `metadata.user_id`, `service_tier` other than `auto`,
//! `container`, `inference_geo`, `mcp_servers` even empty,
//! `context_management`). Token counting: [`count_tokens`].

use std::borrow::Cow;
use std::collections::HashMap;

use messages_types::{
    ContentBlock, CountTokensParams, Effort, ImageSource, MessageContent, MessageCreateParams, MessageParam,
    Role, ThinkingConfig, ToolChoice, ToolResultBlock,
};
use serde_json::{Map, Value};

use super::wire::{ChatMessage, ChatRequest, Think, ToolCall, ToolCallFunction};
use crate::merge_patch::body_with_extras;
use crate::shared::{function_tools, join, json_schema_format, system_text};
use crate::ConvertError;

/// The provider name used in `Unsupported` errors.
pub const PROVIDER: &str = "ollama";

/// How the model takes `think`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThinkStyle {
    /// `true` / `false` (most thinking models).
    #[default]
    Bool,
    /// `low` / `medium` / `high` (e.g. gpt-oss).
    Levels,
}

fn unsupported(field: impl Into<String>, why: impl Into<String>) -> ConvertError {
    ConvertError::unsupported_because(PROVIDER, field, why)
}

/// The `think` level for a thinking budget: up to 4096 tokens `low`, up to
/// 16384 `medium`, above `high`.
///
/// ```
/// use messages_convert::ollama::request::level_for_budget;
/// assert_eq!(level_for_budget(1024), "low");
/// assert_eq!(level_for_budget(8000), "medium");
/// assert_eq!(level_for_budget(32000), "high");
/// ```
pub fn level_for_budget(budget_tokens: u32) -> &'static str {
    match budget_tokens {
        0..=4096 => "low",
        4097..=16384 => "medium",
        _ => "high",
    }
}

/// Ollama has no token-counting endpoint: always `Unsupported` naming
/// `count_tokens` (a provider built on this family returns it as is).
///
/// ```
/// use messages_convert::ollama::request::count_tokens;
/// let params = serde_json::from_value(serde_json::json!({"model": "qwen3:4b", "messages": []})).unwrap();
/// let err = count_tokens(&params).unwrap_err();
/// assert!(err.to_string().contains("count_tokens"));
/// ```
pub fn count_tokens(params: &CountTokensParams) -> Result<Vec<u8>, ConvertError> {
    let _ = params;
    Err(unsupported(
        "count_tokens",
        "Ollama has no token-counting endpoint",
    ))
}

/// Converts an Anthropic request into an Ollama `/api/chat` request.
///
/// ```
/// use messages_convert::ollama::{to_chat_request, ThinkStyle};
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "qwen3:4b", "max_tokens": 64, "system": "Be brief.",
///     "thinking": {"type": "enabled", "budget_tokens": 2048},
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let req = to_chat_request(&params, false, ThinkStyle::Bool).unwrap();
/// assert_eq!(serde_json::to_value(&req).unwrap(), serde_json::json!({
///     "model": "qwen3:4b", "stream": false, "think": true, "options": {"num_predict": 64},
///     "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
/// }));
/// ```
pub fn to_chat_request(
    params: &MessageCreateParams,
    stream: bool,
    think_style: ThinkStyle,
) -> Result<ChatRequest<'_>, ConvertError> {
    crate::check_capabilities(PROVIDER, &super::CAPABILITIES, params)?;
    let mut req = ChatRequest {
        model: &params.model,
        stream,
        ..ChatRequest::default()
    };
    req.options.num_predict = Some(params.max_tokens);
    req.options.temperature = params.temperature;
    req.options.top_p = params.top_p;
    req.options.top_k = params.top_k;
    req.options.stop = params.stop_sequences.as_deref().filter(|s| !s.is_empty());
    if let Some(system) = &params.system {
        req.messages
            .push(ChatMessage::new("system", system_text(system, PROVIDER)?));
    }
    let mut tool_names: HashMap<&str, &str> = HashMap::new();
    for (i, m) in params.messages.iter().enumerate() {
        match m.role {
            Role::User => user_message(m, i, &tool_names, &mut req.messages)?,
            Role::Assistant => req.messages.push(assistant_message(m, i, &mut tool_names)?),
            ref other => {
                return Err(unsupported(
                    format!("messages[{i}].role"),
                    format!("unknown role `{}`", other.as_str()),
                ))
            }
        }
    }
    tools(params, &mut req)?;
    req.think = match &params.thinking {
        None => None,
        Some(ThinkingConfig::Enabled(e)) => Some(match think_style {
            ThinkStyle::Bool => Think::Bool(true),
            ThinkStyle::Levels => Think::Level(level_for_budget(e.budget_tokens)),
        }),
        Some(ThinkingConfig::Adaptive(_)) => Some(Think::Bool(true)),
        Some(ThinkingConfig::Disabled(_)) => Some(Think::Bool(false)),
        Some(other) => {
            return Err(unsupported(
                "thinking",
                format!("unknown thinking type `{}`", other.type_name()),
            ))
        }
    };
    if let Some(effort) = params.output_config.as_ref().and_then(|c| c.effort.as_ref()) {
        if think_style != ThinkStyle::Levels {
            return Err(unsupported(
                "output_config.effort",
                "this model takes `think` as a bool, not a level",
            ));
        }
        let level = match effort {
            Effort::Low => "low",
            Effort::Medium => "medium",
            Effort::High | Effort::XHigh | Effort::Max => "high",
            other => {
                return Err(unsupported(
                    "output_config.effort",
                    format!("unknown effort `{}`", other.as_str()),
                ))
            }
        };
        if req.think != Some(Think::Bool(false)) {
            req.think = Some(Think::Level(level));
        }
    }
    req.format = json_schema_format(params, PROVIDER)?;
    Ok(req)
}

/// Serializes the request. `params.extra` (unknown top-level fields of the
/// Anthropic request) is merged in first: `seed` and the keys of an
/// `options` object go into `options`, everything else (e.g. `keep_alive`)
/// into the top level. Then `extra` (the call's `extra_body`) is applied as
/// a JSON Merge Patch ([`crate::merge_patch`]), except that a top-level
/// `seed` moves into `options` (Ollama reads it there); an `options` object
/// merges into `options`, a `null` removes a key.
///
/// ```
/// use messages_convert::ollama::{request_body, ThinkStyle};
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "qwen3:4b", "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let extra = serde_json::json!({"seed": 7, "keep_alive": "5m", "options": {"num_ctx": 8192}});
/// let body = request_body(&params, true, ThinkStyle::Bool, extra.as_object().unwrap()).unwrap();
/// let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
/// assert_eq!(v["options"], serde_json::json!({"num_predict": 8, "seed": 7, "num_ctx": 8192}));
/// assert_eq!(v["keep_alive"], "5m");
/// ```
pub fn request_body(
    params: &MessageCreateParams,
    stream: bool,
    think_style: ThinkStyle,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    let mut req = to_chat_request(params, stream, think_style)?;
    let mut top = Map::new();
    for (k, v) in &params.extra {
        match (k.as_str(), v) {
            ("seed", _) => {
                req.options.extra.insert(k.clone(), v.clone());
            }
            ("options", Value::Object(o)) => {
                for (ok, ov) in o {
                    set_option(&mut req, ok, ov);
                }
            }
            _ => {
                top.insert(k.clone(), v.clone());
            }
        }
    }
    let patch = match extra.get("seed") {
        None => Cow::Borrowed(extra),
        Some(seed) => {
            let mut patch = extra.clone();
            patch.remove("seed");
            let mut options = Map::new();
            options.insert("seed".to_owned(), seed.clone());
            match patch.get_mut("options") {
                Some(Value::Object(o)) => {
                    o.entry("seed").or_insert_with(|| seed.clone());
                }
                _ => {
                    patch.insert("options".to_owned(), Value::Object(options));
                }
            }
            Cow::Owned(patch)
        }
    };
    body_with_extras(&req, &top, &patch)
}

/// Sets one `options` key, the typed ones included (so an extra wins over
/// the converted value rather than being serialized twice).
fn set_option(req: &mut ChatRequest<'_>, key: &str, value: &Value) {
    let o = &mut req.options;
    match key {
        "num_predict" => o.num_predict = None,
        "temperature" => o.temperature = None,
        "top_p" => o.top_p = None,
        "top_k" => o.top_k = None,
        "stop" => o.stop = None,
        _ => {}
    }
    o.extra.insert(key.to_owned(), value.clone());
}

fn image_data<'a>(source: &'a ImageSource, field: &str) -> Result<&'a str, ConvertError> {
    match source {
        ImageSource::Base64(b) => Ok(&b.data),
        other => Err(unsupported(
            format!("{field}.source"),
            format!(
                "Ollama takes base64 images only, not `{}` sources",
                other.type_name()
            ),
        )),
    }
}

fn user_message<'a>(
    m: &'a MessageParam,
    i: usize,
    tool_names: &HashMap<&'a str, &'a str>,
    out: &mut Vec<ChatMessage<'a>>,
) -> Result<(), ConvertError> {
    let blocks = match &m.content {
        MessageContent::Text(t) => {
            out.push(ChatMessage::new("user", Cow::Borrowed(t.as_str())));
            return Ok(());
        }
        MessageContent::Blocks(b) => b,
    };
    let mut texts = Vec::new();
    let mut images = Vec::new();
    for (j, block) in blocks.iter().enumerate() {
        let field = format!("messages[{i}].content[{j}]");
        match block {
            ContentBlock::Text(t) => texts.push(t.text.as_str()),
            ContentBlock::Image(img) => images.push(image_data(&img.source, &field)?),
            ContentBlock::ToolResult(r) => out.push(tool_message(r, &field, tool_names)?),
            other => {
                return Err(unsupported(
                    field,
                    format!(
                        "Ollama user turns take text and images, not `{}`",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    if texts.is_empty() && images.is_empty() {
        return Ok(());
    }
    let mut msg = ChatMessage::new("user", join(texts, "\n\n"));
    msg.images = images;
    out.push(msg);
    Ok(())
}

fn tool_message<'a>(
    r: &'a ToolResultBlock,
    field: &str,
    tool_names: &HashMap<&'a str, &'a str>,
) -> Result<ChatMessage<'a>, ConvertError> {
    let Some(name) = tool_names.get(r.tool_use_id.as_str()) else {
        return Err(ConvertError::Invalid {
            what: "request",
            message: format!(
                "{field}: tool_result for `{}` answers no earlier tool_use (Ollama needs the tool's name)",
                r.tool_use_id
            ),
        });
    };
    let mut texts = Vec::new();
    match &r.content {
        None => {}
        Some(MessageContent::Text(t)) => texts.push(t.as_str()),
        Some(MessageContent::Blocks(blocks)) => {
            for (k, b) in blocks.iter().enumerate() {
                match b {
                    ContentBlock::Text(t) => texts.push(t.text.as_str()),
                    other => {
                        return Err(unsupported(
                            format!("{field}.content[{k}]"),
                            format!("Ollama tool results are text only, not `{}`", other.type_name()),
                        ))
                    }
                }
            }
        }
    }
    let mut content = join(texts, "\n\n");
    if r.is_error == Some(true) {
        content = Cow::Owned(format!("Error: {content}"));
    }
    let mut msg = ChatMessage::new("tool", content);
    msg.tool_name = Some(name);
    msg.tool_call_id = Some(&r.tool_use_id);
    Ok(msg)
}

fn assistant_message<'a>(
    m: &'a MessageParam,
    i: usize,
    tool_names: &mut HashMap<&'a str, &'a str>,
) -> Result<ChatMessage<'a>, ConvertError> {
    let blocks = match &m.content {
        MessageContent::Text(t) => return Ok(ChatMessage::new("assistant", Cow::Borrowed(t.as_str()))),
        MessageContent::Blocks(b) => b,
    };
    let mut texts = Vec::new();
    let mut thinking = Vec::new();
    let mut calls = Vec::new();
    for (j, block) in blocks.iter().enumerate() {
        match block {
            ContentBlock::Text(t) => texts.push(t.text.as_str()),
            ContentBlock::Thinking(t) => thinking.push(t.thinking.as_str()),
            ContentBlock::RedactedThinking(_) => {}
            ContentBlock::ToolUse(t) => {
                tool_names.insert(&t.id, &t.name);
                calls.push(ToolCall {
                    id: &t.id,
                    function: ToolCallFunction {
                        index: calls.len(),
                        name: &t.name,
                        arguments: &t.input,
                    },
                });
            }
            other => {
                return Err(unsupported(
                    format!("messages[{i}].content[{j}]"),
                    format!(
                        "Ollama assistant turns take text, thinking and tool calls, not `{}`",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    let mut msg = ChatMessage::new("assistant", join(texts, ""));
    msg.thinking = (!thinking.is_empty()).then(|| join(thinking, ""));
    msg.tool_calls = calls;
    Ok(msg)
}

fn tools<'a>(params: &'a MessageCreateParams, req: &mut ChatRequest<'a>) -> Result<(), ConvertError> {
    let offered = match &params.tool_choice {
        None | Some(ToolChoice::Auto(_)) => true,
        Some(ToolChoice::None(_)) => false,
        Some(ToolChoice::Any(_) | ToolChoice::Tool(_)) => {
            return Err(unsupported(
                "tool_choice",
                "Ollama cannot require a tool call (only auto)",
            ))
        }
        Some(other) => {
            return Err(unsupported(
                "tool_choice",
                format!("unknown tool_choice type `{}`", other.type_name()),
            ))
        }
    };
    if let Some(ToolChoice::Auto(c)) = &params.tool_choice {
        if c.disable_parallel_tool_use == Some(true) {
            return Err(unsupported(
                "tool_choice.disable_parallel_tool_use",
                "Ollama cannot limit a turn to one tool call",
            ));
        }
    }
    let tools = function_tools(params, PROVIDER)?;
    if offered {
        req.tools = tools.into_iter().map(|(tool, _strict)| tool).collect();
    }
    Ok(())
}
