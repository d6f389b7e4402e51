//! The provider seam: the trait every provider crate implements, its
//! configuration and errors.
//!
//! A provider is a pure adapter ([`Provider`]): it turns an Anthropic
//! [`MessageCreateParams`](messages_types::MessageCreateParams) into an
//! `http::Request<Bytes>` for its native API, parses the native response into
//! a [`Message`](messages_types::Message), and converts its stream frame by
//! frame ([`StreamConverter`]) into Anthropic stream events. All I/O —
//! transport, retries, timeouts, SSE/NDJSON/event-stream framing — is shared
//! and lives in `messages-http` and the `anyllm` client.
//!
//! Dependencies: `http`/`bytes` for the request/response types the adapters
//! build and read, `serde_json` for provider extras, `thiserror` for [`Error`].

mod config;
mod context;
mod env;
mod error;
mod info;
mod provider;
mod stream;

pub use config::{ProviderConfig, Resolved};
pub use context::{header_value, CallContext};
pub use env::{Env, MapEnv, ProcessEnv};
pub use error::Error;
pub use info::{ApiFamily, KeyPolicy, ProviderInfo};
/// The API key type: a [`messages_http::SecretString`] (never printed).
pub use messages_http::SecretString as ApiKey;
pub use provider::Provider;
pub use stream::{Frame, Framing, StreamConverter};

pub use messages_convert;
pub use messages_http;
pub use messages_types;
