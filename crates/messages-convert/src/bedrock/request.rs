//! Anthropic request → Converse / ConverseStream request.
//!
//! | Anthropic | Converse |
//! |---|---|
//! | `model` | the path (`/model/{id}/converse`), not the body |
//! | `system` (string or text blocks) | `system: [{text}]`, a `{cachePoint}` after each block with `cache_control` |
//! | `messages[].role` user / assistant | `messages[].role` |
//! | `text` | `{text}` |
//! | `image` base64 (png, jpeg, gif, webp) | `{image: {format, source: {bytes}}}` |
//! | `document` base64 (PDF and the other formats Converse reads) | `{document: {format, name, source: {bytes}}}` |
//! | `document` plain text | `{document: {format: txt (or csv, html, md by media type), name, source: {bytes: base64 of the text}}}` |
//! | `document` custom content (text blocks) | `{document: {name, source: {content: [{text}]}}}` |
//! | `document` `title` / `context` / `citations.enabled` | `name` (see below) / `context` / `citations: {enabled}` |
//! | `search_result` | `{searchResult: {source, title, content: [{text}], citations?}}` |
//! | `tool_use` | `{toolUse: {toolUseId, name, input}}` |
//! | `tool_result` | `{toolResult: {toolUseId, content, status: "error" when is_error}}`; text that is a JSON object → `{json}`, other text → `{text}`, image / document / search result blocks → `{image}` / `{document}` / `{searchResult}` |
//! | `thinking` | `{reasoningContent: {reasoningText: {text, signature}}}` (no `signature` when empty) |
//! | `redacted_thinking` | `{reasoningContent: {redactedContent: data}}` |
//! | `cache_control` on any block | a `{cachePoint: {type: default, ttl?}}` right after it |
//! | top-level `cache_control` | a `{cachePoint}` after the last block of the last message (where Anthropic's automatic breakpoint goes) |
//! | `max_tokens`, `temperature`, `top_p`, `stop_sequences` | `inferenceConfig.maxTokens`, `temperature`, `topP`, `stopSequences` (always sent: `maxTokens` is required by the Anthropic request) |
//! | `top_k` | `additionalModelRequestFields`: Anthropic models `{top_k}`, Amazon Nova `{inferenceConfig: {topK}}`; other families `Unsupported` |
//! | `thinking` | Anthropic models: `additionalModelRequestFields.thinking`, as given; other families: `disabled` is their default and is not sent, `enabled` / `adaptive` are `Unsupported` |
//! | `tools` (custom) | `toolConfig.tools[].toolSpec {name, description, inputSchema: {json}, strict}`, a `{cachePoint}` after a tool with `cache_control` |
//! | `tool_choice` auto / any / tool | `toolConfig.toolChoice` `{auto: {}}` / `{any: {}}` / `{tool: {name}}` |
//! | `tool_choice` none | no `toolConfig` at all (Converse has no "none"): the model sees no tools |
//! | `output_config.format` / `output_format` json_schema | `outputConfig.textFormat {type: json_schema, structure: {jsonSchema: {schema: <the schema as a JSON string>}}}` |
//! | `output_config.effort` | `outputConfig.effort` (Anthropic models) |
//! | `metadata.user_id` | `requestMetadata: {user_id}` |
//! | `service_tier` auto / standard_only | omitted (the default) / `serviceTier: {type: default}` |
//!
//! **Document names.** Converse requires a `name` of at most 200 letters,
//! digits, single spaces, hyphens, parentheses and square brackets. The
//! title is used with every other character replaced by a space and runs of
//! spaces collapsed; without a usable title the name is `document-N` (N
//! counts documents in the request from 1).
//!
//! **Not sent** (documented): `citations` carried on request text blocks
//! (Converse only takes citations it generated itself, as
//! `citationsContent`); `thinking: disabled` for families other than
//! Anthropic (their default); the `stream` flag of the params (streaming is
//! the `/converse-stream` operation). A `tool_result` without content is sent
//! with an empty `content` list.
//!
//! **`Unsupported`** ([`ConvertError::Unsupported`] naming the field): image
//! and document URL and Files API sources (Converse takes bytes or S3),
//! media types Converse cannot read, custom-content documents holding images,
//! server tool blocks (`server_tool_use`, `*_tool_result`,
//! `container_upload`) and unknown blocks, Anthropic-defined tools (web
//! search, bash, …), `disable_parallel_tool_use: true`, `tool_choice: none`
//! when the conversation already holds `tool_use` / `tool_result` blocks
//! (Converse rejects those without a `toolConfig`), `top_k` / `thinking` /
//! `effort` for a family that has no such field, a `metadata.user_id` outside
//! `requestMetadata`'s character set, `container`, `inference_geo`,
//! `mcp_servers`, `context_management`, and unknown top-level fields.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine as _;
use messages_types::{
    CacheControl, CacheTtl, ContentBlock as Block, DocumentBlock, DocumentSource as AnthropicDocSource,
    ImageSource, MessageContent, MessageCreateParams, MessageParam, OutputConfig as AnthropicOutputConfig,
    OutputFormat, Role, SearchResultBlock, ServiceTierRequest, SystemPrompt, ThinkingConfig, Tool,
    ToolChoice as AnthropicToolChoice, ToolResultBlock,
};
use serde_json::{Map, Value};

