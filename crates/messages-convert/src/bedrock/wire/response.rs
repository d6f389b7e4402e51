//! The Converse response and the ConverseStream event payloads. Every struct
//! keeps members it does not model in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Unknown members, kept verbatim.
pub type Extra = Map<String, Value>;

/// `ConverseResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConverseResponse {
    /// `{message}`.
    #[serde(default)]
    pub output: Option<ConverseOutput>,
    /// Why the model stopped.
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// Token counts.
    #[serde(default)]
    pub usage: Option<TokenUsage>,
    /// Fields the request asked for with `additionalModelResponseFieldPaths`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_model_response_fields: Option<Value>,
    /// Everything else (`metrics`, `trace`, `performanceConfig`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ConverseOutput` (a union; `message` is the only member).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConverseOutput {
    /// The reply.
    #[serde(default)]
    pub message: Option<OutputMessage>,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Message` as received.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OutputMessage {
    /// `assistant`.
    #[serde(default)]
    pub role: Option<String>,
    /// The blocks.
    #[serde(default)]
    pub content: Vec<OutputBlock>,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ContentBlock` as received: one member set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputBlock {
    /// `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `toolUse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use: Option<ToolUseBlock>,
    /// `reasoningContent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<ReasoningBlock>,
    /// `citationsContent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations_content: Option<CitationsContent>,
    /// `image` (`{format, source: {bytes}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
    /// Other members (`document`, `video`, `toolResult`, `guardContent`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ToolUseBlock`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolUseBlock {
    /// The call id.
    #[serde(default)]
    pub tool_use_id: String,
    /// The tool name.
    #[serde(default)]
    pub name: String,
    /// The arguments.
    #[serde(default)]
    pub input: Value,
    /// `server_tool_use` for a server tool.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ReasoningContentBlock`: `{reasoningText: {text, signature?}}` or `{redactedContent}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasoningBlock {
    /// The reasoning text and its signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_text: Option<ReasoningTextBlock>,
    /// Encrypted reasoning (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_content: Option<String>,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ReasoningTextBlock`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReasoningTextBlock {
    /// The text.
    #[serde(default)]
    pub text: String,
    /// The signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CitationsContentBlock`: generated text with its citations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CitationsContent {
    /// `[{text}]`.
    #[serde(default)]
    pub content: Vec<TextMember>,
    /// The citations.
    #[serde(default)]
    pub citations: Vec<BedrockCitation>,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{text}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TextMember {
    /// The text.
    #[serde(default)]
    pub text: Option<String>,
}

/// `Citation` (also `CitationsDelta` in streams).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BedrockCitation {
    /// The cited source's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The cited source (e.g. a URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The quoted text: `[{text}]`.
    #[serde(default)]
    pub source_content: Vec<TextMember>,
    /// Where in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<CitationLocation>,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CitationLocation` (a union).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CitationLocation {
    /// `{url, domain}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebLocation>,
    /// A character range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_char: Option<IndexRange>,
    /// A page range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_page: Option<IndexRange>,
    /// A chunk range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_chunk: Option<IndexRange>,
    /// A range of a search result's blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_result_location: Option<SearchResultRange>,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `WebLocation`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WebLocation {
    /// The page URL.
    #[serde(default)]
    pub url: Option<String>,
    /// Its domain.
    #[serde(default)]
    pub domain: Option<String>,
}

/// `DocumentCharLocation` / `DocumentPageLocation` / `DocumentChunkLocation`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexRange {
    /// Which document of the request.
    #[serde(default)]
    pub document_index: u32,
    /// First position (inclusive).
    #[serde(default)]
    pub start: u64,
    /// Last position (exclusive).
    #[serde(default)]
    pub end: u64,
}

/// `SearchResultLocation`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResultRange {
    /// Which search result of the request.
    #[serde(default)]
    pub search_result_index: u32,
    /// First block (inclusive).
    #[serde(default)]
    pub start: u64,
    /// Last block (exclusive).
    #[serde(default)]
    pub end: u64,
}

/// `TokenUsage`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    /// Input tokens not read from or written to the cache.
    #[serde(default)]
    pub input_tokens: Option<u64>,
    /// Output tokens.
    #[serde(default)]
    pub output_tokens: Option<u64>,
    /// Input + output (+ cache) tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_tokens: Option<u64>,
    /// Input tokens read from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
    /// Input tokens written to the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_input_tokens: Option<u64>,
    /// Cache writes by TTL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cache_details: Vec<CacheDetail>,
    /// Unknown members (`serverToolUsage`, `cacheReadInputTokenCount`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CacheDetail`: `{ttl, inputTokens}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheDetail {
    /// `5m` or `1h`.
    #[serde(default)]
    pub ttl: String,
    /// Tokens written with that TTL.
    #[serde(default)]
    pub input_tokens: u64,
}

/// `CountTokensResponse`: `{inputTokens}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountTokensResponse {
    /// The count.
    pub input_tokens: u64,
    /// Unknown members.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `MessageStartEvent`: `{role}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageStartEvent {
    /// `assistant`.
    #[serde(default)]
    pub role: Option<String>,
}

/// `ContentBlockStartEvent`: `{contentBlockIndex, start}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentBlockStartEvent {
    /// The block's index.
    #[serde(default)]
    pub content_block_index: u64,
    /// `{toolUse: {toolUseId, name}}` (or `toolResult`, `image`).
    #[serde(default)]
    pub start: BlockStart,
}

/// `ContentBlockStart` (a union).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockStart {
    /// A tool call starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use: Option<ToolUseBlock>,
    /// Other members (`toolResult`, `image`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ContentBlockDeltaEvent`: `{contentBlockIndex, delta}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentBlockDeltaEvent {
    /// The block's index.
    #[serde(default)]
    pub content_block_index: u64,
    /// The delta.
    #[serde(default)]
    pub delta: BlockDelta,
}

/// `ContentBlockDelta` (a union).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockDelta {
    /// Text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `{input: fragment}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use: Option<ToolInputDelta>,
    /// `{text} | {signature} | {redactedContent}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<ReasoningDelta>,
    /// A citation of the text block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<BedrockCitation>,
    /// Other members (`toolResult`, `image`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ToolUseBlockDelta`: `{input}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToolInputDelta {
    /// A fragment of the arguments' JSON text.
    #[serde(default)]
    pub input: String,
}

/// `ReasoningContentBlockDelta` (a union).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasoningDelta {
    /// Reasoning text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The signature of the reasoning so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Encrypted reasoning (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_content: Option<String>,
}

/// `ContentBlockStopEvent`: `{contentBlockIndex}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentBlockStopEvent {
    /// The block's index.
    #[serde(default)]
    pub content_block_index: u64,
}

/// `MessageStopEvent`: `{stopReason, additionalModelResponseFields?}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageStopEvent {
    /// Why the model stopped.
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// Fields asked for with `additionalModelResponseFieldPaths`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_model_response_fields: Option<Value>,
}

/// `ConverseStreamMetadataEvent`: `{usage, metrics, …}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MetadataEvent {
    /// Token counts.
    #[serde(default)]
    pub usage: Option<TokenUsage>,
}

/// An exception shape: `{message}` (`Message` in some services), and
/// `originalStatusCode` / `originalMessage` for model errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionBody {
    /// The message.
    #[serde(default, alias = "Message")]
    pub message: Option<String>,
    /// `__type` (some services put the code in the body).
    #[serde(default, rename = "__type", skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// `code` (ditto).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The model's own status, for model errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_status_code: Option<u16>,
    /// The model's own message, for model errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_message: Option<String>,
}
