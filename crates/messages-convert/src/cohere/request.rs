//! Anthropic request → Cohere `/v2/chat` request.
//!
//! | Anthropic | Cohere v2 |
//! |---|---|
//! | `system` (string or text blocks, joined with a blank line) | first `system` message |
//! | `max_tokens`, `temperature`, `stop_sequences` | `max_tokens`, `temperature`, `stop_sequences` |
//! | `top_p`, `top_k` | `p`, `k` |
//! | `tools` (custom) | `{type: function, function: {name, description, parameters}}`; `strict: true` on every tool → `strict_tools: true` |
//! | `tool_choice` auto / any / none | omitted / `REQUIRED` / `NONE` |
//! | `tool_choice` tool `name` | `REQUIRED` when `name` is the only tool (the same constraint), else `Unsupported` |
//! | `thinking` enabled / adaptive / disabled | `thinking: {type: enabled, token_budget}` / `{type: enabled}` / `{type: disabled}` |
//! | `output_config.format` / `output_format` json_schema | `response_format: {type: json_object, json_schema}` |
//! | `stream` (from the call) | `stream: true` |
//! | unknown top-level fields and the caller's extras (e.g. `seed`, `safety_mode`, `citation_options`) | merged into the body as given ([`request_body`]) |
//!
//! Content: user text → a string (a lone text block) or text parts; images →
//! `image_url` parts (base64 as a data URI, URL as is). Plain-text documents
//! (a `text` source, or a `content` source of text blocks) move to the
//! top-level `documents` as `{id: "doc_{n}", data: {text, title?, context?}}`
//! — `n` is the Anthropic `document_index` (every document block counted in
//! request order, those in tool results included), so the answer's citations
//! map back ([`citations`](super::citations));
//! a user turn left with no content is not sent. A `tool_result` becomes a
//! `tool` message (one per call, before the rest of the turn) whose content is
//! text parts and document parts (text documents as `{document: {id:
//! "doc_{n}", data: {text, title?, context?}}}`); `is_error: true` is kept as an `Error: ` prefix on the
//! first text part (an `Error` text part when there is none), Cohere having no
//! error flag. Assistant text before the first `tool_use` is the `tool_plan`,
//! text after it content text parts (all text is content when there are no
//! tool calls); `thinking` → thinking parts; `tool_use` → `tool_calls`
//! (arguments as a JSON string).
//!
//! Dropped, because Cohere has no equivalent (documented losses):
//! `cache_control` everywhere (Cohere caches prompts itself), thinking
//! signatures and `redacted_thinking` blocks (Cohere reasoning is unsigned),
//! citations carried on assistant text blocks, document `citations` settings
//! (Cohere always may cite documents).
//!
//! `Unsupported`: the top-level features [`CAPABILITIES`](super::CAPABILITIES)
//! refuses (checked first: `max_tokens: 0`, `metadata.user_id`,
//! `service_tier` other than `auto`, `container`, `inference_geo`,
//! `mcp_servers` even empty, `context_management`), `output_config.effort`, `tool_choice` naming one of several tools,
//! `disable_parallel_tool_use`, a mix of strict and non-strict tools,
//! Anthropic-defined tools, Files API / PDF / URL documents, images in tool
//! results and documents, search results, server-tool blocks, unknown block
//! or source kinds.

use std::borrow::Cow;

use messages_types::{
    ContentBlock, DocumentBlock, DocumentSource, ImageSource, MessageContent, MessageCreateParams,
    MessageParam, Role, ThinkingConfig, ToolChoice, ToolResultBlock,
};
use serde_json::{Map, Value};

use super::wire::{
    AssistantPart, ChatMessage, ChatRequest, Document, DocumentData, FunctionCall, ImageUrl, ResponseFormat,
    Thinking, ToolCall, ToolContent, UserContent, UserPart,
};
use crate::merge_patch::body_with_extras;
use crate::shared::{function_tools, json_schema_format, system_text};
use crate::ConvertError;

/// The provider name used in `Unsupported` errors.
pub const PROVIDER: &str = "cohere";

fn unsupported(field: impl Into<String>, why: impl Into<String>) -> ConvertError {
    ConvertError::unsupported_because(PROVIDER, field, why)
}