use super::family::ModelFamily;
use super::wire::{
    BytesSource, CachePoint, CitationsConfig, ContentBlock, ConverseRequest, Document, DocumentSource, Empty,
    FormatStructure, Image, InferenceConfig, InputSchema, JsonSchemaDefinition, Message, NamedTool,
    OutputConfig, ReasoningContent, ReasoningText, SearchResult, ServiceTier, SystemBlock, TextFormat,
    TextOnly, ToolChoice, ToolConfig, ToolEntry, ToolResult, ToolResultContent, ToolSpec, ToolUse,
};
use super::PROVIDER;
use crate::ConvertError;

fn unsupported(field: impl Into<String>, detail: impl Into<String>) -> ConvertError {
    ConvertError::unsupported_because(PROVIDER, field, detail)
}

/// Converts an Anthropic request into a Converse (or ConverseStream) body,
/// for the model family [`ModelFamily::from_model_id`] reads from
/// `params.model`.
///
/// ```
/// use messages_convert::bedrock::to_converse_request;
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "us.anthropic.claude-haiku-4-5-20251001-v1:0", "max_tokens": 64,
///     "system": "Be brief.", "top_k": 5,
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let req = to_converse_request(&params).unwrap();
/// assert_eq!(serde_json::to_value(&req).unwrap(), serde_json::json!({
///     "system": [{"text": "Be brief."}],
///     "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
///     "inferenceConfig": {"maxTokens": 64},
///     "additionalModelRequestFields": {"top_k": 5}
/// }));
/// ```
pub fn to_converse_request(params: &MessageCreateParams) -> Result<ConverseRequest<'_>, ConvertError> {
    to_converse_request_for(params, ModelFamily::from_model_id(&params.model))
}

