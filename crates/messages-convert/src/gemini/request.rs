//! Anthropic request → Gemini `generateContent` request.

use std::collections::HashMap;

use messages_types::{
    ContentBlock, CountTokensParams, DocumentBlock, DocumentSource, Effort, ImageSource, MessageContent,
    MessageCreateParams, MessageParam, OutputConfig, OutputFormat, Role as AnthropicRole,
    ServerToolResultBlock, ServerToolUseBlock, SystemPrompt, ThinkingConfig as AnthropicThinking,
    ThinkingDisplay, Tool as AnthropicTool, ToolChoice, ToolResultBlock, ToolUseBlock,
};
use serde_json::Value;

use super::wire::{
    Blob, CodeExecutionResult, Content, CountTokensRequest, CountedRequest, ExecutableCode, FileData,
    FunctionCall, FunctionCallingConfig, FunctionCallingMode, FunctionDeclaration, FunctionResponse,
    GenerateContentRequest, GenerationConfig, Part, Role, ThinkingConfig, Tool, ToolConfig,
};
use super::{is_generated_id, PROVIDER};
use crate::ConvertError;

/// The settings shared by `generateContent` and `countTokens`.
struct Common<'a> {
    messages: &'a [MessageParam],
    system: Option<&'a SystemPrompt>,
    tools: Option<&'a [AnthropicTool]>,
    tool_choice: Option<&'a ToolChoice>,
    thinking: Option<&'a AnthropicThinking>,
    output_config: Option<&'a OutputConfig>,
    output_format: Option<&'a OutputFormat>,
}

/// Converts an Anthropic request to a Gemini `generateContent` body.
///
/// The model is not part of the body (it goes in the URL), and neither is
/// `stream` (it selects `:streamGenerateContent?alt=sse`).
///
/// ```
/// use messages_convert::gemini::to_gemini_request;
/// use messages_types::{MessageCreateParams, MessageParam};
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "gemini-2.5-flash", "max_tokens": 100, "system": "Be brief.",
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let body = serde_json::to_value(to_gemini_request(&params).unwrap()).unwrap();
/// assert_eq!(body, serde_json::json!({
///     "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
///     "systemInstruction": {"parts": [{"text": "Be brief."}]},
///     "generationConfig": {"maxOutputTokens": 100}
/// }));
/// ```
pub fn to_gemini_request(params: &MessageCreateParams) -> Result<GenerateContentRequest, ConvertError> {
    for (field, present) in [
        ("container", params.container.is_some()),
        ("mcp_servers", params.mcp_servers.is_some()),
        ("context_management", params.context_management.is_some()),
    ] {
        if present {
            return Err(ConvertError::unsupported(PROVIDER, field));
        }
    }
    if params.max_tokens == 0 {
        return Err(ConvertError::unsupported_because(
            PROVIDER,
            "max_tokens",
            "Gemini generates at least one token (max_tokens 0, a cache pre-warm, has no equivalent)",
        ));
    }
    let common = Common {
        messages: &params.messages,
        system: params.system.as_ref(),
        tools: params.tools.as_deref(),
        tool_choice: params.tool_choice.as_ref(),
        thinking: params.thinking.as_ref(),
        output_config: params.output_config.as_ref(),
        output_format: params.output_format.as_ref(),
    };
    let mut request = convert_common(&common)?;
    let config = request
        .generation_config
        .get_or_insert_with(GenerationConfig::default);
    config.max_output_tokens = Some(params.max_tokens);
    config.temperature = params.temperature;
    config.top_p = params.top_p;
    config.top_k = params.top_k;
    config.stop_sequences = params.stop_sequences.clone().filter(|s| !s.is_empty());
    Ok(request)
}

