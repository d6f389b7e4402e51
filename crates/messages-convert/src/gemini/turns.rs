//! Anthropic turns → Gemini contents: roles, tool calls and results, thought
//! signatures on the parts they came with.

use std::collections::HashMap;

use messages_types::{
    ContentBlock, MessageContent, MessageParam, Role as AnthropicRole, ServerToolResultBlock,
    ServerToolUseBlock, ToolResultBlock, ToolUseBlock,
};
use serde_json::Value;

use super::media::{document_parts, image_part};
use super::wire::{CodeExecutionResult, Content, ExecutableCode, FunctionCall, FunctionResponse, Part, Role};
use super::{is_generated_id, PROVIDER};
use crate::signature::{self, Replay, SignatureOrigin};
use crate::ConvertError;

pub(super) fn convert_messages(messages: &[MessageParam]) -> Result<Vec<Content>, ConvertError> {
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
            // The one signature rule (crate::signature): only Gemini's own
            // thought signatures go back, without their prefix.
            ContentBlock::Thinking(t) if t.thinking.is_empty() => {
                if let Replay::Signed(native) = signature::thinking(SignatureOrigin::Gemini, &t.signature) {
                    attach_signature(&mut parts, native.to_owned());
                }
                continue;
            }
            ContentBlock::Thinking(t) => Part {
                text: Some(t.thinking.clone()),
                thought: Some(true),
                thought_signature: match signature::thinking(SignatureOrigin::Gemini, &t.signature) {
                    Replay::Signed(native) => Some(native.to_owned()),
                    Replay::Unsigned | Replay::Drop => None,
                },
                ..Part::default()
            },
            // Encrypted reasoning of another family: nothing Gemini can read.
            ContentBlock::RedactedThinking(_) => continue,
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