/// [`to_converse_request`] for a model family the caller names (for ids that
/// do not say, such as a provisioned-throughput ARN).
pub fn to_converse_request_for(
    params: &MessageCreateParams,
    family: ModelFamily,
) -> Result<ConverseRequest<'_>, ConvertError> {
    if let Some(key) = params.extra.keys().next() {
        return Err(unsupported(
            key.as_str(),
            "unknown request field; Converse has nowhere to put it",
        ));
    }
    for (present, field) in [
        (params.container.is_some(), "container"),
        (params.inference_geo.is_some(), "inference_geo"),
        (
            params.mcp_servers.as_ref().is_some_and(|m| !m.is_empty()),
            "mcp_servers",
        ),
        (params.context_management.is_some(), "context_management"),
    ] {
        if present {
            return Err(ConvertError::unsupported(PROVIDER, field));
        }
    }
    let mut messages = convert_messages(&params.messages)?;
    if let Some(cc) = &params.cache_control {
        if let Some(last) = messages.last_mut() {
            if !matches!(last.content.last(), Some(ContentBlock::CachePoint(_))) {
                last.content.push(ContentBlock::CachePoint(cache_point(cc)));
            }
        }
    }
    let mut additional = Map::new();
    if let Some(k) = params.top_k {
        top_k_field(family, k, &mut additional)?;
    }
    if let Some(thinking) = &params.thinking {
        thinking_field(family, thinking, &mut additional)?;
    }
    let request_metadata = match params.metadata.as_ref().and_then(|m| m.user_id.as_deref()) {
        Some(user) => Some(user_metadata(user)?),
        None => None,
    };
    let service_tier = match &params.service_tier {
        None | Some(ServiceTierRequest::Auto) => None,
        Some(ServiceTierRequest::StandardOnly) => Some(ServiceTier { kind: "default" }),
        Some(other) => {
            return Err(unsupported(
                "service_tier",
                format!("unknown service tier `{}`", other.as_str()),
            ))
        }
    };
    Ok(ConverseRequest {
        system: system_blocks(params.system.as_ref())?,
        inference_config: InferenceConfig {
            max_tokens: Some(params.max_tokens),
            temperature: params.temperature,
            top_p: params.top_p,
            stop_sequences: params.stop_sequences.as_deref().filter(|s| !s.is_empty()),
        },
        tool_config: tool_config(
            params.tools.as_deref(),
            params.tool_choice.as_ref(),
            &params.messages,
        )?,
        additional_model_request_fields: (!additional.is_empty()).then_some(additional),
        request_metadata,
        output_config: output_config(
            family,
            params.output_config.as_ref(),
            params.output_format.as_ref(),
        )?,
        service_tier,
        messages,
    })
}

/// Serializes the Converse body, merging `extra` (the caller's Bedrock
/// fields, e.g. `guardrailConfig`, `performanceConfig`,
/// `additionalModelResponseFieldPaths`) into its top level; a key of `extra`
/// replaces a converted one.
///
/// ```
/// use messages_convert::bedrock::request_body;
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "amazon.nova-lite-v1:0", "max_tokens": 8,
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut extra = serde_json::Map::new();
/// extra.insert("performanceConfig".into(), serde_json::json!({"latency": "optimized"}));
/// let body = request_body(&params, &extra).unwrap();
/// let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
/// assert_eq!(v["performanceConfig"]["latency"], "optimized");
/// ```
pub fn request_body(
    params: &MessageCreateParams,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    let req = to_converse_request(params)?;
    serialize_with(&req, extra)
}

/// Serializes `body`, merging `extra` into its top level.
pub(crate) fn serialize_with<T: serde::Serialize>(
    body: &T,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    let err = |e: serde_json::Error| ConvertError::Invalid {
        what: "request",
        message: e.to_string(),
    };
    if extra.is_empty() {
        return serde_json::to_vec(body).map_err(err);
    }
    let mut value = serde_json::to_value(body).map_err(err)?;
    if let Value::Object(map) = &mut value {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    serde_json::to_vec(&value).map_err(err)
}

pub(crate) fn cache_point(cc: &CacheControl) -> CachePoint {
    CachePoint {
        kind: "default",
        ttl: match &cc.ttl {
            Some(CacheTtl::FiveMinutes) => Some("5m"),
            Some(CacheTtl::OneHour) => Some("1h"),
            _ => None,
        },
    }
}

/// `system` → `[{text}, {cachePoint}?, …]`.
pub(crate) fn system_blocks(system: Option<&SystemPrompt>) -> Result<Vec<SystemBlock<'_>>, ConvertError> {
    let mut out = Vec::new();
    match system {
        None => {}
        Some(SystemPrompt::Text(t)) if t.is_empty() => {}
        Some(SystemPrompt::Text(t)) => out.push(SystemBlock::Text(t)),
        Some(SystemPrompt::Blocks(blocks)) => {
            for (j, b) in blocks.iter().enumerate() {
                let Block::Text(t) = b else {
                    return Err(unsupported(
                        format!("system[{j}]"),
                        format!("`{}` blocks cannot be sent as a system prompt", b.type_name()),
                    ));
                };
                out.push(SystemBlock::Text(&t.text));
                if let Some(cc) = &t.cache_control {
                    out.push(SystemBlock::CachePoint(cache_point(cc)));
                }
            }
        }
    }
    Ok(out)
}

