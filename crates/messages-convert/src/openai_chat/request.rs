//! Anthropic request → Chat Completions request.
//!
//! What each Anthropic field becomes (see [`Dialect`] for per-provider
//! variations):
//!
//! | Anthropic | Chat Completions |
//! |---|---|
//! | `system` (string or text blocks, joined with a blank line) | first `system` message |
//! | `max_tokens` | `max_tokens` or `max_completion_tokens` ([`Dialect::max_tokens_field`]) |
//! | `stop_sequences`, `temperature`, `top_p` | `stop`, `temperature`, `top_p` |
//! | `top_k` | `top_k` where [`Dialect::top_k`], else `Unsupported` |
//! | `metadata.user_id` | `user` / `safety_identifier` ([`Dialect::user_field`]), else `Unsupported` |
//! | `thinking`, `output_config.effort` | see [`ReasoningControl`] |
//! | `output_config.format` / `output_format` json_schema | `response_format: {type: json_schema, json_schema: {name, schema, strict: true}}` |
//! | `tools` (custom) | `{type: function, function: {name, description, parameters, strict}}`; Anthropic-defined tools, and any tool where not [`Dialect::tools`], are `Unsupported` |
//! | `tool_choice` auto / any / none / tool | `auto` / [`Dialect::tool_choice_required`] / `none` / `{type: function, function: {name}}`; omitted when there are no tools |
//! | `disable_parallel_tool_use: true` | `parallel_tool_calls: false` |
//! | `service_tier` `auto` / `standard_only` | omitted (the default) / `default` where [`Dialect::service_tier`] |
//! | `stream` (from the call, not the params) | `stream: true` + `stream_options.include_usage` where [`Dialect::stream_usage`] |
//! | `container`, `inference_geo`, `mcp_servers`, `context_management` | `Unsupported` |
//! | unknown top-level fields (`params.extra`) and the caller's extras | merged into the body as given ([`request_body`]) |
//!
//! Content: user text → text part (a lone text block → a plain string); image
//! base64 → `image_url` data URI, url → url; document base64 PDF → `file`
//! part with a data URI (the title as its file name, the context as a text
//! part before it), plain text or custom content → text (and image) parts
//! with the title and context first; `search_result` → a text part (title,
//! source, text). A `tool_result` becomes a `tool` message (all of a turn's
//! tool messages first, as the target requires); its text is the content,
//! prefixed with `Error: ` when `is_error` is set, and its images and documents
//! follow in the next user message after a line naming the call. Assistant text
//! is joined into `content`, `tool_use` → `tool_calls`, `thinking` →
//! `reasoning_content`/`reasoning` ([`Dialect::reasoning_echo`]); with the
//! `reasoning` echo (OpenRouter) thinking signatures and `redacted_thinking`
//! go back as `reasoning_details` (`reasoning.text` with its signature,
//! `reasoning.encrypted` with its data and upstream id), so signed reasoning
//! survives tool-use turns — only those the dialect's family minted
//! ([`Dialect::signature_origin`], the rule of [`crate::signature`]): another
//! family's thinking goes as text without its signature, its encrypted
//! reasoning is left out.
//!
//! A trailing assistant message (Anthropic prefill) is sent as the last
//! message; only dialects with [`Dialect::assistant_prefix`] (Mistral's
//! `prefix: true`) continue it — elsewhere the model answers after it.
//!
//! Dropped, because the target has no equivalent (documented losses):
//! `cache_control` on blocks, tools and top level (OpenAI-compatible servers
//! cache prompts automatically; kept on text parts where
//! [`Dialect::cache_control`]), `redacted_thinking` blocks and thinking
//! signatures (except with OpenRouter),
//! thinking `display`, assistant `thinking` where there is no echo field,
//! citations carried on text blocks. `Unsupported`: Files API sources,
//! URL documents, documents and search results with citations enabled, server
//! tool blocks, images where not [`Dialect::images`], PDF documents where not
//! [`Dialect::files`], and any unknown block, source or tool kind.

