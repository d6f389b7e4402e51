//! Anthropic request → Responses request.
//!
//! | Anthropic | Responses |
//! |---|---|
//! | `system` (string, or text blocks joined with a blank line) | `instructions` |
//! | user string content | `{type: message, role: user, content: "…"}` |
//! | user blocks: text / image (base64 → data URL, url) / document (base64 PDF → `input_file` with a data URL and the title as file name, URL → `input_file.file_url`, plain text and custom content → `input_text` parts, title and context first) / `search_result` (one `input_text`) | `input_text` / `input_image{detail: auto}` / `input_file` parts of a user message |
//! | `tool_result` | `function_call_output{call_id, output}` (a string; text, image and document parts when the result has images or documents — the Responses API takes them natively); `is_error` → the text prefixed with `Error: `; all of a turn's results come before its other content |
//! | assistant string / text blocks | `{type: message, role: assistant, content}` (a string, or `output_text` parts; consecutive text blocks form one message) |
//! | `tool_use` | `function_call{call_id, name, arguments}` (arguments as JSON text) |
//! | `thinking` whose signature this family minted ([`signature`](super::signature)) | the `reasoning` item it carries (`id`, `summary`, `encrypted_content`), byte for byte |
//! | `server_tool_use` `web_search` | `web_search_call{status: completed, action: {type: search, query}}` (no id: nothing is stored to refer to) |
//! | `max_tokens` | `max_output_tokens` |
//! | `temperature`, `top_p` | the same |
//! | `thinking` enabled (budget → effort as [`effort_for_budget`](crate::openai_chat::effort_for_budget)) / adaptive / disabled, `output_config.effort` (wins) | `reasoning.effort` (`minimal`…`xhigh`, `max`; adaptive alone sends no effort; disabled → `none`) |
//! | thinking `display: summarized` | `reasoning.summary: auto` |
//! | reasoning on (any effort but `none`), or reasoning items in the history | `include: ["reasoning.encrypted_content"]` |
//! | (always) | `store: false`: the reasoning travels in the request, nothing is kept by the provider (override with `store` in the extras) |
//! | `tools` custom | flat `{type: function, name, description, parameters, strict}` (`strict` as given) |
//! | `tools` `web_search_*` | `{type: web_search, filters: {allowed_domains}, user_location}` |
//! | `tool_choice` auto / any / none / tool | `auto` / `required` / `none` / `{type: function, name}`; omitted without tools |
//! | `disable_parallel_tool_use: true` | `parallel_tool_calls: false` |
//! | `output_config.format` / `output_format` json_schema | `text.format{type: json_schema, name, schema, strict}`; `name`, `strict` and `description` from the format's own (non-Anthropic) fields when given, else the schema `title` (else `output`) and `true` |
//! | `metadata.user_id` | `safety_identifier` |
//! | `service_tier` `auto` / `standard_only` | omitted (the default) / `default` |
//! | stream (from the call) | `stream: true` |
//! | unknown top-level fields, then the caller's extras | inserted as given, then the extras applied as a JSON Merge Patch ([`request_body`], [`merge_patch`](crate::merge_patch)) |
//!
//! Dropped, documented: `cache_control` everywhere (the provider caches
//! prompts automatically); thinking blocks and `redacted_thinking` minted by
//! another provider (their signatures mean nothing here; never sent as text);
//! a thinking block's text (the signature carries the reasoning item); citations
//! carried on text blocks; `web_search_tool_result` blocks (the Responses
//! API has no input form for search results; the `web_search_call` item
//! refers to them).
//!
//! `Unsupported`: first the shared capability check against
//! [`CAPABILITIES`](super::CAPABILITIES) (`top_k`, `container`,
//! `inference_geo`, `mcp_servers` — even empty —, `context_management`), then
//! `stop_sequences` (non-empty; the API has none), Anthropic-defined tools other than web search,
//! web search `max_uses` / `blocked_domains`, Files API sources, documents and
//! search results with citations enabled, non-PDF base64 documents, server
//! tool blocks other than web search, unknown roles, block, source, tool,
//! tool-choice, thinking and effort kinds.

