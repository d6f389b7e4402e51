//! The request body of `POST /v1/messages` and `POST /v1/messages/count_tokens`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::{CacheControl, Extra, Role};
use crate::content::{MessageContent, TextBlock};
use crate::macros::{open_enum, tagged_union};
use crate::tool::{Tool, ToolChoice};

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageParam {
    /// `user` or `assistant`.
    pub role: Role,
    /// A string or a list of content blocks.
    pub content: MessageContent,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl MessageParam {
    /// A user turn.
    pub fn user(content: impl Into<MessageContent>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
            extra: Extra::new(),
        }
    }

    /// An assistant turn.
    pub fn assistant(content: impl Into<MessageContent>) -> Self {
        Self {
            role: Role::Assistant,
            content: content.into(),
            extra: Extra::new(),
        }
    }
}

/// The system prompt: a string or a list of text blocks.
///
/// Deserialized by hand (not `untagged`) so that a malformed block reports
/// which block failed and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SystemPrompt {
    /// A plain string.
    Text(String),
    /// Text blocks (each may carry `cache_control`).
    Blocks(Vec<TextBlockParam>),
}

/// A text block of the system prompt (always `type: text`).
pub type TextBlockParam = crate::content::ContentBlock;

impl SystemPrompt {
    /// The system prompt's text; text blocks are joined with `"\n\n"`.
    pub fn text(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Blocks(b) => b
                .iter()
                .filter_map(|b| match b {
                    crate::content::ContentBlock::Text(TextBlock { text, .. }) => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n\n"),
        }
    }
}

impl<'de> Deserialize<'de> for SystemPrompt {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::tagged::deserialize_string_or_seq(d, "a string or an array of text blocks", "system block")
            .map(|v| match v {
                crate::tagged::StringOrSeq::String(s) => Self::Text(s),
                crate::tagged::StringOrSeq::Seq(b) => Self::Blocks(b),
            })
    }
}