/// Numbers the documents of one request, for generated names.
#[derive(Default)]
struct Docs {
    count: usize,
}

/// `messages` → Converse messages.
pub(crate) fn convert_messages(messages: &[MessageParam]) -> Result<Vec<Message<'_>>, ConvertError> {
    let mut docs = Docs::default();
    let mut out = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        let role = match &m.role {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Other(r) => {
                return Err(unsupported(
                    format!("messages[{i}].role"),
                    format!("unknown role `{r}`"),
                ))
            }
        };
        let content = match &m.content {
            MessageContent::Text(t) => vec![ContentBlock::Text(Cow::Borrowed(t))],
            MessageContent::Blocks(blocks) => {
                let mut content = Vec::with_capacity(blocks.len());
                for (j, b) in blocks.iter().enumerate() {
                    block(b, &format!("messages[{i}].content[{j}]"), &mut docs, &mut content)?;
                }
                content
            }
        };
        out.push(Message { role, content });
    }
    Ok(out)
}

fn block<'a>(
    b: &'a Block,
    path: &str,
    docs: &mut Docs,
    out: &mut Vec<ContentBlock<'a>>,
) -> Result<(), ConvertError> {
    let cc = match b {
        Block::Text(t) => {
            out.push(ContentBlock::Text(Cow::Borrowed(&t.text)));
            t.cache_control.as_ref()
        }
        Block::Image(img) => {
            out.push(ContentBlock::Image(image(&img.source, path)?));
            img.cache_control.as_ref()
        }
        Block::Document(d) => {
            out.push(ContentBlock::Document(document(d, path, docs)?));
            d.cache_control.as_ref()
        }
        Block::SearchResult(s) => {
            out.push(ContentBlock::SearchResult(search_result(s)));
            s.cache_control.as_ref()
        }
        Block::ToolUse(t) => {
            out.push(ContentBlock::ToolUse(ToolUse {
                tool_use_id: &t.id,
                name: &t.name,
                input: &t.input,
            }));
            t.cache_control.as_ref()
        }
        Block::ToolResult(r) => {
            out.push(ContentBlock::ToolResult(tool_result(r, path, docs)?));
            r.cache_control.as_ref()
        }
        Block::Thinking(t) => {
            out.push(ContentBlock::ReasoningContent(ReasoningContent::ReasoningText(
                ReasoningText {
                    text: &t.thinking,
                    signature: Some(t.signature.as_str()).filter(|s| !s.is_empty()),
                },
            )));
            None
        }
        Block::RedactedThinking(r) => {
            out.push(ContentBlock::ReasoningContent(ReasoningContent::RedactedContent(
                &r.data,
            )));
            None
        }
        other => {
            return Err(unsupported(
                path,
                format!("`{}` blocks have no Converse equivalent", other.type_name()),
            ))
        }
    };
    if let Some(cc) = cc {
        out.push(ContentBlock::CachePoint(cache_point(cc)));
    }
    Ok(())
}

fn image<'a>(source: &'a ImageSource, path: &str) -> Result<Image<'a>, ConvertError> {
    match source {
        ImageSource::Base64(b) => {
            let format = match b.media_type.as_str() {
                "image/png" => "png",
                "image/jpeg" | "image/jpg" => "jpeg",
                "image/gif" => "gif",
                "image/webp" => "webp",
                other => {
                    return Err(unsupported(
                        format!("{path}.source.media_type"),
                        format!("Converse reads png, jpeg, gif and webp images, not `{other}`"),
                    ))
                }
            };
            Ok(Image {
                format,
                source: BytesSource {
                    bytes: Cow::Borrowed(&b.data),
                },
            })
        }
        other => Err(unsupported(
            format!("{path}.source"),
            format!(
                "`{}` image sources (Converse takes bytes or S3 locations)",
                other.type_name()
            ),
        )),
    }
}

