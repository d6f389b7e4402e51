//! The response `Message`, its stop reason and usage.

use serde::{Deserialize, Serialize};

use crate::common::{Extra, Role};
use crate::content::ContentBlock;
use crate::macros::open_enum;

open_enum! {
    /// Why the model stopped.
    pub enum StopReason {
        /// Natural end of the turn.
        EndTurn = "end_turn",
        /// `max_tokens` reached.
        MaxTokens = "max_tokens",
        /// A custom stop sequence matched (see `stop_sequence`).
        StopSequence = "stop_sequence",
        /// The model called a tool.
        ToolUse = "tool_use",
        /// A long-running turn was paused; send it back to continue.
        PauseTurn = "pause_turn",
        /// The model declined to answer.
        Refusal = "refusal",
        /// The context window filled up.
        ModelContextWindowExceeded = "model_context_window_exceeded",
    }
}

/// Details of why the model stopped (e.g. a refusal's category).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopDetails {
    /// Kind of details, e.g. `refusal`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Refusal category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Human-readable explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The code-execution container used by a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// Container id.
    pub id: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Prompt-cache writes by TTL.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CacheCreation {
    /// Tokens written with the 5-minute TTL.
    #[serde(default)]
    pub ephemeral_5m_input_tokens: u64,
    /// Tokens written with the 1-hour TTL.
    #[serde(default)]
    pub ephemeral_1h_input_tokens: u64,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Server-tool request counts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServerToolUsage {
    /// Web searches made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_search_requests: Option<u64>,
    /// Web fetches made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_fetch_requests: Option<u64>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Breakdown of output tokens.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OutputTokensDetails {
    /// Tokens spent thinking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_tokens: Option<u64>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Token usage. In `message_delta` events every count is cumulative, and a
/// count that is present overwrites the accumulated one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens not read from or written to the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Input tokens written to the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    /// Input tokens read from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
    /// Cache writes by TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<CacheCreation>,
    /// Server-tool request counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_tool_use: Option<ServerToolUsage>,
    /// Tier that served the request (`standard`, `priority`, `batch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Where inference ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_geo: Option<String>,
    /// Output token breakdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens_details: Option<OutputTokensDetails>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A response of `POST /v1/messages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Message id (`msg_…`).
    pub id: String,
    /// Always `message`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Always `assistant`.
    pub role: Role,
    /// The model that answered.
    pub model: String,
    /// The generated content.
    pub content: Vec<ContentBlock>,
    /// Why the model stopped (`null` in `message_start`).
    pub stop_reason: Option<StopReason>,
    /// Which custom stop sequence matched, if any.
    #[serde(default)]
    pub stop_sequence: Option<String>,
    /// Details about the stop (e.g. refusal category).
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub stop_details: crate::nullable::Nullable<StopDetails>,
    /// The code-execution container, if one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// Token usage.
    pub usage: Usage,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}
