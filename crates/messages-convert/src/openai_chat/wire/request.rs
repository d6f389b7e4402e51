//! The request body of `POST /chat/completions` (serialize only; borrows from
//! the Anthropic request it was converted from).

use std::borrow::Cow;

use messages_types::CacheControl;
use serde::Serialize;
use serde_json::Value;

/// A Chat Completions request.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ChatRequest<'a> {
    /// Model id.
    pub model: Cow<'a, str>,
    /// The conversation.
    pub messages: Vec<ChatMessage<'a>>,
    /// Output-token limit (most servers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Output-token limit (OpenAI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u32>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Top-k sampling (an extension some servers accept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Stop sequences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<&'a [String]>,
    /// Stream the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// `{include_usage: true}` to get usage in a trailing chunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// Tools.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<ChatTool<'a>>>,
    /// Tool choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ChatToolChoice<'a>>,
    /// `false` for at most one tool call per turn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// `none|minimal|low|medium|high|xhigh`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<&'static str>,
    /// DeepSeek: `{type: enabled|disabled}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking: Option<TypeOnly>,
    /// OpenRouter: `{max_tokens} | {effort} | {enabled}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<RouterReasoning>,
    /// Qwen: turn reasoning on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_thinking: Option<bool>,
    /// Qwen: reasoning token budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_budget: Option<u32>,
    /// Structured output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat<'a>>,
    /// End-user id (most servers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<&'a str>,
    /// End-user id (OpenAI's current name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_identifier: Option<&'a str>,
    /// Service tier (`auto`, `default`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<&'static str>,
}

/// `{type: "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeOnly {
    /// The type.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// OpenRouter's `reasoning` object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RouterReasoning {
    /// Reasoning token budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Effort level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effort: Option<&'static str>,
    /// `false` to turn reasoning off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `stream_options`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamOptions {
    /// Send usage in a final chunk.
    pub include_usage: bool,
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum ChatMessage<'a> {
    /// System prompt.
    System {
        /// The text (parts only to carry `cache_control`).
        content: UserContent<'a>,
    },
    /// A user turn.
    User {
        /// Text or parts.
        content: UserContent<'a>,
    },
    /// An assistant turn.
    Assistant {
        /// The text; absent when the turn only calls tools.
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<Cow<'a, str>>,
        /// Earlier reasoning, for servers that take it back as `reasoning_content`.
        #[serde(skip_serializing_if = "Option::is_none")]
        reasoning_content: Option<String>,
        /// Earlier reasoning, for servers that take it back as `reasoning`.
        #[serde(skip_serializing_if = "Option::is_none")]
        reasoning: Option<String>,
        /// Signatures and encrypted reasoning, for OpenRouter.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        reasoning_details: Vec<super::ReasoningDetail>,
        /// Tool calls.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<RequestToolCall<'a>>,
        /// Mistral: the message is a prefix to continue.
        #[serde(skip_serializing_if = "Option::is_none")]
        prefix: Option<bool>,
    },
    /// A tool result.
    Tool {
        /// The call it answers.
        tool_call_id: Cow<'a, str>,
        /// The result text.
        content: Cow<'a, str>,
    },
}

/// User content: a string or parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UserContent<'a> {
    /// Plain text.
    Text(Cow<'a, str>),
    /// Typed parts.
    Parts(Vec<ContentPart<'a>>),
}

/// A user content part.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart<'a> {
    /// Text.
    Text {
        /// The text.
        text: Cow<'a, str>,
        /// Anthropic-style cache breakpoint, for servers that accept it.
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<&'a CacheControl>,
    },
    /// An image by URL or data URI.
    ImageUrl {
        /// The image.
        image_url: ImageUrl<'a>,
    },
    /// A file (PDF) as a data URI or file id.
    File {
        /// The file.
        file: FilePart<'a>,
    },
}

/// `image_url` of an image part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageUrl<'a> {
    /// `https://…` or `data:image/png;base64,…`.
    pub url: Cow<'a, str>,
}

/// `file` of a file part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilePart<'a> {
    /// `data:application/pdf;base64,…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_data: Option<String>,
    /// File name shown to the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<Cow<'a, str>>,
}

/// An assistant tool call sent back in history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestToolCall<'a> {
    /// Call id.
    pub id: Cow<'a, str>,
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Name and arguments.
    pub function: RequestFunction<'a>,
}

/// `{name, arguments}` with arguments as JSON text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestFunction<'a> {
    /// Function name.
    pub name: Cow<'a, str>,
    /// Arguments as JSON text.
    pub arguments: String,
}

/// A function tool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatTool<'a> {
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The function.
    pub function: FunctionDef<'a>,
}

/// A function definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDef<'a> {
    /// Name.
    pub name: &'a str,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    /// JSON schema of the arguments.
    pub parameters: &'a Value,
    /// Strict schema adherence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// `tool_choice`: a mode string or a named function.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ChatToolChoice<'a> {
    /// `none`, `auto`, `required` (Mistral: `any`).
    Mode(&'static str),
    /// `{type: function, function: {name}}`.
    Function {
        /// Always `function`.
        #[serde(rename = "type")]
        kind: &'static str,
        /// The function.
        function: NamedFunction<'a>,
    },
}

/// `{name}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedFunction<'a> {
    /// Function name.
    pub name: &'a str,
}

/// `response_format`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseFormat<'a> {
    /// `json_schema`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The schema.
    pub json_schema: JsonSchemaSpec<'a>,
}

/// `response_format.json_schema`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JsonSchemaSpec<'a> {
    /// A name for the schema.
    pub name: Cow<'a, str>,
    /// The schema.
    pub schema: &'a Value,
    /// Strict adherence (Anthropic structured outputs are strict).
    pub strict: bool,
}
