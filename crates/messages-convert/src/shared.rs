//! Pieces the Cohere and Ollama conversions share (crate-private): the
//! system prompt as one text, the function-tool list, extras merged into the body, and `null`-tolerant list decoding.

use std::borrow::Cow;

use messages_types::{ContentBlock, MessageCreateParams, OutputFormat, SystemPrompt, Tool};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::openai_chat::wire::{ChatTool, FunctionDef};
use crate::ConvertError;

/// The system prompt as one text: a string, or text blocks joined with a
/// blank line (a lone block borrowed). Any other block is `Unsupported`.
pub(crate) fn system_text<'a>(
    system: &'a SystemPrompt,
    provider: &str,
) -> Result<Cow<'a, str>, ConvertError> {
    let blocks = match system {
        SystemPrompt::Text(t) => return Ok(Cow::Borrowed(t.as_str())),
        SystemPrompt::Blocks(blocks) => blocks,
    };
    let mut texts = Vec::with_capacity(blocks.len());
    for (j, b) in blocks.iter().enumerate() {
        match b {
            ContentBlock::Text(t) => texts.push(t.text.as_str()),
            other => {
                return Err(ConvertError::unsupported_because(
                    provider,
                    format!("system[{j}]"),
                    format!("system blocks must be text, not `{}`", other.type_name()),
                ))
            }
        }
    }
    Ok(join(texts, "\n\n"))
}

/// `parts` joined with `sep`, borrowed when there is at most one.
pub(crate) fn join<'a>(parts: Vec<&'a str>, sep: &str) -> Cow<'a, str> {
    match parts.as_slice() {
        [] => Cow::Borrowed(""),
        [one] => Cow::Borrowed(*one),
        _ => Cow::Owned(parts.join(sep)),
    }
}

/// The custom tools as `{type: function, function: {name, description,
/// parameters}}`, each with its `strict` flag; Anthropic-defined tools are
/// `Unsupported`.
pub(crate) fn function_tools<'a>(
    params: &'a MessageCreateParams,
    provider: &str,
) -> Result<Vec<(ChatTool<'a>, bool)>, ConvertError> {
    let list = params.tools.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(list.len());
    for (i, tool) in list.iter().enumerate() {
        match tool {
            Tool::Custom(t) => out.push((
                ChatTool {
                    kind: "function",
                    function: FunctionDef {
                        name: &t.name,
                        description: t.description.as_deref(),
                        parameters: &t.input_schema,
                        strict: None,
                    },
                },
                t.strict == Some(true),
            )),
            Tool::Builtin(b) => {
                return Err(ConvertError::unsupported_because(
                    provider,
                    format!("tools[{i}]"),
                    format!("no `{}` tool; only custom (function) tools", b.kind),
                ))
            }
        }
    }
    Ok(out)
}

/// `null` or absent → the default (both APIs send `null` for empty lists).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The JSON schema of `output_config.format` (or the older top-level
/// `output_format`), if any; a format type other than `json_schema` is
/// `Unsupported`.
pub(crate) fn json_schema_format<'a>(
    params: &'a MessageCreateParams,
    provider: &str,
) -> Result<Option<&'a Value>, ConvertError> {
    let format = params.output_config.as_ref().and_then(|c| c.format.as_ref());
    let Some(fmt) = format.or(params.output_format.as_ref()) else {
        return Ok(None);
    };
    match fmt {
        OutputFormat::JsonSchema(f) => Ok(Some(&f.schema)),
        other => Err(ConvertError::unsupported_because(
            provider,
            if format.is_some() {
                "output_config.format"
            } else {
                "output_format"
            },
            format!("unknown output format type `{}`", other.type_name()),
        )),
    }
}