use std::borrow::Cow;

use messages_types::{
    ContentBlock, CountTokensParams, DocumentBlock, DocumentSource, Effort, ImageSource, MessageContent,
    MessageCreateParams, MessageParam, OutputConfig, OutputFormat, Role, SearchResultBlock,
    ServiceTierRequest, SystemPrompt, ThinkingConfig, ThinkingDisplay, Tool, ToolChoice, ToolResultBlock,
};
use serde_json::{Map, Value};

use super::signature::decode_native;
use super::wire::{
    InputItem, InputPart, JsonSchemaTextFormat, MessageContentOut, ReasoningConfig, ResponsesRequest,
    SummaryTextOut, TextConfig, ToolChoiceOut, ToolDef,
};
use crate::openai_chat::effort_for_budget;
use crate::openai_chat::request::{citations_enabled, schema_name, source_type};
use crate::signature::{self, Replay, SignatureOrigin};
use crate::{check_capabilities, ConvertError};

/// The provider name in `Unsupported` errors.
pub const PROVIDER: &str = "openai-responses";

/// The `include` entry that asks for encrypted reasoning.
pub const INCLUDE_ENCRYPTED_REASONING: &str = "reasoning.encrypted_content";

fn unsupported(field: impl Into<String>, why: impl Into<String>) -> ConvertError {
    ConvertError::unsupported_because(PROVIDER, field, why)
}

/// The parts of a request the input conversion needs (shared by messages and
/// count_tokens).
struct Conversation<'a> {
    model: &'a str,
    system: Option<&'a SystemPrompt>,
    messages: &'a [MessageParam],
    tools: Option<&'a [Tool]>,
    tool_choice: Option<&'a ToolChoice>,
    thinking: Option<&'a ThinkingConfig>,
    output_config: Option<&'a OutputConfig>,
    output_format: Option<&'a OutputFormat>,
}

/// Converts an Anthropic request into a Responses request. `stream` is
/// whether the call streams. Rules in the [module docs](self).
///
/// ```
/// use messages_convert::openai_responses::to_responses_request;
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "gpt-5-mini", "max_tokens": 256, "system": "Be brief.",
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let req = to_responses_request(&params, false).unwrap();
/// assert_eq!(serde_json::to_value(&req).unwrap(), serde_json::json!({
///     "model": "gpt-5-mini", "instructions": "Be brief.", "max_output_tokens": 256, "store": false,
///     "input": [{"type": "message", "role": "user", "content": "Hi"}]
/// }));
/// ```
pub fn to_responses_request(
    params: &MessageCreateParams,
    stream: bool,
) -> Result<ResponsesRequest<'_>, ConvertError> {
    let conv = Conversation {
        model: &params.model,
        system: params.system.as_ref(),
        messages: &params.messages,
        tools: params.tools.as_deref(),
        tool_choice: params.tool_choice.as_ref(),
        thinking: params.thinking.as_ref(),
        output_config: params.output_config.as_ref(),
        output_format: params.output_format.as_ref(),
    };
    check_capabilities(PROVIDER, &super::CAPABILITIES, params)?;
    let mut req = conversation(&conv)?;
    req.max_output_tokens = Some(params.max_tokens);
    req.temperature = params.temperature;
    req.top_p = params.top_p;
    if params.stop_sequences.as_ref().is_some_and(|s| !s.is_empty()) {
        return Err(unsupported(
            "stop_sequences",
            "the Responses API has no stop sequences",
        ));
    }
    req.safety_identifier = params.metadata.as_ref().and_then(|m| m.user_id.as_deref());
    req.service_tier = match &params.service_tier {
        None | Some(ServiceTierRequest::Auto) => None,
        Some(ServiceTierRequest::StandardOnly) => Some("default"),
        Some(ServiceTierRequest::Other(v)) => {
            return Err(unsupported("service_tier", format!("unknown service tier `{v}`")))
        }
    };
    req.store = Some(false);
    if stream {
        req.stream = Some(true);
    }
    Ok(req)
}

