//! The response object (`POST /responses` body, and the `response` of the
//! lifecycle stream events).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `Vec` fields that may be `null` or missing on the wire.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A Responses `response` object (the fields the conversion reads).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Response {
    /// `resp_…`.
    #[serde(default)]
    pub id: Option<String>,
    /// `completed`, `incomplete`, `failed`, `cancelled`, `in_progress`, `queued`, …
    #[serde(default)]
    pub status: Option<String>,
    /// Why the response failed.
    #[serde(default)]
    pub error: Option<ResponseErrorBody>,
    /// Why the response is incomplete.
    #[serde(default)]
    pub incomplete_details: Option<IncompleteDetails>,
    /// The model that answered.
    #[serde(default)]
    pub model: Option<String>,
    /// Output items in order.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub output: Vec<OutputItem>,
    /// Token usage.
    #[serde(default)]
    pub usage: Option<ResponseUsage>,
    /// The tier that served the request.
    #[serde(default)]
    pub service_tier: Option<String>,
    /// The echoed reasoning config (`{effort, summary}`), or — mistral.rs —
    /// the reasoning text itself as a string.
    #[serde(default)]
    pub reasoning: Option<Value>,
}

/// `error` of a failed response (`{code, message}`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ResponseErrorBody {
    /// `server_error`, `rate_limit_exceeded`, `invalid_prompt`, …
    #[serde(default)]
    pub code: Option<String>,
    /// Human-readable message.
    #[serde(default)]
    pub message: Option<String>,
}

/// `incomplete_details: {reason}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct IncompleteDetails {
    /// `max_output_tokens` or `content_filter` (others kept).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One output item. A flat struct rather than an enum, so item types this
/// crate does not model still decode (their `kind` says what they are).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OutputItem {
    /// `message`, `reasoning`, `function_call`, `web_search_call`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Item id.
    #[serde(default)]
    pub id: Option<String>,
    /// Item status.
    #[serde(default)]
    pub status: Option<String>,
    /// `message`: output_text / refusal parts. `reasoning`: reasoning_text parts.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub content: Vec<OutputPart>,
    /// `reasoning`: summary_text parts.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub summary: Vec<OutputPart>,
    /// `reasoning`: the encrypted reasoning.
    #[serde(default)]
    pub encrypted_content: Option<String>,
    /// `function_call`: the call id.
    #[serde(default)]
    pub call_id: Option<String>,
    /// `function_call`: the tool name.
    #[serde(default)]
    pub name: Option<String>,
    /// `function_call`: the arguments as JSON text (some servers send an object).
    #[serde(default)]
    pub arguments: Option<Value>,
    /// `web_search_call`: `{type: search, query?, queries?, sources?} | open_page | find_in_page`.
    #[serde(default)]
    pub action: Option<Value>,
}

impl OutputItem {
    /// The function-call arguments as JSON text (an object is serialized).
    pub fn arguments_text(&self) -> String {
        match &self.arguments {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }
    }
}

/// A content, summary or reasoning part.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OutputPart {
    /// `output_text`, `refusal`, `summary_text`, `reasoning_text`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The text (`output_text`, `summary_text`, `reasoning_text`).
    #[serde(default)]
    pub text: Option<String>,
    /// The refusal text (`refusal`).
    #[serde(default)]
    pub refusal: Option<String>,
    /// `output_text` annotations.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub annotations: Vec<Value>,
}

/// Responses usage.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ResponseUsage {
    /// Input tokens, cached ones included.
    #[serde(default)]
    pub input_tokens: Option<u64>,
    /// `{cached_tokens, cache_write_tokens}`.
    #[serde(default)]
    pub input_tokens_details: Option<InputTokensDetails>,
    /// Output tokens, reasoning included.
    #[serde(default)]
    pub output_tokens: Option<u64>,
    /// `{reasoning_tokens}`.
    #[serde(default)]
    pub output_tokens_details: Option<OutputTokensDetailsIn>,
}

/// `input_tokens_details`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct InputTokensDetails {
    /// Tokens read from the prompt cache.
    #[serde(default)]
    pub cached_tokens: Option<u64>,
    /// Tokens written to the prompt cache.
    #[serde(default)]
    pub cache_write_tokens: Option<u64>,
}

/// `output_tokens_details`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OutputTokensDetailsIn {
    /// Reasoning tokens (part of `output_tokens`).
    #[serde(default)]
    pub reasoning_tokens: Option<u64>,
}

/// The body of `POST /responses/input_tokens`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct InputTokensResponse {
    /// The count.
    pub input_tokens: u64,
}
