//! The Anthropic SSE reply: `event:` + `data:` lines, a `ping` while the
//! upstream is silent, and cancellation when the client goes away.
//!
//! A task reads the upstream [`MessageStream`] and writes frames into a
//! bounded channel the reply body drains. When the client disconnects, hyper
//! drops the body, the channel closes, and the task ends — dropping (and so
//! cancelling) the upstream stream.
//!
//! **Headers and fallback.** The gateway waits for the upstream's first
//! event at most the *first-event window* (by default the ping interval,
//! [`PING_INTERVAL`]; `Gateway::with_first_event_window`). A failure inside
//! the window can still fall back to the next target. Once the window has
//! passed, the `200` and the SSE headers go out with a `ping`, more pings
//! follow every ping interval while the upstream stays silent, and a later
//! failure becomes an SSE `error` event: fallback is no longer possible.
//! A stream whose first event came after the window has its time to first
//! token on the `stream_end` log line only (the `response` line was written
//! with the headers).
//!
//! **A client that stops reading.** Each frame handed to the client may wait
//! at most the *write-stall limit* (by default 4 × the ping interval;
//! `Gateway::with_write_stall_limit`); past it the stream ends with outcome
//! `client_stalled` and the upstream request is dropped. The server closes a
//! connection whose socket took no byte for as long (see `serve`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use anyllm::{Client, MessageCreateParams, MessageStream, RequestOptions, StreamEvent};
use bytes::Bytes;
use futures_util::StreamExt;
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use tokio::sync::mpsc;

use crate::error::{ApiFailure, Redactor};
use crate::gateway::{rename_model, stream_end_log, AccessLog, Body};
use crate::metrics::Metrics;

/// How often a silent stream is kept alive with a `ping` event.
pub const PING_INTERVAL: Duration = Duration::from_secs(15);

/// The shortest duration the `Gateway::with_*` settings accept: a shorter
/// one (`Duration::ZERO` included) is raised to it (a zero ping interval
/// would spin, a zero header timeout would drop every connection).
pub const MIN_DURATION: Duration = Duration::from_millis(10);

/// Raises `d` to [`MIN_DURATION`].
pub(crate) fn at_least_min(d: Duration) -> Duration {
    d.max(MIN_DURATION)
}

const PING: &[u8] = b"event: ping\ndata: {\"type\":\"ping\"}\n\n";

/// The timing of streamed replies (see the module docs).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StreamTiming {
    /// The `ping` interval.
    pub(crate) ping: Duration,
    /// The first-event window; `None`: the ping interval.
    pub(crate) first_event_window: Option<Duration>,
    /// The write-stall limit; `None`: 4 × the ping interval.
    pub(crate) write_stall: Option<Duration>,
}

impl Default for StreamTiming {
    fn default() -> Self {
        Self {
            ping: PING_INTERVAL,
            first_event_window: None,
            write_stall: None,
        }
    }
}

impl StreamTiming {
    /// How long the gateway waits for the first event before sending headers.
    pub(crate) fn window(&self) -> Duration {
        self.first_event_window.unwrap_or(self.ping)
    }

    /// How long one frame may wait for a client that does not read.
    pub(crate) fn stall(&self) -> Duration {
        self.write_stall.unwrap_or(self.ping.saturating_mul(4))
    }
}

/// The upstream stream being opened: its first event (or failure) pending.
pub(crate) type Opening =
    Pin<Box<dyn Future<Output = Result<(MessageStream, StreamEvent), anyllm::Error>> + Send>>;

/// Opens the upstream stream and reads its first event. Owns what it needs
/// (one copy of `params`) so that, past the first-event window, the stream
/// task can go on waiting after the headers went out.
pub(crate) fn open(client: Client, params: MessageCreateParams, opts: RequestOptions) -> Opening {
    Box::pin(async move {
        let mut upstream = client
            .messages(&params)
            .options(opts)
            .stream()
            .await?
            .without_accumulation();
        match upstream.next_event().await {
            Some(Ok(ev)) => Ok((upstream, ev)),
            Some(Err(e)) => Err(e),
            None => Err(anyllm::Error::Stream(
                "the upstream stream ended before any event".to_owned(),
            )),
        }
    })
}

/// Where a stream task starts.
// Built once per stream and moved straight into its task: boxing the big
// variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Upstream {
    /// The first event arrived within the window.
    Ready(MessageStream, StreamEvent),
    /// The window passed: the headers go out, the first event is awaited.
    Opening(Opening),
}

/// One event as SSE bytes.
pub fn encode(ev: &StreamEvent) -> Bytes {
    let data = serde_json::to_vec(ev).unwrap_or_else(|e| {
        serde_json::json!({"type": "error", "error": {"type": "api_error", "message": e.to_string()}})
            .to_string()
            .into_bytes()
    });
    let name = ev.type_name();
    let mut out = Vec::with_capacity(name.len() + data.len() + 16);
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\ndata: ");
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

fn encode_error(e: &anyllm::Error, redactor: &Redactor) -> Bytes {
    let body = ApiFailure::from_upstream(e).body;
    let data = redactor.redact(serde_json::to_string(&body).unwrap_or_default());
    Bytes::from(format!("event: error\ndata: {data}\n\n"))
}

/// Why a frame could not be handed to the client.
fn undelivered(blocked: bool) -> &'static str {
    if blocked {
        "client_stalled"
    } else {
        "client_closed"
    }
}