/// Serializes the converted request with `params.extra` (unknown top-level
/// fields of the Anthropic request) inserted as given, then `extra` (the
/// caller's provider-specific fields) applied as a JSON Merge Patch.
///
/// ```
/// use messages_convert::openai_responses::request_body;
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut extra = serde_json::Map::new();
/// extra.insert("store".into(), true.into());
/// let body = request_body(&params, false, &extra).unwrap();
/// let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
/// assert_eq!(v["store"], true);
/// ```
pub fn request_body(
    params: &MessageCreateParams,
    stream: bool,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    let req = to_responses_request(params, stream)?;
    crate::merge_patch::body_with_extras(&req, &params.extra, extra)
}

/// The body of `POST /responses/input_tokens` for an Anthropic count_tokens
/// request: the same `instructions`, `input`, `tools`, `tool_choice`,
/// `parallel_tool_calls`, `reasoning` and `text` as the messages conversion
/// (the endpoint takes no sampling, output-cap, `include` or `store` fields),
/// with `params.extra` and `extra` merged in.
///
/// ```
/// use messages_convert::openai_responses::input_tokens_body;
/// use messages_types::CountTokensParams;
/// let params: CountTokensParams = serde_json::from_value(serde_json::json!({
///     "model": "gpt-5-mini", "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let body = input_tokens_body(&params, &serde_json::Map::new()).unwrap();
/// assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap(), serde_json::json!({
///     "model": "gpt-5-mini", "input": [{"type": "message", "role": "user", "content": "Hi"}]
/// }));
/// ```
pub fn input_tokens_body(
    params: &CountTokensParams,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    let conv = Conversation {
        model: &params.model,
        system: params.system.as_ref(),
        messages: &params.messages,
        tools: params.tools.as_deref(),
        tool_choice: params.tool_choice.as_ref(),
        thinking: params.thinking.as_ref(),
        output_config: params.output_config.as_ref(),
        output_format: None,
    };
    let mut req = conversation(&conv)?;
    req.include.clear();
    crate::merge_patch::body_with_extras(&req, &params.extra, extra)
}

fn conversation<'a>(c: &Conversation<'a>) -> Result<ResponsesRequest<'a>, ConvertError> {
    let mut req = ResponsesRequest {
        model: c.model,
        ..ResponsesRequest::default()
    };
    if let Some(system) = c.system {
        req.instructions = Some(instructions(system)?);
    }
    for (i, m) in c.messages.iter().enumerate() {
        convert_message(m, i, &mut req.input)?;
    }
    req.reasoning = reasoning(c.thinking, c.output_config)?;
    let replays_reasoning = req
        .input
        .iter()
        .any(|item| matches!(item, InputItem::Reasoning { .. }));
    // Reasoning turned off (`effort: none`) returns none to encrypt.
    let reasoning_on = req.reasoning.as_ref().is_some_and(|r| r.effort != Some("none"));
    if reasoning_on || replays_reasoning {
        req.include.push(INCLUDE_ENCRYPTED_REASONING);
    }
    tools(c, &mut req)?;
    req.text = text_format(c)?;
    Ok(req)
}

fn instructions(system: &SystemPrompt) -> Result<Cow<'_, str>, ConvertError> {
    match system {
        SystemPrompt::Text(t) => Ok(Cow::Borrowed(t)),
        SystemPrompt::Blocks(blocks) => {
            if let Some((j, other)) = blocks
                .iter()
                .enumerate()
                .find(|(_, b)| !matches!(b, ContentBlock::Text(_)))
            {
                return Err(unsupported(
                    format!("system[{j}]"),
                    format!("`{}` blocks cannot be sent as instructions", other.type_name()),
                ));
            }
            Ok(match blocks.as_slice() {
                [ContentBlock::Text(one)] => Cow::Borrowed(one.text.as_str()),
                _ => Cow::Owned(system.text()),
            })
        }
    }
}

