//! Providers that serve the Anthropic Messages API on their own endpoint
//! (for Claude Code and the Anthropic SDKs): no conversion at all.
//!
//! One table ([`COMPATIBLE`]) describes them, like the OpenAI-compatible
//! one: name (`<provider>-anthropic`), default base URL (without `/v1`, as
//! the Anthropic SDK takes it), key and base-URL environment variables, how
//! the key is sent, and the endpoint's documented limits ([`Limits`]) as
//! data. A request that uses a documented-unsupported field is refused
//! before sending with `Unsupported` naming the field; everything else goes
//! out exactly as [`AnthropicProvider`] sends it, and replies and stream
//! events come back through the same code path.
//!
//! Only endpoints confirmed from the provider's own docs or public SDK
//! sources are listed; each row names its source. `anthropic-compatible`
//! takes any base URL (`ANTHROPIC_COMPATIBLE_BASE_URL`): a local vLLM,
//! llama.cpp or Ollama, a company gateway.
//!
//! ```
//! use anyllm_anthropic::compatible::{spec, AnthropicCompatible};
//! use anyllm_provider::{ApiKey, CallContext, Provider};
//!
//! let deepseek = AnthropicCompatible::new(*spec("deepseek-anthropic").unwrap());
//! let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "deepseek-chat", "max_tokens": 64,
//!     "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let mut ctx = CallContext::new("https://api.deepseek.com/anthropic");
//! ctx.api_key = Some(ApiKey::new("sk-test"));
//! deepseek.validate(&params, &ctx).unwrap();
//! let req = deepseek.build_request(&params, &ctx).unwrap();
//! assert_eq!(req.uri(), "https://api.deepseek.com/anthropic/v1/messages");
//! assert_eq!(req.headers()["x-api-key"], "sk-test");
//!
//! // DeepSeek documents `top_k` as ignored: refused rather than lost.
//! let with_top_k: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "deepseek-chat", "max_tokens": 64, "top_k": 5,
//!     "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let err = deepseek.validate(&with_top_k, &ctx).unwrap_err();
//! assert!(err.to_string().contains("top_k"));
//! ```

use std::sync::Arc;

use anyllm_provider::validate::validate_portable;
use anyllm_provider::{ApiFamily, CallContext, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter};
use bytes::Bytes;
use messages_convert::capabilities::{check_capabilities, Capabilities, Support};
use messages_convert::ConvertError;
use messages_types::{
    CountTokensParams, CountTokensResponse, Message, MessageContent, MessageCreateParams, Tool,
};

use crate::provider::{AnthropicAuth, AnthropicProvider};

/// What an Anthropic-compatible endpoint documents it cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The top-level request features (`top_k`, `container`, `mcp_servers`,
    /// …), checked by the shared capability check
    /// ([`messages_convert::capabilities::check_capabilities`]).
    pub capabilities: Capabilities,
    /// `stop_sequences` is honoured.
    pub stop_sequences: bool,
    /// Beta features (the call's betas or an `anthropic-beta` header) are honoured.
    pub betas: bool,
    /// Anthropic's server tools (`web_search_*`, `code_execution_*`, … —
    /// every non-custom tool) are honoured.
    pub server_tools: bool,
    /// Content-block types refused in `messages` (e.g. `image`, `document`).
    pub unsupported_blocks: &'static [&'static str],
}

impl Limits {
    /// No limits: the endpoint is assumed to carry the whole API (a gateway
    /// in front of Anthropic; the generic `anthropic-compatible` row).
    pub const NONE: Self = Self {
        capabilities: Capabilities::ALL,
        stop_sequences: true,
        betas: true,
        server_tools: true,
        unsupported_blocks: &[],
    };

    /// A third-party model server: Anthropic's own platform features
    /// (code-execution containers, the MCP connector, context editing, data
    /// residency, server tools, betas) have nothing behind them there.
    pub const THIRD_PARTY: Self = Self {
        capabilities: Capabilities::ALL
            .container(Support::Unsupported)
            .mcp_servers(Support::Unsupported)
            .context_management(Support::Unsupported)
            .inference_geo(Support::Unsupported),
        stop_sequences: true,
        betas: false,
        server_tools: false,
        unsupported_blocks: &[],
    };
}