impl From<&str> for SystemPrompt {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for SystemPrompt {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

/// `metadata` of a request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metadata {
    /// An opaque end-user identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

open_enum! {
    /// Whether thinking is shown summarized or omitted.
    pub enum ThinkingDisplay {
        /// Summarized thinking text.
        Summarized = "summarized",
        /// Thinking text omitted (signature only).
        Omitted = "omitted",
    }
}

tagged_union! {
    /// Extended-thinking configuration.
    pub enum ThinkingConfig {
        /// Thinking with a token budget.
        Enabled(ThinkingEnabled) = "enabled",
        /// No thinking.
        Disabled(ThinkingDisabled) = "disabled",
        /// The model decides how much to think.
        Adaptive(ThinkingAdaptive) = "adaptive",
    }
}

/// `{"type": "enabled", "budget_tokens": N}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThinkingEnabled {
    /// Token budget for thinking (≥ 1024, below `max_tokens`).
    pub budget_tokens: u32,
    /// How thinking is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<ThinkingDisplay>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"type": "disabled"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ThinkingDisabled {
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"type": "adaptive"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ThinkingAdaptive {
    /// How thinking is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<ThinkingDisplay>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

open_enum! {
    /// `output_config.effort`.
    pub enum Effort {
        /// Low effort.
        Low = "low",
        /// Medium effort.
        Medium = "medium",
        /// High effort.
        High = "high",
        /// Extra-high effort.
        XHigh = "xhigh",
        /// Maximum effort.
        Max = "max",
    }
}

tagged_union! {
    /// The output format requested in `output_config.format` (and the beta `output_format`).
    pub enum OutputFormat {
        /// Output constrained to a JSON schema.
        JsonSchema(JsonSchemaFormat) = "json_schema",
    }
}

/// `{"type": "json_schema", "schema": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonSchemaFormat {
    /// The JSON schema.
    pub schema: Value,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `output_config`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OutputConfig {
    /// How much effort the model spends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
    /// Structured output format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<OutputFormat>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

open_enum! {
    /// Requested service tier.
    pub enum ServiceTierRequest {
        /// Priority capacity when available.
        Auto = "auto",
        /// Standard capacity only.
        StandardOnly = "standard_only",
    }
}

/// Beta: an MCP server the API connects to
/// (`{type: url, url, name, authorization_token?, tool_configuration?}`).
///
/// `Debug` shows `authorization_token` as `<redacted>`: it is a credential.
///
/// ```
/// use messages_types::McpServer;
/// let s: McpServer = serde_json::from_str(
///     r#"{"type":"url","url":"https://mcp.example.com/sse","name":"ex","authorization_token":"tok-123"}"#,
/// ).unwrap();
/// assert_eq!(s.authorization_token.as_ref().map(String::as_str), Some("tok-123"));
/// assert!(!format!("{s:?}").contains("tok-123"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct McpServer {
    /// `url` (the only kind so far; any other is kept).
    #[serde(rename = "type")]
    pub kind: String,
    /// The server's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The name tool calls refer to (`server_name`).
    pub name: String,
    /// OAuth token sent to the server (a secret).
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub authorization_token: crate::nullable::Nullable<String>,
    /// `{enabled?, allowed_tools?}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_configuration: Option<Value>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let token = match &self.authorization_token {
            crate::nullable::Nullable::Absent => "absent",
            crate::nullable::Nullable::Null => "null",
            crate::nullable::Nullable::Value(_) => "<redacted>",
        };
        f.debug_struct("McpServer")
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("name", &self.name)
            .field("authorization_token", &format_args!("{token}"))
            .field("tool_configuration", &self.tool_configuration)
            .field("extra", &self.extra)
            .finish()
    }
}

/// The request body of `POST /v1/messages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageCreateParams {
    /// Model id, e.g. `claude-sonnet-4-5` (or `provider:model` for anyllm routing).
    pub model: String,
    /// Maximum tokens to generate (0 allowed: cache pre-warm).
    pub max_tokens: u32,
    /// The conversation.
    pub messages: Vec<MessageParam>,
    /// System prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemPrompt>,
    /// Custom stop sequences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<Vec<String>>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Top-k sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Stream the response as server-sent events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Request metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Tools the model may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    /// How the model should use tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Extended thinking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingConfig>,
    /// Effort and structured output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_config: Option<OutputConfig>,
    /// Top-level (automatic) prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Requested service tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<ServiceTierRequest>,
    /// Code-execution container id (or container config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Value>,
    /// Where inference runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_geo: Option<String>,
    /// Beta: MCP servers (their `authorization_token` never shows in `Debug`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_servers: Option<Vec<McpServer>>,
    /// Beta: context management.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_management: Option<Value>,
    /// Beta: structured output (precursor of `output_config.format`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_format: Option<OutputFormat>,
    /// Fields not modelled by this crate; sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The request body of `POST /v1/messages/count_tokens`.
///
/// Other request fields the endpoint accepts (e.g. `mcp_servers`) go in
/// `extra`; `Debug` redacts an MCP server's `authorization_token` there.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CountTokensParams {
    /// Model id.
    pub model: String,
    /// The conversation.
    pub messages: Vec<MessageParam>,
    /// System prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemPrompt>,
    /// Tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    /// Tool choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Thinking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingConfig>,
    /// Output config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_config: Option<OutputConfig>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for CountTokensParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut extra = self.extra.clone();
        if let Some(Value::Array(servers)) = extra.get_mut("mcp_servers") {
            for server in servers.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(token @ Value::String(_)) = server.get_mut("authorization_token") {
                    *token = Value::String("<redacted>".to_owned());
                }
            }
        }
        f.debug_struct("CountTokensParams")
            .field("model", &self.model)
            .field("messages", &self.messages)
            .field("system", &self.system)
            .field("tools", &self.tools)
            .field("tool_choice", &self.tool_choice)
            .field("thinking", &self.thinking)
            .field("output_config", &self.output_config)
            .field("extra", &extra)
            .finish()
    }
}

/// The response of `POST /v1/messages/count_tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountTokensResponse {
    /// Tokens the request's input would use.
    pub input_tokens: u64,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}
