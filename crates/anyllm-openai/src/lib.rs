//! OpenAI Chat Completions and the OpenAI-compatible provider family.
//!
//! One table ([`PROVIDERS`]) describes every provider: name, default base
//! URL, key and base-URL environment variables, whether a key is required,
//! how it is sent, the endpoint, and its [`Dialect`](messages_convert::openai_chat::Dialect)
//! (the quirks the conversion honours). [`providers`] turns each row into an
//! [`OpenAiCompatible`] provider for the `anyllm` registry; the conversion
//! itself lives in `messages_convert::openai_chat` (streams use the family's
//! converter, [`messages_convert::openai_chat::stream`], boxed).
//!
//! Providers: openai, azureopenai (deployment URL, `api-version`, `api-key`
//! header), groq, deepseek, mistral, together, fireworks, openrouter, xai,
//! perplexity, cerebras, sambanova, nebius, deepinfra, moonshot, dashscope,
//! zai, minimax, inception, llama, github, huggingface, databricks, portkey,
//! requesty, lmstudio, llamacpp, llamafile, vllm, ollama (its OpenAI
//! endpoint) and a generic `openai-compatible` given a base URL.
//!
//! The OpenAI Responses API ([`responses`]): `openai-responses`,
//! `xai-responses`, `azureopenai-responses`, `openrouter-responses` and
//! `openai-responses-compatible` (a base URL, for local servers); `openai`
//! and `azureopenai` send a request with tools and enabled thinking there
//! automatically ([`EndpointPolicy`]).
//!
//! ```
//! use anyllm_openai::OpenAiCompatible;
//! use anyllm_provider::{ApiKey, CallContext, Provider};
//! use messages_types::MessageCreateParams;
//!
//! let groq = OpenAiCompatible::new(*anyllm_openai::spec("groq").unwrap());
//! let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "llama-3.3-70b-versatile", "max_tokens": 64,
//!     "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let mut ctx = CallContext::new("https://api.groq.com/openai/v1");
//! ctx.api_key = Some(ApiKey::new("gsk-test"));
//! let req = groq.build_request(&params, &ctx).unwrap();
//! assert_eq!(req.uri(), "https://api.groq.com/openai/v1/chat/completions");
//! assert_eq!(req.headers()["authorization"], "Bearer gsk-test");
//! let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
//! assert_eq!(body["max_tokens"], 64);
//! ```
//!
//! Dependencies: `anyllm-provider` (the trait), `messages-convert` (the
//! conversion), `messages-types` (wire types), `messages-http` (secret header
//! values, error classes), `http`/`bytes` (request/response), `serde_json`
//! (bodies).

mod provider;
pub mod responses;
mod table;

pub use provider::{OpenAiCompatible, AUTO_RESPONSES_ROWS, AZURE_API_VERSION};
pub use responses::{
    responses_spec, wants_responses, EndpointPolicy, OpenAiResponses, ResponsesEndpoint, ResponsesSpec,
    ENDPOINT_ENV, RESPONSES_PROVIDERS,
};
pub use table::{spec, Auth, Endpoint, ProviderSpec, PROVIDERS};

use std::sync::Arc;

use anyllm_provider::Env;

/// Every provider of the table, then every Responses API provider
/// ([`RESPONSES_PROVIDERS`]), for the `anyllm` registry. Azure OpenAI
/// takes its `api-version` from `OPENAI_API_VERSION` (else [`AZURE_API_VERSION`]);
/// `openai` and `azureopenai` take their [`EndpointPolicy`] from
/// [`ENDPOINT_ENV`] (else `auto`).
pub fn providers() -> Vec<Arc<dyn anyllm_provider::Provider>> {
    providers_with_env(&anyllm_provider::ProcessEnv)
}

/// [`providers`] reading settings from `env` instead of the process environment.
pub fn providers_with_env(env: &dyn Env) -> Vec<Arc<dyn anyllm_provider::Provider>> {
    PROVIDERS
        .iter()
        .map(|spec| {
            let mut p = OpenAiCompatible::new(*spec);
            if spec.endpoint == Endpoint::AzureDeployment {
                if let Some(v) = env.var("OPENAI_API_VERSION") {
                    p = p.with_api_version(v);
                }
            }
            if AUTO_RESPONSES_ROWS.contains(&spec.name) {
                if let Some(v) = env.var(ENDPOINT_ENV) {
                    p = p.with_endpoint_policy_setting(&v);
                }
            }
            Arc::new(p) as Arc<dyn anyllm_provider::Provider>
        })
        .chain(
            RESPONSES_PROVIDERS
                .iter()
                .map(|spec| Arc::new(OpenAiResponses::new(*spec)) as Arc<dyn anyllm_provider::Provider>),
        )
        .collect()
}
