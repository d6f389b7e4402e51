//! A stream that hands each SSE event, borrowed, to a function as it is parsed.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use super::sse::{SseEventRef, SseParser};
use super::{poll_pull, Pull};
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
    map: MapEvents<F>,
    eof: bool,
    done: bool,
}

/// The parser and the function: what [`poll_pull`] drives.
#[derive(Debug)]
struct MapEvents<F> {
    parser: SseParser,
    f: F,
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
            map: MapEvents { parser, f },
            eof: false,
            done: false,
        }
    }
}

impl<F, T> Pull for MapEvents<F>
where
    F: FnMut(SseEventRef<'_>) -> Result<Option<T>, Error>,
{
    type Item = T;

    #[inline]
    fn pull(&mut self) -> Result<Option<T>, Error> {
        while let Some(ev) = self.parser.next_event_ref()? {
            if let Some(v) = (self.f)(ev)? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    #[inline]
    fn push(&mut self, chunk: Bytes) {
        self.parser.feed_bytes(chunk);
    }

    fn end(&mut self) {
        self.parser.finish();
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
        poll_pull(&mut this.inner, &mut this.map, &mut this.eof, &mut this.done, cx)
    }
}
