//! The `generateContent` response body (also each stream chunk) and `countTokens`'s answer.

use serde::{Deserialize, Serialize};

use super::content::Content;

messages_types::open_enum! {
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

messages_types::open_enum! {
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
