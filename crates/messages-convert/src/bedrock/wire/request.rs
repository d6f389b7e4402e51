//! The Converse / ConverseStream / CountTokens request bodies.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// `ConverseRequest` (also the body of `ConverseStream`): everything but the
/// model id, which goes in the path.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConverseRequest<'a> {
    /// The conversation.
    pub messages: Vec<Message<'a>>,
    /// System prompt blocks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<SystemBlock<'a>>,
    /// `maxTokens`, `temperature`, `topP`, `stopSequences`.
    pub inference_config: InferenceConfig<'a>,
    /// Tools and the tool choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<ToolConfig<'a>>,
    /// Model-native parameters (`top_k`, `thinking`, …), raw JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_model_request_fields: Option<Map<String, Value>>,
    /// Key/value pairs logged with the invocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_metadata: Option<BTreeMap<&'static str, &'a str>>,
    /// Structured output and effort.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_config: Option<OutputConfig>,
    /// `{type: priority|default|flex|reserved}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<ServiceTier>,
}

/// `Message`: `{role, content}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message<'a> {
    /// `user` or `assistant`.
    pub role: &'static str,
    /// The blocks.
    pub content: Vec<ContentBlock<'a>>,
}

/// `ContentBlock` (the members this crate sends).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContentBlock<'a> {
    /// `{text}`.
    Text(Cow<'a, str>),
    /// `{image: {format, source: {bytes}}}`.
    Image(Image<'a>),
    /// `{document: {format, name, source, context?, citations?}}`.
    Document(Document<'a>),
    /// `{toolUse: {toolUseId, name, input}}`.
    ToolUse(ToolUse<'a>),
    /// `{toolResult: {toolUseId, content, status?}}`.
    ToolResult(ToolResult<'a>),
    /// `{reasoningContent: {reasoningText: {text, signature?}} | {redactedContent}}`.
    ReasoningContent(ReasoningContent<'a>),
    /// `{searchResult: {source, title, content: [{text}], citations?}}`.
    SearchResult(SearchResult<'a>),
    /// `{cachePoint: {type: default, ttl?}}`.
    CachePoint(CachePoint),
}

/// `SystemContentBlock` (the members this crate sends).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SystemBlock<'a> {
    /// `{text}`.
    Text(&'a str),
    /// `{cachePoint}`.
    CachePoint(CachePoint),
}

/// `CachePointBlock`: a prompt-cache breakpoint after the block before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CachePoint {
    /// Always `default`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `5m` or `1h`; absent for the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<&'static str>,
}

/// `ImageBlock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Image<'a> {
    /// `png`, `jpeg`, `gif` or `webp`.
    pub format: &'static str,
    /// `{bytes: base64}`.
    pub source: BytesSource<'a>,
}

/// `{bytes: base64}` (blobs are base64 strings in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BytesSource<'a> {
    /// The base64 data.
    pub bytes: Cow<'a, str>,
}

/// `DocumentBlock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document<'a> {
    /// `pdf`, `csv`, `doc`, `docx`, `xls`, `xlsx`, `html`, `txt` or `md`
    /// (absent for structured `content`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// The document's name (alphanumerics, single spaces, hyphens, parentheses, square brackets).
    pub name: String,
    /// Where the document comes from.
    pub source: DocumentSource<'a>,
    /// Context about the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<&'a str>,
    /// `{enabled: true}` to let the model cite it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citations: Option<CitationsConfig>,
}

/// `DocumentSource` (the members this crate sends).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DocumentSource<'a> {
    /// Base64 bytes.
    Bytes(Cow<'a, str>),
    /// Structured content: `[{text}]`.
    Content(Vec<TextOnly<'a>>),
}

/// `{text}` (`DocumentContentBlock`, `SearchResultContentBlock`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextOnly<'a> {
    /// The text.
    pub text: &'a str,
}

/// `CitationsConfig`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CitationsConfig {
    /// Whether citations are on.
    pub enabled: bool,
}

/// `ToolUseBlock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolUse<'a> {
    /// The call id.
    pub tool_use_id: &'a str,
    /// The tool name.
    pub name: &'a str,
    /// The arguments (raw JSON).
    pub input: &'a Value,
}