/// Converts an Anthropic `count_tokens` request to the body of Gemini's
/// `models/{model}:countTokens` (the whole request nested under
/// `generateContentRequest`, so system prompt and tools are counted too).
pub fn to_gemini_count_tokens_request(
    params: &CountTokensParams,
    model: &str,
) -> Result<CountTokensRequest, ConvertError> {
    let common = Common {
        messages: &params.messages,
        system: params.system.as_ref(),
        tools: params.tools.as_deref(),
        tool_choice: params.tool_choice.as_ref(),
        thinking: params.thinking.as_ref(),
        output_config: params.output_config.as_ref(),
        output_format: None,
    };
    let request = convert_common(&common)?;
    let model = if model.starts_with("models/") {
        model.to_owned()
    } else {
        format!("models/{model}")
    };
    Ok(CountTokensRequest {
        generate_content_request: CountedRequest { model, request },
    })
}

fn convert_common(c: &Common<'_>) -> Result<GenerateContentRequest, ConvertError> {
    let mut request = GenerateContentRequest {
        contents: convert_messages(c.messages)?,
        system_instruction: c.system.map(convert_system).transpose()?.flatten(),
        ..GenerateContentRequest::default()
    };
    if let Some(tools) = c.tools {
        request.tools = convert_tools(tools)?;
    }
    if let Some(choice) = c.tool_choice {
        request.tool_config = Some(convert_tool_choice(choice)?);
    }
    let mut config = GenerationConfig {
        thinking_config: thinking_config(c.thinking, c.output_config.and_then(|o| o.effort.as_ref()))?,
        ..GenerationConfig::default()
    };
    let format = c
        .output_config
        .and_then(|o| o.format.as_ref())
        .or(c.output_format);
    match format {
        None => {}
        Some(OutputFormat::JsonSchema(f)) => {
            config.response_mime_type = Some("application/json".to_owned());
            config.response_json_schema = Some(f.schema.clone());
        }
        Some(other) => {
            return Err(ConvertError::unsupported_because(
                PROVIDER,
                "output_config.format",
                format!("format type `{}`", other.type_name()),
            ))
        }
    }
    if !config.is_empty() {
        request.generation_config = Some(config);
    }
    Ok(request)
}

fn convert_system(system: &SystemPrompt) -> Result<Option<Content>, ConvertError> {
    let parts = match system {
        SystemPrompt::Text(t) if t.is_empty() => Vec::new(),
        SystemPrompt::Text(t) => vec![Part::text(t.clone())],
        SystemPrompt::Blocks(blocks) => blocks
            .iter()
            .enumerate()
            .map(|(i, b)| match b {
                ContentBlock::Text(t) => Ok(Part::text(t.text.clone())),
                other => Err(ConvertError::unsupported_because(
                    PROVIDER,
                    format!("system[{i}]"),
                    format!("`{}` block in the system prompt", other.type_name()),
                )),
            })
            .collect::<Result<_, _>>()?,
    };
    Ok((!parts.is_empty()).then_some(Content { role: None, parts }))
}

fn thinking_config(
    thinking: Option<&AnthropicThinking>,
    effort: Option<&Effort>,
) -> Result<Option<ThinkingConfig>, ConvertError> {
    let level = effort.map(|e| {
        match e {
            Effort::Low => "low",
            Effort::Medium => "medium",
            Effort::High | Effort::XHigh | Effort::Max => "high",
            Effort::Other(s) => s.as_str(),
        }
        .to_owned()
    });
    let shown = |d: &Option<ThinkingDisplay>| Some(!matches!(d, Some(ThinkingDisplay::Omitted)));
    Ok(match thinking {
        None => level.map(|l| ThinkingConfig {
            thinking_level: Some(l),
            ..ThinkingConfig::default()
        }),
        Some(AnthropicThinking::Enabled(e)) => Some(ThinkingConfig {
            include_thoughts: shown(&e.display),
            thinking_budget: Some(i64::from(e.budget_tokens)),
            thinking_level: None,
        }),
        Some(AnthropicThinking::Disabled(_)) => Some(ThinkingConfig {
            thinking_budget: Some(0),
            ..ThinkingConfig::default()
        }),
        Some(AnthropicThinking::Adaptive(a)) => Some(ThinkingConfig {
            include_thoughts: shown(&a.display),
            // A level and a budget cannot be sent together; `-1` is dynamic thinking.
            thinking_budget: if level.is_some() { None } else { Some(-1) },
            thinking_level: level,
        }),
        Some(other) => {
            return Err(ConvertError::unsupported_because(
                PROVIDER,
                "thinking",
                format!("thinking type `{}`", other.type_name()),
            ))
        }
    })
}