/// Converts an Anthropic request into a Cohere v2 chat request. `stream` is
/// whether the call streams.
///
/// ```
/// use messages_convert::cohere::to_chat_request;
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "command-a-03-2025", "max_tokens": 64, "system": "Be brief.", "top_p": 0.5,
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let req = to_chat_request(&params, false).unwrap();
/// assert_eq!(serde_json::to_value(&req).unwrap(), serde_json::json!({
///     "model": "command-a-03-2025", "max_tokens": 64, "p": 0.5,
///     "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
/// }));
/// ```
pub fn to_chat_request(params: &MessageCreateParams, stream: bool) -> Result<ChatRequest<'_>, ConvertError> {
    crate::check_capabilities(PROVIDER, &super::CAPABILITIES, params)?;
    let mut req = ChatRequest {
        model: &params.model,
        max_tokens: Some(params.max_tokens),
        temperature: params.temperature,
        p: params.top_p,
        k: params.top_k,
        stop_sequences: params.stop_sequences.as_deref().filter(|s| !s.is_empty()),
        stream: stream.then_some(true),
        ..ChatRequest::default()
    };
    if let Some(system) = &params.system {
        req.messages.push(ChatMessage::System {
            content: system_text(system, PROVIDER)?,
        });
    }
    // Anthropic's `document_index` counts every document block of the
    // request, those inside tool results included.
    let mut documents_seen = 0;
    for (i, m) in params.messages.iter().enumerate() {
        convert_message(m, i, &mut req, &mut documents_seen)?;
    }
    tools(params, &mut req)?;
    match &params.thinking {
        None => {}
        Some(ThinkingConfig::Enabled(e)) => {
            req.thinking = Some(Thinking {
                kind: "enabled",
                token_budget: Some(e.budget_tokens),
            });
        }
        Some(ThinkingConfig::Adaptive(_)) => {
            req.thinking = Some(Thinking {
                kind: "enabled",
                token_budget: None,
            });
        }
        Some(ThinkingConfig::Disabled(_)) => {
            req.thinking = Some(Thinking {
                kind: "disabled",
                token_budget: None,
            });
        }
        Some(other) => {
            return Err(unsupported(
                "thinking",
                format!("unknown thinking type `{}`", other.type_name()),
            ))
        }
    }
    if let Some(schema) = json_schema_format(params, PROVIDER)? {
        req.response_format = Some(ResponseFormat {
            kind: "json_object",
            json_schema: Some(schema),
        });
    }
    if params.output_config.as_ref().is_some_and(|c| c.effort.is_some()) {
        return Err(unsupported(
            "output_config.effort",
            "Cohere has no effort control; use `thinking.budget_tokens`",
        ));
    }
    Ok(req)
}

/// Serializes the request, merging `params.extra` (unknown top-level fields of
/// the Anthropic request) and then `extra` (the caller's Cohere fields, e.g.
/// `seed`, `safety_mode`) into the body as given; later keys win.
///
/// ```
/// use messages_convert::cohere::request_body;
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut extra = serde_json::Map::new();
/// extra.insert("seed".into(), 7.into());
/// let body = request_body(&params, true, &extra).unwrap();
/// let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
/// assert_eq!((v["seed"].as_i64(), v["stream"].as_bool()), (Some(7), Some(true)));
/// ```
pub fn request_body(
    params: &MessageCreateParams,
    stream: bool,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    let req = to_chat_request(params, stream)?;
    body_with_extras(&req, &params.extra, extra)
}

/// The text of a plain-text document: a `text` source, or a `content` source
/// made of text blocks.
fn document_text<'a>(doc: &'a DocumentBlock, field: &str) -> Result<Cow<'a, str>, ConvertError> {
    match &doc.source {
        DocumentSource::Text(t) => Ok(Cow::Borrowed(t.data.as_str())),
        DocumentSource::Content(c) => match &c.content {
            MessageContent::Text(t) => Ok(Cow::Borrowed(t.as_str())),
            MessageContent::Blocks(blocks) => {
                let mut parts = Vec::with_capacity(blocks.len());
                for (j, b) in blocks.iter().enumerate() {
                    match b {
                        ContentBlock::Text(t) => parts.push(t.text.as_str()),
                        other => {
                            return Err(unsupported(
                                format!("{field}.source.content[{j}]"),
                                format!("Cohere documents hold text only, not `{}`", other.type_name()),
                            ))
                        }
                    }
                }
                Ok(Cow::Owned(parts.join("\n\n")))
            }
        },
        other => Err(unsupported(
            format!("{field}.source"),
            format!(
                "Cohere takes plain-text documents only, not `{}` sources",
                other.type_name()
            ),
        )),
    }
}

