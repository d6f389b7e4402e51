//! The Anthropic SSE reply: `event:` + `data:` lines, a `ping` while the
//! upstream is silent, and cancellation when the client goes away.
//!
//! A task reads the upstream [`MessageStream`] and writes frames into a
//! bounded channel the reply body drains. When the client disconnects, hyper
//! drops the body, the channel closes, and the task ends — dropping (and so
//! cancelling) the upstream stream.

use std::time::Duration;

use anyllm::{MessageStream, StreamEvent};
use bytes::Bytes;
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use tokio::sync::mpsc;

use crate::error::ApiFailure;
use crate::gateway::{rename_model, Body};

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

fn encode_error(e: &anyllm::Error) -> Bytes {
    let body = ApiFailure::from_upstream(e).body;
    let data = serde_json::to_string(&body).unwrap_or_default();
    Bytes::from(format!("event: error\ndata: {data}\n\n"))
}

/// Starts the task that forwards `upstream` (whose `first` event was already
/// read) and returns the reply body.
pub(crate) fn spawn(
    mut upstream: MessageStream,
    mut first: StreamEvent,
    alias: Option<String>,
    ping: Duration,
) -> Body {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    if let Some(a) = &alias {
        rename_model(&mut first, a);
    }
    tokio::spawn(async move {
        if tx.send(encode(&first)).await.is_err() {
            return;
        }
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + ping, ping);
        loop {
            let frame = tokio::select! {
                next = upstream.next_event() => match next {
                    Some(Ok(mut ev)) => {
                        ticker.reset();
                        if let Some(a) = &alias { rename_model(&mut ev, a); }
                        encode(&ev)
                    }
                    Some(Err(e)) => {
                        let _ = tx.send(encode_error(&e)).await;
                        return;
                    }
                    None => return,
                },
                _ = ticker.tick() => Bytes::from_static(PING),
                // The client went away: stop now, dropping the upstream stream.
                () = tx.closed() => return,
            };
            if tx.send(frame).await.is_err() {
                return;
            }
        }
    });
    let frames = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(Frame::data(b)), rx))
    });
    StreamBody::new(frames).boxed_unsync()
}
