//! The provider table: one row per OpenAI-compatible provider.
//!
//! A row is the provider's name, default base URL, key and base-URL
//! environment variables, whether a key is required, how the key is sent,
//! the chat endpoint path, and its [`Dialect`] (max-token field,
//! `stream_options` support, reasoning control and echo field, `<think>`
//! tags, accepted `tool_choice` values, `top_k`, …). Adding a provider is
//! adding a row.

use anyllm_provider::KeyPolicy;
use messages_convert::openai_chat::{Dialect, MaxTokensField, ReasoningControl};

/// How the API key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `authorization: Bearer KEY`.
    Bearer,
    /// The bare key in the named header (Azure `api-key`, Portkey `x-portkey-api-key`).
    Header(&'static str),
}

/// How the request URL is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `{base_url}{chat_path}`.
    Path(&'static str),
    /// Azure OpenAI deployments:
    /// `{endpoint}/openai/deployments/{model}/chat/completions?api-version={version}`.
    AzureDeployment,
    /// Azure AI Model Inference (Foundry models, serverless and managed
    /// endpoints): `{endpoint}{path}?api-version={version}`, the model in the
    /// body. The endpoint is either `https://<resource>.services.ai.azure.com/models`
    /// or a serverless `https://<name>.<region>.models.ai.azure.com`.
    AzureInference(&'static str),
}

/// One OpenAI-compatible provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderSpec {
    /// Name used in `provider:model`.
    pub name: &'static str,
    /// Base URL when neither `api_base` nor the env var is set (`""`: none,
    /// the caller must give one).
    pub default_base_url: &'static str,
    /// Env vars holding the key, tried in order.
    pub key_env: &'static [&'static str],
    /// Env var overriding the base URL.
    pub base_url_env: Option<&'static str>,
    /// Whether a key is required.
    pub key_policy: KeyPolicy,
    /// How the key is sent.
    pub auth: Auth,
    /// How the URL is built.
    pub endpoint: Endpoint,
    /// The provider's quirks.
    pub dialect: Dialect,
}

const CHAT: Endpoint = Endpoint::Path("/chat/completions");

/// A hosted provider with a required bearer key and the generic dialect.
const fn hosted(
    name: &'static str,
    default_base_url: &'static str,
    key_env: &'static [&'static str],
    base_url_env: &'static str,
    dialect: Dialect,
) -> ProviderSpec {
    ProviderSpec {
        name,
        default_base_url,
        key_env,
        base_url_env: Some(base_url_env),
        key_policy: KeyPolicy::Required,
        auth: Auth::Bearer,
        endpoint: CHAT,
        dialect: Dialect {
            provider: name,
            ..dialect
        },
    }
}

/// A local server: key optional, `top_k` accepted (vLLM, llama.cpp, …).
const fn local(
    name: &'static str,
    default_base_url: &'static str,
    key_env: &'static [&'static str],
    base_url_env: &'static str,
) -> ProviderSpec {
    ProviderSpec {
        key_policy: KeyPolicy::Optional,
        ..hosted(name, default_base_url, key_env, base_url_env, WITH_TOP_K)
    }
}

const G: Dialect = Dialect::GENERIC;
/// Servers built on vLLM/SGLang-style samplers accept `top_k`.
const WITH_TOP_K: Dialect = Dialect { top_k: true, ..G };
/// Models that inline reasoning in `<think>` tags.
const THINK_TAGS: Dialect = Dialect {
    think_tags: true,
    ..WITH_TOP_K
};
/// Reasoning returned as `reasoning`, not taken back.
const NO_ECHO: Dialect = Dialect {
    reasoning_echo: None,
    ..G
};