/// `ToolResultBlock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolResult<'a> {
    /// The id of the call this answers.
    pub tool_use_id: &'a str,
    /// The result's blocks.
    pub content: Vec<ToolResultContent<'a>>,
    /// `error` when the tool failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
}

/// `ToolResultContentBlock` (the members this crate sends).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ToolResultContent<'a> {
    /// `{text}`.
    Text(&'a str),
    /// `{json}`: raw JSON.
    Json(Value),
    /// `{image}`.
    Image(Image<'a>),
    /// `{document}`.
    Document(Document<'a>),
    /// `{searchResult}`.
    SearchResult(SearchResult<'a>),
}

/// `ReasoningContentBlock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ReasoningContent<'a> {
    /// `{reasoningText: {text, signature?}}`.
    ReasoningText(ReasoningText<'a>),
    /// `{redactedContent: base64}`.
    RedactedContent(&'a str),
}

/// `ReasoningTextBlock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasoningText<'a> {
    /// The reasoning text.
    pub text: &'a str,
    /// Its signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<&'a str>,
}

/// `SearchResultBlock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult<'a> {
    /// Where the result came from.
    pub source: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its text blocks.
    pub content: Vec<TextOnly<'a>>,
    /// `{enabled}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citations: Option<CitationsConfig>,
}

/// `InferenceConfiguration`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InferenceConfig<'a> {
    /// The output token limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Sampling temperature (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Stop sequences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<&'a [String]>,
}

/// `ToolConfiguration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolConfig<'a> {
    /// The tools (with cache points).
    pub tools: Vec<ToolEntry<'a>>,
    /// How the model must use them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice<'a>>,
}

/// `Tool` (the members this crate sends).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ToolEntry<'a> {
    /// `{toolSpec: {name, description?, inputSchema: {json}, strict?}}`.
    ToolSpec(ToolSpec<'a>),
    /// `{cachePoint}`.
    CachePoint(CachePoint),
}

/// `ToolSpecification`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolSpec<'a> {
    /// The tool name.
    pub name: &'a str,
    /// What it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    /// `{json: schema}`.
    pub input_schema: InputSchema<'a>,
    /// Strict schema adherence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// `ToolInputSchema`: `{json}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSchema<'a> {
    /// The JSON schema.
    pub json: &'a Value,
}

/// `ToolChoice`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ToolChoice<'a> {
    /// `{auto: {}}`.
    Auto(Empty),
    /// `{any: {}}`.
    Any(Empty),
    /// `{tool: {name}}`.
    Tool(NamedTool<'a>),
}

/// `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Empty {}

/// `SpecificToolChoice`: `{name}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedTool<'a> {
    /// The tool to call.
    pub name: &'a str,
}

/// `OutputConfig`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputConfig {
    /// Structured output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_format: Option<TextFormat>,
    /// `low`, `medium`, `high`, `xhigh`, `max`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effort: Option<String>,
}

/// `OutputFormat`: `{type: json_schema, structure: {jsonSchema: {schema, name?}}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextFormat {
    /// Always `json_schema`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `{jsonSchema}`.
    pub structure: FormatStructure,
}

/// `OutputFormatStructure`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormatStructure {
    /// The schema definition.
    pub json_schema: JsonSchemaDefinition,
}

/// `JsonSchemaDefinition`: the schema is a **JSON-encoded string**.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JsonSchemaDefinition {
    /// The schema, serialized.
    pub schema: String,
    /// An optional name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `ServiceTier`: `{type}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceTier {
    /// `priority`, `default`, `flex` or `reserved`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// `CountTokensRequest` body: `{input: {converse: {...}}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountTokensRequest<'a> {
    /// The input to count.
    pub input: CountTokensInput<'a>,
}

/// `CountTokensInput` (the `converse` member).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountTokensInput<'a> {
    /// A Converse-shaped input.
    pub converse: ConverseTokensRequest<'a>,
}

/// `ConverseTokensRequest`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConverseTokensRequest<'a> {
    /// The conversation.
    pub messages: Vec<Message<'a>>,
    /// System prompt blocks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<SystemBlock<'a>>,
    /// Tools.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<ToolConfig<'a>>,
    /// Model-native parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_model_request_fields: Option<Map<String, Value>>,
}
