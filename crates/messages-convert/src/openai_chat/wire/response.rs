//! Responses and stream chunks: `chat.completion` and `chat.completion.chunk`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::cow;
use super::{Arguments, ChatUsage, ContentField, FinishReason};

/// A whole `chat.completion` response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChatCompletion<'a> {
    /// `chatcmpl-…`.
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<Cow<'a, str>>,
    /// The model that answered.
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub model: Option<Cow<'a, str>>,
    /// The choices (only the first is converted).
    #[serde(default, borrow, deserialize_with = "super::null_as_empty")]
    pub choices: Vec<Choice<'a>>,
    /// Token usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<ChatUsage>,
    /// Service tier that served the request (any value).
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_tier: Option<Cow<'a, str>>,
}

/// One choice of a whole response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Choice<'a> {
    /// Choice index.
    #[serde(default)]
    pub index: u32,
    /// The generated message.
    #[serde(default, borrow)]
    pub message: ResponseMessage<'a>,
    /// Why generation stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// OpenRouter: the upstream provider's own reason (e.g. `max_output_tokens`).
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub native_finish_reason: Option<Cow<'a, str>>,
    /// vLLM and others: the stop string (or token id) that ended generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<StopMatch>,
}

/// vLLM's `stop_reason`: the matched stop string, or a stop token id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StopMatch {
    /// The stop string that matched.
    Text(String),
    /// A stop token id.
    Token(i64),
}

/// The assistant message of a whole response (also the fold target of a stream).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResponseMessage<'a> {
    /// The text (or Mistral parts).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentField<'a>>,
    /// Reasoning (DeepSeek, llama.cpp, vLLM, …).
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub reasoning_content: Option<Cow<'a, str>>,
    /// Reasoning (OpenRouter, Groq, …).
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub reasoning: Option<Cow<'a, str>>,
    /// A refusal message (OpenAI structured outputs).
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub refusal: Option<Cow<'a, str>>,
    /// Structured reasoning (OpenRouter): signatures and encrypted reasoning.
    #[serde(
        default,
        deserialize_with = "super::null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub reasoning_details: Vec<ReasoningDetail>,
    /// Tool calls.
    #[serde(
        default,
        borrow,
        deserialize_with = "super::null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tool_calls: Vec<ToolCall<'a>>,
    /// Legacy single function call.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub function_call: Option<FunctionCall<'a>>,
}

/// A tool call of a whole response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToolCall<'a> {
    /// Call id (`call_…`); some servers omit it.
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<Cow<'a, str>>,
    /// The function called.
    #[serde(default, borrow)]
    pub function: FunctionCall<'a>,
}

/// `{name, arguments}` of a tool call or its delta.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FunctionCall<'a> {
    /// Function name (only in the first delta of a streamed call).
    #[serde(
        default,
        borrow,
        deserialize_with = "cow::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<Cow<'a, str>>,
    /// Arguments as JSON text (a fragment of it in a delta).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Arguments<'a>>,
}

/// One `chat.completion.chunk` of a stream, or an `{"error": …}` payload.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ChatChunk<'a> {
    /// `chatcmpl-…` (the same in every chunk).
    #[serde(default, borrow, deserialize_with = "cow::opt")]
    pub id: Option<Cow<'a, str>>,
    /// The model.
    #[serde(default, borrow, deserialize_with = "cow::opt")]
    pub model: Option<Cow<'a, str>>,
    /// Choice deltas (empty in the trailing usage chunk).
    #[serde(default, borrow, deserialize_with = "super::null_as_empty")]
    pub choices: Vec<ChunkChoice<'a>>,
    /// Usage (`null` except in the last chunk, with `include_usage`).
    /// Boxed, like `error`: both are rare, and inline they made every chunk
    /// 368 bytes to build and move several times over.
    #[serde(default)]
    pub usage: Option<Box<ChatUsage>>,
    /// An error reported mid-stream.
    #[serde(default)]
    pub error: Option<Box<NativeErrorField>>,
    /// Service tier that serves the request (any value).
    #[serde(default, borrow, deserialize_with = "cow::opt")]
    pub service_tier: Option<Cow<'a, str>>,
}

/// One choice delta of a chunk.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ChunkChoice<'a> {
    /// Choice index.
    #[serde(default)]
    pub index: u32,
    /// The increment.
    #[serde(default, borrow)]
    pub delta: Option<Delta<'a>>,
    /// Set in the choice's last chunk.
    #[serde(default)]
    pub finish_reason: Option<FinishReason>,
    /// OpenRouter: the upstream provider's own reason.
    #[serde(default, borrow, deserialize_with = "cow::opt")]
    pub native_finish_reason: Option<Cow<'a, str>>,
    /// vLLM: the stop string that matched.
    #[serde(default)]
    pub stop_reason: Option<StopMatch>,
}