fn convert_tools(tools: &[AnthropicTool]) -> Result<Vec<Tool>, ConvertError> {
    let mut functions = Vec::new();
    let mut code_execution = false;
    let mut google_search = false;
    for (i, tool) in tools.iter().enumerate() {
        match tool {
            AnthropicTool::Custom(t) => functions.push(FunctionDeclaration {
                name: t.name.clone(),
                description: t.description.clone(),
                parameters_json_schema: Some(t.input_schema.clone()),
            }),
            AnthropicTool::Builtin(b) if b.kind.starts_with("code_execution_") => code_execution = true,
            AnthropicTool::Builtin(b) if b.kind.starts_with("web_search_") => {
                for field in ["allowed_domains", "blocked_domains", "user_location"] {
                    if b.extra.get(field).is_some_and(|v| !v.is_null()) {
                        return Err(ConvertError::unsupported_because(
                            PROVIDER,
                            format!("tools[{i}].{field}"),
                            "Google Search grounding takes no domain or location filter",
                        ));
                    }
                }
                google_search = true;
            }
            AnthropicTool::Builtin(b) => {
                return Err(ConvertError::unsupported_because(
                    PROVIDER,
                    format!("tools[{i}]"),
                    format!("Anthropic tool `{}` has no Gemini equivalent", b.kind),
                ))
            }
        }
    }
    let mut out = Vec::new();
    if !functions.is_empty() {
        out.push(Tool {
            function_declarations: functions,
            ..Tool::default()
        });
    }
    if code_execution {
        out.push(Tool {
            code_execution: Some(serde_json::Map::new()),
            ..Tool::default()
        });
    }
    if google_search {
        out.push(Tool {
            google_search: Some(serde_json::Map::new()),
            ..Tool::default()
        });
    }
    Ok(out)
}

fn convert_tool_choice(choice: &ToolChoice) -> Result<ToolConfig, ConvertError> {
    let (mode, allowed) = match choice {
        ToolChoice::Auto(_) => (FunctionCallingMode::Auto, Vec::new()),
        ToolChoice::Any(_) => (FunctionCallingMode::Any, Vec::new()),
        ToolChoice::Tool(t) => (FunctionCallingMode::Any, vec![t.name.clone()]),
        ToolChoice::None(_) => (FunctionCallingMode::None, Vec::new()),
        other => {
            return Err(ConvertError::unsupported_because(
                PROVIDER,
                "tool_choice",
                format!("tool_choice type `{}`", other.type_name()),
            ))
        }
    };
    Ok(ToolConfig {
        function_calling_config: FunctionCallingConfig {
            mode,
            allowed_function_names: allowed,
        },
    })
}

fn convert_messages(messages: &[MessageParam]) -> Result<Vec<Content>, ConvertError> {
    let mut names: HashMap<&str, &str> = HashMap::new();
    let mut contents = Vec::with_capacity(messages.len());
    for (i, message) in messages.iter().enumerate() {
        let (role, parts) = match (&message.role, &message.content) {
            (AnthropicRole::User, MessageContent::Text(t)) => (Role::User, vec![Part::text(t.clone())]),
            (AnthropicRole::Assistant, MessageContent::Text(t)) => (Role::Model, vec![Part::text(t.clone())]),
            (AnthropicRole::User, MessageContent::Blocks(blocks)) => {
                (Role::User, user_parts(blocks, i, &names)?)
            }
            (AnthropicRole::Assistant, MessageContent::Blocks(blocks)) => {
                for b in blocks {
                    if let ContentBlock::ToolUse(t) = b {
                        names.insert(t.id.as_str(), t.name.as_str());
                    }
                }
                (Role::Model, model_parts(blocks, i)?)
            }
            (AnthropicRole::Other(r), _) => {
                return Err(ConvertError::unsupported_because(
                    PROVIDER,
                    format!("messages[{i}].role"),
                    format!("role `{r}`"),
                ))
            }
        };
        if !parts.is_empty() {
            contents.push(Content {
                role: Some(role),
                parts,
            });
        }
    }
    Ok(contents)
}