fn document_data(doc: &DocumentBlock, text: Cow<'_, str>) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("text".to_owned(), Value::String(text.into_owned()));
    if let Some(t) = &doc.title {
        data.insert("title".to_owned(), Value::String(t.clone()));
    }
    if let Some(c) = &doc.context {
        data.insert("context".to_owned(), Value::String(c.clone()));
    }
    data
}

fn image_url(source: &ImageSource, field: &str) -> Result<ImageUrl<'static>, ConvertError> {
    match source {
        ImageSource::Base64(b) => Ok(ImageUrl {
            url: Cow::Owned(format!("data:{};base64,{}", b.media_type, b.data)),
        }),
        ImageSource::Url(u) => Ok(ImageUrl {
            url: Cow::Owned(u.url.clone()),
        }),
        other => Err(unsupported(
            format!("{field}.source"),
            format!(
                "Cohere takes base64 or URL images, not `{}` sources",
                other.type_name()
            ),
        )),
    }
}

fn convert_message<'a>(
    m: &'a MessageParam,
    i: usize,
    req: &mut ChatRequest<'a>,
    documents_seen: &mut usize,
) -> Result<(), ConvertError> {
    match m.role {
        Role::User => user_message(m, i, req, documents_seen),
        Role::Assistant => {
            req.messages.push(assistant_message(m, i)?);
            Ok(())
        }
        ref other => Err(unsupported(
            format!("messages[{i}].role"),
            format!("unknown role `{}`", other.as_str()),
        )),
    }
}

