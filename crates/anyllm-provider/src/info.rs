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

/// Static description of a provider. Built with the `const` constructor
/// [`ProviderInfo::new`] (and [`ProviderInfo::with_base_url_env`]), so
/// fields can be added without breaking provider tables.
///
/// ```
/// use anyllm_provider::{ApiFamily, KeyPolicy, ProviderInfo};
/// const INFO: ProviderInfo = ProviderInfo::new(
///     "groq",
///     ApiFamily::OpenAiChat,
///     "https://api.groq.com/openai/v1",
///     &["GROQ_API_KEY"],
///     KeyPolicy::Required,
/// )
/// .with_base_url_env(Some("GROQ_BASE_URL"));
/// assert_eq!(INFO.family.as_str(), "openai-chat");
/// assert_eq!(INFO.base_url_env, Some("GROQ_BASE_URL"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
    /// Other names of the base-URL variable, tried in order after
    /// [`ProviderInfo::base_url_env`] (e.g. the `*_API_BASE` names any-llm
    /// reads), so an environment set up for another library keeps working.
    pub base_url_env_aliases: &'static [&'static str],
    /// Whether a key is required.
    pub key_policy: KeyPolicy,
    /// Other environment variables the provider reads for its settings
    /// (project, region, resource, credential chain…), listed by
    /// `anyllm providers`; empty for most providers.
    pub settings_env: &'static [&'static str],
}

impl ProviderInfo {
    /// A description with no base-URL environment variable.
    pub const fn new(
        name: &'static str,
        family: ApiFamily,
        default_base_url: &'static str,
        key_env: &'static [&'static str],
        key_policy: KeyPolicy,
    ) -> Self {
        Self {
            name,
            family,
            default_base_url,
            key_env,
            base_url_env: None,
            base_url_env_aliases: &[],
            key_policy,
            settings_env: &[],
        }
    }

    /// Sets the other environment variables the provider reads (see
    /// [`ProviderInfo::settings_env`]).
    pub const fn with_settings_env(mut self, env: &'static [&'static str]) -> Self {
        self.settings_env = env;
        self
    }

    /// Sets the environment variable overriding the base URL.
    pub const fn with_base_url_env(mut self, env: Option<&'static str>) -> Self {
        self.base_url_env = env;
        self
    }

    /// Sets the other accepted names of the base-URL variable, tried in
    /// order after [`ProviderInfo::base_url_env`].
    ///
    /// ```
    /// use anyllm_provider::{ApiFamily, KeyPolicy, ProviderInfo};
    /// const INFO: ProviderInfo = ProviderInfo::new(
    ///     "groq", ApiFamily::OpenAiChat, "https://api.groq.com/openai/v1",
    ///     &["GROQ_API_KEY"], KeyPolicy::Required,
    /// )
    /// .with_base_url_env(Some("GROQ_BASE_URL"))
    /// .with_base_url_env_aliases(&["GROQ_API_BASE"]);
    /// assert_eq!(INFO.base_url_env_aliases, ["GROQ_API_BASE"]);
    /// ```
    pub const fn with_base_url_env_aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.base_url_env_aliases = aliases;
        self
    }
}