/// Hands `frame` to the reply body, waiting at most `stall` for a client
/// that does not read. `Err`: the stream's outcome.
async fn deliver(tx: &mpsc::Sender<Bytes>, frame: Bytes, stall: Duration) -> Result<(), &'static str> {
    match tx.try_send(frame) {
        Ok(()) => Ok(()),
        Err(mpsc::error::TrySendError::Closed(_)) => Err(undelivered(false)),
        // The body's buffer is full: the client is not reading (yet).
        Err(mpsc::error::TrySendError::Full(frame)) => {
            match tokio::time::timeout(stall, tx.send(frame)).await {
                Ok(Ok(())) => Ok(()),
                // Closed while we waited on a full buffer: the write-stall guard
                // (or the client) closed the connection of a client not reading.
                Ok(Err(_)) | Err(_) => Err(undelivered(true)),
            }
        }
    }
}

/// Starts the task that forwards `upstream` and returns the reply body. With
/// [`Upstream::Ready`] the first event is already in the body (the stream's
/// time to first token is when this body is handed to hyper); with
/// [`Upstream::Opening`] the body starts with a `ping`.
pub(crate) fn spawn(
    upstream: Upstream,
    alias: Option<String>,
    timing: StreamTiming,
    mut log: AccessLog,
    redactor: Redactor,
    metrics: Arc<Metrics>,
) -> Body {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    let opening = match upstream {
        Upstream::Ready(upstream, mut first) => {
            if let Some(a) = &alias {
                rename_model(&mut first, a);
            }
            count_tokens(&mut log, &first);
            // The channel is empty: this cannot fail.
            let _ = tx.try_send(encode(&first));
            Err(upstream)
        }
        Upstream::Opening(opening) => Ok(opening),
    };
    let open = metrics.stream_open(&log.labels);
    let ping = timing.ping;
    let stall = timing.stall();
    tokio::spawn(async move {
        let _open = open;
        let end = |log: &AccessLog, outcome: &'static str, error: Option<&anyllm::ErrorKind>| {
            stream_end_log(log, outcome);
            metrics.stream_end(&log.labels, log.started.elapsed(), log.tokens(), error);
        };
        let mut upstream = match opening {
            Err(upstream) => upstream,
            Ok(mut opening) => {
                // The headers go out now, with a ping (the upstream has been
                // silent for the window), and a ping each interval after.
                let mut ticker = tokio::time::interval(ping);
                let opened = loop {
                    tokio::select! {
                        opened = &mut opening => break opened,
                        _ = ticker.tick() => {
                            if let Err(outcome) = deliver(&tx, Bytes::from_static(PING), stall).await {
                                end(&log, outcome, None);
                                return;
                            }
                        }
                        () = tx.closed() => {
                            end(&log, "client_closed", None);
                            return;
                        }
                    }
                };
                match opened {
                    Ok((upstream, mut first)) => {
                        let ttft = log.started.elapsed();
                        log.ttft = Some(ttft);
                        metrics.first_token(&log.labels, ttft);
                        if let Some(a) = &alias {
                            rename_model(&mut first, a);
                        }
                        count_tokens(&mut log, &first);
                        if let Err(outcome) = deliver(&tx, encode(&first), stall).await {
                            end(&log, outcome, None);
                            return;
                        }
                        upstream
                    }
                    Err(e) => {
                        let _ = deliver(&tx, encode_error(&e, &redactor), stall).await;
                        end(&log, "upstream_error", Some(&e.kind()));
                        return;
                    }
                }
            }
        };
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + ping, ping);
        loop {
            let frame = tokio::select! {
                next = upstream.next_event() => match next {
                    Some(Ok(mut ev)) => {
                        ticker.reset();
                        count_tokens(&mut log, &ev);
                        if let Some(a) = &alias { rename_model(&mut ev, a); }
                        encode(&ev)
                    }
                    Some(Err(e)) => {
                        let _ = deliver(&tx, encode_error(&e, &redactor), stall).await;
                        end(&log, "upstream_error", Some(&e.kind()));
                        return;
                    }
                    None => {
                        end(&log, "complete", None);
                        return;
                    }
                },
                _ = ticker.tick() => Bytes::from_static(PING),
                // The client went away: stop now, dropping the upstream stream.
                () = tx.closed() => {
                    end(&log, "client_closed", None);
                    return;
                }
            };
            if let Err(outcome) = deliver(&tx, frame, stall).await {
                // Dropping `upstream` (on return) cancels the upstream request.
                end(&log, outcome, None);
                return;
            }
        }
    });
    let frames = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) })
        .map(|b| Ok::<_, std::convert::Infallible>(Frame::data(b)));
    StreamBody::new(frames).boxed_unsync()
}

/// Keeps the access log's token counts current (usage counts are cumulative).
fn count_tokens(log: &mut AccessLog, ev: &StreamEvent) {
    match ev {
        StreamEvent::MessageStart(start) => {
            log.input_tokens = start.message.usage.input_tokens;
            log.output_tokens = start.message.usage.output_tokens;
            log.cache_read_tokens = start.message.usage.cache_read_input_tokens;
            log.cache_creation_tokens = start.message.usage.cache_creation_input_tokens;
        }
        StreamEvent::MessageDelta(delta) => {
            if delta.usage.input_tokens.is_some() {
                log.input_tokens = delta.usage.input_tokens;
            }
            if delta.usage.output_tokens.is_some() {
                log.output_tokens = delta.usage.output_tokens;
            }
            if delta.usage.cache_read_input_tokens.is_some() {
                log.cache_read_tokens = delta.usage.cache_read_input_tokens;
            }
            if delta.usage.cache_creation_input_tokens.is_some() {
                log.cache_creation_tokens = delta.usage.cache_creation_input_tokens;
            }
        }
        _ => {}
    }
}
