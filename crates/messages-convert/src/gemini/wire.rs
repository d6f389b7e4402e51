//! Typed serde structs for the Gemini `generateContent` wire format (the parts
//! this crate converts). Unknown response fields are ignored; unknown enum
//! values (`finishReason`, `blockReason`, roles, modes) are kept as `Other`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Defines a string enum that keeps unknown values as `Other(String)`.
macro_rules! gemini_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know; kept verbatim.
            Other(String),
        }

        impl $name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(s) => s.as_str(),
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

gemini_enum! {
    /// Author of a `Content`.
    pub enum Role {
        /// The caller.
        User = "user",
        /// The model.
        Model = "model",
    }
}

gemini_enum! {
    /// Why a candidate stopped.
    pub enum FinishReason {
        /// Unspecified.
        Unspecified = "FINISH_REASON_UNSPECIFIED",
        /// Natural stop or a stop sequence.
        Stop = "STOP",
        /// `maxOutputTokens` reached.
        MaxTokens = "MAX_TOKENS",
        /// Safety filter.
        Safety = "SAFETY",
        /// Recitation filter.
        Recitation = "RECITATION",
        /// Unsupported language.
        Language = "LANGUAGE",
        /// Other reason.
        OtherReason = "OTHER",
        /// Forbidden terms.
        Blocklist = "BLOCKLIST",
        /// Prohibited content.
        ProhibitedContent = "PROHIBITED_CONTENT",
        /// Sensitive personally identifiable information.
        Spii = "SPII",
        /// The model produced an invalid function call.
        MalformedFunctionCall = "MALFORMED_FUNCTION_CALL",
        /// Image generation stopped for safety.
        ImageSafety = "IMAGE_SAFETY",
        /// Image generation stopped for prohibited content.
        ImageProhibitedContent = "IMAGE_PROHIBITED_CONTENT",
        /// Image generation stopped for recitation.
        ImageRecitation = "IMAGE_RECITATION",
        /// Image generation stopped for another reason.
        ImageOther = "IMAGE_OTHER",
        /// The model called a tool it was not given.
        UnexpectedToolCall = "UNEXPECTED_TOOL_CALL",
        /// Too many tool calls in a row.
        TooManyToolCalls = "TOO_MANY_TOOL_CALLS",
    }
}

gemini_enum! {
    /// Why the prompt was blocked.
    pub enum BlockReason {
        /// Unspecified.
        Unspecified = "BLOCK_REASON_UNSPECIFIED",
        /// Safety filter.
        Safety = "SAFETY",
        /// Other reason.
        OtherReason = "OTHER",
        /// Forbidden terms.
        Blocklist = "BLOCKLIST",
        /// Prohibited content.
        ProhibitedContent = "PROHIBITED_CONTENT",
        /// Image safety filter.
        ImageSafety = "IMAGE_SAFETY",
    }
}

gemini_enum! {
    /// `functionCallingConfig.mode`.
    pub enum FunctionCallingMode {
        /// The model decides.
        Auto = "AUTO",
        /// The model must call a function.
        Any = "ANY",
        /// The model must not call functions.
        None = "NONE",
        /// Calls, when made, are constrained to the declared schema.
        Validated = "VALIDATED",
    }
}

/// Inline bytes: `{mimeType, data}` (`data` base64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Blob {
    /// MIME type.
    pub mime_type: String,
    /// Base64 data.
    pub data: String,
}

/// A file by URI: `{mimeType?, fileUri}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileData {
    /// MIME type, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The file URI (Files API URI, `gs://` or `https://`).
    pub file_uri: String,
}

/// `functionCall`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    /// Call id (absent on most Gemini 2.x responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Function name.
    pub name: String,
    /// Arguments object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
}

/// `functionResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionResponse {
    /// The id of the call this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Function name.
    pub name: String,
    /// The result object.
    pub response: Value,
    /// Multimodal result parts (images, documents), Gemini 3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
}

/// `executableCode` (built-in code execution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutableCode {
    /// Language, `PYTHON`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The code.
    pub code: String,
    /// Id linking it to its result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// `codeExecutionResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeExecutionResult {
    /// `OUTCOME_OK`, `OUTCOME_FAILED`, `OUTCOME_DEADLINE_EXCEEDED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Standard output (or the error on failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Id of the `executableCode` this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One part of a `Content`. Exactly one data field is set; `thought` and
/// `thoughtSignature` may accompany any of them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    /// Text (thought text when `thought` is true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Inline bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_data: Option<Blob>,
    /// A file by URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_data: Option<FileData>,
    /// A function call (model side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_call: Option<FunctionCall>,
    /// A function result (user side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_response: Option<FunctionResponse>,
    /// Code the model ran with the code-execution tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable_code: Option<ExecutableCode>,
    /// The result of that code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_execution_result: Option<CodeExecutionResult>,
    /// `true` for thought (reasoning summary) text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thought: Option<bool>,
    /// Opaque signature that must be sent back on this same part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thought_signature: Option<String>,
}

