//! Ollama native `/api/chat` wire types (OLL `api/types.go`: `ChatRequest`,
//! `Message`, `ToolCall`, `ChatResponse`).
//!
//! Request types borrow from the Anthropic request; response types borrow
//! from the line where the JSON has no escapes (`Cow`). `done_reason` keeps
//! unknown values ([`DoneReason::Other`]); unknown fields are ignored on input.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::shared::null_default;
use serde_json::{Map, Value};

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ChatRequest<'a> {
    /// Model name.
    pub model: &'a str,
    /// The conversation.
    pub messages: Vec<ChatMessage<'a>>,
    /// Function tools.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolDef<'a>>,
    /// Reasoning: a bool, or a level for models that take levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub think: Option<Think>,
    /// Structured output: a JSON schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'a Value>,
    /// Sampling and runner options.
    #[serde(skip_serializing_if = "Options::is_empty")]
    pub options: Options<'a>,
    /// Always sent: Ollama streams unless told `false`.
    pub stream: bool,
}

/// `think`: `true` / `false`, or `low` / `medium` / `high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Think {
    /// On or off.
    Bool(bool),
    /// A reasoning level.
    Level(&'static str),
}

/// `options` (the subset the conversion sets, plus whatever the caller adds).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Options<'a> {
    /// Output token limit (Anthropic `max_tokens`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_predict: Option<u32>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Top-k sampling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Stop sequences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<&'a [String]>,
    /// Other options from the caller's extras (`seed`, `num_ctx`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Options<'_> {
    /// `true` when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.num_predict.is_none()
            && self.temperature.is_none()
            && self.top_p.is_none()
            && self.top_k.is_none()
            && self.stop.is_none()
            && self.extra.is_empty()
    }
}

/// One message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatMessage<'a> {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: &'static str,
    /// Text (Ollama content is a string).
    pub content: Cow<'a, str>,
    /// Assistant reasoning, echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking: Option<Cow<'a, str>>,
    /// Base64 images (no data-URI prefix).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<&'a str>,
    /// Assistant tool calls.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall<'a>>,
    /// Tool messages: the tool's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<&'a str>,
    /// Tool messages: the call answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<&'a str>,
}

impl<'a> ChatMessage<'a> {
    /// A message with a role and text only.
    pub fn new(role: &'static str, content: Cow<'a, str>) -> Self {
        Self {
            role,
            content,
            thinking: None,
            images: Vec::new(),
            tool_calls: Vec::new(),
            tool_name: None,
            tool_call_id: None,
        }
    }
}

/// A tool call sent back (`{id, function: {index, name, arguments}}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCall<'a> {
    /// Call id.
    pub id: &'a str,
    /// Name and arguments.
    pub function: ToolCallFunction<'a>,
}

/// A tool call's function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCallFunction<'a> {
    /// Position among the turn's calls.
    pub index: usize,
    /// Tool name.
    pub name: &'a str,
    /// Arguments as a JSON object (not a string).
    pub arguments: &'a Value,
}

pub use crate::openai_chat::wire::{ChatTool as ToolDef, FunctionDef};

messages_types::open_enum! {
    /// Why generation stopped (OLL `llm/server.go`, `server/routes.go`).
    pub enum DoneReason {
        /// The model finished (or matched a stop sequence, or called tools).
        Stop = "stop",
        /// `num_predict` was reached.
        Length = "length",
        /// An empty request loaded the model.
        Load = "load",
        /// A `keep_alive: 0` request unloaded it.
        Unload = "unload",
    }
}

/// A whole response, or one NDJSON line of a stream.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ChatResponse<'a> {
    /// The model that answered.
    #[serde(borrow, default)]
    pub model: Option<Cow<'a, str>>,
    /// RFC 3339 time of this object.
    #[serde(borrow, default)]
    pub created_at: Option<Cow<'a, str>>,
    /// The message (or its increment).
    #[serde(borrow, default)]
    pub message: Option<ResponseMessage<'a>>,
    /// `true` on the final object.
    #[serde(default)]
    pub done: bool,
    /// Why generation stopped (final object).
    #[serde(default)]
    pub done_reason: Option<DoneReason>,
    /// Prompt tokens evaluated (final object).
    #[serde(default)]
    pub prompt_eval_count: Option<u64>,
    /// Tokens generated (final object).
    #[serde(default)]
    pub eval_count: Option<u64>,
    /// An error (a whole error body, or a line in the middle of a stream).
    #[serde(default)]
    pub error: Option<Value>,
}

/// `message` of a response.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ResponseMessage<'a> {
    /// Text.
    #[serde(borrow, default)]
    pub content: Option<Cow<'a, str>>,
    /// Reasoning text.
    #[serde(borrow, default)]
    pub thinking: Option<Cow<'a, str>>,
    /// Tool calls (whole, never split across lines).
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub tool_calls: Vec<ToolCallIn<'a>>,
}

/// A tool call as received.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ToolCallIn<'a> {
    /// Call id (recent servers send `call_…`).
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    /// Name and arguments.
    #[serde(borrow, default)]
    pub function: Option<FunctionIn<'a>>,
}

/// A received tool call's function.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct FunctionIn<'a> {
    /// Tool name.
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    /// Arguments: a JSON object.
    #[serde(default)]
    pub arguments: Option<Value>,
}
