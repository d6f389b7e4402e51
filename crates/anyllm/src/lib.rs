//! One request format — the Anthropic Messages API — for every major LLM
//! provider.
//!
//! Build a [`Client`] (from the environment or with [`Client::builder`]),
//! address a model as `provider:model`, and call [`Client::messages`] or
//! [`Client::count_tokens`]: each returns a request builder
//! ([`MessagesRequest`], [`CountTokensRequest`]) that takes per-call options
//! and is awaited for the answer, or sent as `.raw()`, `.stream()` or
//! `.parse::<T>()`. Requests and responses are the Anthropic wire
//! types (the common ones at the crate root, all of them under [`types`]),
//! whatever the provider behind them; streams are Anthropic stream events.
//!
//! ```no_run
//! # async fn run() -> Result<(), anyllm::Error> {
//! use anyllm::{Client, Conversation, MessageParam};
//!
//! let client = Client::from_env()?;
//! let mut params = anyllm::params("anthropic:claude-sonnet-4-5", 512,
//!     vec![MessageParam::user("Name a prime number.")]);
//! let answer = client.messages(&params).await?;
//! params.push_response(&answer).push_user("Another one?");
//! let next = client.messages(&params).await?;
//! println!("{}", next.text());
//! # Ok(()) }
//! ```
//!
//! Also here: the [`blocking`] module, the free function [`messages()`], the provider [`Registry`], client-side
//! [`validate`](validate::validate), [structured output](structured) and the
//! [lenient conversion policy](lenient) ([`Client::apply_policy`]).
//!
//! # Features
//!
//! One per provider family, all on by default: `anthropic`, `openai`,
//! `gemini`, `bedrock`. Each adds its provider crate (re-exported as
//! [`anthropic`], [`openai`], [`gemini`], [`bedrock`]) and its [`Registry`] entries. `default-transport`
//! (on by default) is the hyper + rustls HTTPS transport; without it, give
//! the client a [`Transport`] ([`ClientBuilder::transport`]) — building one
//! without fails with [`Error::InvalidConfig`]:
//!
//! ```toml
//! anyllm = { version = "0.1", default-features = false, features = ["openai"] }
//! ```
//!
//! `tracing` (off by default) gives every call a `tracing` span named after
//! the OpenTelemetry GenAI semantic conventions, and every retry an event
//! ([`telemetry`]; `docs/observability.md`). Off, the crate does not depend
//! on `tracing` at all.
//!
//! The `anyllm` command lives in the `anyllm-cli` crate.
//!
//! Dependencies: the workspace crates (`messages-types`, `messages-http`,
//! `anyllm-provider`, the enabled provider crates); `tokio` (the blocking
//! client's runtime; timers), `futures-*` (the stream), `schemars`
//! (structured-output schemas); `tracing` (feature `tracing` only): the
//! instrumentation API every Rust subscriber and exporter understands
//! (`tracing-opentelemetry` bridges it to OpenTelemetry), so the client
//! neither picks an exporter nor pulls the OpenTelemetry SDK into builds.

pub mod blocking;
mod client;
mod client_builder;
mod conversation;
mod free;
pub mod lenient;
mod message_stream;
pub mod model;
mod options;
mod registry;
mod request;
pub mod structured;
#[cfg(feature = "tracing")]
pub mod telemetry;
pub mod validate;

pub use client::{Client, DEFAULT_MAX_RETRIES, DEFAULT_PROVIDER, DEFAULT_TIMEOUT};
pub use client_builder::ClientBuilder;
pub use conversation::{params, Conversation};
pub use free::{messages, Options};
pub use lenient::{ConversionPolicy, DroppedField, Fitted};
pub use message_stream::MessageStream;
pub use options::RequestOptions;
pub use registry::Registry;
pub use request::{CountTokensRequest, MessagesRequest, RequestFuture};
pub use structured::{ParsedMessage, ParsedTextBlock};

pub use anyllm_provider::{
    ApiFamily, ApiKey, CallContext, Env, Error, KeyPolicy, MapEnv, ProcessEnv, Provider, ProviderConfig,
    ProviderInfo,
};
pub use messages_http::{RateLimits, RawResponse, Transport};
/// The common wire types by name; every other one is under [`types`].
pub use messages_types::{
    ContentBlock, ContentDelta, CountTokensParams, CountTokensResponse, CustomTool, ErrorKind, ErrorResponse,
    Message, MessageContent, MessageCreateParams, MessageCreateParamsBuilder, MessageParam, Metadata, Role,
    StopReason, StreamEvent, SystemPrompt, TextBlock, ThinkingConfig, Tool, ToolChoice, ToolResultBlock,
    ToolResultContent, ToolUseBlock, Usage,
};

/// The wire types (`messages-types`): every request, content, tool, response,
/// stream and error type of the Anthropic Messages API.
pub use messages_types as types;

/// The Anthropic provider crate (`anyllm-anthropic`; feature `anthropic`).
#[cfg(feature = "anthropic")]
pub use anyllm_anthropic as anthropic;
/// Amazon Bedrock: Converse and Claude through InvokeModel (`anyllm-bedrock`; feature `bedrock`).
#[cfg(feature = "bedrock")]
pub use anyllm_bedrock as bedrock;
/// Cohere v2 chat (`anyllm-cohere`; feature `cohere`).
#[cfg(feature = "cohere")]
pub use anyllm_cohere as cohere;
/// Gemini and Vertex AI (`anyllm-gemini`; feature `gemini`).
#[cfg(feature = "gemini")]
pub use anyllm_gemini as gemini;
/// Ollama's native API (`anyllm-ollama`; feature `ollama`).
#[cfg(feature = "ollama")]
pub use anyllm_ollama as ollama;
/// The OpenAI-compatible provider family (`anyllm-openai`; feature `openai`).
#[cfg(feature = "openai")]
pub use anyllm_openai as openai;

/// `Result` with the anyllm [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The README (with its Rust quick start), compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct QuickstartDoctest;
