//! Replay recorded provider traffic in tests: an in-memory replay
//! [`Transport`](messages_http::Transport) ([`ReplayTransport`]) and a replay
//! HTTP server on 127.0.0.1 ([`ReplayServer`]), both fed recorded exchanges
//! ([`anyllm_fixtures::Exchange`]).
//!
//! Both check every request they receive against the recording — method,
//! path, query (minus credentials) and a JSON-equal body — and fail loudly
//! when it does not match: the response is a `418` diagnostic naming the
//! first difference, and the mismatch is recorded so the test can assert on
//! it ([`Replay::mismatches`], [`Replay::assert_clean`]). Headers are not
//! compared by default (recordings redact credentials and clients differ in
//! `accept`/`user-agent`); require specific ones with
//! [`MatchRules::require_headers`].
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use anyllm_testkit::{exchange, ReplayTransport};
//! use messages_http::{HttpClient, Transport};
//!
//! let ex = exchange("POST", "/v1/messages", serde_json::json!({"model": "m"}), 200,
//!                   "application/json", r#"{"ok":true}"#);
//! let replay = ReplayTransport::new(vec![ex]);
//! let req = http::Request::post("http://replay/v1/messages")
//!     .body(bytes::Bytes::from(r#"{ "model" : "m" }"#)).unwrap();
//! let resp = replay.send(req).await.unwrap();
//! assert_eq!(resp.status(), 200);
//! replay.replay().assert_clean();
//! # });
//! ```
//!
//! [`RecordingTransport`] does the opposite: it wraps a real transport and
//! records each exchange in the same format (credentials redacted), so new
//! fixtures come from real traffic.
//!
//! Dependencies: `hyper`/`hyper-util`/`tokio` run the loopback server,
//! `base64` stores binary recorded bodies,
//! `messages-http` supplies the `Transport` trait and body type,
//! `anyllm-fixtures` the exchange format, `serde_json` the body comparison.

pub mod capture;
mod json_eq;
mod record;
mod replay;
mod server;
mod transport;

pub use capture::{CaptureServer, Captured, Reply};
pub use json_eq::{json_diff, json_eq};
pub use record::RecordingTransport;
pub use replay::{exchange, MatchRules, Mismatch, Replay, ReplayResponse};
pub use server::ReplayServer;
pub use transport::ReplayTransport;

pub use anyllm_fixtures::Exchange;
