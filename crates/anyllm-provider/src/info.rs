//! What a provider is: its name, wire API, default endpoint and environment variables.

use std::fmt;

/// The wire API a provider speaks natively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiFamily {
    /// The Anthropic Messages API (no conversion).
    AnthropicMessages,
    /// OpenAI Chat Completions and the OpenAI-compatible servers.
    OpenAiChat,
    /// The OpenAI Responses API.
    OpenAiResponses,
    /// Google Gemini `generateContent`.
    Gemini,
    /// Ollama's native `/api/chat`.
    OllamaChat,
    /// Cohere v2 chat.
    CohereChat,
    /// AWS Bedrock Converse.
    BedrockConverse,
    /// Any other API, named.
    Other(&'static str),
}

impl ApiFamily {
    /// The family's stable name, as used in the recorded fixtures' `api` field
    /// (`anthropic-messages`, `openai-chat`, `gemini`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AnthropicMessages => "anthropic-messages",
            Self::OpenAiChat => "openai-chat",
            Self::OpenAiResponses => "openai-responses",
            Self::Gemini => "gemini",
            Self::OllamaChat => "ollama-chat",
            Self::CohereChat => "cohere-chat",
            Self::BedrockConverse => "bedrock-converse",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for ApiFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a provider needs an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPolicy {
    /// A key is required; calling without one is [`crate::Error::MissingApiKey`].
    Required,
    /// A key is sent when configured (e.g. local servers behind an optional proxy).
    Optional,
    /// The provider takes no key.
    None,
}

/// Static description of a provider.
///
/// ```
/// use anyllm_provider::{ApiFamily, KeyPolicy, ProviderInfo};
/// const INFO: ProviderInfo = ProviderInfo {
///     name: "groq",
///     family: ApiFamily::OpenAiChat,
///     default_base_url: "https://api.groq.com/openai/v1",
///     key_env: &["GROQ_API_KEY"],
///     base_url_env: Some("GROQ_BASE_URL"),
///     key_policy: KeyPolicy::Required,
/// };
/// assert_eq!(INFO.family.as_str(), "openai-chat");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderInfo {
    /// The name used in `provider:model` (lower case, e.g. `anthropic`, `openai`, `gemini`).
    pub name: &'static str,
    /// The wire API the provider speaks.
    pub family: ApiFamily,
    /// The base URL used when neither an explicit `api_base` nor the base-URL
    /// env var is set. Conventions are the provider's own SDK's: Anthropic's
    /// base has no `/v1`, OpenAI-compatible bases end with the version path.
    pub default_base_url: &'static str,
    /// Environment variables holding the key, tried in order (the first is the
    /// one named in a missing-key error).
    pub key_env: &'static [&'static str],
    /// Environment variable overriding the base URL.
    pub base_url_env: Option<&'static str>,
    /// Whether a key is required.
    pub key_policy: KeyPolicy,
}