impl Part {
    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }

    /// `true` when this is thought text.
    pub fn is_thought(&self) -> bool {
        self.thought == Some(true)
    }
}

/// A turn: `{role, parts}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Content {
    /// `user` or `model` (absent in `systemInstruction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The parts.
    #[serde(default)]
    pub parts: Vec<Part>,
}

/// A declared function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionDeclaration {
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The input as full JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters_json_schema: Option<Value>,
}

/// One entry of `tools`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    /// Client functions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub function_declarations: Vec<FunctionDeclaration>,
    /// The built-in code-execution tool (`{}` enables it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_execution: Option<serde_json::Map<String, Value>>,
    /// Grounding with Google Search (`{}` enables it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_search: Option<serde_json::Map<String, Value>>,
}

/// `functionCallingConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionCallingConfig {
    /// The mode.
    pub mode: FunctionCallingMode,
    /// With `ANY`: the functions the model may call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_function_names: Vec<String>,
}

/// `toolConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolConfig {
    /// Function-calling settings.
    pub function_calling_config: FunctionCallingConfig,
}

/// `thinkingConfig`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThinkingConfig {
    /// Return thought summaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_thoughts: Option<bool>,
    /// Token budget (`0` off, `-1` dynamic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_budget: Option<i64>,
    /// Gemini 3 level: `minimal`, `low`, `medium`, `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_level: Option<String>,
}

/// `generationConfig`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationConfig {
    /// Stop sequences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<Vec<String>>,
    /// Output MIME type (`application/json` for structured output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_mime_type: Option<String>,
    /// Output JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_json_schema: Option<Value>,
    /// Output token limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// Temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Top-k sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Thinking settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_config: Option<ThinkingConfig>,
}

impl GenerationConfig {
    /// `true` when no field is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The body of `models/{model}:generateContent` and `:streamGenerateContent`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentRequest {
    /// The conversation.
    pub contents: Vec<Content>,
    /// The system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_instruction: Option<Content>,
    /// Tools.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    /// Tool-use settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<ToolConfig>,
    /// Sampling, limits, thinking, structured output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation_config: Option<GenerationConfig>,
}

/// The body of `models/{model}:countTokens`: the whole request nested under
/// `generateContentRequest` (with its `model`, `models/…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountTokensRequest {
    /// The request to count.
    pub generate_content_request: CountedRequest,
}

/// A [`GenerateContentRequest`] with its model, as `countTokens` wants it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountedRequest {
    /// `models/{model}`.
    pub model: String,
    /// The request.
    #[serde(flatten)]
    pub request: GenerateContentRequest,
}

/// The response of `countTokens`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountTokensResponse {
    /// Tokens of the whole request.
    #[serde(default)]
    pub total_tokens: u64,
    /// Tokens served from cached content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_content_token_count: Option<u64>,
}

/// One response candidate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// The generated content (absent when blocked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    /// Why it stopped (last stream chunk only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// Human-readable detail of the finish reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_message: Option<String>,
    /// Candidate index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Google Search grounding: the queries run and the pages used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grounding_metadata: Option<GroundingMetadata>,
}

/// `groundingMetadata` (the parts this crate converts).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroundingMetadata {
    /// The Google Search queries the model ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub web_search_queries: Vec<String>,
    /// The sources used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounding_chunks: Vec<GroundingChunk>,
}

/// One grounding source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroundingChunk {
    /// A web page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebSource>,
}

/// A web page used for grounding.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WebSource {
    /// Its URI (often a Google redirect URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Its title (often the domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// `promptFeedback`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptFeedback {
    /// Set when the prompt was blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_reason: Option<BlockReason>,
    /// Human-readable detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_reason_message: Option<String>,
}

/// `usageMetadata` (cumulative in streams).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMetadata {
    /// Prompt tokens (cached ones included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_token_count: Option<u64>,
    /// Output tokens, thoughts excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates_token_count: Option<u64>,
    /// Thinking tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thoughts_token_count: Option<u64>,
    /// Prompt tokens read from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_content_token_count: Option<u64>,
    /// Tokens of tool results fed back (code execution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use_prompt_token_count: Option<u64>,
    /// Total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_token_count: Option<u64>,
    /// Tier that served the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
}

/// Response of `generateContent`, and each event of `streamGenerateContent`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentResponse {
    /// Candidates (one unless `candidateCount` was set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
    /// Set when the prompt itself was blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_feedback: Option<PromptFeedback>,
    /// Token usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_metadata: Option<UsageMetadata>,
    /// The model version that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    /// Response id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    /// An error object sent in place of a response (mid-stream errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::gemini::error::GoogleErrorObject>,
}
