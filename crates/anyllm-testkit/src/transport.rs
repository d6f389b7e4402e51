//! [`ReplayTransport`]: an in-memory [`Transport`] answering from recordings.

use bytes::Bytes;
use messages_http::{BoxFuture, Error, ResponseBody, Transport};

use crate::{Exchange, MatchRules, Replay, ReplayResponse};

/// An in-memory [`Transport`] that answers each request with the recorded
/// response of the matching exchange (see [`Replay::handle`]). Bodies are
/// delivered in small chunks (every `chunk_size` bytes, default 61) so stream
/// decoders see events split across chunk boundaries, as on a real network.
#[derive(Debug, Clone)]
pub struct ReplayTransport {
    replay: Replay,
    chunk_size: usize,
}

impl ReplayTransport {
    /// Replays `exchanges` with the default rules.
    pub fn new(exchanges: Vec<Exchange>) -> Self {
        Self::from_replay(Replay::new(exchanges))
    }

    /// Replays `exchanges` with explicit rules.
    pub fn with_rules(exchanges: Vec<Exchange>, rules: MatchRules) -> Self {
        Self::from_replay(Replay::with_rules(exchanges, rules))
    }

    /// Serves an existing (shared) replay.
    pub fn from_replay(replay: Replay) -> Self {
        Self {
            replay,
            chunk_size: 61,
        }
    }

    /// Delivers bodies in chunks of `n` bytes (at least 1).
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = n.max(1);
        self
    }

    /// The shared replay state (mismatches, served count, unused exchanges).
    pub fn replay(&self) -> &Replay {
        &self.replay
    }
}

pub(crate) fn into_http(resp: ReplayResponse, chunk: usize) -> http::Response<Vec<Bytes>> {
    let mut builder = http::Response::builder().status(resp.status);
    for (k, v) in &resp.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let chunks: Vec<Bytes> = (0..resp.body.len())
        .step_by(chunk.max(1))
        .map(|start| resp.body.slice(start..(start + chunk).min(resp.body.len())))
        .collect();
    builder.body(chunks).unwrap_or_else(|_| {
        let mut r = http::Response::new(vec![Bytes::from_static(b"bad recorded header")]);
        *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

impl Transport for ReplayTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>, Error>> {
        let (parts, body) = request.into_parts();
        let resp = self.replay.handle(
            parts.method.as_str(),
            parts.uri.path(),
            parts.uri.query(),
            &parts.headers,
            &body,
        );
        let resp = into_http(resp, self.chunk_size).map(ResponseBody::from_chunks);
        Box::pin(async move { Ok(resp) })
    }
}