fn not_in_turn(i: usize, j: usize, block: &ContentBlock, turn: &str) -> ConvertError {
    ConvertError::unsupported_because(
        PROVIDER,
        format!("messages[{i}].content[{j}]"),
        format!("`{}` block in a {turn} turn", block.type_name()),
    )
}

fn user_parts(
    blocks: &[ContentBlock],
    i: usize,
    names: &HashMap<&str, &str>,
) -> Result<Vec<Part>, ConvertError> {
    let mut parts = Vec::with_capacity(blocks.len());
    for (j, block) in blocks.iter().enumerate() {
        let path = || format!("messages[{i}].content[{j}]");
        match block {
            ContentBlock::Text(t) => parts.push(Part::text(t.text.clone())),
            ContentBlock::Image(img) => parts.push(image_part(&img.source, &path)?),
            ContentBlock::Document(doc) => document_parts(doc, &path, &mut parts)?,
            ContentBlock::ToolResult(tr) => {
                let Some(name) = names.get(tr.tool_use_id.as_str()) else {
                    return Err(ConvertError::Invalid {
                        what: "request",
                        message: format!(
                            "{}: tool_result for `{}` has no matching tool_use earlier in the conversation \
                             (Gemini needs the function name)",
                            path(),
                            tr.tool_use_id
                        ),
                    });
                };
                parts.push(function_response(tr, name, &path)?);
            }
            other => return Err(not_in_turn(i, j, other, "user")),
        }
    }
    Ok(parts)
}

/// Converts an assistant turn, replaying thought signatures on the part they
/// came with (see the module docs for the mapping).
fn model_parts(blocks: &[ContentBlock], i: usize) -> Result<Vec<Part>, ConvertError> {
    let mut parts: Vec<Part> = Vec::with_capacity(blocks.len());
    for (j, block) in blocks.iter().enumerate() {
        let path = || format!("messages[{i}].content[{j}]");
        let part = match block {
            ContentBlock::Thinking(t) if t.thinking.is_empty() => {
                if !t.signature.is_empty() {
                    attach_signature(&mut parts, t.signature.clone());
                }
                continue;
            }
            ContentBlock::Thinking(t) => Part {
                text: Some(t.thinking.clone()),
                thought: Some(true),
                thought_signature: (!t.signature.is_empty()).then(|| t.signature.clone()),
                ..Part::default()
            },
            ContentBlock::Text(t) => Part::text(t.text.clone()),
            ContentBlock::ToolUse(t) => function_call_part(t),
            ContentBlock::ServerToolUse(s) if s.name == "code_execution" => executable_code_part(s, &path)?,
            ContentBlock::CodeExecutionToolResult(r) => code_result_part(r),
            ContentBlock::Image(img) => image_part(&img.source, &path)?,
            ContentBlock::Document(doc) => {
                document_parts(doc, &path, &mut parts)?;
                continue;
            }
            // Google Search grounding is not part of the content: nothing to send back.
            ContentBlock::ServerToolUse(s) if s.name == "web_search" => continue,
            ContentBlock::WebSearchToolResult(_) => continue,
            other => return Err(not_in_turn(i, j, other, "assistant")),
        };
        parts.push(part);
    }
    Ok(parts)
}

