//! Anthropic request → Gemini `generateContent` request.

use messages_types::{
    ContentBlock, CountTokensParams, Effort, Extra, MessageCreateParams, MessageParam, OutputConfig,
    OutputFormat, SystemPrompt, ThinkingConfig as AnthropicThinking, ThinkingDisplay, Tool as AnthropicTool,
    ToolChoice,
};

use super::turns::convert_messages;
use super::wire::{
    Content, CountTokensRequest, CountedRequest, FunctionCallingConfig, FunctionCallingMode,
    FunctionDeclaration, GenerateContentRequest, GenerationConfig, Part, ThinkingConfig, Tool, ToolConfig,
};
use super::PROVIDER;
use crate::{check_capabilities, ConvertError};

/// The settings shared by `generateContent` and `countTokens`.
struct Common<'a> {
    messages: &'a [MessageParam],
    system: Option<&'a SystemPrompt>,
    tools: Option<&'a [AnthropicTool]>,
    tool_choice: Option<&'a ToolChoice>,
    thinking: Option<&'a AnthropicThinking>,
    output_config: Option<&'a OutputConfig>,
    output_format: Option<&'a OutputFormat>,
    /// Unknown top-level fields.
    extra: &'a Extra,
    /// Fields of `extra` that do not matter here.
    ignored: &'static [&'static str],
}

/// `messages.create` settings a `count_tokens` body may carry (a request
/// reused as is) that do not change the count: ignored there.
const COUNT_IGNORED: &[&str] = &[
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "stream",
    "metadata",
    "service_tier",
];

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
    check_capabilities(PROVIDER, &super::CAPABILITIES, params)?;
    let common = Common {
        messages: &params.messages,
        system: params.system.as_ref(),
        tools: params.tools.as_deref(),
        tool_choice: params.tool_choice.as_ref(),
        thinking: params.thinking.as_ref(),
        output_config: params.output_config.as_ref(),
        output_format: params.output_format.as_ref(),
        extra: &params.extra,
        ignored: &[],
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
/// Generation settings a reused `messages.create` body may carry
/// (`max_tokens`, sampling, `stop_sequences`, `stream`, `metadata`,
/// `service_tier`) do not change the count and are ignored; any other
/// unknown field is refused.
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
        extra: &params.extra,
        ignored: COUNT_IGNORED,
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
    if let Some(field) = c.extra.keys().find(|k| !c.ignored.contains(&k.as_str())) {
        // Gemini has no place for an Anthropic field this crate does not know.
        return Err(ConvertError::unsupported_because(
            PROVIDER,
            field.as_str(),
            "an unknown top-level field has no Gemini counterpart",
        ));
    }
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
