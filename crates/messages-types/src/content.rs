//! Content blocks: one union for both request and response blocks, so a
//! response's content can be sent back as the next request's assistant turn.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::citation::Citation;
use crate::common::{CacheControl, Extra};
use crate::macros::tagged_union;
use crate::nullable::Nullable;

tagged_union! {
    /// Any content block of a message, request or response side.
    pub enum ContentBlock {
        /// Plain text, optionally with citations.
        Text(TextBlock) = "text",
        /// An image.
        Image(ImageBlock) = "image",
        /// A document (PDF, plain text, custom content, URL or file).
        Document(DocumentBlock) = "document",
        /// A search result supplied by the caller, citable by the model.
        SearchResult(SearchResultBlock) = "search_result",
        /// The model calls a client tool.
        ToolUse(ToolUseBlock) = "tool_use",
        /// The result of a client tool call.
        ToolResult(ToolResultBlock) = "tool_result",
        /// Extended thinking, with its signature.
        Thinking(ThinkingBlock) = "thinking",
        /// Thinking the API returned encrypted.
        RedactedThinking(RedactedThinkingBlock) = "redacted_thinking",
        /// The model calls a server tool (web search, code execution, …).
        ServerToolUse(ServerToolUseBlock) = "server_tool_use",
        /// Result of the `web_search` server tool.
        WebSearchToolResult(ServerToolResultBlock) = "web_search_tool_result",
        /// Result of the `web_fetch` server tool.
        WebFetchToolResult(ServerToolResultBlock) = "web_fetch_tool_result",
        /// Result of the `code_execution` server tool.
        CodeExecutionToolResult(ServerToolResultBlock) = "code_execution_tool_result",
        /// Result of the bash sub-tool of code execution.
        BashCodeExecutionToolResult(ServerToolResultBlock) = "bash_code_execution_tool_result",
        /// Result of the text-editor sub-tool of code execution.
        TextEditorCodeExecutionToolResult(ServerToolResultBlock) = "text_editor_code_execution_tool_result",
        /// Result of the tool-search server tool.
        ToolSearchToolResult(ServerToolResultBlock) = "tool_search_tool_result",
        /// A file uploaded into the code-execution container.
        ContainerUpload(ContainerUploadBlock) = "container_upload",
    }
}

/// `text` block.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TextBlock {
    /// The text.
    pub text: String,
    /// Citations supporting this text (response side) or carried back (request side).
    /// Streams sometimes send an explicit `null`, kept apart from absent.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub citations: Nullable<Vec<Citation>>,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl TextBlock {
    /// A text block with just `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

tagged_union! {
    /// Where an image comes from.
    pub enum ImageSource {
        /// Inline base64 data.
        Base64(Base64Source) = "base64",
        /// A URL the API fetches.
        Url(UrlSource) = "url",
        /// A file uploaded through the Files API.
        File(FileSource) = "file",
    }
}

