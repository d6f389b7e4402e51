//! `anyllm serve`: an Anthropic-compatible gateway over every anyllm provider.
//!
//! Tools that speak the Anthropic Messages API (the official SDKs, Claude
//! Code, agent frameworks) point `ANTHROPIC_BASE_URL` at this server; it
//! routes each request's `model` — `provider:model`, else `anthropic`, or a
//! configured alias with fallback targets — through the [`anyllm`] client and
//! answers Anthropic JSON or Anthropic SSE.
//!
//! Endpoints: `POST /v1/messages` (whole and `stream: true`; `?beta=true`
//! accepted), `POST /v1/messages/count_tokens` (the provider's own counter;
//! providers without one answer a typed 400 for now), `GET /v1/models`,
//! `GET /health`. Every reply carries a `request-id`; errors are Anthropic
//! error bodies.
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
//! access-log line per request).

#[cfg(feature = "tracing")]
pub mod access_log;
mod auth;
mod config;
mod error;
mod gateway;
mod lenient;
mod serve;
pub mod sse;

pub use config::{Config, KeySettings, ModelAlias, ProviderSettings, DEFAULT_BODY_LIMIT, DEFAULT_LISTEN};
pub use error::{ApiFailure, ServerError};
pub use gateway::{Body, Gateway, HEADER_TIMEOUT, SERVED_BY};
pub use lenient::DROPPED_FIELDS;
pub use serve::{check_listen, run, serve, shutdown_signal, SHUTDOWN_GRACE};
