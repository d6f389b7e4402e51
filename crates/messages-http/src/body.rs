//! The streaming response body every [`Transport`](crate::Transport) returns.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;

use crate::Error;

/// A boxed stream of body chunks: `Stream<Item = Result<Bytes, Error>> + Send`.
///
/// Build one from any stream ([`ResponseBody::new`]), from bytes
/// ([`ResponseBody::from_bytes`]) or from chunks ([`ResponseBody::from_chunks`]);
/// feed it to [`SseDecoder`](crate::SseDecoder) and friends, or collect it.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use messages_http::ResponseBody;
/// let body = ResponseBody::from_chunks(["he", "llo"]);
/// assert_eq!(&body.collect(1024).await.unwrap()[..], b"hello");
/// # });
/// ```
pub struct ResponseBody {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send + 'static>>,
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseBody { .. }")
    }
}

impl ResponseBody {
    /// Wraps a stream of chunks.
    pub fn new<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + Send + 'static,
    {
        Self {
            inner: Box::pin(stream),
        }
    }

    /// A body holding exactly these bytes.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        let b: Bytes = bytes.into();
        if b.is_empty() {
            return Self::empty();
        }
        Self::new(futures_util::stream::iter([Ok(b)]))
    }

    /// A body yielding these chunks in order.
    pub fn from_chunks<I>(chunks: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Bytes>,
        I::IntoIter: Send + 'static,
    {
        Self::new(futures_util::stream::iter(
            chunks.into_iter().map(|c| Ok(c.into())),
        ))
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::new(futures_util::stream::empty())
    }

    /// Adapts an [`http_body::Body`] (such as hyper's `Incoming`), mapping
    /// its errors with `map_err`. Trailers are dropped.
    pub fn from_http_body<B, F>(body: B, map_err: F) -> Self
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        F: Fn(B::Error) -> Error + Send + 'static,
    {
        let s = http_body_util::BodyStream::new(body).filter_map(move |frame| {
            let out = match frame {
                Ok(frame) => frame.into_data().ok().map(|mut d| {
                    use bytes::Buf;
                    Ok(d.copy_to_bytes(d.remaining()))
                }),
                Err(e) => Some(Err(map_err(e))),
            };
            std::future::ready(out)
        });
        Self::new(s)
    }

    /// Reads the whole body; fails with [`Error::BodyTooLarge`] past `limit` bytes.
    pub async fn collect(mut self, limit: usize) -> Result<Bytes, Error> {
        let mut first: Option<Bytes> = None;
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            let total = buf.len() + first.as_ref().map_or(0, Bytes::len) + chunk.len();
            if total > limit {
                return Err(Error::BodyTooLarge { limit });
            }
            match first.take() {
                None if buf.is_empty() => first = Some(chunk),
                prev => {
                    if let Some(p) = prev {
                        buf.extend_from_slice(&p);
                    }
                    buf.extend_from_slice(&chunk);
                }
            }
        }
        Ok(first.unwrap_or_else(|| buf.freeze()))
    }

    /// Reads at most `limit` bytes and stops (used for error bodies: a huge
    /// error page is cut rather than refused). Errors while reading end the
    /// read early.
    pub async fn collect_truncated(mut self, limit: usize) -> Bytes {
        let mut buf = BytesMut::new();
        while let Some(Ok(chunk)) = self.next().await {
            let room = limit.saturating_sub(buf.len());
            buf.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
            if buf.len() >= limit {
                break;
            }
        }
        buf.freeze()
    }
}

impl ResponseBody {
    /// Polls for the next chunk — the [`Stream`] method as an inherent one,
    /// so a consumer (e.g. the provider seam's event stream) needs no
    /// `futures` dependency. `None` at the end of the body.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error>>> {
        self.inner.as_mut().poll_next(cx)
    }

    /// The next chunk; `None` at the end of the body.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut body = messages_http::ResponseBody::from_chunks(["a", "b"]);
    /// assert_eq!(&body.next_chunk().await.unwrap().unwrap()[..], b"a");
    /// # });
    /// ```
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
    }

    #[test]
    fn collect_enforces_limit() {
        rt().block_on(async {
            let b = ResponseBody::from_chunks(["abc", "def"]);
            assert!(matches!(
                b.collect(5).await,
                Err(Error::BodyTooLarge { limit: 5 })
            ));
            let b = ResponseBody::from_chunks(["abc", "def"]);
            assert_eq!(&b.collect(6).await.unwrap()[..], b"abcdef");
            assert!(ResponseBody::empty().collect(0).await.unwrap().is_empty());
        });
    }

    #[test]
    fn collect_truncated_cuts() {
        rt().block_on(async {
            let b = ResponseBody::from_chunks(["abc", "def"]);
            assert_eq!(&b.collect_truncated(4).await[..], b"abcd");
        });
    }
}