fn convert_message<'a>(
    m: &'a MessageParam,
    i: usize,
    out: &mut Vec<InputItem<'a>>,
) -> Result<(), ConvertError> {
    match (&m.role, &m.content) {
        (Role::User, MessageContent::Text(t)) => out.push(InputItem::Message {
            role: "user",
            content: MessageContentOut::Text(Cow::Borrowed(t)),
        }),
        (Role::User, MessageContent::Blocks(blocks)) => user_blocks(blocks, i, out)?,
        (Role::Assistant, MessageContent::Text(t)) => out.push(InputItem::Message {
            role: "assistant",
            content: MessageContentOut::Text(Cow::Borrowed(t)),
        }),
        (Role::Assistant, MessageContent::Blocks(blocks)) => assistant_blocks(blocks, i, out)?,
        (Role::Other(r), _) => {
            return Err(unsupported(
                format!("messages[{i}].role"),
                format!("unknown role `{r}`"),
            ))
        }
    }
    Ok(())
}

fn user_blocks<'a>(
    blocks: &'a [ContentBlock],
    i: usize,
    out: &mut Vec<InputItem<'a>>,
) -> Result<(), ConvertError> {
    let mut parts = Vec::new();
    for (j, block) in blocks.iter().enumerate() {
        let path = format!("messages[{i}].content[{j}]");
        match block {
            ContentBlock::ToolResult(r) => out.push(tool_result(r, &path)?),
            other => user_part(other, &path, &mut parts)?,
        }
    }
    if !parts.is_empty() {
        out.push(InputItem::Message {
            role: "user",
            content: MessageContentOut::Parts(parts),
        });
    }
    Ok(())
}

/// `Unsupported` for a block's source: a Files API id (`unknown` = `None`),
/// or an unknown source kind of an image or document.
fn source_error(path: &str, unknown: Option<(&str, &Value)>) -> ConvertError {
    let why = match unknown {
        None => "Anthropic Files API ids are not valid on this provider".to_owned(),
        Some((block, v)) => format!("unknown {block} source `{}`", source_type(v)),
    };
    unsupported(format!("{path}.source"), why)
}

fn text_part<'a>(text: impl Into<Cow<'a, str>>) -> InputPart<'a> {
    InputPart::InputText { text: text.into() }
}

/// One non-tool-result user block as content parts.
fn user_part<'a>(
    block: &'a ContentBlock,
    path: &str,
    parts: &mut Vec<InputPart<'a>>,
) -> Result<(), ConvertError> {
    match block {
        ContentBlock::Text(t) => parts.push(text_part(t.text.as_str())),
        ContentBlock::Image(img) => parts.push(match &img.source {
            ImageSource::Base64(b) => InputPart::InputImage {
                image_url: Cow::Owned(format!("data:{};base64,{}", b.media_type, b.data)),
                detail: "auto",
            },
            ImageSource::Url(u) => InputPart::InputImage {
                image_url: Cow::Borrowed(&u.url),
                detail: "auto",
            },
            ImageSource::File(_) => return Err(source_error(path, None)),
            ImageSource::Unknown(v) => return Err(source_error(path, Some(("image", v)))),
        }),
        ContentBlock::Document(d) => document_parts(d, path, parts)?,
        ContentBlock::SearchResult(sr) => parts.push(search_result_part(sr, path)?),
        other => {
            return Err(unsupported(
                path.to_owned(),
                format!("`{}` blocks cannot be sent in a user turn", other.type_name()),
            ))
        }
    }
    Ok(())
}