use std::borrow::Cow;

use messages_types::{
    ContentBlock, DocumentBlock, DocumentSource, Effort, ImageSource, MessageContent, MessageCreateParams,
    MessageParam, OutputFormat, Role, SearchResultBlock, ServiceTierRequest, SystemPrompt, ThinkingConfig,
    Tool, ToolChoice, ToolResultBlock,
};
use serde_json::{Map, Value};

use super::dialect::{Dialect, MaxTokensField, ReasoningControl, ReasoningEcho};
use super::wire::{
    ChatMessage, ChatRequest, ChatTool, ChatToolChoice, ContentPart, FilePart, FunctionDef, ImageUrl,
    JsonSchemaSpec, NamedFunction, ReasoningDetail, RequestFunction, RequestToolCall, ResponseFormat,
    RouterReasoning, StreamOptions, TypeOnly, UserContent,
};
use crate::signature::{self, Replay};
use crate::{check_capabilities, ConvertError};

/// Converts an Anthropic request into a Chat Completions request for the
/// provider described by `dialect`. `stream` is whether the call streams.
///
/// ```
/// use messages_convert::openai_chat::{to_chat_request, Dialect};
/// use messages_types::{MessageCreateParams, MessageParam};
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "gpt-4.1-mini", "max_tokens": 64, "system": "Be brief.",
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let req = to_chat_request(&params, &Dialect::OPENAI, false).unwrap();
/// assert_eq!(serde_json::to_value(&req).unwrap(), serde_json::json!({
///     "model": "gpt-4.1-mini", "max_completion_tokens": 64,
///     "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
/// }));
/// ```
pub fn to_chat_request<'a>(
    params: &'a MessageCreateParams,
    dialect: &Dialect,
    stream: bool,
) -> Result<ChatRequest<'a>, ConvertError> {
    let d = dialect;
    check_capabilities(d.provider, &d.capabilities(), params)?;
    let mut req = ChatRequest {
        model: Cow::Borrowed(params.model.as_str()),
        ..ChatRequest::default()
    };

    if let Some(system) = &params.system {
        req.messages.push(system_message(system, d)?);
    }
    for (i, m) in params.messages.iter().enumerate() {
        convert_message(m, i, d, &mut req.messages)?;
    }
    if d.assistant_prefix {
        if let Some(ChatMessage::Assistant { prefix, .. }) = req.messages.last_mut() {
            *prefix = Some(true);
        }
    }

    match d.max_tokens_field {
        MaxTokensField::MaxTokens => req.max_tokens = Some(params.max_tokens),
        MaxTokensField::MaxCompletionTokens => req.max_completion_tokens = Some(params.max_tokens),
    }
    req.temperature = params.temperature;
    req.top_p = params.top_p;
    req.top_k = params.top_k;
    req.stop = params.stop_sequences.as_deref().filter(|s| !s.is_empty());
    if stream {
        req.stream = Some(true);
        if d.stream_usage {
            req.stream_options = Some(StreamOptions { include_usage: true });
        }
    }

    if let Some(user_id) = params.metadata.as_ref().and_then(|m| m.user_id.as_deref()) {
        match d.user_field {
            Some("safety_identifier") => req.safety_identifier = Some(user_id),
            Some(_) => req.user = Some(user_id),
            // Refused by the capability check above.
            None => {}
        }
    }

    reasoning(params, d, &mut req)?;
    tools(params, d, &mut req)?;

    let format = params.output_config.as_ref().and_then(|c| c.format.as_ref());
    if let Some(fmt) = format.or(params.output_format.as_ref()) {
        let field = if format.is_some() {
            "output_config.format"
        } else {
            "output_format"
        };
        let OutputFormat::JsonSchema(f) = fmt else {
            return Err(ConvertError::unsupported_because(
                d.provider,
                field,
                format!("unknown output format type `{}`", fmt.type_name()),
            ));
        };
        if !d.json_schema {
            return Err(ConvertError::unsupported_because(
                d.provider,
                field,
                "the provider does not accept response_format json_schema",
            ));
        }
        req.response_format = Some(ResponseFormat {
            kind: "json_schema",
            json_schema: JsonSchemaSpec {
                name: schema_name(&f.schema),
                schema: &f.schema,
                strict: true,
            },
        });
    }

    // Other tiers were refused by the capability check.
    if let Some(ServiceTierRequest::StandardOnly) = &params.service_tier {
        req.service_tier = Some("default");
    }
    Ok(req)
}