/// Inline base64 data with its media type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Base64Source {
    /// MIME type, e.g. `image/png` or `application/pdf`.
    pub media_type: String,
    /// Base64-encoded bytes.
    pub data: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A URL source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrlSource {
    /// The URL.
    pub url: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A Files API source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSource {
    /// The file id (`file_…`).
    pub file_id: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `image` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageBlock {
    /// Where the image comes from.
    pub source: ImageSource,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

tagged_union! {
    /// Where a document comes from.
    pub enum DocumentSource {
        /// Inline base64 data (PDF).
        Base64(Base64Source) = "base64",
        /// Inline plain text.
        Text(PlainTextSource) = "text",
        /// A URL (PDF) the API fetches.
        Url(UrlSource) = "url",
        /// Custom content: a string or a list of text/image blocks.
        Content(ContentSource) = "content",
        /// A file uploaded through the Files API.
        File(FileSource) = "file",
    }
}

/// Inline plain-text document data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlainTextSource {
    /// MIME type, `text/plain`.
    pub media_type: String,
    /// The text.
    pub data: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Custom-content document data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentSource {
    /// A string or a list of blocks.
    pub content: MessageContent,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Whether citations are enabled for a document or search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CitationsConfig {
    /// `true` to let the model cite this source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `document` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentBlock {
    /// Where the document comes from.
    pub source: DocumentSource,
    /// Optional title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Optional context about the document (not cited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Citation settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<CitationsConfig>,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `search_result` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResultBlock {
    /// Where the result came from (a URL or identifier).
    pub source: String,
    /// Title of the result.
    pub title: String,
    /// The result's text.
    pub content: Vec<TextBlock>,
    /// Citation settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<CitationsConfig>,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `tool_use` block: the model calls a client tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolUseBlock {
    /// Call id (`toolu_…`), echoed by the matching `tool_result`.
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Arguments, a JSON object.
    pub input: Value,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate (e.g. `caller`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Content of a `tool_result`: a string or a list of blocks.
pub type ToolResultContent = MessageContent;

/// `tool_result` block: the result of a client tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolResultBlock {
    /// The `id` of the `tool_use` this answers.
    pub tool_use_id: String,
    /// The result: a string or text/image/search_result/document blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ToolResultContent>,
    /// `true` when the tool failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `thinking` block.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ThinkingBlock {
    /// The thinking text (may be empty when display is `omitted`).
    pub thinking: String,
    /// Opaque signature that must be sent back unchanged.
    pub signature: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `redacted_thinking` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedactedThinkingBlock {
    /// Encrypted thinking, sent back unchanged.
    pub data: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `server_tool_use` block: the model calls a server tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerToolUseBlock {
    /// Call id (`srvtoolu_…`).
    pub id: String,
    /// Server tool name (`web_search`, `web_fetch`, `code_execution`, …).
    pub name: String,
    /// Arguments.
    pub input: Value,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Any `*_tool_result` block of a server tool. `content` is kept as JSON:
/// its shape depends on the tool (a list of results, or an error object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerToolResultBlock {
    /// The `id` of the `server_tool_use` this answers.
    pub tool_use_id: String,
    /// The tool's result (or `{type: …_error, error_code}`).
    pub content: Value,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `container_upload` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerUploadBlock {
    /// The uploaded file's id.
    pub file_id: String,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Message content: a plain string or a list of blocks.
///
/// Deserialized by hand (not `untagged`) so that a malformed block reports
/// which block failed and why, e.g. `content block 1: ContentBlock `image`:
/// missing field `source``.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MessageContent {
    /// Shorthand for a single text block.
    Text(String),
    /// A list of blocks.
    Blocks(Vec<ContentBlock>),
}

impl MessageContent {
    /// The content as blocks (a string becomes one text block).
    pub fn to_blocks(&self) -> Vec<ContentBlock> {
        match self {
            Self::Text(t) => vec![ContentBlock::Text(TextBlock::new(t.clone()))],
            Self::Blocks(b) => b.clone(),
        }
    }

    /// Concatenated text of all text blocks.
    pub fn text(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Blocks(b) => b
                .iter()
                .filter_map(|b| match b {
                    ContentBlock::Text(t) => Some(t.text.as_str()),
                    _ => None,
                })
                .collect(),
        }
    }
}

impl From<String> for MessageContent {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&str> for MessageContent {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<Vec<ContentBlock>> for MessageContent {
    fn from(b: Vec<ContentBlock>) -> Self {
        Self::Blocks(b)
    }
}

impl<'de> Deserialize<'de> for MessageContent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::tagged::deserialize_string_or_seq(d, "a string or an array of content blocks", "content block")
            .map(|v| match v {
                crate::tagged::StringOrSeq::String(s) => Self::Text(s),
                crate::tagged::StringOrSeq::Seq(b) => Self::Blocks(b),
            })
    }
}