/// Every OpenAI-compatible provider.
pub const PROVIDERS: &[ProviderSpec] = &[
    hosted(
        "openai",
        "https://api.openai.com/v1",
        &["OPENAI_API_KEY"],
        "OPENAI_BASE_URL",
        Dialect::OPENAI,
    ),
    ProviderSpec {
        name: "azureopenai",
        default_base_url: "",
        key_env: &["AZURE_OPENAI_API_KEY"],
        base_url_env: Some("AZURE_OPENAI_ENDPOINT"),
        key_policy: KeyPolicy::Required,
        auth: Auth::Header("api-key"),
        endpoint: Endpoint::AzureDeployment,
        // Azure's api-versions lag OpenAI: `user`, not `safety_identifier`.
        dialect: Dialect {
            provider: "azureopenai",
            user_field: Some("user"),
            ..Dialect::OPENAI
        },
    },
    hosted(
        "groq",
        "https://api.groq.com/openai/v1",
        &["GROQ_API_KEY"],
        "GROQ_BASE_URL",
        NO_ECHO,
    ),
    hosted(
        "deepseek",
        "https://api.deepseek.com",
        &["DEEPSEEK_API_KEY"],
        "DEEPSEEK_BASE_URL",
        Dialect::DEEPSEEK,
    ),
    hosted(
        "mistral",
        "https://api.mistral.ai/v1",
        &["MISTRAL_API_KEY"],
        "MISTRAL_BASE_URL",
        Dialect::MISTRAL,
    ),
    hosted(
        "together",
        "https://api.together.xyz/v1",
        &["TOGETHER_API_KEY"],
        "TOGETHER_BASE_URL",
        Dialect {
            reasoning_echo: None,
            ..WITH_TOP_K
        },
    ),
    hosted(
        "fireworks",
        "https://api.fireworks.ai/inference/v1",
        &["FIREWORKS_API_KEY"],
        "FIREWORKS_BASE_URL",
        WITH_TOP_K,
    ),
    hosted(
        "openrouter",
        "https://openrouter.ai/api/v1",
        &["OPENROUTER_API_KEY"],
        "OPENROUTER_BASE_URL",
        Dialect::OPENROUTER,
    ),
    hosted(
        "xai",
        "https://api.x.ai/v1",
        &["XAI_API_KEY"],
        "XAI_BASE_URL",
        NO_ECHO,
    ),
    hosted(
        "perplexity",
        "https://api.perplexity.ai",
        &["PERPLEXITY_API_KEY"],
        "PERPLEXITY_BASE_URL",
        Dialect {
            stream_usage: false,
            reasoning_echo: None,
            tools: false,
            tool_choice_required: None,
            tool_choice_function: false,
            parallel_tool_calls: false,
            top_k: true,
            ..G
        },
    ),
    hosted(
        "cerebras",
        "https://api.cerebras.ai/v1",
        &["CEREBRAS_API_KEY"],
        "CEREBRAS_BASE_URL",
        Dialect {
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            ..NO_ECHO
        },
    ),
    hosted(
        "sambanova",
        "https://api.sambanova.ai/v1",
        &["SAMBANOVA_API_KEY"],
        "SAMBANOVA_BASE_URL",
        THINK_TAGS,
    ),
    hosted(
        "nebius",
        "https://api.studio.nebius.ai/v1",
        &["NEBIUS_API_KEY"],
        "NEBIUS_BASE_URL",
        WITH_TOP_K,
    ),
    hosted(
        "deepinfra",
        "https://api.deepinfra.com/v1/openai",
        &["DEEPINFRA_API_KEY"],
        "DEEPINFRA_BASE_URL",
        WITH_TOP_K,
    ),
    hosted(
        "moonshot",
        "https://api.moonshot.ai/v1",
        &["MOONSHOT_API_KEY"],
        "MOONSHOT_BASE_URL",
        G,
    ),
    hosted(
        "dashscope",
        "https://dashscope.aliyuncs.com/compatible-mode/v1",
        &["DASHSCOPE_API_KEY"],
        "DASHSCOPE_BASE_URL",
        Dialect {
            reasoning_control: ReasoningControl::EnableThinking,
            ..WITH_TOP_K
        },
    ),
    hosted(
        "zai",
        "https://api.z.ai/api/paas/v4",
        &["ZAI_API_KEY"],
        "ZAI_BASE_URL",
        Dialect {
            reasoning_control: ReasoningControl::DeepSeekThinking,
            ..G
        },
    ),
    hosted(
        "minimax",
        "https://api.minimax.io/v1",
        &["MINIMAX_API_KEY"],
        "MINIMAX_BASE_URL",
        Dialect {
            think_tags: true,
            ..NO_ECHO
        },
    ),
    hosted(
        "inception",
        "https://api.inceptionlabs.ai/v1",
        &["INCEPTION_API_KEY"],
        "INCEPTION_BASE_URL",
        NO_ECHO,
    ),
    hosted(
        "llama",
        "https://api.llama.com/compat/v1",
        &["LLAMA_API_KEY"],
        "LLAMA_BASE_URL",
        NO_ECHO,
    ),
    hosted(
        "github",
        "https://models.github.ai/inference",
        &["GITHUB_TOKEN"],
        "GITHUB_BASE_URL",
        NO_ECHO,
    ),
    hosted(
        "huggingface",
        "https://router.huggingface.co/v1",
        &["HF_TOKEN", "HUGGINGFACE_API_KEY"],
        "HUGGINGFACE_BASE_URL",
        G,
    ),
    ProviderSpec {
        endpoint: Endpoint::Path("/serving-endpoints/chat/completions"),
        ..hosted(
            "databricks",
            "",
            &["DATABRICKS_TOKEN"],
            "DATABRICKS_HOST",
            NO_ECHO,
        )
    },
    ProviderSpec {
        auth: Auth::Header("x-portkey-api-key"),
        ..hosted(
            "portkey",
            "https://api.portkey.ai/v1",
            &["PORTKEY_API_KEY"],
            "PORTKEY_BASE_URL",
            THINK_TAGS,
        )
    },
    hosted(
        "requesty",
        "https://router.requesty.ai/v1",
        &["REQUESTY_API_KEY"],
        "REQUESTY_BASE_URL",
        G,
    ),
    local(
        "lmstudio",
        "http://localhost:1234/v1",
        &["LM_STUDIO_API_KEY"],
        "LM_STUDIO_BASE_URL",
    ),
    local(
        "llamacpp",
        "http://127.0.0.1:8080/v1",
        &["LLAMACPP_API_KEY"],
        "LLAMACPP_BASE_URL",
    ),
    local(
        "llamafile",
        "http://127.0.0.1:8080/v1",
        &["LLAMAFILE_API_KEY"],
        "LLAMAFILE_BASE_URL",
    ),
    local(
        "vllm",
        "http://localhost:8000/v1",
        &["VLLM_API_KEY"],
        "VLLM_BASE_URL",
    ),
    ProviderSpec {
        endpoint: Endpoint::Path("/v1/chat/completions"),
        dialect: Dialect {
            provider: "ollama-openai",
            top_k: false,
            reasoning_echo: None,
            ..G
        },
        ..local(
            "ollama-openai",
            "http://localhost:11434",
            &["OLLAMA_API_KEY"],
            "OLLAMA_HOST",
        )
    },
    // --- Issue 16: the rest of any-llm's reference list (base URLs and key
    // variables from mozilla-ai/any-llm `src/any_llm/providers/registry.py`
    // and `providers/<name>/<name>.py`; each row's own docs page in a comment).
    // https://www.atlascloud.ai/docs
    hosted(
        "atlascloud",
        "https://api.atlascloud.ai/v1",
        &["ATLASCLOUD_API_KEY"],
        "ATLASCLOUD_BASE_URL",
        G,
    ),
    // https://cascadia.to — an on-prem coordinator; no key unless one is set.
    local(
        "cascadia",
        "http://localhost:9090/v1",
        &["CASCADIA_API_KEY"],
        "CASCADIA_BASE_URL",
    ),
    // https://docs.edenai.co (any-llm: `https://api.edenai.run/v3`)
    hosted(
        "edenai",
        "https://api.edenai.run/v3",
        &["EDENAI_API_KEY"],
        "EDENAI_BASE_URL",
        G,
    ),
    // https://docs.gmicloud.ai
    hosted(
        "gmi",
        "https://api.gmi-serving.com/v1",
        &["GMI_API_KEY"],
        "GMI_BASE_URL",
        G,
    ),
    // https://kenari.id/docs
    hosted(
        "kenari",
        "https://kenari.id/v1",
        &["KENARI_API_KEY"],
        "KENARI_BASE_URL",
        G,
    ),
    // https://dev.meta.ai/docs — Meta's Model API, OpenAI endpoint (its
    // Anthropic endpoint is `meta-anthropic` in anyllm-anthropic).
    hosted(
        "meta",
        "https://api.meta.ai/v1",
        &["MODEL_API_KEY", "META_API_KEY"],
        "META_BASE_URL",
        NO_ECHO,
    ),
    // https://docs.neosantara.xyz
    hosted(
        "neosantara",
        "https://api.neosantara.xyz/v1",
        &["NEOSANTARA_API_KEY"],
        "NEOSANTARA_BASE_URL",
        G,
    ),
    // https://developer.qiniu.com/aitokenapi
    hosted(
        "qiniu",
        "https://api.qnaigc.com/v1",
        &["QINIU_API_KEY"],
        "QINIU_BASE_URL",
        G,
    ),
    // https://developers.telnyx.com/docs/inference/getting-started
    hosted(
        "telnyx",
        "https://api.telnyx.com/v2/ai",
        &["TELNYX_API_KEY"],
        "TELNYX_BASE_URL",
        G,
    ),
    // The otari gateway (any-llm `providers/otari/otari.py`): self-hosted, so
    // no default URL; its platform token is a bearer key. The gateway serves
    // `/v1/chat/completions` under its root.
    ProviderSpec {
        endpoint: Endpoint::Path("/v1/chat/completions"),
        ..hosted(
            "otari",
            "",
            &[
                "OTARI_API_KEY",
                "OTARI_AI_TOKEN",
                "OTARI_PLATFORM_TOKEN",
                "GATEWAY_PLATFORM_TOKEN",
            ],
            "OTARI_BASE_URL",
            G,
        )
    },
    // Azure AI Model Inference / Foundry models
    // (https://learn.microsoft.com/azure/ai-foundry/model-inference/reference/reference-model-inference-chat-completions):
    // `{endpoint}/chat/completions?api-version=…`, `api-key` header, or an
    // Entra ID token (`crate::azure_entra_authorizer`). any-llm reads
    // `AZURE_API_KEY` and `AZURE_AI_CHAT_ENDPOINT`.
    ProviderSpec {
        auth: Auth::Header("api-key"),
        endpoint: Endpoint::AzureInference("/chat/completions"),
        ..hosted(
            "azure",
            "",
            &["AZURE_API_KEY", "AZURE_INFERENCE_CREDENTIAL"],
            "AZURE_INFERENCE_ENDPOINT",
            Dialect {
                user_field: Some("user"),
                ..NO_ECHO
            },
        )
    },
    ProviderSpec {
        key_policy: KeyPolicy::Optional,
        ..hosted(
            "openai-compatible",
            "",
            &["OPENAI_COMPATIBLE_API_KEY"],
            "OPENAI_COMPATIBLE_BASE_URL",
            G,
        )
    },
];

/// The row of the provider named `name`.
///
/// ```
/// let groq = anyllm_openai::spec("groq").unwrap();
/// assert_eq!(groq.default_base_url, "https://api.groq.com/openai/v1");
/// assert_eq!(groq.key_env, ["GROQ_API_KEY"]);
/// ```
pub fn spec(name: &str) -> Option<&'static ProviderSpec> {
    PROVIDERS.iter().find(|p| p.name == name)
}