/// Serializes the request, merging `params.extra` (unknown top-level fields of
/// the Anthropic request, passed through as given) and then `extra` (the
/// caller's provider-specific fields, applied as a JSON Merge Patch: objects
/// merge key by key, other values replace, `null` removes — see
/// [`crate::merge_patch`]). Without extras the request is serialized directly.
///
/// ```
/// use messages_convert::openai_chat::{request_body, Dialect};
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut extra = serde_json::Map::new();
/// extra.insert("seed".into(), 7.into());
/// let body = request_body(&params, &Dialect::GENERIC, false, &extra).unwrap();
/// let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
/// assert_eq!(v["seed"], 7);
/// ```
pub fn request_body(
    params: &MessageCreateParams,
    dialect: &Dialect,
    stream: bool,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    let req = to_chat_request(params, dialect, stream)?;
    crate::merge_patch::body_with_extras(&req, &params.extra, extra)
}

/// The system message. System blocks are text blocks; any other kind is
/// `Unsupported` rather than dropped.
fn system_message<'a>(system: &'a SystemPrompt, d: &Dialect) -> Result<ChatMessage<'a>, ConvertError> {
    if let SystemPrompt::Blocks(blocks) = system {
        if let Some((j, other)) = blocks
            .iter()
            .enumerate()
            .find(|(_, b)| !matches!(b, ContentBlock::Text(_)))
        {
            return Err(ConvertError::unsupported_because(
                d.provider,
                format!("system[{j}]"),
                format!("`{}` blocks cannot be sent as a system prompt", other.type_name()),
            ));
        }
    }
    Ok(match system {
        SystemPrompt::Text(t) => ChatMessage::System {
            content: UserContent::Text(Cow::Borrowed(t)),
        },
        SystemPrompt::Blocks(blocks) => {
            let cached = d.cache_control
                && blocks
                    .iter()
                    .any(|b| matches!(b, ContentBlock::Text(t) if t.cache_control.is_some()));
            if cached {
                let parts = blocks
                    .iter()
                    .filter_map(|b| match b {
                        ContentBlock::Text(t) => Some(ContentPart::Text {
                            text: Cow::Borrowed(&t.text),
                            cache_control: t.cache_control.as_ref(),
                        }),
                        _ => None,
                    })
                    .collect();
                ChatMessage::System {
                    content: UserContent::Parts(parts),
                }
            } else {
                ChatMessage::System {
                    content: UserContent::Text(Cow::Owned(system.text())),
                }
            }
        }
    })
}

fn convert_message<'a>(
    m: &'a MessageParam,
    i: usize,
    d: &Dialect,
    out: &mut Vec<ChatMessage<'a>>,
) -> Result<(), ConvertError> {
    match (&m.role, &m.content) {
        (Role::User, MessageContent::Text(t)) => {
            out.push(ChatMessage::User {
                content: UserContent::Text(Cow::Borrowed(t)),
            });
            Ok(())
        }
        (Role::User, MessageContent::Blocks(blocks)) => user_blocks(blocks, i, d, out),
        (Role::Assistant, MessageContent::Text(t)) => {
            out.push(ChatMessage::Assistant {
                content: Some(Cow::Borrowed(t)),
                reasoning_content: None,
                reasoning: None,
                reasoning_details: Vec::new(),
                tool_calls: Vec::new(),
                prefix: None,
            });
            Ok(())
        }
        (Role::Assistant, MessageContent::Blocks(blocks)) => assistant_blocks(blocks, i, d, out),
        (Role::Other(r), _) => Err(ConvertError::unsupported_because(
            d.provider,
            format!("messages[{i}].role"),
            format!("unknown role `{r}`"),
        )),
    }
}