/// A signature-only thinking block signs the part before it, unless that
/// part is thought text or already signed: then it travels in an empty text
/// part of its own, exactly as Gemini sends a trailing signature.
fn attach_signature(parts: &mut Vec<Part>, signature: String) {
    match parts.last_mut() {
        Some(last) if !last.is_thought() && last.thought_signature.is_none() => {
            last.thought_signature = Some(signature);
        }
        _ => parts.push(Part {
            text: Some(String::new()),
            thought_signature: Some(signature),
            ..Part::default()
        }),
    }
}

/// The id to send for a tool call: ids this crate generated are dropped.
fn wire_id(id: &str) -> Option<String> {
    (!is_generated_id(id)).then(|| id.to_owned())
}

fn function_call_part(t: &ToolUseBlock) -> Part {
    Part {
        function_call: Some(FunctionCall {
            id: wire_id(&t.id),
            name: t.name.clone(),
            args: Some(t.input.clone()),
        }),
        ..Part::default()
    }
}

fn executable_code_part(s: &ServerToolUseBlock, path: &dyn Fn() -> String) -> Result<Part, ConvertError> {
    let Some(code) = s.input.get("code").and_then(Value::as_str) else {
        return Err(ConvertError::unsupported_because(
            PROVIDER,
            format!("{}.input", path()),
            "code_execution input without a `code` string",
        ));
    };
    let language = s
        .input
        .get("language")
        .and_then(Value::as_str)
        .unwrap_or("PYTHON")
        .to_owned();
    Ok(Part {
        executable_code: Some(ExecutableCode {
            language: Some(language),
            code: code.to_owned(),
            id: wire_id(&s.id),
        }),
        ..Part::default()
    })
}

fn code_result_part(r: &ServerToolResultBlock) -> Part {
    let field = |k: &str| r.content.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let (outcome, output) = match r.content.get("type").and_then(Value::as_str) {
        Some("code_execution_tool_result_error") => match field("error_code").as_str() {
            "execution_time_exceeded" => ("OUTCOME_DEADLINE_EXCEEDED", String::new()),
            other => ("OUTCOME_FAILED", other.to_owned()),
        },
        _ => {
            let code = r.content.get("return_code").and_then(Value::as_i64).unwrap_or(0);
            let mut output = field("stdout");
            output.push_str(&field("stderr"));
            (if code == 0 { "OUTCOME_OK" } else { "OUTCOME_FAILED" }, output)
        }
    };
    Part {
        code_execution_result: Some(CodeExecutionResult {
            outcome: Some(outcome.to_owned()),
            output: (!output.is_empty()).then_some(output),
            id: wire_id(&r.tool_use_id),
        }),
        ..Part::default()
    }
}

/// The MIME type suggested by a URL's extension.
fn mime_from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    let mime = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        _ => return None,
    };
    Some(mime.to_owned())
}

fn file_uri_part(uri: &str, mime: Option<String>, path: &dyn Fn() -> String) -> Result<Part, ConvertError> {
    if !(uri.starts_with("https://") || uri.starts_with("gs://") || uri.starts_with("http://")) {
        return Err(ConvertError::unsupported_because(
            PROVIDER,
            format!("{}.source.file_id", path()),
            "only Gemini file URIs (https:// or gs://) can be sent, not Anthropic Files API ids",
        ));
    }
    Ok(Part {
        file_data: Some(FileData {
            mime_type: mime.or_else(|| mime_from_url(uri)),
            file_uri: uri.to_owned(),
        }),
        ..Part::default()
    })
}

fn image_part(source: &ImageSource, path: &dyn Fn() -> String) -> Result<Part, ConvertError> {
    match source {
        ImageSource::Base64(b) => Ok(Part {
            inline_data: Some(Blob {
                mime_type: b.media_type.clone(),
                data: b.data.clone(),
            }),
            ..Part::default()
        }),
        ImageSource::Url(u) => file_uri_part(&u.url, None, path),
        ImageSource::File(f) => file_uri_part(&f.file_id, None, path),
        other => Err(ConvertError::unsupported_because(
            PROVIDER,
            format!("{}.source", path()),
            format!("image source `{}`", other.type_name()),
        )),
    }
}

