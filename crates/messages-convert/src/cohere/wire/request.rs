//! `POST /v2/chat` request body (CO `v2/raw_client.py`, `types/chat_message_v2.py`).

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Map, Value};

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ChatRequest<'a> {
    /// Model name.
    pub model: &'a str,
    /// The conversation.
    pub messages: Vec<ChatMessage<'a>>,
    /// Documents the answer can cite (from Anthropic text documents).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    /// Function tools.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolDef<'a>>,
    /// Strict tool-argument validation (for every tool).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict_tools: Option<bool>,
    /// `REQUIRED` or `NONE` (absent: auto).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<&'static str>,
    /// Output token limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Stop sequences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<&'a [String]>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling (Anthropic `top_p`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// Top-k sampling (Anthropic `top_k`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<u32>,
    /// Reasoning control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking: Option<Thinking>,
    /// Structured output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat<'a>>,
    /// `true` for `chat_stream`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
}

/// One message, tagged by `role`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum ChatMessage<'a> {
    /// The system prompt.
    System {
        /// Its text.
        content: Cow<'a, str>,
    },
    /// A user turn.
    User {
        /// A string (one text block) or parts.
        content: UserContent<'a>,
    },
    /// An assistant turn.
    Assistant {
        /// Text and thinking parts.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        content: Vec<AssistantPart<'a>>,
        /// Text the model wrote before its tool calls.
        #[serde(skip_serializing_if = "Option::is_none")]
        tool_plan: Option<Cow<'a, str>>,
        /// Tool calls.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall<'a>>,
    },
    /// The result of one tool call.
    Tool {
        /// The call it answers.
        tool_call_id: &'a str,
        /// Text and document parts.
        content: Vec<ToolContent<'a>>,
    },
}

/// User content: a string or parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UserContent<'a> {
    /// Plain text.
    Text(&'a str),
    /// Text and image parts.
    Parts(Vec<UserPart<'a>>),
}

/// A user content part.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserPart<'a> {
    /// Text.
    Text {
        /// The text.
        text: &'a str,
    },
    /// An image by URL or data URI.
    ImageUrl {
        /// The image.
        image_url: ImageUrl<'a>,
    },
}

/// `{url}` of an image part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageUrl<'a> {
    /// An `https:` URL or a `data:` URI.
    pub url: Cow<'a, str>,
}

/// An assistant content part.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AssistantPart<'a> {
    /// Text.
    Text {
        /// The text.
        text: &'a str,
    },
    /// Reasoning text.
    Thinking {
        /// The reasoning.
        thinking: &'a str,
    },
}

/// A tool call (`ToolCallV2`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCall<'a> {
    /// Call id.
    pub id: &'a str,
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Name and arguments.
    pub function: FunctionCall<'a>,
}

/// Function name and JSON-encoded arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionCall<'a> {
    /// Tool name.
    pub name: &'a str,
    /// Arguments as a JSON string.
    pub arguments: String,
}

/// A tool message part.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolContent<'a> {
    /// Text.
    Text {
        /// The text.
        text: Cow<'a, str>,
    },
    /// A document object.
    Document {
        /// The document.
        document: DocumentData,
    },
}

/// `{id, data}` of a tool document part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentData {
    /// `doc_{n}`: `n` is the Anthropic `document_index`.
    pub id: String,
    /// The document's fields.
    pub data: Map<String, Value>,
}

/// A top-level document (`{id, data}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// `doc_{n}`: `n` is the Anthropic `document_index`.
    pub id: String,
    /// `text`, and `title` / `context` when given.
    pub data: Map<String, Value>,
}

pub use crate::openai_chat::wire::{ChatTool as ToolDef, FunctionDef};

/// `thinking: {type, token_budget?}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thinking {
    /// `enabled` or `disabled`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Reasoning token budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_budget: Option<u32>,
}

/// `response_format: {type: json_object, json_schema?}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseFormat<'a> {
    /// Always `json_object` here.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The schema the JSON must follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_schema: Option<&'a Value>,
}
