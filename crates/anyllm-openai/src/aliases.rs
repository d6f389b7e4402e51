//! Other names of the base-URL variables, for users migrating from any-llm
//! (mozilla-ai/any-llm, `src/any_llm/providers/*/*.py` and
//! `providers/registry.py`: each provider's `ENV_API_BASE_NAME`). A row's
//! own variable ([`ProviderSpec::base_url_env`](crate::ProviderSpec)) comes
//! first; these are tried after it, in order. Providers whose any-llm name
//! is the same as ours (`OPENAI_BASE_URL`, `GROQ_BASE_URL`, `ZAI_BASE_URL`,
//! `PERPLEXITY_BASE_URL`, `DATABRICKS_HOST`, `OLLAMA_HOST`,
//! `AZURE_OPENAI_ENDPOINT`) need no entry. Adding one is one line.

/// `(provider, aliases)`: the base-URL variable names any-llm reads.
const BASE_URL_ENV_ALIASES: &[(&str, &[&str])] = &[
    ("deepseek", &["DEEPSEEK_API_BASE"]),
    ("mistral", &["MISTRAL_API_BASE"]),
    ("together", &["TOGETHER_API_BASE"]),
    ("fireworks", &["FIREWORKS_API_BASE"]),
    ("openrouter", &["OPENROUTER_API_BASE"]),
    ("xai", &["XAI_API_BASE"]),
    ("cerebras", &["CEREBRAS_API_BASE"]),
    ("sambanova", &["SAMBANOVA_API_BASE"]),
    ("nebius", &["NEBIUS_API_BASE"]),
    ("deepinfra", &["DEEPINFRA_API_BASE"]),
    ("moonshot", &["MOONSHOT_API_BASE"]),
    ("dashscope", &["DASHSCOPE_API_BASE"]),
    ("minimax", &["MINIMAX_API_BASE"]),
    ("inception", &["INCEPTION_API_BASE"]),
    ("llama", &["LLAMA_API_BASE"]),
    ("github", &["GITHUB_MODELS_API_BASE"]),
    ("huggingface", &["HUGGINGFACE_API_BASE"]),
    ("portkey", &["PORTKEY_API_BASE"]),
    ("requesty", &["REQUESTY_API_BASE"]),
    ("lmstudio", &["LM_STUDIO_API_BASE"]),
    ("llamacpp", &["LLAMACPP_API_BASE"]),
    ("llamafile", &["LLAMAFILE_API_BASE"]),
    ("vllm", &["VLLM_API_BASE"]),
    // Issue 16's rows: any-llm's names are the `*_API_BASE` ones.
    ("atlascloud", &["ATLASCLOUD_API_BASE"]),
    ("cascadia", &["CASCADIA_API_BASE"]),
    ("edenai", &["EDENAI_API_BASE"]),
    ("gmi", &["GMI_API_BASE"]),
    ("kenari", &["KENARI_API_BASE"]),
    ("meta", &["META_API_BASE"]),
    ("neosantara", &["NEOSANTARA_API_BASE"]),
    ("qiniu", &["QINIU_API_BASE"]),
    ("telnyx", &["TELNYX_API_BASE"]),
    ("otari", &["OTARI_API_BASE", "GATEWAY_API_BASE"]),
    ("azure", &["AZURE_AI_CHAT_ENDPOINT"]),
];

/// The other accepted base-URL variable names of the provider `name`
/// (empty when it has none).
///
/// ```
/// assert_eq!(anyllm_openai::base_url_env_aliases("deepseek"), ["DEEPSEEK_API_BASE"]);
/// assert!(anyllm_openai::base_url_env_aliases("groq").is_empty());
/// ```
pub fn base_url_env_aliases(name: &str) -> &'static [&'static str] {
    BASE_URL_ENV_ALIASES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, a)| a)
}
