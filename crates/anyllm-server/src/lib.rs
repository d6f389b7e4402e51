//! `anyllm serve`: an Anthropic-compatible gateway over every anyllm provider.
//!
//! Tools that speak the Anthropic Messages API (the official SDKs, Claude
//! Code, agent frameworks) point `ANTHROPIC_BASE_URL` at this server; it
//! routes each request's `model` — `provider:model`, else `anthropic`, or a
//! configured alias with fallback targets — through the [`anyllm`] client and
//! answers Anthropic JSON or Anthropic SSE.
//!
//! Endpoints: `POST /v1/messages` (whole and `stream: true`; `?beta=true`
//! accepted), `POST /v1/messages/count_tokens` (the provider's own counter,
//! marked `anyllm-token-count: exact`; for providers without one, with the
//! feature `token-estimate`, a local estimate marked `approximate` — see
//! [`estimate`]; without the feature, a typed 400), `GET /v1/models`,
//! `GET /health`, `GET /metrics` (Prometheus/OpenMetrics text — see
//! [`metrics`]; behind the client keys unless `[metrics] public = true`).
//! Every reply carries a `request-id`; errors are Anthropic error bodies.
//!
//! Routes are strict by default (a field the target cannot express is a 400
//! naming it); `strict = false` (top level or per alias) drops what the
//! lenient policy allows and names it in the [`DROPPED_FIELDS`] header and
//! the access log (`docs/lenient-conversion.md`). The client's
//! `anthropic-beta` and `anthropic-version` headers are forwarded upstream.
//!
//! Dependencies: `hyper`/`hyper-util` (the HTTP/1 + HTTP/2 server and its
//! graceful shutdown), `toml` (the configuration), `subtle` (constant-time
//! key comparison), `tracing` (feature `tracing`, on by default: one
//! access-log line per request), `prometheus-client` (the metrics; why in
//! [`metrics`]), `tiktoken-rs` (feature `token-estimate`: the local token
//! count; why in [`estimate`]).

#[cfg(feature = "tracing")]
pub mod access_log;
mod auth;
mod config;
mod error;
pub mod estimate;
mod gateway;
mod lenient;
pub mod metrics;
mod serve;
pub mod sse;

pub use config::{
    Config, KeySettings, MetricsSettings, ModelAlias, ProviderSettings, DEFAULT_BODY_LIMIT, DEFAULT_LISTEN,
};
pub use error::{ApiFailure, ServerError};
pub use gateway::{Body, Gateway, HEADER_TIMEOUT, SERVED_BY};
pub use lenient::DROPPED_FIELDS;
pub use serve::{check_listen, run, serve, serve_with_grace, shutdown_signal, SHUTDOWN_GRACE};