fn document_parts(
    doc: &DocumentBlock,
    path: &dyn Fn() -> String,
    out: &mut Vec<Part>,
) -> Result<(), ConvertError> {
    let heading: Vec<&str> = [doc.title.as_deref(), doc.context.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if !heading.is_empty() {
        out.push(Part::text(heading.join("\n")));
    }
    match &doc.source {
        DocumentSource::Base64(b) => out.push(Part {
            inline_data: Some(Blob {
                mime_type: b.media_type.clone(),
                data: b.data.clone(),
            }),
            ..Part::default()
        }),
        DocumentSource::Text(t) => out.push(Part::text(t.data.clone())),
        DocumentSource::Url(u) => out.push(file_uri_part(
            &u.url,
            Some(mime_from_url(&u.url).unwrap_or_else(|| "application/pdf".to_owned())),
            path,
        )?),
        DocumentSource::File(f) => out.push(file_uri_part(&f.file_id, None, path)?),
        DocumentSource::Content(c) => match &c.content {
            MessageContent::Text(t) => out.push(Part::text(t.clone())),
            MessageContent::Blocks(blocks) => {
                for (k, b) in blocks.iter().enumerate() {
                    let inner = || format!("{}.source.content[{k}]", path());
                    match b {
                        ContentBlock::Text(t) => out.push(Part::text(t.text.clone())),
                        ContentBlock::Image(img) => out.push(image_part(&img.source, &inner)?),
                        other => {
                            return Err(ConvertError::unsupported_because(
                                PROVIDER,
                                inner(),
                                format!("`{}` block in document content", other.type_name()),
                            ))
                        }
                    }
                }
            }
        },
        other => {
            return Err(ConvertError::unsupported_because(
                PROVIDER,
                format!("{}.source", path()),
                format!("document source `{}`", other.type_name()),
            ))
        }
    }
    Ok(())
}

/// `tool_result` → `functionResponse`. Text content becomes
/// `{"result": <JSON>}` when the text parses as JSON, `{"result": "<text>"}`
/// otherwise (`"error"` instead of `"result"` when `is_error`); images and
/// documents become the response's multimodal `parts`.
fn function_response(
    tr: &ToolResultBlock,
    name: &str,
    path: &dyn Fn() -> String,
) -> Result<Part, ConvertError> {
    let mut texts: Vec<&str> = Vec::new();
    let mut media: Vec<Part> = Vec::new();
    match &tr.content {
        None => {}
        Some(MessageContent::Text(t)) => texts.push(t),
        Some(MessageContent::Blocks(blocks)) => {
            for (k, b) in blocks.iter().enumerate() {
                let inner = || format!("{}.content[{k}]", path());
                match b {
                    ContentBlock::Text(t) => texts.push(&t.text),
                    ContentBlock::Image(img) => media.push(image_part(&img.source, &inner)?),
                    ContentBlock::Document(doc) => {
                        let mut doc_parts = Vec::new();
                        document_parts(doc, &inner, &mut doc_parts)?;
                        for p in doc_parts {
                            match p.text {
                                Some(_) => {
                                    return Err(ConvertError::unsupported_because(
                                        PROVIDER,
                                        inner(),
                                        "text documents (or titles) inside a tool_result",
                                    ))
                                }
                                None => media.push(p),
                            }
                        }
                    }
                    other => {
                        return Err(ConvertError::unsupported_because(
                            PROVIDER,
                            inner(),
                            format!("`{}` block inside a tool_result", other.type_name()),
                        ))
                    }
                }
            }
        }
    }
    let text = texts.join("\n");
    let value = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
    let key = if tr.is_error == Some(true) {
        "error"
    } else {
        "result"
    };
    let mut response = serde_json::Map::new();
    response.insert(key.to_owned(), value);
    Ok(Part {
        function_response: Some(FunctionResponse {
            id: wire_id(&tr.tool_use_id),
            name: name.to_owned(),
            response: Value::Object(response),
            parts: media,
        }),
        ..Part::default()
    })
}