fn user_message<'a>(
    m: &'a MessageParam,
    i: usize,
    req: &mut ChatRequest<'a>,
    documents_seen: &mut usize,
) -> Result<(), ConvertError> {
    let blocks = match &m.content {
        MessageContent::Text(t) => {
            req.messages.push(ChatMessage::User {
                content: UserContent::Text(t),
            });
            return Ok(());
        }
        MessageContent::Blocks(b) => b,
    };
    let mut parts: Vec<UserPart<'a>> = Vec::new();
    for (j, block) in blocks.iter().enumerate() {
        let field = format!("messages[{i}].content[{j}]");
        match block {
            ContentBlock::Text(t) => parts.push(UserPart::Text { text: &t.text }),
            ContentBlock::Image(img) => parts.push(UserPart::ImageUrl {
                image_url: image_url(&img.source, &field)?,
            }),
            ContentBlock::Document(doc) => {
                let text = document_text(doc, &field)?;
                req.documents.push(Document {
                    id: next_document_id(documents_seen),
                    data: document_data(doc, text),
                });
            }
            ContentBlock::ToolResult(r) => req.messages.push(tool_message(r, &field, documents_seen)?),
            other => {
                return Err(unsupported(
                    field,
                    format!(
                        "Cohere user turns take text, images and documents, not `{}`",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    let content = match parts.as_slice() {
        [] => return Ok(()),
        [UserPart::Text { text }] => UserContent::Text(text),
        _ => UserContent::Parts(parts),
    };
    req.messages.push(ChatMessage::User { content });
    Ok(())
}

/// `doc_{n}` for the next document, counting it.
fn next_document_id(documents_seen: &mut usize) -> String {
    let id = format!("doc_{documents_seen}");
    *documents_seen += 1;
    id
}

fn tool_message<'a>(
    r: &'a ToolResultBlock,
    field: &str,
    documents_seen: &mut usize,
) -> Result<ChatMessage<'a>, ConvertError> {
    let mut content: Vec<ToolContent<'a>> = Vec::new();
    match &r.content {
        None => {}
        Some(MessageContent::Text(t)) => content.push(ToolContent::Text {
            text: Cow::Borrowed(t.as_str()),
        }),
        Some(MessageContent::Blocks(blocks)) => {
            for (k, b) in blocks.iter().enumerate() {
                let f = format!("{field}.content[{k}]");
                match b {
                    ContentBlock::Text(t) => content.push(ToolContent::Text {
                        text: Cow::Borrowed(t.text.as_str()),
                    }),
                    ContentBlock::Document(doc) => {
                        let text = document_text(doc, &f)?;
                        content.push(ToolContent::Document {
                            document: DocumentData {
                                id: next_document_id(documents_seen),
                                data: document_data(doc, text),
                            },
                        });
                    }
                    other => {
                        return Err(unsupported(
                            f,
                            format!(
                                "Cohere tool results hold text and documents, not `{}`",
                                other.type_name()
                            ),
                        ))
                    }
                }
            }
        }
    }
    if r.is_error == Some(true) {
        match content.iter_mut().find_map(|c| match c {
            ToolContent::Text { text } => Some(text),
            ToolContent::Document { .. } => None,
        }) {
            Some(text) => *text = Cow::Owned(format!("Error: {text}")),
            None => content.insert(
                0,
                ToolContent::Text {
                    text: Cow::Borrowed("Error"),
                },
            ),
        }
    }
    Ok(ChatMessage::Tool {
        tool_call_id: &r.tool_use_id,
        content,
    })
}

fn assistant_message(m: &MessageParam, i: usize) -> Result<ChatMessage<'_>, ConvertError> {
    let blocks: &[ContentBlock] = match &m.content {
        MessageContent::Text(t) => {
            return Ok(ChatMessage::Assistant {
                content: vec![AssistantPart::Text { text: t }],
                tool_plan: None,
                tool_calls: Vec::new(),
            })
        }
        MessageContent::Blocks(b) => b,
    };
    let first_call = blocks.iter().position(|b| matches!(b, ContentBlock::ToolUse(_)));
    let mut content = Vec::new();
    let mut plan: Vec<&str> = Vec::new();
    let mut tool_calls = Vec::new();
    for (j, block) in blocks.iter().enumerate() {
        match block {
            ContentBlock::Text(t) if first_call.is_some_and(|f| j < f) => plan.push(&t.text),
            ContentBlock::Text(t) => content.push(AssistantPart::Text { text: &t.text }),
            ContentBlock::Thinking(t) => content.push(AssistantPart::Thinking {
                thinking: &t.thinking,
            }),
            ContentBlock::RedactedThinking(_) => {}
            ContentBlock::ToolUse(t) => tool_calls.push(ToolCall {
                id: &t.id,
                kind: "function",
                function: FunctionCall {
                    name: &t.name,
                    arguments: t.input.to_string(),
                },
            }),
            other => {
                return Err(unsupported(
                    format!("messages[{i}].content[{j}]"),
                    format!(
                        "Cohere assistant turns take text, thinking and tool calls, not `{}`",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    let tool_plan = match plan.as_slice() {
        [] => None,
        [one] => Some(Cow::Borrowed(*one)),
        many => Some(Cow::Owned(many.concat())),
    };
    Ok(ChatMessage::Assistant {
        content,
        tool_plan,
        tool_calls,
    })
}

fn tools<'a>(params: &'a MessageCreateParams, req: &mut ChatRequest<'a>) -> Result<(), ConvertError> {
    let mut strict = Vec::new();
    for (tool, is_strict) in function_tools(params, PROVIDER)? {
        strict.push(is_strict);
        req.tools.push(tool);
    }
    if strict.iter().any(|s| *s) {
        if !strict.iter().all(|s| *s) {
            return Err(unsupported(
                "tools[].strict",
                "Cohere's strict_tools applies to every tool; mark all tools strict or none",
            ));
        }
        req.strict_tools = Some(true);
    }
    let Some(choice) = &params.tool_choice else {
        return Ok(());
    };
    let parallel_off = match choice {
        ToolChoice::Auto(c) => c.disable_parallel_tool_use,
        ToolChoice::Any(c) => c.disable_parallel_tool_use,
        ToolChoice::Tool(c) => c.disable_parallel_tool_use,
        _ => None,
    };
    if parallel_off == Some(true) {
        return Err(unsupported(
            "tool_choice.disable_parallel_tool_use",
            "Cohere cannot limit a turn to one tool call",
        ));
    }
    req.tool_choice = match choice {
        ToolChoice::Auto(_) => None,
        ToolChoice::Any(_) => Some("REQUIRED"),
        ToolChoice::None(_) => Some("NONE"),
        ToolChoice::Tool(t) => match req.tools.as_slice() {
            [only] if only.function.name == t.name => Some("REQUIRED"),
            _ => {
                return Err(unsupported(
                    "tool_choice.name",
                    "Cohere cannot force one named tool among several (only REQUIRED or NONE)",
                ))
            }
        },
        other => {
            return Err(unsupported(
                "tool_choice",
                format!("unknown tool_choice type `{}`", other.type_name()),
            ))
        }
    };
    Ok(())
}
