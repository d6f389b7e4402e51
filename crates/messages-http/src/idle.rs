//! The idle timeout of a streamed body (feature `client`: it needs tokio's timer).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;

use crate::{Error, ResponseBody, TimeoutPhase};

impl ResponseBody {
    /// Fails with [`Error::Timeout`] (phase [`TimeoutPhase::Idle`]) when no chunk
    /// arrives for `idle` (the clock starts at the first poll and restarts
    /// with every chunk).
    pub fn with_idle_timeout(self, idle: Duration) -> Self {
        Self::new(IdleTimeout {
            inner: self,
            idle,
            sleep: None,
            done: false,
        })
    }
}

struct IdleTimeout {
    inner: ResponseBody,
    idle: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    done: bool,
}

impl Stream for IdleTimeout {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(item) => {
                this.sleep = None;
                if item.is_none() {
                    this.done = true;
                }
                Poll::Ready(item)
            }
            Poll::Pending => {
                let idle = this.idle;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.done = true;
                        Poll::Ready(Some(Err(Error::Timeout {
                            phase: TimeoutPhase::Idle,
                            after: idle,
                        })))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
    }

    #[test]
    fn idle_timeout_fires_on_a_stalled_stream() {
        rt().block_on(async {
            let stalled = futures_util::stream::iter([Ok(Bytes::from_static(b"x"))])
                .chain(futures_util::stream::pending());
            let mut b = ResponseBody::new(stalled).with_idle_timeout(Duration::from_secs(5));
            assert_eq!(&b.next().await.unwrap().unwrap()[..], b"x");
            let e = b.next().await.unwrap().unwrap_err();
            assert!(matches!(
                e,
                Error::Timeout {
                    phase: TimeoutPhase::Idle,
                    ..
                }
            ));
            assert!(b.next().await.is_none());
        });
    }

    /// A body yielding one chunk after each of `gaps` (virtual time), then ending.
    fn dripping(gaps: &'static [u64]) -> ResponseBody {
        ResponseBody::new(futures_util::stream::unfold(0usize, move |i| async move {
            let gap = *gaps.get(i)?;
            tokio::time::sleep(Duration::from_secs(gap)).await;
            Some((Ok(Bytes::from_static(b"x")), i + 1))
        }))
    }

    #[test]
    fn idle_timeout_restarts_with_every_chunk() {
        rt().block_on(async {
            // Five 3 s gaps: 15 s in all, each gap under the 5 s idle limit.
            let b = dripping(&[3, 3, 3, 3, 3]).with_idle_timeout(Duration::from_secs(5));
            let got: Vec<_> = StreamExt::collect::<Vec<_>>(b).await;
            assert_eq!(got.len(), 5);
            assert!(got.iter().all(Result::is_ok), "{got:?}");

            // One gap over the limit fails there, after the chunks before it.
            let b = dripping(&[3, 3, 7, 1]).with_idle_timeout(Duration::from_secs(5));
            let got: Vec<_> = StreamExt::collect::<Vec<_>>(b).await;
            assert_eq!(got.len(), 3, "{got:?}");
            assert!(got[0].is_ok() && got[1].is_ok());
            assert!(matches!(
                got[2],
                Err(Error::Timeout {
                    phase: TimeoutPhase::Idle,
                    ..
                })
            ));
        });
    }
}