/// One Anthropic-compatible endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompatibleSpec {
    /// Name used in `provider:model` (`<provider>-anthropic`).
    pub name: &'static str,
    /// Base URL without `/v1` (`""`: none, the caller must give one).
    pub default_base_url: &'static str,
    /// Env vars holding the key, tried in order.
    pub key_env: &'static [&'static str],
    /// Env var overriding the base URL.
    pub base_url_env: &'static str,
    /// Other accepted names of the base-URL variable (after `base_url_env`).
    pub base_url_env_aliases: &'static [&'static str],
    /// Whether a key is required.
    pub key_policy: KeyPolicy,
    /// How the key is sent (`x-api-key` or `authorization: Bearer`).
    pub auth: AnthropicAuth,
    /// What the endpoint documents it cannot carry.
    pub limits: Limits,
}

/// A hosted endpoint with a required key.
const fn hosted(
    name: &'static str,
    default_base_url: &'static str,
    key_env: &'static [&'static str],
    base_url_env: &'static str,
    auth: AnthropicAuth,
    limits: Limits,
) -> CompatibleSpec {
    CompatibleSpec {
        name,
        default_base_url,
        key_env,
        base_url_env,
        base_url_env_aliases: &[],
        key_policy: KeyPolicy::Required,
        auth,
        limits,
    }
}

/// A local server: key optional, sent as a bearer token when set.
const fn local(
    name: &'static str,
    default_base_url: &'static str,
    key_env: &'static [&'static str],
    base_url_env: &'static str,
) -> CompatibleSpec {
    CompatibleSpec {
        key_policy: KeyPolicy::Optional,
        ..hosted(
            name,
            default_base_url,
            key_env,
            base_url_env,
            AnthropicAuth::Bearer,
            Limits::THIRD_PARTY,
        )
    }
}

