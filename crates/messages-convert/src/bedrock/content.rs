//! Content conversion for [`request`](super::request): system blocks,
//! messages and their blocks, with the mapping and the `Unsupported` cases
//! listed in that module's docs.

use crate::signature::{self, Replay, SignatureOrigin};
use std::borrow::Cow;

use base64::Engine as _;
use messages_types::{
    CacheControl, CacheTtl, ContentBlock as Block, DocumentBlock, DocumentSource as AnthropicDocSource,
    ImageSource, MessageContent, MessageParam, Role, SearchResultBlock, SystemPrompt, ToolResultBlock,
};
use serde_json::Value;

use super::wire::{
    BytesSource, CachePoint, CitationsConfig, ContentBlock, Document, DocumentSource, Image, Message,
    ReasoningContent, ReasoningText, SearchResult, SystemBlock, TextOnly, ToolResult, ToolResultContent,
    ToolUse,
};
use super::PROVIDER;
use crate::ConvertError;

fn unsupported(field: impl Into<String>, detail: impl Into<String>) -> ConvertError {
    ConvertError::unsupported_because(PROVIDER, field, detail)
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
        // The shared replay rule (crate::signature): reasoning Bedrock minted
        // goes back with its own signature; any other thinking block (and
        // any other redacted_thinking) is left out, as Claude on Bedrock
        // rejects a thinking block without a valid signature of its own.
        Block::Thinking(t) => {
            if let Replay::Signed(native) = signature::thinking(SignatureOrigin::Bedrock, &t.signature) {
                out.push(ContentBlock::ReasoningContent(ReasoningContent::ReasoningText(
                    ReasoningText {
                        text: &t.thinking,
                        signature: Some(native),
                    },
                )));
            }
            None
        }
        Block::RedactedThinking(r) => {
            if let Some(native) = signature::redacted(SignatureOrigin::Bedrock, &r.data) {
                out.push(ContentBlock::ReasoningContent(ReasoningContent::RedactedContent(
                    native,
                )));
            }
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
