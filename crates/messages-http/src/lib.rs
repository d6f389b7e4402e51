//! The transport of anyllm: a small [`Transport`] seam with a hyper + rustls
//! default, an [`HttpClient`] adding retries, timeouts and default headers,
//! one typed [`Error`], and stream framing decoders for SSE, NDJSON and the
//! AWS event stream.
//!
//! # Layers
//!
//! * [`Transport`] — `http::Request<Bytes>` → `http::Response<ResponseBody>`;
//!   object-safe (`Arc<dyn Transport>`). [`HyperTransport`] is the default
//!   (feature `hyper-transport`, on by default); [`transport_fn`] and
//!   [`test_util`] make test doubles.
//! * [`RetryPolicy`] — pure retry decisions (SDK defaults), with injectable jitter.
//! * [`HttpClient`] — transport + policy + [`Timeouts`] + default headers
//!   (`user-agent: anyllm/<version>`). [`HttpClient::send`] collects a body
//!   (bounded); [`HttpClient::send_streaming`] hands back a [`ResponseBody`]
//!   guarded by the idle timeout. Both return a [`RawResponse`] (status,
//!   headers, request id, rate-limit headers) or a typed [`Error`].
//! * [`Authorize`] — a per-attempt hook ([`HttpClient::send_with_auth`],
//!   [`HttpClient::send_streaming_with_auth`]) run just before each attempt
//!   is sent (a fresh SigV4 signature, a current token); a 401 lets it
//!   refresh its credential for one extra attempt.
//! * Decoders — [`SseParser`] / [`SseDecoder`], [`NdjsonParser`] /
//!   [`NdjsonDecoder`], [`EventStreamParser`] / [`EventStreamDecoder`]: a
//!   synchronous push-style core (`feed` / `next_*` / `finish`) and a
//!   [`Stream`](futures_core::Stream) adapter for each. Single-line SSE `data`
//!   is a slice of the received bytes; [`SseParser::next_event_ref`] and
//!   [`SseMap`] go further and lend each event without any allocation.
//! * Proxies — [`HyperTransport`] honours `HTTPS_PROXY` / `HTTP_PROXY` /
//!   `ALL_PROXY` / `NO_PROXY` ([`ProxyConfig`]), tunnelling with `CONNECT`.
//! * Secrets — [`SecretString`] and [`RedactedHeaders`]: keys never reach
//!   `Debug`, `Display`, logs or errors.
//!
//! # Example
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use futures_util::StreamExt;
//! use messages_http::test_util::{CannedResponse, ReplayTransport};
//! use messages_http::{HttpClient, SecretString, SseDecoder};
//!
//! let transport = ReplayTransport::new([CannedResponse::new(200, "")
//!     .header("content-type", "text/event-stream")
//!     .header("request-id", "req_1")
//!     .chunks(["event: message_stop\ndata: {\"type\":", "\"message_stop\"}\n\n"])]);
//! let client = HttpClient::with_transport(transport);
//! let key = SecretString::new("sk-ant-example");
//! let req = http::Request::post("https://api.anthropic.com/v1/messages")
//!     .header("x-api-key", key.header_value().unwrap())
//!     .body(bytes::Bytes::from_static(b"{}"))
//!     .unwrap();
//! let raw = client.send_streaming(req).await.unwrap();
//! assert_eq!(raw.request_id.as_deref(), Some("req_1"));
//! let mut events = SseDecoder::new(raw.body);
//! let ev = events.next().await.unwrap().unwrap();
//! assert_eq!(ev.event_type(), "message_stop");
//! # });
//! ```
//!
//! # Features
//!
//! * `client` — [`HttpClient`] (retry loop, timeouts, idle-timeout bodies);
//!   needs tokio's timer (`tokio/time`) and nothing else of tokio.
//! * `hyper-transport` (default; implies `client`) — [`HyperTransport`], the
//!   default transport on hyper + rustls (ring) + tokio.
//! * `native-roots` — the operating system's root certificates.
//! * `tracing` (implies `client`) — a `tracing` event per retry of the
//!   [`HttpClient`] loop (target `messages_http::retry`: attempt number,
//!   status or error class, delay; never a URL, header or body). Off by
//!   default: without it the crate does not depend on `tracing`.
//!
//! With `default-features = false` the crate is the error, secret,
//! raw-response, header, retry-policy, [`Transport`] and decoder parts only:
//! no hyper, rustls, ring or tokio.
//!
//! # Dependencies
//!
//! hyper / hyper-util / hyper-rustls / rustls (ring) / webpki-roots: the
//! default transport (`hyper-transport`); tokio: timers (`client`) and the
//! runtime hyper runs on (`hyper-transport`); memchr:
//! line scanning; crc32fast: event-stream checksums; httpdate: `retry-after`
//! dates; tower-service: the connector trait hyper-util's client expects;
//! serde_json: generic error-body parsing; messages-types: the one error
//! classification, [`ErrorKind`] (re-exported here), so that an HTTP error,
//! an `anyllm` error and an Anthropic error body share one kind enum and
//! one status mapping; tracing (feature `tracing` only): the retry event,
//! in the ecosystem's standard instrumentation API so that any subscriber
//! (fmt, OpenTelemetry) sees it.

mod auth;
mod body;
#[cfg(feature = "client")]
mod client;
mod decode;
mod error;
mod error_body;
mod headers;
#[cfg(feature = "hyper-transport")]
mod hyper_transport;
#[cfg(feature = "client")]
mod idle;
#[cfg(feature = "hyper-transport")]
mod proxy;
mod raw;
mod retry;
mod secret;
mod telemetry;
pub mod test_util;
mod transport;

pub use auth::{AttemptContext, Authorize};
pub use body::ResponseBody;
#[cfg(feature = "client")]
pub use client::{
    HttpClient, HttpClientBuilder, Timeouts, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ERROR_BODY_BYTES,
    USER_AGENT_VALUE,
};
pub use decode::{
    DecodeStream, EventStreamDecoder, EventStreamHeader, EventStreamHeaderValue, EventStreamMessage,
    EventStreamParser, FrameDecoder, NdjsonDecoder, NdjsonParser, SseDecoder, SseEvent, SseEventRef,
    SseLimits, SseMap, SseParser,
};
pub use error::{excerpt, ApiError, Error, ErrorKind, FramingError, TimeoutPhase, EXCERPT_LIMIT};
pub use error_body::{parse_google_duration, ErrorDetails};
pub use headers::{request_id_of, RateLimits};
#[cfg(feature = "hyper-transport")]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder, RootCerts};
#[cfg(feature = "client")]
pub use idle::IdleTimer;
#[cfg(feature = "hyper-transport")]
pub use proxy::ProxyConfig;
pub use raw::RawResponse;
pub use retry::{server_retry_delay, status_is_retryable, Outcome, RandomSource, RetryDecision, RetryPolicy};
pub use secret::{is_sensitive_header, mark_sensitive, RedactedHeaders, SecretString, SENSITIVE_HEADERS};
#[cfg(feature = "tracing")]
pub use telemetry::RETRY_EVENT_TARGET;
pub use transport::{transport_fn, BoxFuture, FnTransport, Transport};