fn document_parts<'a>(
    d: &'a DocumentBlock,
    path: &str,
    parts: &mut Vec<InputPart<'a>>,
) -> Result<(), ConvertError> {
    if citations_enabled(d.citations.as_ref()) {
        return Err(unsupported(
            format!("{path}.citations"),
            "the provider cannot cite documents",
        ));
    }
    let heading = || {
        let mut h = String::new();
        if let Some(t) = d.title.as_deref() {
            h.push_str(t);
            h.push('\n');
        }
        if let Some(c) = d.context.as_deref() {
            h.push_str(c);
            h.push('\n');
        }
        h
    };
    match &d.source {
        DocumentSource::Base64(b) if b.media_type == "application/pdf" => {
            if let Some(c) = d.context.as_deref() {
                parts.push(text_part(c));
            }
            parts.push(InputPart::InputFile {
                filename: Some(Cow::Borrowed(d.title.as_deref().unwrap_or("document.pdf"))),
                file_data: Some(format!("data:application/pdf;base64,{}", b.data)),
                file_url: None,
            });
        }
        DocumentSource::Base64(b) => {
            return Err(unsupported(
                format!("{path}.source.media_type"),
                format!("base64 documents of type `{}` are not accepted", b.media_type),
            ))
        }
        DocumentSource::Text(t) => {
            let h = heading();
            parts.push(if h.is_empty() {
                text_part(t.data.as_str())
            } else {
                text_part(format!("{h}{}", t.data))
            });
        }
        DocumentSource::Content(c) => {
            let h = heading();
            if !h.is_empty() {
                parts.push(text_part(h.trim_end().to_owned()));
            }
            match &c.content {
                MessageContent::Text(t) => parts.push(text_part(t.as_str())),
                MessageContent::Blocks(blocks) => {
                    for (k, b) in blocks.iter().enumerate() {
                        user_part(b, &format!("{path}.source.content[{k}]"), parts)?;
                    }
                }
            }
        }
        DocumentSource::Url(u) => parts.push(InputPart::InputFile {
            filename: None,
            file_data: None,
            file_url: Some(&u.url),
        }),
        DocumentSource::File(_) => return Err(source_error(path, None)),
        DocumentSource::Unknown(v) => return Err(source_error(path, Some(("document", v)))),
    }
    Ok(())
}

fn search_result_part<'a>(sr: &'a SearchResultBlock, path: &str) -> Result<InputPart<'a>, ConvertError> {
    if citations_enabled(sr.citations.as_ref()) {
        return Err(unsupported(
            format!("{path}.citations"),
            "the provider cannot cite search results",
        ));
    }
    let mut text = format!("{}\n{}\n", sr.title, sr.source);
    for t in &sr.content {
        text.push('\n');
        text.push_str(&t.text);
    }
    Ok(text_part(text))
}

fn tool_result<'a>(r: &'a ToolResultBlock, path: &str) -> Result<InputItem<'a>, ConvertError> {
    let error = r.is_error == Some(true);
    let output = match &r.content {
        None => MessageContentOut::Text(Cow::Borrowed(if error { "Error: " } else { "" })),
        Some(MessageContent::Text(t)) if error => MessageContentOut::Text(Cow::Owned(format!("Error: {t}"))),
        Some(MessageContent::Text(t)) => MessageContentOut::Text(Cow::Borrowed(t)),
        Some(MessageContent::Blocks(blocks)) => {
            let all_text = blocks.iter().all(|b| matches!(b, ContentBlock::Text(_)));
            if all_text {
                let texts: Vec<&str> = blocks
                    .iter()
                    .filter_map(|b| match b {
                        ContentBlock::Text(t) => Some(t.text.as_str()),
                        _ => None,
                    })
                    .collect();
                let joined = match texts.as_slice() {
                    [one] if !error => Cow::Borrowed(*one),
                    _ => Cow::Owned(format!(
                        "{}{}",
                        if error { "Error: " } else { "" },
                        texts.join("\n")
                    )),
                };
                MessageContentOut::Text(joined)
            } else {
                let mut parts = Vec::new();
                if error {
                    parts.push(text_part("Error:"));
                }
                for (k, b) in blocks.iter().enumerate() {
                    user_part(b, &format!("{path}.content[{k}]"), &mut parts)?;
                }
                MessageContentOut::Parts(parts)
            }
        }
    };
    Ok(InputItem::FunctionCallOutput {
        call_id: &r.tool_use_id,
        output,
    })
}

