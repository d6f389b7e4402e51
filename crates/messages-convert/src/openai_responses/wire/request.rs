//! The request body of `POST /responses` (and `/responses/input_tokens`).

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

/// A Responses request body. Fields left `None`/empty are omitted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResponsesRequest<'a> {
    /// Model id.
    pub model: &'a str,
    /// The system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<Cow<'a, str>>,
    /// The conversation as input items.
    pub input: Vec<InputItem<'a>>,
    /// Extra output to include (`reasoning.encrypted_content`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<&'static str>,
    /// Output cap (visible output plus reasoning).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Reasoning effort and summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<ReasoningConfig>,
    /// Tools.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolDef<'a>>,
    /// Tool choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoiceOut<'a>>,
    /// `false` to allow at most one tool call per turn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Structured output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextConfig<'a>>,
    /// A stable end-user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_identifier: Option<&'a str>,
    /// Requested service tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<&'static str>,
    /// Whether the provider keeps the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<bool>,
    /// Stream the response as server-sent events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
}

/// `reasoning: {effort?, summary?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReasoningConfig {
    /// `none` … `max`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effort: Option<&'static str>,
    /// `auto` when summarized thinking is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'static str>,
}

/// One input item.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputItem<'a> {
    /// A user, system or assistant message.
    Message {
        /// `user`, `system` or `assistant`.
        role: &'static str,
        /// A string or content parts.
        content: MessageContentOut<'a>,
    },
    /// A tool call the model made.
    FunctionCall {
        /// The call id (Anthropic `tool_use.id`).
        call_id: &'a str,
        /// The tool name.
        name: &'a str,
        /// The arguments as JSON text.
        arguments: String,
    },
    /// A tool result.
    FunctionCallOutput {
        /// The call it answers.
        call_id: &'a str,
        /// Text, or content parts when the result has images or documents.
        output: MessageContentOut<'a>,
    },
    /// A reasoning item sent back (from a thinking signature this family minted).
    Reasoning {
        /// The item id.
        id: String,
        /// Its summary parts.
        summary: Vec<SummaryTextOut>,
        /// The encrypted reasoning.
        #[serde(skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<String>,
    },
    /// A web search the model made, sent back. Without its `ws_…` id: with
    /// `store: false` the provider keeps no item an id could refer to (the
    /// Codex CLI sends it the same way).
    WebSearchCall {
        /// Always `completed`.
        status: &'static str,
        /// `{type: "search", query}`.
        action: Value,
    },
}

/// `{type: "summary_text", text}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryTextOut {
    /// Always `summary_text`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The summary text.
    pub text: String,
}

/// Message content: a plain string (an Anthropic string content) or parts.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum MessageContentOut<'a> {
    /// A plain string.
    Text(Cow<'a, str>),
    /// Content parts.
    Parts(Vec<InputPart<'a>>),
}

/// A content part of an input message.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputPart<'a> {
    /// User or system text.
    InputText {
        /// The text.
        text: Cow<'a, str>,
    },
    /// Assistant text sent back.
    OutputText {
        /// The text.
        text: Cow<'a, str>,
    },
    /// An image (URL or data URL).
    InputImage {
        /// The URL.
        image_url: Cow<'a, str>,
        /// Always `auto`.
        detail: &'static str,
    },
    /// A file (PDF): inline data or a URL.
    InputFile {
        /// File name for inline data.
        #[serde(skip_serializing_if = "Option::is_none")]
        filename: Option<Cow<'a, str>>,
        /// `data:application/pdf;base64,…`.
        #[serde(skip_serializing_if = "Option::is_none")]
        file_data: Option<String>,
        /// A URL the provider fetches.
        #[serde(skip_serializing_if = "Option::is_none")]
        file_url: Option<&'a str>,
    },
}

/// A tool definition.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolDef<'a> {
    /// A function tool (flat shape).
    Function {
        /// Name.
        name: &'a str,
        /// Description.
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        /// JSON schema of the arguments.
        parameters: &'a Value,
        /// Strict schema adherence, as given.
        #[serde(skip_serializing_if = "Option::is_none")]
        strict: Option<bool>,
    },
    /// The hosted web search tool.
    WebSearch {
        /// `{allowed_domains}`.
        #[serde(skip_serializing_if = "Option::is_none")]
        filters: Option<Value>,
        /// `{type: approximate, city?, country?, region?, timezone?}`.
        #[serde(skip_serializing_if = "Option::is_none")]
        user_location: Option<Value>,
    },
}

/// `tool_choice`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ToolChoiceOut<'a> {
    /// `auto`, `required` or `none`.
    Mode(&'static str),
    /// `{type: "function", name}`.
    Function {
        /// Always `function`.
        #[serde(rename = "type")]
        kind: &'static str,
        /// The tool name.
        name: &'a str,
    },
}

/// `text: {format}`.
#[derive(Debug, Clone, Serialize)]
pub struct TextConfig<'a> {
    /// `{type: json_schema, name, schema, strict, …}` (flat).
    pub format: JsonSchemaTextFormat<'a>,
}

/// `{type: "json_schema", name, schema, strict}` plus passed-through fields.
#[derive(Debug, Clone, Serialize)]
pub struct JsonSchemaTextFormat<'a> {
    /// Always `json_schema`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The format's name.
    pub name: Cow<'a, str>,
    /// The schema.
    pub schema: &'a Value,
    /// Strict adherence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// A description, when the Anthropic format carried one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}
