//! The provider seam: the trait every provider crate implements, its
//! configuration and errors.
//!
//! A provider is a pure adapter ([`Provider`]): it turns an Anthropic
//! [`MessageCreateParams`](messages_types::MessageCreateParams) into an
//! `http::Request<Bytes>` for its native API, parses the native response into
//! a [`Message`](messages_types::Message), and converts its stream frame by
//! frame ([`StreamConverter`], defined with [`Frame`] and [`Framing`] in
//! `messages-convert` and re-exported here) into Anthropic stream events.
//! Provider-specific request checks are [`Provider::validate`] (default: the
//! portable checks of [`validate`]). All I/O — transport, retries,
//! timeouts — is shared and lives in `messages-http` and the `anyllm`
//! client; the framing of a streaming body is [`StreamDecoder`], and
//! [`EventStream`] turns a provider's streaming body into Anthropic events
//! without the client.
//!
//! A minimal provider — an Anthropic-format echo service — shows the whole
//! seam (a real one converts the body and the response):
//!
//! ```
//! use anyllm_provider::*;
//! use bytes::Bytes;
//! use messages_types::{Message, MessageCreateParams, StreamEvent};
//!
//! #[derive(Debug)]
//! struct Echo;
//!
//! const INFO: ProviderInfo = ProviderInfo::new(
//!     "echo", ApiFamily::AnthropicMessages, "http://127.0.0.1:9", &["ECHO_API_KEY"],
//!     KeyPolicy::Optional,
//! );
//!
//! struct Passthrough;
//! impl StreamConverter for Passthrough {
//!     fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>)
//!         -> Result<(), messages_convert::ConvertError> {
//!         if let Some(data) = frame.json_payload() {
//!             out.push(serde_json::from_slice(data).map_err(|e| {
//!                 messages_convert::ConvertError::decode("event", &e, data)
//!             })?);
//!         }
//!         Ok(())
//!     }
//!     fn finish(&mut self, _out: &mut Vec<StreamEvent>) -> Result<(), messages_convert::ConvertError> {
//!         Ok(())
//!     }
//! }
//!
//! impl Provider for Echo {
//!     fn info(&self) -> &ProviderInfo { &INFO }
//!     fn build_request(&self, params: &MessageCreateParams, ctx: &CallContext)
//!         -> Result<http::Request<Bytes>, Error> {
//!         let body = serde_json::to_vec(params)
//!             .map_err(|e| Error::InvalidConfig(e.to_string()))?;
//!         ctx.json_post(&ctx.url("/echo"), http::HeaderMap::new(), body)
//!     }
//!     fn parse_response(&self, _params: &MessageCreateParams, response: http::Response<Bytes>)
//!         -> Result<Message, Error> {
//!         let body = response.body();
//!         serde_json::from_slice(body)
//!             .map_err(|e| messages_convert::ConvertError::decode("message", &e, body).into())
//!     }
//!     fn stream_converter(&self, _params: &MessageCreateParams) -> Box<dyn StreamConverter> {
//!         Box::new(Passthrough)
//!     }
//! }
//!
//! let params: MessageCreateParams = serde_json::from_str(
//!     r#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#).unwrap();
//! let resolved = ProviderConfig::default().resolve(Echo.info(), &MapEnv::empty()).unwrap();
//! let ctx = CallContext::new(resolved.base_url);
//! let req = Echo.build_request(&params, &ctx).unwrap();
//! assert_eq!(req.uri(), "http://127.0.0.1:9/echo");
//! // count_tokens is optional: the default says so with a typed error.
//! let count = messages_types::CountTokensParams::from(&params);
//! assert!(matches!(Echo.build_count_tokens_request(&count, &ctx), Err(Error::Unsupported { .. })));
//! ```
//!
//! Conversion policies: [`lenient`] fits a request to one provider under
//! the lenient policy (drop and report what the target cannot express) and
//! holds the strict check of betas a target cannot honour
//! ([`Provider::honours_betas`]).
//!
//! Per-attempt authorization: [`Provider::authorizer`] hands the client an
//! [`Authorize`] hook (a refreshing bearer token, later a SigV4 signer) that
//! runs on every attempt of the retry loop; [`credentials`] holds the
//! resolvers behind it.
//!
//! Dependencies: `http`/`bytes` for the request/response types the adapters
//! build and read, `serde_json` for provider extras, `thiserror` for [`Error`];
//! for [`credentials`]: `serde`/`serde_json` (credential files and token
//! replies), `form_urlencoded` (token request bodies), `base64` (JWTs),
//! `tokio` with only `sync` and `time` (single-flight refresh, timeouts — no
//! runtime), and behind the `google-auth` feature RustCrypto's `rsa` + `sha2`
//! (RS256 service-account JWTs in pure Rust: no ring, no aws-lc).

mod config;
mod context;
pub mod credentials;
mod env;
mod error;
pub mod google_cloud;
mod info;
pub mod lenient;
mod provider;
mod stream;
pub mod validate;

pub use config::{ProviderConfig, Resolved};
pub use context::{header_value, CallContext};
pub use env::{Env, MapEnv, ProcessEnv};
pub use error::Error;
pub use info::{ApiFamily, KeyPolicy, ProviderInfo};
/// The API key type: a [`messages_http::SecretString`] (never printed).
pub use messages_http::SecretString as ApiKey;
pub use provider::Provider;
pub use stream::{EventStream, Frame, Framing, StreamConverter, StreamDecoder};

pub use messages_http::{AttemptContext, Authorize};

pub use messages_convert;
pub use messages_http;
pub use messages_types;