fn assistant_blocks<'a>(
    blocks: &'a [ContentBlock],
    i: usize,
    out: &mut Vec<InputItem<'a>>,
) -> Result<(), ConvertError> {
    let mut texts: Vec<InputPart<'a>> = Vec::new();
    let flush = |texts: &mut Vec<InputPart<'a>>, out: &mut Vec<InputItem<'a>>| {
        if !texts.is_empty() {
            out.push(InputItem::Message {
                role: "assistant",
                content: MessageContentOut::Parts(std::mem::take(texts)),
            });
        }
    };
    for (j, block) in blocks.iter().enumerate() {
        match block {
            ContentBlock::Text(t) => {
                if !t.text.is_empty() {
                    texts.push(InputPart::OutputText {
                        text: Cow::Borrowed(&t.text),
                    });
                }
            }
            ContentBlock::ToolUse(t) => {
                flush(&mut texts, out);
                out.push(InputItem::FunctionCall {
                    call_id: &t.id,
                    name: &t.name,
                    arguments: t.input.to_string(),
                });
            }
            ContentBlock::Thinking(t) => {
                // The shared replay rule (crate::signature): this family's own
                // reasoning goes back as its item; thinking minted elsewhere
                // (or unsigned) is left out, as a Responses `reasoning` input
                // item cannot exist without its id (documented).
                let own = match signature::thinking(SignatureOrigin::OpenAiResponses, &t.signature) {
                    Replay::Signed(native) => decode_native(native),
                    Replay::Unsigned | Replay::Drop => None,
                };
                if let Some(sig) = own {
                    flush(&mut texts, out);
                    out.push(InputItem::Reasoning {
                        id: sig.id,
                        summary: sig
                            .summary
                            .into_iter()
                            .map(|text| SummaryTextOut {
                                kind: "summary_text",
                                text,
                            })
                            .collect(),
                        encrypted_content: sig.encrypted_content,
                    });
                }
            }
            // Responses never mints `redacted_thinking`: by the shared rule
            // (`signature::redacted`) every such block is foreign, left out.
            ContentBlock::RedactedThinking(_) | ContentBlock::WebSearchToolResult(_) => {}
            ContentBlock::ServerToolUse(s) if s.name == "web_search" => {
                flush(&mut texts, out);
                let query = s.input.get("query").cloned().unwrap_or(Value::Null);
                out.push(InputItem::WebSearchCall {
                    status: "completed",
                    action: serde_json::json!({"type": "search", "query": query}),
                });
            }
            other => {
                return Err(unsupported(
                    format!("messages[{i}].content[{j}]"),
                    format!(
                        "`{}` blocks cannot be sent in an assistant turn",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    flush(&mut texts, out);
    Ok(())
}

fn effort_str(e: &Effort) -> Result<&'static str, ConvertError> {
    Ok(match e {
        Effort::Low => "low",
        Effort::Medium => "medium",
        Effort::High => "high",
        Effort::XHigh => "xhigh",
        Effort::Max => "max",
        Effort::Other(v) => {
            return Err(unsupported(
                "output_config.effort",
                format!("unknown effort `{v}`"),
            ))
        }
    })
}

fn reasoning(
    thinking: Option<&ThinkingConfig>,
    output_config: Option<&OutputConfig>,
) -> Result<Option<ReasoningConfig>, ConvertError> {
    let effort = match output_config.and_then(|c| c.effort.as_ref()) {
        Some(e) => Some(effort_str(e)?),
        None => None,
    };
    let summarized =
        |d: Option<&ThinkingDisplay>| matches!(d, Some(ThinkingDisplay::Summarized)).then_some("auto");
    let config = match thinking {
        None => effort.map(|e| ReasoningConfig {
            effort: Some(e),
            summary: None,
        }),
        Some(ThinkingConfig::Enabled(t)) => Some(ReasoningConfig {
            effort: Some(effort.unwrap_or_else(|| effort_for_budget(t.budget_tokens))),
            summary: summarized(t.display.as_ref()),
        }),
        Some(ThinkingConfig::Adaptive(t)) => Some(ReasoningConfig {
            effort,
            summary: summarized(t.display.as_ref()),
        }),
        Some(ThinkingConfig::Disabled(_)) => Some(ReasoningConfig {
            effort: Some(effort.unwrap_or("none")),
            summary: None,
        }),
        Some(ThinkingConfig::Unknown(v)) => {
            return Err(unsupported(
                "thinking",
                format!("unknown thinking type `{}`", source_type(v)),
            ))
        }
    };
    Ok(config)
}

fn web_search_tool(b: &messages_types::BuiltinTool, i: usize) -> Result<ToolDef<'_>, ConvertError> {
    let mut filters = None;
    let mut user_location = None;
    for (k, v) in &b.extra {
        match k.as_str() {
            "allowed_domains" if !v.is_null() => filters = Some(serde_json::json!({ "allowed_domains": v })),
            "user_location" if !v.is_null() => {
                let mut loc = v.clone();
                if let Value::Object(m) = &mut loc {
                    m.insert("type".to_owned(), Value::String("approximate".to_owned()));
                }
                user_location = Some(loc);
            }
            "allowed_domains" | "user_location" => {}
            other => {
                return Err(unsupported(
                    format!("tools[{i}].{other}"),
                    "the Responses web search tool has no such setting",
                ))
            }
        }
    }
    Ok(ToolDef::WebSearch {
        filters,
        user_location,
    })
}

fn tools<'a>(c: &Conversation<'a>, req: &mut ResponsesRequest<'a>) -> Result<(), ConvertError> {
    let tools = c.tools.unwrap_or_default();
    for (i, tool) in tools.iter().enumerate() {
        req.tools.push(match tool {
            Tool::Custom(t) => ToolDef::Function {
                name: &t.name,
                description: t.description.as_deref(),
                parameters: &t.input_schema,
                strict: t.strict,
            },
            Tool::Builtin(b) if b.kind.starts_with("web_search_") => web_search_tool(b, i)?,
            Tool::Builtin(b) => {
                return Err(unsupported(
                    format!("tools[{i}]"),
                    format!("Anthropic-defined tool `{}` has no equivalent", b.kind),
                ))
            }
        });
    }
    let Some(choice) = c.tool_choice else {
        return Ok(());
    };
    if tools.is_empty() {
        // Nothing to choose from; omitting tool_choice means the same.
        return Ok(());
    }
    if choice.disable_parallel_tool_use() == Some(true) {
        req.parallel_tool_calls = Some(false);
    }
    req.tool_choice = Some(match choice {
        ToolChoice::Auto(_) => ToolChoiceOut::Mode("auto"),
        ToolChoice::Any(_) => ToolChoiceOut::Mode("required"),
        ToolChoice::None(_) => ToolChoiceOut::Mode("none"),
        ToolChoice::Tool(t) => ToolChoiceOut::Function {
            kind: "function",
            name: &t.name,
        },
        ToolChoice::Unknown(v) => {
            return Err(unsupported(
                "tool_choice",
                format!("unknown tool_choice type `{}`", source_type(v)),
            ))
        }
    });
    Ok(())
}

fn text_format<'a>(c: &Conversation<'a>) -> Result<Option<TextConfig<'a>>, ConvertError> {
    let format = c.output_config.and_then(|o| o.format.as_ref());
    let (fmt, field) = match (format, c.output_format) {
        (Some(f), _) => (f, "output_config.format"),
        (None, Some(f)) => (f, "output_format"),
        (None, None) => return Ok(None),
    };
    let OutputFormat::JsonSchema(f) = fmt else {
        return Err(unsupported(
            field,
            format!("unknown output format type `{}`", fmt.type_name()),
        ));
    };
    let name = match f.extra.get("name").and_then(Value::as_str) {
        Some(n) => Cow::Borrowed(n),
        None => schema_name(&f.schema),
    };
    Ok(Some(TextConfig {
        format: JsonSchemaTextFormat {
            kind: "json_schema",
            name,
            schema: &f.schema,
            strict: match f.extra.get("strict") {
                Some(Value::Bool(b)) => Some(*b),
                Some(Value::Null) => None,
                _ => Some(true),
            },
            description: f.extra.get("description").and_then(Value::as_str),
        },
    }))
}
