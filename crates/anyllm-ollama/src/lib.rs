//! Ollama's native chat API (`POST /api/chat`) as an anyllm provider.
//!
//! * [`OllamaProvider`] (`ollama`): base URL from `OLLAMA_HOST` (default
//!   `http://localhost:11434`; a bare `host:port`, Ollama's own spelling,
//!   means plain HTTP), no key.
//! * The conversion is the family's own, [`messages_convert::ollama`] (its
//!   docs hold the full mapping: `images`, `thinking` echoed back, whole
//!   tool calls, `options`, `think`, `format`). `think` is sent as a level
//!   (`low` / `medium` / `high`) for models that take levels — this provider
//!   uses levels for `gpt-oss` models, a bool for the others. Ollama-only
//!   fields (`keep_alive`, `options` such as `num_ctx`, `seed`) go in the
//!   call's `extra_body`, applied as a JSON Merge Patch (`seed` moves into
//!   `options`).
//! * Streams: NDJSON lines ([`Framing::Ndjson`](anyllm_provider::Framing::Ndjson))
//!   through [`messages_convert::ollama::stream`]; a mid-stream
//!   `{"error": …}` line ends the stream with a typed error after the events
//!   already delivered.
//! * Errors: Ollama's `{"error": …}` body, the kind from the status.
//! * `count_tokens`: Ollama has no token-counting endpoint — typed
//!   [`Unsupported`](anyllm_provider::Error::Unsupported).
//!
//! This is the native API; Ollama's OpenAI-compatible `/v1` endpoint stays
//! reachable as `ollama-openai` (in `anyllm-openai`).
//!
//! ```
//! use anyllm_ollama::OllamaProvider;
//! use anyllm_provider::{CallContext, Provider};
//! use messages_types::MessageCreateParams;
//!
//! let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "qwen3:4b", "max_tokens": 64,
//!     "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let req = OllamaProvider::new().build_request(&params, &CallContext::new("127.0.0.1:11434")).unwrap();
//! assert_eq!(req.uri(), "http://127.0.0.1:11434/api/chat");
//! assert!(req.headers().get("authorization").is_none());
//! ```
//!
//! Dependencies: `anyllm-provider` (the trait), `messages-convert` (the
//! Ollama conversion), `messages-types` (wire types), `messages-http`
//! (typed errors), `http`/`bytes` (requests).

mod provider;

pub use provider::{think_style, OllamaProvider, OLLAMA_INFO};

use std::sync::Arc;

/// Every provider this crate implements, for the `anyllm` registry: `ollama`.
///
/// ```
/// let names: Vec<&str> = anyllm_ollama::providers().iter().map(|p| p.info().name).collect();
/// assert_eq!(names, ["ollama"]);
/// ```
pub fn providers() -> Vec<Arc<dyn anyllm_provider::Provider>> {
    vec![Arc::new(OllamaProvider::new())]
}
