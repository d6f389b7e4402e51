//! Google Gemini and Vertex AI as native providers.
//!
//! Both speak Gemini's own `generateContent` API (not its OpenAI-compatible
//! layer), so thought signatures, thinking, function calls, inline media and
//! JSON-schema output survive the trip; the conversion itself lives in
//! [`messages_convert::gemini`] (its docs hold the full mapping).
//!
//! * [`GeminiProvider`] (`gemini`): `POST {base}/v1beta/models/{model}:generateContent`
//!   (`:streamGenerateContent?alt=sse` when streaming), key in `x-goog-api-key`
//!   from `GEMINI_API_KEY` or `GOOGLE_API_KEY`, base URL from
//!   `GOOGLE_GEMINI_BASE_URL` (default `https://generativelanguage.googleapis.com`).
//! * [`VertexAiProvider`] (`vertexai`): the regional endpoint
//!   `https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent`
//!   (project from `GOOGLE_CLOUD_PROJECT`, location from
//!   `GOOGLE_CLOUD_LOCATION`, default `us-central1`; `global` uses
//!   `aiplatform.googleapis.com`), with an OAuth bearer token from
//!   `VERTEXAI_ACCESS_TOKEN` / `GOOGLE_OAUTH_ACCESS_TOKEN`, a
//!   [`TokenSource`], or else Google Application Default Credentials
//!   ([`anyllm_provider::credentials::GoogleCredentials`]: a
//!   `GOOGLE_APPLICATION_CREDENTIALS` key file, the
//!   `gcloud auth application-default login` file, the metadata server, then
//!   `gcloud auth print-access-token`), cached in the provider, refreshed
//!   ahead of expiry and once after a 401. This crate turns on the seam's
//!   `google-auth` feature (service-account JWTs).
//! * `count_tokens` goes through Gemini's `countTokens`.
//! * Gemini-only request fields with no Anthropic counterpart —
//!   `safetySettings`, `cachedContent` (an explicit cache handle), Vertex
//!   `labels`, `generationConfig` extras such as `seed` — go in the call's
//!   `extra_body`, applied to the native body as a JSON Merge Patch (the
//!   seam's one rule: objects key by key, so
//!   `{"generationConfig": {"seed": 7}}` keeps the converted settings).
//! * Streams: the family's converter, [`messages_convert::gemini::stream`].
//! * Errors: Google's body (`status`, `details`) is classified by
//!   [`messages_convert::gemini::error`]: a 400 `API_KEY_INVALID` is an
//!   authentication error, `RetryInfo.retryDelay` becomes `retry_after`.
//!
//! ```
//! use anyllm_gemini::GeminiProvider;
//! use anyllm_provider::{ApiKey, CallContext, Provider};
//! use messages_types::MessageCreateParams;
//!
//! let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "gemini-2.5-flash", "max_tokens": 64,
//!     "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let mut ctx = CallContext::new("https://generativelanguage.googleapis.com");
//! ctx.api_key = Some(ApiKey::new("AIza-test"));
//! let req = GeminiProvider::new().build_request(&params, &ctx).unwrap();
//! assert_eq!(req.uri(), "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
//! assert!(req.headers()["x-goog-api-key"].is_sensitive());
//! ```
//!
//! Dependencies: `anyllm-provider` (the trait), `messages-convert` (the
//! Gemini conversion), `messages-types` (wire types), `messages-http`
//! (typed errors, secrets), `http`/`bytes` (requests), `serde_json` (bodies).

mod common;
mod gemini;
mod token;
mod vertex;

pub use gemini::{GeminiProvider, GEMINI_INFO};
pub use token::{CommandTokenSource, StaticToken, TokenSource};
pub use vertex::{VertexAiProvider, DEFAULT_LOCATION};

use std::sync::Arc;

/// Every provider this crate implements, for the `anyllm` registry:
/// `gemini` and `vertexai` (project and location read from the process
/// environment).
pub fn providers() -> Vec<Arc<dyn anyllm_provider::Provider>> {
    providers_with_env(&anyllm_provider::ProcessEnv)
}

/// Like [`providers`], reading the Vertex AI project and location from `env`.
///
/// ```
/// use anyllm_provider::MapEnv;
/// let env = MapEnv::new([("GOOGLE_CLOUD_PROJECT", "p"), ("GOOGLE_CLOUD_LOCATION", "global")]);
/// let names: Vec<&str> = anyllm_gemini::providers_with_env(&env).iter().map(|p| p.info().name).collect();
/// assert_eq!(names, ["gemini", "vertexai"]);
/// ```
pub fn providers_with_env(env: &dyn anyllm_provider::Env) -> Vec<Arc<dyn anyllm_provider::Provider>> {
    vec![
        Arc::new(GeminiProvider::new()),
        Arc::new(VertexAiProvider::from_env(env)),
    ]
}