/// Every Anthropic-compatible endpoint.
pub const COMPATIBLE: &[CompatibleSpec] = &[
    // https://api-docs.deepseek.com/guides/anthropic_api — `x-api-key`;
    // `anthropic-beta` ignored; `top_k`, `container`, `mcp_servers` ignored;
    // image, document and search_result blocks "Not Supported";
    // `service_tier` ignored (a hint); `metadata.user_id` supported.
    CompatibleSpec {
        base_url_env_aliases: &["DEEPSEEK_ANTHROPIC_API_BASE"],
        ..hosted(
            "deepseek-anthropic",
            "https://api.deepseek.com/anthropic",
            &["DEEPSEEK_API_KEY"],
            "DEEPSEEK_ANTHROPIC_BASE_URL",
            AnthropicAuth::ApiKey,
            Limits {
                capabilities: Limits::THIRD_PARTY
                    .capabilities
                    .top_k(Support::Unsupported)
                    .service_tier(Support::Ignored)
                    .zero_max_tokens(Support::Unsupported),
                unsupported_blocks: &["image", "document", "search_result"],
                ..Limits::THIRD_PARTY
            },
        )
    },
    // https://platform.moonshot.ai/docs (Kimi API: "compatible with both the
    // OpenAI and Anthropic APIs"); Anthropic route `https://api.moonshot.ai/anthropic`
    // (`/anthropic/v1/messages`), key sent as a bearer token in Moonshot's
    // Claude Code setup. No field-level limits documented.
    hosted(
        "moonshot-anthropic",
        "https://api.moonshot.ai/anthropic",
        &["MOONSHOT_API_KEY"],
        "MOONSHOT_ANTHROPIC_BASE_URL",
        AnthropicAuth::Bearer,
        Limits::THIRD_PARTY,
    ),
    // https://docs.z.ai/devpack/tool/claude (Claude Code setup:
    // `ANTHROPIC_BASE_URL=https://api.z.ai/api/anthropic`, key as
    // `ANTHROPIC_AUTH_TOKEN`); also rig-core `providers/zai.rs`
    // `ANTHROPIC_API_BASE_URL`. No field-level limits documented.
    hosted(
        "zai-anthropic",
        "https://api.z.ai/api/anthropic",
        &["ZAI_API_KEY"],
        "ZAI_ANTHROPIC_BASE_URL",
        AnthropicAuth::Bearer,
        Limits::THIRD_PARTY,
    ),
    // https://platform.minimax.io/docs/api-reference/text-anthropic-api —
    // messages: "text and tool calls, no image/document input"; `top_k`,
    // `stop_sequences`, `mcp_servers`, `context_management`, `container`
    // ignored; `service_tier` ignored (a hint). Bearer auth
    // (https://platform.minimax.io/docs/api-reference/text-chat-anthropic).
    hosted(
        "minimax-anthropic",
        "https://api.minimax.io/anthropic",
        &["MINIMAX_API_KEY"],
        "MINIMAX_ANTHROPIC_BASE_URL",
        AnthropicAuth::Bearer,
        Limits {
            capabilities: Limits::THIRD_PARTY
                .capabilities
                .top_k(Support::Unsupported)
                .service_tier(Support::Ignored),
            stop_sequences: false,
            unsupported_blocks: &["image", "document"],
            ..Limits::THIRD_PARTY
        },
    ),
    // Meta's Model API, Anthropic endpoint (https://dev.meta.ai/docs; any-llm
    // `providers/meta/meta.py`: bare host `https://api.meta.ai`, bearer token,
    // `stop_sequences` and `top_k` documented to 400, `context_management` and
    // betas not supported).
    hosted(
        "meta-anthropic",
        "https://api.meta.ai",
        &["MODEL_API_KEY", "META_API_KEY"],
        "META_ANTHROPIC_BASE_URL",
        AnthropicAuth::Bearer,
        Limits {
            capabilities: Limits::THIRD_PARTY.capabilities.top_k(Support::Unsupported),
            stop_sequences: false,
            ..Limits::THIRD_PARTY
        },
    ),
    // https://docs.ollama.com/api/anthropic-compatibility — base
    // `http://localhost:11434` (no `/v1`); local key ignored, Ollama's cloud
    // (`https://ollama.com`) takes only `authorization: Bearer`.
    local(
        "ollama-anthropic",
        "http://localhost:11434",
        &["OLLAMA_API_KEY"],
        "OLLAMA_ANTHROPIC_BASE_URL",
    ),
    // https://docs.vllm.ai/en/stable/api/vllm/entrypoints/anthropic/serving/ —
    // `vllm serve` answers `POST /v1/messages` (AnthropicServingMessages);
    // `--api-key` is checked as a bearer token.
    local(
        "vllm-anthropic",
        "http://localhost:8000",
        &["VLLM_API_KEY"],
        "VLLM_ANTHROPIC_BASE_URL",
    ),
    // https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md
    // ("POST /v1/messages: Anthropic-compatible Messages API", PR #17570).
    local(
        "llamacpp-anthropic",
        "http://127.0.0.1:8080",
        &["LLAMACPP_API_KEY"],
        "LLAMACPP_ANTHROPIC_BASE_URL",
    ),
    // Any Anthropic-format endpoint (a gateway, a local server): no limits
    // assumed; key optional, sent as `x-api-key`.
    CompatibleSpec {
        key_policy: KeyPolicy::Optional,
        ..hosted(
            "anthropic-compatible",
            "",
            &["ANTHROPIC_COMPATIBLE_API_KEY"],
            "ANTHROPIC_COMPATIBLE_BASE_URL",
            AnthropicAuth::ApiKey,
            Limits::NONE,
        )
    },
];

/// The row of the Anthropic-compatible provider named `name`.
///
/// ```
/// let s = anyllm_anthropic::compatible::spec("minimax-anthropic").unwrap();
/// assert_eq!(s.default_base_url, "https://api.minimax.io/anthropic");
/// assert!(!s.limits.stop_sequences);
/// ```
pub fn spec(name: &str) -> Option<&'static CompatibleSpec> {
    COMPATIBLE.iter().find(|s| s.name == name)
}