/// The Converse document format for a media type.
fn document_format(media_type: &str) -> Option<&'static str> {
    Some(match media_type.split(';').next().unwrap_or("").trim() {
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "text/html" => "html",
        "text/markdown" => "md",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        _ => return None,
    })
}

/// A Converse document name from a title (see the module docs).
pub fn document_name(title: Option<&str>, n: usize) -> String {
    let mut name = String::new();
    for c in title.unwrap_or("").chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '-' | '(' | ')' | '[' | ']') {
            c
        } else {
            ' '
        };
        if c == ' ' && (name.is_empty() || name.ends_with(' ')) {
            continue;
        }
        if name.len() >= 200 {
            break;
        }
        name.push(c);
    }
    let name = name.trim_end().to_owned();
    if name.is_empty() {
        format!("document-{n}")
    } else {
        name
    }
}

fn document<'a>(d: &'a DocumentBlock, path: &str, docs: &mut Docs) -> Result<Document<'a>, ConvertError> {
    docs.count += 1;
    let unknown_type = |media_type: &str| {
        unsupported(
            format!("{path}.source.media_type"),
            format!("Converse cannot read `{media_type}` documents"),
        )
    };
    let (format, source) = match &d.source {
        AnthropicDocSource::Base64(b) => (
            Some(document_format(&b.media_type).ok_or_else(|| unknown_type(&b.media_type))?),
            DocumentSource::Bytes(Cow::Borrowed(&b.data)),
        ),
        AnthropicDocSource::Text(t) => (
            Some(document_format(&t.media_type).ok_or_else(|| unknown_type(&t.media_type))?),
            DocumentSource::Bytes(Cow::Owned(
                base64::engine::general_purpose::STANDARD.encode(t.data.as_bytes()),
            )),
        ),
        AnthropicDocSource::Content(c) => {
            let texts = match &c.content {
                MessageContent::Text(t) => vec![TextOnly { text: t }],
                MessageContent::Blocks(blocks) => blocks
                    .iter()
                    .enumerate()
                    .map(|(k, b)| match b {
                        Block::Text(t) => Ok(TextOnly { text: &t.text }),
                        other => Err(unsupported(
                            format!("{path}.source.content[{k}]"),
                            format!("`{}` blocks in a custom-content document", other.type_name()),
                        )),
                    })
                    .collect::<Result<_, _>>()?,
            };
            (None, DocumentSource::Content(texts))
        }
        other => {
            return Err(unsupported(
                format!("{path}.source"),
                format!(
                    "`{}` document sources (Converse takes bytes or S3 locations)",
                    other.type_name()
                ),
            ))
        }
    };
    Ok(Document {
        format,
        name: document_name(d.title.as_deref(), docs.count),
        source,
        context: d.context.as_deref(),
        citations: d
            .citations
            .as_ref()
            .and_then(|c| c.enabled)
            .map(|enabled| CitationsConfig { enabled }),
    })
}

fn search_result(s: &SearchResultBlock) -> SearchResult<'_> {
    SearchResult {
        source: &s.source,
        title: &s.title,
        content: s.content.iter().map(|t| TextOnly { text: &t.text }).collect(),
        citations: s
            .citations
            .as_ref()
            .and_then(|c| c.enabled)
            .map(|enabled| CitationsConfig { enabled }),
    }
}

/// Tool-result text: a JSON object goes as `{json}`, anything else as `{text}`.
fn result_text(text: &str) -> ToolResultContent<'_> {
    if text.trim_start().starts_with('{') {
        if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(text) {
            return ToolResultContent::Json(v);
        }
    }
    ToolResultContent::Text(text)
}