fn user_blocks<'a>(
    blocks: &'a [ContentBlock],
    i: usize,
    d: &Dialect,
    out: &mut Vec<ChatMessage<'a>>,
) -> Result<(), ConvertError> {
    let mut parts: Vec<ContentPart<'a>> = Vec::new();
    for (j, block) in blocks.iter().enumerate() {
        let path = || format!("messages[{i}].content[{j}]");
        match block {
            ContentBlock::ToolResult(r) => {
                let text = tool_result(r, &path(), d, &mut parts)?;
                out.push(ChatMessage::Tool {
                    tool_call_id: Cow::Borrowed(&r.tool_use_id),
                    content: text,
                });
            }
            other => user_part(other, &path(), d, &mut parts)?,
        }
    }
    if !parts.is_empty() {
        let content = match parts.as_slice() {
            [ContentPart::Text {
                text,
                cache_control: None,
            }] => UserContent::Text(text.clone()),
            _ => UserContent::Parts(parts),
        };
        out.push(ChatMessage::User { content });
    }
    Ok(())
}

/// One user content block as parts.
fn user_part<'a>(
    block: &'a ContentBlock,
    path: &str,
    d: &Dialect,
    parts: &mut Vec<ContentPart<'a>>,
) -> Result<(), ConvertError> {
    match block {
        ContentBlock::Text(t) => parts.push(ContentPart::Text {
            text: Cow::Borrowed(&t.text),
            cache_control: t.cache_control.as_ref().filter(|_| d.cache_control),
        }),
        ContentBlock::Image(img) => parts.push(image_part(&img.source, path, d)?),
        ContentBlock::Document(doc) => document_parts(doc, path, d, parts)?,
        ContentBlock::SearchResult(sr) => parts.push(search_result_part(sr, path, d)?),
        other => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                path,
                format!("`{}` blocks cannot be sent in a user turn", other.type_name()),
            ))
        }
    }
    Ok(())
}

fn image_part<'a>(source: &'a ImageSource, path: &str, d: &Dialect) -> Result<ContentPart<'a>, ConvertError> {
    if !d.images {
        return Err(ConvertError::unsupported_because(
            d.provider,
            path,
            "the provider does not accept images",
        ));
    }
    let url = match source {
        ImageSource::Base64(b) => Cow::Owned(format!("data:{};base64,{}", b.media_type, b.data)),
        ImageSource::Url(u) => Cow::Borrowed(u.url.as_str()),
        ImageSource::File(_) => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                format!("{path}.source"),
                "Anthropic Files API ids are not valid on this provider",
            ))
        }
        ImageSource::Unknown(v) => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                format!("{path}.source"),
                format!("unknown image source `{}`", source_type(v)),
            ))
        }
    };
    Ok(ContentPart::ImageUrl {
        image_url: ImageUrl { url },
    })
}