/// An Anthropic-compatible endpoint: [`AnthropicProvider`]'s wire code under
/// the row's name, URL, variables and auth, plus the row's [`Limits`].
#[derive(Debug, Clone)]
pub struct AnthropicCompatible {
    spec: CompatibleSpec,
    inner: AnthropicProvider,
}

impl AnthropicCompatible {
    /// The provider for a table row.
    pub fn new(spec: CompatibleSpec) -> Self {
        let info = ProviderInfo::new(
            spec.name,
            ApiFamily::AnthropicMessages,
            spec.default_base_url,
            spec.key_env,
            spec.key_policy,
        )
        .with_base_url_env(Some(spec.base_url_env))
        .with_base_url_env_aliases(spec.base_url_env_aliases);
        Self {
            spec,
            inner: AnthropicProvider::new().with_info(info).with_auth(spec.auth),
        }
    }

    /// The row this provider was built from.
    pub fn spec(&self) -> &CompatibleSpec {
        &self.spec
    }

    fn unsupported(&self, field: impl Into<String>) -> Error {
        ConvertError::unsupported(self.spec.name, field).into()
    }

    fn base_url_present(&self, ctx: &CallContext) -> Result<(), Error> {
        if ctx.base_url.is_empty() {
            return Err(Error::InvalidConfig(format!(
                "provider `{}` has no default base URL: pass api_base or set {}",
                self.spec.name, self.spec.base_url_env
            )));
        }
        Ok(())
    }

    fn check_limits(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<(), Error> {
        let limits = &self.spec.limits;
        check_capabilities(self.spec.name, &limits.capabilities, params)?;
        if !limits.stop_sequences && params.stop_sequences.as_ref().is_some_and(|s| !s.is_empty()) {
            return Err(self.unsupported("stop_sequences"));
        }
        if !limits.betas && !crate::validate::call_betas(ctx).is_empty() {
            return Err(self.unsupported("betas"));
        }
        if !limits.server_tools {
            let tools = params.tools.as_deref().unwrap_or_default();
            if let Some(i) = tools.iter().position(|t| matches!(t, Tool::Builtin(_))) {
                return Err(self.unsupported(format!("tools[{i}]")));
            }
        }
        if !limits.unsupported_blocks.is_empty() {
            for (m, message) in params.messages.iter().enumerate() {
                let MessageContent::Blocks(blocks) = &message.content else {
                    continue;
                };
                for (b, block) in blocks.iter().enumerate() {
                    if limits.unsupported_blocks.contains(&block.type_name()) {
                        return Err(self.unsupported(format!("messages[{m}].content[{b}]")));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Provider for AnthropicCompatible {
    fn info(&self) -> &ProviderInfo {
        self.inner.info()
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        self.base_url_present(ctx)?;
        self.inner.build_request(params, ctx)
    }

    /// The portable checks, then the row's documented [`Limits`] (typed
    /// `Unsupported` naming the field). The Anthropic API's own numeric
    /// limits (thinking budget, tool-name pattern) are not applied: each
    /// endpoint enforces its own.
    fn validate(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<(), Error> {
        validate_portable(params)?;
        self.check_limits(params, ctx)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        self.inner.parse_response(params, response)
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        self.inner.stream_converter(params)
    }

    /// As the row's [`Limits::betas`] says.
    fn honours_betas(&self) -> bool {
        self.spec.limits.betas
    }

    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        self.base_url_present(ctx)?;
        self.inner.build_count_tokens_request(params, ctx)
    }

    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        self.inner.parse_count_tokens(response)
    }
}

/// Every row of [`COMPATIBLE`] as a provider, for the `anyllm` registry.
pub fn providers() -> Vec<Arc<dyn Provider>> {
    COMPATIBLE
        .iter()
        .map(|s| Arc::new(AnthropicCompatible::new(*s)) as Arc<dyn Provider>)
        .collect()
}
