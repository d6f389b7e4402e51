//! Stream framing decoders: SSE, NDJSON and the AWS event stream.
//!
//! Each format has a synchronous, push-style core ([`SseParser`],
//! [`NdjsonParser`], [`EventStreamParser`]: `feed(&[u8])`, then `next_*()`
//! until `None`, then `finish()` at end of input) usable without async, and a
//! [`Stream`] adapter over a byte stream ([`SseDecoder`], [`NdjsonDecoder`],
//! [`EventStreamDecoder`]), all through one generic [`DecodeStream`]; plus
//! [`SseMap`], which maps borrowed SSE events without per-event allocation.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::{Error, FramingError};

mod eventstream;
mod ndjson;
mod sse;
mod sse_map;

pub use eventstream::{EventStreamHeader, EventStreamHeaderValue, EventStreamMessage, EventStreamParser};
pub use ndjson::NdjsonParser;
pub use sse::{SseEvent, SseEventRef, SseLimits, SseParser};
pub use sse_map::SseMap;

/// Appends `chunk` to a decoder's pending bytes, taking over the chunk's
/// buffer without a copy when nothing is pending and the chunk is not shared.
fn append_chunk(buf: &mut bytes::BytesMut, chunk: Bytes) {
    if buf.is_empty() {
        *buf = bytes::BytesMut::from(chunk);
    } else {
        buf.extend_from_slice(&chunk);
    }
}

/// A push-style decoder of a byte stream into frames.
pub trait FrameDecoder {
    /// What one frame decodes to.
    type Item;

    /// Appends input bytes.
    fn feed(&mut self, chunk: &[u8]);

    /// Appends input bytes the decoder may keep without copying (the default copies).
    fn feed_bytes(&mut self, chunk: Bytes) {
        self.feed(&chunk);
    }

    /// The next complete frame, `Ok(None)` when more input is needed (or, after
    /// [`finish`](Self::finish), when the input is exhausted).
    fn next_frame(&mut self) -> Result<Option<Self::Item>, FramingError>;

    /// Marks the end of input; later calls to `next_frame` drain what is left.
    fn finish(&mut self);
}

/// Decodes a stream of byte chunks into frames with a [`FrameDecoder`].
///
/// Errors from the inner stream are passed on (after the frames completed
/// before them) and end the stream, as does a framing error.
#[derive(Debug)]
pub struct DecodeStream<S, D> {
    inner: S,
    decoder: D,
    eof: bool,
    done: bool,
}

/// Decodes Server-Sent Events from a byte stream.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use futures_util::StreamExt;
/// use messages_http::{ResponseBody, SseDecoder};
/// let body = ResponseBody::from_chunks(["event: ping\ndata: {\"a\"", ":1}\n\n"]);
/// let mut events = SseDecoder::new(body);
/// let ev = events.next().await.unwrap().unwrap();
/// assert_eq!(ev.event.as_deref(), Some("ping"));
/// assert_eq!(&ev.data[..], br#"{"a":1}"#);
/// assert!(events.next().await.is_none());
/// # });
/// ```
pub type SseDecoder<S> = DecodeStream<S, SseParser>;

/// Decodes newline-delimited JSON (one `Bytes` per non-blank line).
pub type NdjsonDecoder<S> = DecodeStream<S, NdjsonParser>;

/// Decodes the AWS event-stream binary framing (Bedrock `ConverseStream`).
pub type EventStreamDecoder<S> = DecodeStream<S, EventStreamParser>;

impl<S, D: FrameDecoder + Default> DecodeStream<S, D> {
    /// Decodes `inner` with a default-configured decoder.
    pub fn new(inner: S) -> Self {
        Self::with_decoder(inner, D::default())
    }
}

impl<S, D: FrameDecoder> DecodeStream<S, D> {
    /// Decodes `inner` with `decoder` (to set limits).
    pub fn with_decoder(inner: S, decoder: D) -> Self {
        Self {
            inner,
            decoder,
            eof: false,
            done: false,
        }
    }

    /// The decoder.
    pub fn decoder(&self) -> &D {
        &self.decoder
    }

    /// The inner stream back.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, D, E> Stream for DecodeStream<S, D>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    D: FrameDecoder + Unpin,
    E: Into<Error>,
{
    type Item = Result<D::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.decoder.next_frame() {
                Ok(Some(item)) => return Poll::Ready(Some(Ok(item))),
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
                Some(Ok(chunk)) => this.decoder.feed_bytes(chunk),
                Some(Err(e)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
                None => {
                    this.decoder.finish();
                    this.eof = true;
                }
            }
        }
    }
}