fn tool_result<'a>(
    r: &'a ToolResultBlock,
    path: &str,
    docs: &mut Docs,
) -> Result<ToolResult<'a>, ConvertError> {
    let mut content = Vec::new();
    match &r.content {
        None => {}
        Some(MessageContent::Text(t)) => content.push(result_text(t)),
        Some(MessageContent::Blocks(blocks)) => {
            for (k, b) in blocks.iter().enumerate() {
                let inner = format!("{path}.content[{k}]");
                content.push(match b {
                    Block::Text(t) => result_text(&t.text),
                    Block::Image(img) => ToolResultContent::Image(image(&img.source, &inner)?),
                    Block::Document(d) => ToolResultContent::Document(document(d, &inner, docs)?),
                    Block::SearchResult(s) => ToolResultContent::SearchResult(search_result(s)),
                    other => {
                        return Err(unsupported(
                            inner,
                            format!("`{}` blocks inside a tool result", other.type_name()),
                        ))
                    }
                });
            }
        }
    }
    Ok(ToolResult {
        tool_use_id: &r.tool_use_id,
        content,
        status: r.is_error.unwrap_or(false).then_some("error"),
    })
}

fn has_tool_blocks(messages: &[MessageParam]) -> bool {
    messages.iter().any(|m| match &m.content {
        MessageContent::Blocks(b) => b
            .iter()
            .any(|b| matches!(b, Block::ToolUse(_) | Block::ToolResult(_))),
        MessageContent::Text(_) => false,
    })
}

/// `tools` + `tool_choice` → `toolConfig`.
pub(crate) fn tool_config<'a>(
    tools: Option<&'a [Tool]>,
    choice: Option<&'a AnthropicToolChoice>,
    messages: &[MessageParam],
) -> Result<Option<ToolConfig<'a>>, ConvertError> {
    let tools = tools.unwrap_or_default();
    let parallel_off = |d: Option<bool>| -> Result<(), ConvertError> {
        if d == Some(true) {
            return Err(unsupported(
                "tool_choice.disable_parallel_tool_use",
                "Converse has no switch for parallel tool calls",
            ));
        }
        Ok(())
    };
    let tool_choice = match choice {
        None => None,
        Some(AnthropicToolChoice::Auto(a)) => {
            parallel_off(a.disable_parallel_tool_use)?;
            Some(ToolChoice::Auto(Empty {}))
        }
        Some(AnthropicToolChoice::Any(a)) => {
            parallel_off(a.disable_parallel_tool_use)?;
            Some(ToolChoice::Any(Empty {}))
        }
        Some(AnthropicToolChoice::Tool(t)) => {
            parallel_off(t.disable_parallel_tool_use)?;
            Some(ToolChoice::Tool(NamedTool { name: &t.name }))
        }
        Some(AnthropicToolChoice::None(_)) => {
            if !tools.is_empty() && has_tool_blocks(messages) {
                return Err(unsupported(
                    "tool_choice",
                    "`none` is sent as no toolConfig, which Converse rejects when the conversation holds toolUse/toolResult blocks",
                ));
            }
            return Ok(None);
        }
        Some(other) => {
            return Err(unsupported(
                "tool_choice",
                format!("unknown tool choice `{}`", other.type_name()),
            ))
        }
    };
    if tools.is_empty() {
        return Ok(None);
    }
    let mut entries = Vec::with_capacity(tools.len());
    for (i, t) in tools.iter().enumerate() {
        let Tool::Custom(c) = t else {
            let name = match t {
                Tool::Builtin(b) => b.kind.as_str(),
                Tool::Custom(_) => "",
            };
            return Err(unsupported(
                format!("tools[{i}]"),
                format!("Anthropic-defined tool `{name}` has no Converse equivalent"),
            ));
        };
        entries.push(ToolEntry::ToolSpec(ToolSpec {
            name: &c.name,
            description: c.description.as_deref(),
            input_schema: InputSchema {
                json: &c.input_schema,
            },
            strict: c.strict,
        }));
        if let Some(cc) = &c.cache_control {
            entries.push(ToolEntry::CachePoint(cache_point(cc)));
        }
    }
    Ok(Some(ToolConfig {
        tools: entries,
        tool_choice,
    }))
}

