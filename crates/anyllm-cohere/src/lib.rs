//! Cohere's v2 chat API (`POST /v2/chat`) as a native anyllm provider.
//!
//! * [`CohereProvider`] (`cohere`): base URL `https://api.cohere.com`
//!   (`CO_API_URL` overrides it, as in Cohere's SDKs), key from
//!   `COHERE_API_KEY`, then `CO_API_KEY`, sent as a bearer token.
//! * The conversion is the family's own, [`messages_convert::cohere`] (its
//!   docs hold the full mapping: `system` message, `p`/`k`, tool plans,
//!   documents and citations, `thinking`, `response_format`). Cohere-only
//!   fields (`seed`, `safety_mode`, `citation_options`, …) go in the call's
//!   `extra_body`, applied as a JSON Merge Patch.
//! * Streams: Cohere's typed SSE events through
//!   [`messages_convert::cohere::stream`]; a `message-end` carrying an error
//!   (or finish reason `ERROR` / `TIMEOUT`) ends the stream with a typed
//!   `error` event. A whole reply that finished with `ERROR` / `TIMEOUT` is
//!   a typed API error, not a message.
//! * Errors: Cohere's `{"message": …}` body; the status gives the kind
//!   (498, an invalid token, is an authentication error; 499, a request
//!   cancelled upstream, an API error); a 429's `Retry-After` headers give
//!   `retry_after` as for every provider.
//! * `count_tokens`: Cohere has no endpoint that counts a chat request —
//!   typed [`Unsupported`](anyllm_provider::Error::Unsupported).
//!
//! ```
//! use anyllm_cohere::CohereProvider;
//! use anyllm_provider::{ApiKey, CallContext, Provider};
//! use messages_types::MessageCreateParams;
//!
//! let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "command-a-03-2025", "max_tokens": 64,
//!     "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let mut ctx = CallContext::new("https://api.cohere.com");
//! ctx.api_key = Some(ApiKey::new("co-test"));
//! let req = CohereProvider::new().build_request(&params, &ctx).unwrap();
//! assert_eq!(req.uri(), "https://api.cohere.com/v2/chat");
//! assert!(req.headers()["authorization"].is_sensitive());
//! ```
//!
//! Dependencies: `anyllm-provider` (the trait), `messages-convert` (the
//! Cohere conversion), `messages-types` (wire types), `messages-http`
//! (typed errors, secrets), `http`/`bytes` (requests).

mod provider;

pub use provider::{CohereProvider, COHERE_INFO};

use std::sync::Arc;

/// Every provider this crate implements, for the `anyllm` registry: `cohere`.
///
/// ```
/// let names: Vec<&str> = anyllm_cohere::providers().iter().map(|p| p.info().name).collect();
/// assert_eq!(names, ["cohere"]);
/// ```
pub fn providers() -> Vec<Arc<dyn anyllm_provider::Provider>> {
    vec![Arc::new(CohereProvider::new())]
}