/// The increment of a chunk choice.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Delta<'a> {
    /// Text (or Mistral parts).
    #[serde(default, borrow)]
    pub content: Option<ContentField<'a>>,
    /// Reasoning text.
    #[serde(default, borrow, deserialize_with = "cow::opt")]
    pub reasoning_content: Option<Cow<'a, str>>,
    /// Reasoning text (other servers' name).
    #[serde(default, borrow, deserialize_with = "cow::opt")]
    pub reasoning: Option<Cow<'a, str>>,
    /// Refusal text.
    #[serde(default, borrow, deserialize_with = "cow::opt")]
    pub refusal: Option<Cow<'a, str>>,
    /// Structured reasoning fragments (OpenRouter).
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub reasoning_details: Vec<ReasoningDetail>,
    /// Tool-call fragments.
    #[serde(default, borrow, deserialize_with = "super::null_as_empty")]
    pub tool_calls: Vec<ToolCallDelta<'a>>,
}

/// One entry of OpenRouter's `reasoning_details`: `reasoning.text` (with the
/// upstream signature, e.g. Anthropic's), `reasoning.summary`, or
/// `reasoning.encrypted` (OpenAI's encrypted reasoning, with its item id).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReasoningDetail {
    /// `reasoning.text`, `reasoning.summary`, `reasoning.encrypted`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Position among the message's details (fragments of one share it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Reasoning text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Reasoning summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The upstream signature of the reasoning text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Encrypted reasoning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Upstream item id (`rs_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Upstream format (`anthropic-claude-v1`, `openai-responses-v1`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A tool-call fragment: `id` and `name` come with the first fragment of each
/// `index`, `arguments` fragments follow.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ToolCallDelta<'a> {
    /// Which parallel call this fragment belongs to.
    #[serde(default)]
    pub index: Option<u32>,
    /// Call id, in the first fragment.
    #[serde(default, borrow, deserialize_with = "cow::opt")]
    pub id: Option<Cow<'a, str>>,
    /// Name and argument fragment.
    #[serde(default, borrow)]
    pub function: Option<FunctionCall<'a>>,
}

/// The `error` of an error payload: an object (`{message, type, code, param}`)
/// or a bare string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NativeErrorField {
    /// `{message, type, code, param}`.
    Object(NativeError),
    /// A bare message.
    Message(String),
}

/// An OpenAI-style error object. `code` may be a string or a number.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NativeError {
    /// Human-readable message.
    #[serde(default)]
    pub message: Option<String>,
    /// Error type (`invalid_request_error`, `exceed_context_size_error`, …).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Error code (`model_not_found`, `invalid_api_key`, 400, …).
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    /// The offending parameter.
    #[serde(default)]
    pub param: Option<serde_json::Value>,
}

impl ChatCompletion<'_> {
    /// An owned `'static` copy.
    pub fn into_owned(self) -> ChatCompletion<'static> {
        ChatCompletion {
            id: cow::own(self.id),
            model: cow::own(self.model),
            choices: self.choices.into_iter().map(Choice::into_owned).collect(),
            usage: self.usage,
            service_tier: cow::own(self.service_tier),
        }
    }
}

impl Choice<'_> {
    /// An owned `'static` copy.
    pub fn into_owned(self) -> Choice<'static> {
        Choice {
            index: self.index,
            message: self.message.into_owned(),
            finish_reason: self.finish_reason,
            native_finish_reason: cow::own(self.native_finish_reason),
            stop_reason: self.stop_reason,
        }
    }
}

impl ResponseMessage<'_> {
    /// An owned `'static` copy.
    pub fn into_owned(self) -> ResponseMessage<'static> {
        ResponseMessage {
            content: self.content.map(ContentField::into_owned),
            reasoning_content: cow::own(self.reasoning_content),
            reasoning: cow::own(self.reasoning),
            refusal: cow::own(self.refusal),
            reasoning_details: self.reasoning_details,
            tool_calls: self.tool_calls.into_iter().map(ToolCall::into_owned).collect(),
            function_call: self.function_call.map(FunctionCall::into_owned),
        }
    }
}

impl ToolCall<'_> {
    /// An owned `'static` copy.
    pub fn into_owned(self) -> ToolCall<'static> {
        ToolCall {
            id: cow::own(self.id),
            function: self.function.into_owned(),
        }
    }
}

impl FunctionCall<'_> {
    /// An owned `'static` copy.
    pub fn into_owned(self) -> FunctionCall<'static> {
        FunctionCall {
            name: cow::own(self.name),
            arguments: self.arguments.map(Arguments::into_owned),
        }
    }
}
