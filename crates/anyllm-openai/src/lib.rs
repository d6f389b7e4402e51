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
//! requesty, lmstudio, llamacpp, llamafile, vllm, ollama-openai (Ollama's
//! OpenAI-compatible endpoint; `ollama` is its native API, in
//! `anyllm-ollama`), atlascloud, cascadia, edenai, gmi, kenari, meta,
//! neosantara, qiniu, telnyx, otari, azure (Azure AI Model Inference:
//! `api-key` or an Entra ID token, see [`azure_entra_authorizer`]) and a
//! generic `openai-compatible` given a base URL. Base-URL variables also
//! answer to any-llm's names ([`base_url_env_aliases`]).
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
//! Also here, reusing the same family: IBM watsonx.ai chat
//! ([`WatsonxProvider`], `watsonx`: IAM tokens from an IBM Cloud API key)
//! and Amazon SageMaker endpoints (`SagemakerProvider`, `sagemaker`,
//! feature `sagemaker`, on by default: SigV4 through `anyllm-provider`'s
//! `aws-sigv4` feature, SSE inside AWS event-stream frames).
//!
//! Dependencies: `anyllm-provider` (the trait), `messages-convert` (the
//! conversion), `messages-types` (wire types), `messages-http` (secret header
//! values, error classes), `http`/`bytes` (request/response), `serde_json`
//! (bodies).

mod aliases;
mod provider;
pub mod responses;
#[cfg(feature = "sagemaker")]
mod sagemaker;
mod table;
mod watsonx;

pub use aliases::base_url_env_aliases;
pub use provider::{OpenAiCompatible, AUTO_RESPONSES_ROWS, AZURE_API_VERSION, AZURE_INFERENCE_API_VERSION};
pub use responses::{
    responses_spec, wants_responses, EndpointPolicy, OpenAiResponses, ResponsesEndpoint, ResponsesSpec,
    ENDPOINT_ENV, RESPONSES_PROVIDERS,
};
#[cfg(feature = "sagemaker")]
pub use sagemaker::{SagemakerProvider, SAGEMAKER_DIALECT, SAGEMAKER_INFO};
pub use table::{spec, Auth, Endpoint, ProviderSpec, PROVIDERS};
pub use watsonx::{WatsonxProvider, WatsonxScope, WATSONX_API_VERSION, WATSONX_INFO};

use std::sync::Arc;

use anyllm_provider::credentials::{BearerAuth, OAuthTokenExchange};
use anyllm_provider::Env;
use messages_http::Authorize;

/// The Entra ID scope of Azure AI Model Inference (Foundry models).
pub const AZURE_AI_SCOPE: &str = "https://cognitiveservices.azure.com/.default";

/// An Entra ID (client credentials) bearer token for the `azure` row, fetched
/// and refreshed per attempt ([`BearerAuth`] over
/// [`OAuthTokenExchange::azure_client_credentials`], scope [`AZURE_AI_SCOPE`]).
/// [`providers`] attaches it when `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
/// `AZURE_CLIENT_SECRET` are set and no key is.
///
/// ```
/// let auth = anyllm_openai::azure_entra_authorizer("tenant", "client", "s3cr3t-value");
/// assert!(!format!("{auth:?}").contains("s3cr3t-value"));
/// let azure = anyllm_openai::OpenAiCompatible::new(*anyllm_openai::spec("azure").unwrap())
///     .with_authorizer(auth);
/// # let _ = azure;
/// ```
pub fn azure_entra_authorizer(tenant: &str, client_id: &str, client_secret: &str) -> Arc<dyn Authorize> {
    let exchange = OAuthTokenExchange::azure_client_credentials(
        tenant,
        client_id.to_owned(),
        client_secret.to_owned(),
        AZURE_AI_SCOPE,
    );
    Arc::new(BearerAuth::new(Arc::new(exchange)))
}

/// Every provider of the table, then every Responses API provider
/// ([`RESPONSES_PROVIDERS`]), for the `anyllm` registry. Azure OpenAI
/// takes its `api-version` from `OPENAI_API_VERSION` (else [`AZURE_API_VERSION`]);
/// `openai` and `azureopenai` take their [`EndpointPolicy`] from
/// [`ENDPOINT_ENV`] (else `auto`).
/// Every provider of the table, for the `anyllm` registry (the cloud
/// platforms, which read more settings, are [`cloud_providers`]). Azure OpenAI
/// takes its `api-version` from `OPENAI_API_VERSION` (else [`AZURE_API_VERSION`]).
pub fn providers() -> Vec<Arc<dyn anyllm_provider::Provider>> {
    providers_with_env(&anyllm_provider::ProcessEnv)
}

/// The cloud platforms that speak the Chat family with their own URL,
/// authentication and field names: `watsonx` (IBM watsonx.ai) and, with the
/// `sagemaker` feature (on by default), `sagemaker` (Amazon SageMaker
/// endpoints, SigV4), settings read from `env`.
///
/// ```
/// use anyllm_provider::MapEnv;
/// let env = MapEnv::new([("WATSONX_PROJECT_ID", "p"), ("AWS_REGION", "us-east-1")]);
/// let names: Vec<&str> = anyllm_openai::cloud_providers(&env).iter().map(|p| p.info().name).collect();
/// assert!(names.contains(&"watsonx"));
/// ```
pub fn cloud_providers(env: &dyn Env) -> Vec<Arc<dyn anyllm_provider::Provider>> {
    vec![
        Arc::new(WatsonxProvider::from_env(env)),
        #[cfg(feature = "sagemaker")]
        Arc::new(SagemakerProvider::from_env(env)),
    ]
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
            if let Endpoint::AzureInference(_) = spec.endpoint {
                let has_key = spec.key_env.iter().any(|k| env.var(k).is_some());
                let entra = (
                    env.var("AZURE_TENANT_ID"),
                    env.var("AZURE_CLIENT_ID"),
                    env.var("AZURE_CLIENT_SECRET"),
                );
                if let (false, (Some(t), Some(c), Some(s))) = (has_key, entra) {
                    p = p.with_authorizer(azure_entra_authorizer(&t, &c, &s));
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