pub(crate) fn source_type(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn citations_enabled(c: Option<&messages_types::CitationsConfig>) -> bool {
    c.and_then(|c| c.enabled).unwrap_or(false)
}

fn document_parts<'a>(
    doc: &'a DocumentBlock,
    path: &str,
    d: &Dialect,
    parts: &mut Vec<ContentPart<'a>>,
) -> Result<(), ConvertError> {
    if citations_enabled(doc.citations.as_ref()) {
        return Err(ConvertError::unsupported_because(
            d.provider,
            format!("{path}.citations"),
            "the provider cannot cite documents",
        ));
    }
    let header = [doc.title.as_deref(), doc.context.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    let push_header = |parts: &mut Vec<ContentPart<'a>>| {
        if !header.is_empty() {
            parts.push(ContentPart::Text {
                text: Cow::Owned(header.clone()),
                cache_control: None,
            });
        }
    };
    match &doc.source {
        DocumentSource::Base64(_) if !d.files => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                path,
                "the provider does not accept file (PDF) parts",
            ))
        }
        DocumentSource::Base64(b) => {
            // The title is the file name; only the context needs a text part.
            if let Some(context) = &doc.context {
                parts.push(ContentPart::Text {
                    text: Cow::Borrowed(context),
                    cache_control: None,
                });
            }
            parts.push(ContentPart::File {
                file: FilePart {
                    file_data: Some(format!("data:{};base64,{}", b.media_type, b.data)),
                    filename: Some(
                        doc.title
                            .as_deref()
                            .map_or(Cow::Borrowed("document.pdf"), Cow::Borrowed),
                    ),
                },
            });
        }
        DocumentSource::Text(t) => {
            push_header(parts);
            parts.push(ContentPart::Text {
                text: Cow::Borrowed(&t.data),
                cache_control: doc.cache_control.as_ref().filter(|_| d.cache_control),
            });
        }
        DocumentSource::Content(c) => {
            push_header(parts);
            match &c.content {
                MessageContent::Text(t) => parts.push(ContentPart::Text {
                    text: Cow::Borrowed(t),
                    cache_control: None,
                }),
                MessageContent::Blocks(blocks) => {
                    for (k, b) in blocks.iter().enumerate() {
                        user_part(b, &format!("{path}.source.content[{k}]"), d, parts)?;
                    }
                }
            }
        }
        DocumentSource::Url(_) => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                format!("{path}.source"),
                "Chat Completions file parts take inline data, not URLs",
            ))
        }
        DocumentSource::File(_) => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                format!("{path}.source"),
                "Anthropic Files API ids are not valid on this provider",
            ))
        }
        DocumentSource::Unknown(v) => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                format!("{path}.source"),
                format!("unknown document source `{}`", source_type(v)),
            ))
        }
    }
    Ok(())
}

fn search_result_part<'a>(
    sr: &'a SearchResultBlock,
    path: &str,
    d: &Dialect,
) -> Result<ContentPart<'a>, ConvertError> {
    if citations_enabled(sr.citations.as_ref()) {
        return Err(ConvertError::unsupported_because(
            d.provider,
            format!("{path}.citations"),
            "the provider cannot cite search results",
        ));
    }
    let mut text = format!("{}\n{}\n", sr.title, sr.source);
    for t in &sr.content {
        text.push('\n');
        text.push_str(&t.text);
    }
    Ok(ContentPart::Text {
        text: Cow::Owned(text),
        cache_control: None,
    })
}

/// The tool message text of a `tool_result`; its images and documents are
/// appended to `attachments` (the next user message) after a line naming the call.
fn tool_result<'a>(
    r: &'a ToolResultBlock,
    path: &str,
    d: &Dialect,
    attachments: &mut Vec<ContentPart<'a>>,
) -> Result<Cow<'a, str>, ConvertError> {
    let prefix = if r.is_error == Some(true) { "Error: " } else { "" };
    let mut text: Cow<'a, str> = match &r.content {
        None => Cow::Borrowed(""),
        Some(MessageContent::Text(t)) => Cow::Borrowed(t),
        Some(MessageContent::Blocks(blocks)) => {
            let mut texts: Vec<&str> = Vec::new();
            let mut extra: Vec<ContentPart<'a>> = Vec::new();
            for (k, b) in blocks.iter().enumerate() {
                match b {
                    ContentBlock::Text(t) => texts.push(&t.text),
                    other => user_part(other, &format!("{path}.content[{k}]"), d, &mut extra)?,
                }
            }
            let attached = !extra.is_empty();
            if attached {
                attachments.push(ContentPart::Text {
                    text: Cow::Owned(format!(
                        "Attachments of the tool result for call {}:",
                        r.tool_use_id
                    )),
                    cache_control: None,
                });
                attachments.append(&mut extra);
            }
            match texts.as_slice() {
                [] if !attached => Cow::Borrowed(""),
                [] => Cow::Borrowed("(the result is attached in the next message)"),
                [one] => Cow::Borrowed(*one),
                many => Cow::Owned(many.join("\n")),
            }
        }
    };
    if !prefix.is_empty() {
        text = Cow::Owned(format!("{prefix}{text}"));
    }
    Ok(text)
}

