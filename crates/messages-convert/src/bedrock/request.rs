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
//! | `thinking` signed by Bedrock (`anyllm.bedrock.`, [`crate::signature`]) | `{reasoningContent: {reasoningText: {text, signature}}}` (the prefix removed); thinking signed elsewhere or unsigned is left out (the replay rule) |
//! | `redacted_thinking` minted by Bedrock | `{reasoningContent: {redactedContent: data}}` (the prefix removed); any other is left out |
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

use std::collections::BTreeMap;

use messages_types::{
    ContentBlock as Block, MessageContent, MessageCreateParams, MessageParam,
    OutputConfig as AnthropicOutputConfig, OutputFormat, ServiceTierRequest, ThinkingConfig, Tool,
    ToolChoice as AnthropicToolChoice,
};
use serde_json::{Map, Value};

pub use super::content::document_name;
use super::content::{cache_point, convert_messages, system_blocks};
use super::family::ModelFamily;
use super::wire::{
    ContentBlock, ConverseRequest, Empty, FormatStructure, InferenceConfig, InputSchema,
    JsonSchemaDefinition, NamedTool, OutputConfig, ServiceTier, TextFormat, ToolChoice, ToolConfig,
    ToolEntry, ToolSpec,
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
    crate::check_capabilities(PROVIDER, &super::CAPABILITIES, params)?;
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
