//! A stream that hands each SSE event, borrowed, to a function as it is parsed.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use super::sse::{SseEventRef, SseParser};
use crate::Error;

/// Decodes SSE from a byte stream and maps each event through `f` while it
/// is still borrowed from the parser: the decoder itself allocates nothing
/// per event, so a provider can deserialize `data` straight into its typed
/// event. `f` returns `Ok(None)` to skip an event (a `ping`, `[DONE]`).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use futures_util::StreamExt;
/// use messages_http::{Error, ResponseBody, SseEventRef, SseMap};
/// let body = ResponseBody::from_chunks(["data: {\"n\":1}\n\ndata: [DONE]\n\n"]);
/// let values: Vec<serde_json::Value> = SseMap::new(body, |ev: SseEventRef<'_>| {
///     if ev.data == b"[DONE]" {
///         return Ok(None);
///     }
///     serde_json::from_slice(ev.data).map(Some).map_err(|e| Error::decode(e.to_string(), ev.data))
/// })
/// .map(|v| v.unwrap())
/// .collect()
/// .await;
/// assert_eq!(values, [serde_json::json!({"n": 1})]);
/// # });
/// ```
#[derive(Debug)]
pub struct SseMap<S, F> {
    inner: S,
    parser: SseParser,
    f: F,
    eof: bool,
    done: bool,
}

impl<S, F> SseMap<S, F> {
    /// Maps the events of `inner` with a default parser.
    pub fn new(inner: S, f: F) -> Self {
        Self::with_parser(inner, SseParser::new(), f)
    }

    /// Maps the events of `inner` with `parser` (to set limits).
    pub fn with_parser(inner: S, parser: SseParser, f: F) -> Self {
        Self {
            inner,
            parser,
            f,
            eof: false,
            done: false,
        }
    }
}

impl<S, F, E, T> Stream for SseMap<S, F>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<Error>,
    F: FnMut(SseEventRef<'_>) -> Result<Option<T>, Error> + Unpin,
{
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.parser.next_event_ref() {
                Ok(Some(ev)) => match (this.f)(ev) {
                    Ok(Some(v)) => return Poll::Ready(Some(Ok(v))),
                    Ok(None) => continue,
                    Err(e) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                },
                Ok(None) => {}
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Framing(e))));
                }
            }
            if this.eof {
                this.done = true;
                return Poll::Ready(None);
            }
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(chunk)) => this.parser.feed_bytes(chunk),
                Some(Err(e)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
                None => {
                    this.parser.finish();
                    this.eof = true;
                }
            }
        }
    }
}
