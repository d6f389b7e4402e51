//! The Anthropic provider: native, lossless pass-through of the Messages API.
//!
//! The request body is the params as given — unknown fields included — with
//! only `stream` set from the call; headers are `x-api-key` (or
//! `authorization: Bearer`), `anthropic-version: 2023-06-01` and
//! `anthropic-beta` from the call's betas. The key comes from
//! `ANTHROPIC_API_KEY` (or a bearer token from `ANTHROPIC_AUTH_TOKEN`), the base URL (without `/v1`, as in the official SDK)
//! from `ANTHROPIC_BASE_URL`. Responses and stream events are parsed into the
//! `messages-types` types, which keep unknown fields, so nothing is lost.
//!
//! ```
//! use anyllm_anthropic::AnthropicProvider;
//! use anyllm_provider::{ApiKey, CallContext, Provider};
//! use messages_types::{MessageCreateParams, MessageParam};
//!
//! let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "claude-sonnet-4-5", "max_tokens": 64,
//!     "messages": [{"role": "user", "content": "Hi"}],
//!     "some_new_field": {"kept": true}
//! })).unwrap();
//! let mut ctx = CallContext::new("https://api.anthropic.com");
//! ctx.api_key = Some(ApiKey::new("sk-ant-test"));
//! let req = AnthropicProvider::new().build_request(&params, &ctx).unwrap();
//! assert_eq!(req.uri(), "https://api.anthropic.com/v1/messages");
//! assert_eq!(req.headers()["anthropic-version"], "2023-06-01");
//! let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
//! assert_eq!(body["some_new_field"]["kept"], true);
//! ```
//!
//! Also here: Claude on Google Vertex AI ([`VertexAnthropicProvider`],
//! `vertexaianthropic`) and in Microsoft Foundry ([`AzureAnthropicProvider`],
//! `azureanthropic`) — the same body and replies, their own URL and
//! authentication.
//!
//! Dependencies: `anyllm-provider` (the trait), `messages-types` (wire types),
//! `messages-convert` (its decode error), `messages-http` (secret header
//! values), `http`/`bytes` (request/response), `serde_json` (bodies).

mod azure;
pub mod compatible;
mod provider;
mod stream;
pub mod validate;
mod vertex;

pub use azure::{AzureAnthropicProvider, AZURE_COGNITIVE_SERVICES_SCOPE};
pub use provider::{AnthropicAuth, AnthropicProvider, ANTHROPIC_VERSION, AUTH_TOKEN_ENV, INFO};
pub use stream::AnthropicStreamConverter;
pub use vertex::{VertexAnthropicProvider, VERTEX_ANTHROPIC_VERSION, VERTEX_DEFAULT_LOCATION};

use std::sync::Arc;

/// Every provider this crate implements, for the `anyllm` registry: the
/// native `anthropic` provider and the Anthropic-compatible endpoints
/// ([`compatible::COMPATIBLE`]); the cloud-hosted ones, which read settings
/// from the environment, are [`cloud_providers`].
pub fn providers() -> Vec<Arc<dyn anyllm_provider::Provider>> {
    let mut all: Vec<Arc<dyn anyllm_provider::Provider>> = vec![Arc::new(AnthropicProvider::new())];
    all.extend(compatible::providers());
    all
}

/// The cloud-hosted Claude providers, settings read from `env`:
/// `vertexaianthropic` (Vertex AI) and `azureanthropic` (Microsoft Foundry).
///
/// ```
/// use anyllm_provider::MapEnv;
/// let env = MapEnv::new([("GOOGLE_CLOUD_PROJECT", "p"), ("AZURE_ANTHROPIC_RESOURCE", "r")]);
/// let names: Vec<&str> = anyllm_anthropic::cloud_providers(&env).iter().map(|p| p.info().name).collect();
/// assert_eq!(names, ["vertexaianthropic", "azureanthropic"]);
/// ```
pub fn cloud_providers(env: &dyn anyllm_provider::Env) -> Vec<Arc<dyn anyllm_provider::Provider>> {
    vec![
        Arc::new(VertexAnthropicProvider::from_env(env)),
        Arc::new(AzureAnthropicProvider::from_env(env)),
    ]
}