fn assistant_blocks<'a>(
    blocks: &'a [ContentBlock],
    i: usize,
    d: &Dialect,
    out: &mut Vec<ChatMessage<'a>>,
) -> Result<(), ConvertError> {
    let mut texts: Vec<&'a str> = Vec::new();
    let mut thinking = String::new();
    let mut details: Vec<ReasoningDetail> = Vec::new();
    let mut tool_calls = Vec::new();
    for (j, block) in blocks.iter().enumerate() {
        match block {
            ContentBlock::Text(t) => texts.push(&t.text),
            ContentBlock::ToolUse(t) => tool_calls.push(RequestToolCall {
                id: Cow::Borrowed(&t.id),
                kind: "function",
                function: RequestFunction {
                    name: Cow::Borrowed(&t.name),
                    arguments: t.input.to_string(),
                },
            }),
            // The one signature rule (crate::signature): only signatures this
            // dialect's family minted go back, without their prefix.
            ContentBlock::Thinking(t) => match signature::thinking(d.signature_origin, &t.signature) {
                Replay::Drop => {}
                Replay::Unsigned => thinking.push_str(&t.thinking),
                Replay::Signed(native) => {
                    thinking.push_str(&t.thinking);
                    details.push(ReasoningDetail {
                        kind: "reasoning.text".to_owned(),
                        index: u32::try_from(details.len()).ok(),
                        text: Some(t.thinking.clone()),
                        signature: Some(native.to_owned()),
                        ..ReasoningDetail::default()
                    });
                }
            },
            ContentBlock::RedactedThinking(r) => {
                if let Some(data) = signature::redacted(d.signature_origin, &r.data) {
                    details.push(ReasoningDetail {
                        kind: "reasoning.encrypted".to_owned(),
                        index: u32::try_from(details.len()).ok(),
                        data: Some(data.to_owned()),
                        id: r.extra.get("id").and_then(Value::as_str).map(str::to_owned),
                        ..ReasoningDetail::default()
                    });
                }
            }
            other => {
                return Err(ConvertError::unsupported_because(
                    d.provider,
                    format!("messages[{i}].content[{j}]"),
                    format!(
                        "`{}` blocks cannot be sent in an assistant turn",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    let content = match texts.as_slice() {
        [] if !tool_calls.is_empty() => None,
        [] => Some(Cow::Borrowed("")),
        [one] => Some(Cow::Borrowed(*one)),
        many => Some(Cow::Owned(many.concat())),
    };
    let thinking = Some(thinking).filter(|t| !t.is_empty());
    let (reasoning_content, reasoning, reasoning_details) = match d.reasoning_echo {
        Some(ReasoningEcho::ReasoningContent) => (thinking, None, Vec::new()),
        Some(ReasoningEcho::Reasoning) => (None, thinking, details),
        None => (None, None, Vec::new()),
    };
    out.push(ChatMessage::Assistant {
        content,
        reasoning_content,
        reasoning,
        reasoning_details,
        tool_calls,
        prefix: None,
    });
    Ok(())
}

/// `reasoning_effort` for a thinking budget.
///
/// ```
/// use messages_convert::openai_chat::effort_for_budget;
/// assert_eq!(effort_for_budget(1024), "minimal");
/// assert_eq!(effort_for_budget(2048), "low");
/// assert_eq!(effort_for_budget(8192), "medium");
/// assert_eq!(effort_for_budget(24576), "high");
/// assert_eq!(effort_for_budget(32000), "xhigh");
/// ```
pub fn effort_for_budget(budget_tokens: u32) -> &'static str {
    match budget_tokens {
        0..=1024 => "minimal",
        1025..=2048 => "low",
        2049..=8192 => "medium",
        8193..=24576 => "high",
        _ => "xhigh",
    }
}

fn effort_str(e: &Effort, d: &Dialect) -> Result<&'static str, ConvertError> {
    Ok(match e {
        Effort::Low => "low",
        Effort::Medium => "medium",
        Effort::High => "high",
        Effort::XHigh | Effort::Max => "xhigh",
        Effort::Other(v) => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                "output_config.effort",
                format!("unknown effort `{v}`"),
            ))
        }
    })
}

fn reasoning(
    params: &MessageCreateParams,
    d: &Dialect,
    req: &mut ChatRequest<'_>,
) -> Result<(), ConvertError> {
    let effort = match params.output_config.as_ref().and_then(|c| c.effort.as_ref()) {
        Some(e) => Some(effort_str(e, d)?),
        None => None,
    };
    let thinking = params.thinking.as_ref();
    if let Some(ThinkingConfig::Unknown(v)) = thinking {
        return Err(ConvertError::unsupported_because(
            d.provider,
            "thinking",
            format!("unknown thinking type `{}`", source_type(v)),
        ));
    }
    match d.reasoning_control {
        ReasoningControl::Effort => {
            req.reasoning_effort = match (effort, thinking) {
                (Some(e), _) => Some(e),
                (None, Some(ThinkingConfig::Enabled(t))) => Some(effort_for_budget(t.budget_tokens)),
                (None, Some(ThinkingConfig::Disabled(_))) => Some("none"),
                _ => None,
            };
        }
        ReasoningControl::DeepSeekThinking => {
            req.reasoning_effort = effort;
            req.thinking = match thinking {
                Some(ThinkingConfig::Enabled(_) | ThinkingConfig::Adaptive(_)) => {
                    Some(TypeOnly { kind: "enabled" })
                }
                Some(ThinkingConfig::Disabled(_)) => Some(TypeOnly { kind: "disabled" }),
                _ => None,
            };
        }
        ReasoningControl::OpenRouter => {
            let r = match (effort, thinking) {
                (Some(e), _) => Some(RouterReasoning {
                    effort: Some(e),
                    ..RouterReasoning::default()
                }),
                (None, Some(ThinkingConfig::Enabled(t))) => Some(RouterReasoning {
                    max_tokens: Some(t.budget_tokens),
                    ..RouterReasoning::default()
                }),
                (None, Some(ThinkingConfig::Adaptive(_))) => Some(RouterReasoning {
                    enabled: Some(true),
                    ..RouterReasoning::default()
                }),
                (None, Some(ThinkingConfig::Disabled(_))) => Some(RouterReasoning {
                    enabled: Some(false),
                    ..RouterReasoning::default()
                }),
                _ => None,
            };
            req.reasoning = r;
        }
        ReasoningControl::EnableThinking => {
            if effort.is_some() {
                return Err(ConvertError::unsupported_because(
                    d.provider,
                    "output_config.effort",
                    "the provider takes a thinking budget, not an effort level",
                ));
            }
            match thinking {
                Some(ThinkingConfig::Enabled(t)) => {
                    req.enable_thinking = Some(true);
                    req.thinking_budget = Some(t.budget_tokens);
                }
                Some(ThinkingConfig::Adaptive(_)) => req.enable_thinking = Some(true),
                Some(ThinkingConfig::Disabled(_)) => req.enable_thinking = Some(false),
                _ => {}
            }
        }
        ReasoningControl::Unsupported => {
            if effort.is_some() {
                return Err(ConvertError::unsupported_because(
                    d.provider,
                    "output_config.effort",
                    "the provider has no reasoning control",
                ));
            }
            if matches!(
                thinking,
                Some(ThinkingConfig::Enabled(_) | ThinkingConfig::Adaptive(_))
            ) {
                return Err(ConvertError::unsupported_because(
                    d.provider,
                    "thinking",
                    "the provider has no reasoning control",
                ));
            }
        }
    }
    Ok(())
}

fn tools<'a>(
    params: &'a MessageCreateParams,
    d: &Dialect,
    req: &mut ChatRequest<'a>,
) -> Result<(), ConvertError> {
    let tools = params.tools.as_deref().unwrap_or_default();
    if !tools.is_empty() && !d.tools {
        return Err(ConvertError::unsupported_because(
            d.provider,
            "tools",
            "the provider does not support tool calling",
        ));
    }
    if !tools.is_empty() {
        let mut out = Vec::with_capacity(tools.len());
        for (i, tool) in tools.iter().enumerate() {
            match tool {
                Tool::Custom(t) => out.push(ChatTool {
                    kind: "function",
                    function: FunctionDef {
                        name: &t.name,
                        description: t.description.as_deref(),
                        parameters: &t.input_schema,
                        strict: t.strict,
                    },
                }),
                Tool::Builtin(b) => {
                    return Err(ConvertError::unsupported_because(
                        d.provider,
                        format!("tools[{i}]"),
                        format!("Anthropic-defined tool `{}` has no equivalent", b.kind),
                    ))
                }
            }
        }
        req.tools = Some(out);
    }
    let Some(choice) = &params.tool_choice else {
        return Ok(());
    };
    if choice.disable_parallel_tool_use() == Some(true) && !tools.is_empty() {
        if !d.parallel_tool_calls {
            return Err(ConvertError::unsupported_because(
                d.provider,
                "tool_choice.disable_parallel_tool_use",
                "the provider does not accept parallel_tool_calls",
            ));
        }
        req.parallel_tool_calls = Some(false);
    }
    if tools.is_empty() {
        // Nothing to choose from: Chat Completions rejects a tool_choice
        // without tools, and omitting it means the same.
        return Ok(());
    }
    req.tool_choice = Some(match choice {
        ToolChoice::Auto(_) => ChatToolChoice::Mode("auto"),
        ToolChoice::None(_) => ChatToolChoice::Mode("none"),
        ToolChoice::Any(_) => match d.tool_choice_required {
            Some(v) => ChatToolChoice::Mode(v),
            None => {
                return Err(ConvertError::unsupported_because(
                    d.provider,
                    "tool_choice",
                    "the provider cannot force a tool call (`any`)",
                ))
            }
        },
        ToolChoice::Tool(t) => {
            if !d.tool_choice_function {
                return Err(ConvertError::unsupported_because(
                    d.provider,
                    "tool_choice",
                    "the provider cannot force a named tool",
                ));
            }
            ChatToolChoice::Function {
                kind: "function",
                function: NamedFunction { name: &t.name },
            }
        }
        ToolChoice::Unknown(v) => {
            return Err(ConvertError::unsupported_because(
                d.provider,
                "tool_choice",
                format!("unknown tool_choice type `{}`", source_type(v)),
            ))
        }
    });
    Ok(())
}

/// A `response_format` name: the schema's `title` (restricted to
/// `[A-Za-z0-9_-]`, at most 64 characters), else `output`.
pub(crate) fn schema_name(schema: &Value) -> Cow<'static, str> {
    let title = schema.get("title").and_then(Value::as_str).unwrap_or("");
    let name: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(64)
        .collect();
    if name.is_empty() {
        Cow::Borrowed("output")
    } else {
        Cow::Owned(name)
    }
}