fn top_k_field(family: ModelFamily, k: u32, out: &mut Map<String, Value>) -> Result<(), ConvertError> {
    match family {
        ModelFamily::Anthropic => {
            out.insert("top_k".into(), k.into());
        }
        ModelFamily::AmazonNova => {
            let mut inner = Map::new();
            inner.insert("topK".into(), k.into());
            out.insert("inferenceConfig".into(), Value::Object(inner));
        }
        ModelFamily::Other => {
            return Err(unsupported(
                "top_k",
                "Converse has no topK, and this model family takes none in additionalModelRequestFields",
            ))
        }
    }
    Ok(())
}

/// `thinking` → `additionalModelRequestFields.thinking` (Anthropic models).
pub(crate) fn thinking_field(
    family: ModelFamily,
    thinking: &ThinkingConfig,
    out: &mut Map<String, Value>,
) -> Result<(), ConvertError> {
    match (family, thinking) {
        (ModelFamily::Anthropic, t) => {
            let value = serde_json::to_value(t).map_err(|e| ConvertError::Invalid {
                what: "request",
                message: format!("thinking: {e}"),
            })?;
            out.insert("thinking".into(), value);
            Ok(())
        }
        // Not thinking is these families' default.
        (_, ThinkingConfig::Disabled(_)) => Ok(()),
        (f, t) => Err(unsupported(
            "thinking",
            format!(
                "`{}` thinking is not available for {} models through Converse",
                t.type_name(),
                f.name()
            ),
        )),
    }
}

/// `metadata.user_id` → `requestMetadata` (keys and values of 1–256 chars
/// from `[a-zA-Z0-9\s:_@$#=/+,-.]`).
fn user_metadata(user: &str) -> Result<BTreeMap<&'static str, &str>, ConvertError> {
    let valid = !user.is_empty()
        && user.chars().count() <= 256
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || ":_@$#=/+,-.".contains(c));
    if !valid {
        return Err(unsupported(
            "metadata.user_id",
            "requestMetadata values are 1-256 characters of letters, digits, spaces and :_@$#=/+,-.",
        ));
    }
    Ok(BTreeMap::from([("user_id", user)]))
}

fn output_config(
    family: ModelFamily,
    config: Option<&AnthropicOutputConfig>,
    legacy: Option<&OutputFormat>,
) -> Result<Option<OutputConfig>, ConvertError> {
    let mut out = OutputConfig::default();
    let format = config.and_then(|c| c.format.as_ref());
    if let Some(fmt) = format.or(legacy) {
        let field = if format.is_some() {
            "output_config.format"
        } else {
            "output_format"
        };
        let OutputFormat::JsonSchema(f) = fmt else {
            return Err(unsupported(
                field,
                format!("unknown output format type `{}`", fmt.type_name()),
            ));
        };
        let schema = serde_json::to_string(&f.schema).map_err(|e| ConvertError::Invalid {
            what: "request",
            message: format!("{field}.schema: {e}"),
        })?;
        out.text_format = Some(TextFormat {
            kind: "json_schema",
            structure: FormatStructure {
                json_schema: JsonSchemaDefinition { schema, name: None },
            },
        });
    }
    if let Some(effort) = config.and_then(|c| c.effort.as_ref()) {
        if family != ModelFamily::Anthropic {
            return Err(unsupported(
                "output_config.effort",
                format!(
                    "effort is not available for {} models through Converse",
                    family.name()
                ),
            ));
        }
        out.effort = Some(effort.as_str().to_owned());
    }
    if let Some(key) = config.and_then(|c| c.extra.keys().next()) {
        return Err(unsupported(
            format!("output_config.{key}"),
            "unknown output_config field",
        ));
    }
    Ok((out != OutputConfig::default()).then_some(out))
}
