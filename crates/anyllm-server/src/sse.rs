//! The Anthropic SSE reply: `event:` + `data:` lines, a `ping` while the
//! upstream is silent, and cancellation when the client goes away.
//!
//! A task reads the upstream [`MessageStream`] and writes frames into a
//! bounded channel the reply body drains. When the client disconnects, hyper
//! drops the body, the channel closes, and the task ends — dropping (and so
//! cancelling) the upstream stream.

use std::sync::Arc;
use std::time::Duration;

use anyllm::{MessageStream, StreamEvent};
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

const PING: &[u8] = b"event: ping\ndata: {\"type\":\"ping\"}\n\n";

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

/// Starts the task that forwards `upstream` (whose `first` event was already
/// read) and returns the reply body, the first event already in it (the
/// stream's time to first token is when this body is handed to hyper).
pub(crate) fn spawn(
    mut upstream: MessageStream,
    mut first: StreamEvent,
    alias: Option<String>,
    ping: Duration,
    mut log: AccessLog,
    redactor: Redactor,
    metrics: Arc<Metrics>,
) -> Body {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    if let Some(a) = &alias {
        rename_model(&mut first, a);
    }
    count_tokens(&mut log, &first);
    let first = encode(&first);
    let open = metrics.stream_open(&log.labels);
    tokio::spawn(async move {
        let _open = open;
        let end = |log: &AccessLog, outcome: &'static str, error: Option<&anyllm::ErrorKind>| {
            stream_end_log(log, outcome);
            metrics.stream_end(&log.labels, log.started.elapsed(), log.tokens(), error);
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
                        let _ = tx.send(encode_error(&e, &redactor)).await;
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
            if tx.send(frame).await.is_err() {
                end(&log, "client_closed", None);
                return;
            }
        }
    });
    let rest = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
    let frames = futures_util::stream::once(std::future::ready(first))
        .chain(rest)
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
