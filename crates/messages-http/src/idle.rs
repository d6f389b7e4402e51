//! The idle timeout and the total deadline of a streamed body (feature `client`:
//! they need tokio's timer).

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
    /// with every chunk). This layer only sees bytes: a stream decoder that
    /// knows what counts as data (not SSE comments or pings) applies its own
    /// [`IdleTimer`] on top.
    pub fn with_idle_timeout(self, idle: Duration) -> Self {
        Self::new(IdleTimeout {
            inner: self,
            timer: IdleTimer::new(idle),
            done: false,
        })
    }

    /// Fails with [`Error::Timeout`] (phase [`TimeoutPhase::Request`], reported
    /// as `after: limit`) once `deadline` passes, however many chunks keep
    /// arriving: the total deadline of a call, covering a streamed body.
    pub fn with_deadline(self, deadline: tokio::time::Instant, limit: Duration) -> Self {
        Self::new(Deadline {
            inner: self,
            sleep: Box::pin(tokio::time::sleep_until(deadline)),
            limit,
            done: false,
        })
    }
}

/// An idle limit restarted by whoever decides what counts as progress:
/// [`ResponseBody::with_idle_timeout`] restarts it per chunk, a stream of
/// decoded events per data event (so SSE comments and pings do not keep a
/// stalled stream alive).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap().block_on(async {
/// use std::time::Duration;
/// use messages_http::IdleTimer;
/// let start = tokio::time::Instant::now();
/// let mut timer = IdleTimer::new(Duration::from_secs(5));
/// tokio::time::sleep(Duration::from_secs(4)).await;
/// timer.restart(); // data arrived
/// let err = std::future::poll_fn(|cx| timer.poll_expired(cx)).await;
/// assert_eq!(start.elapsed(), Duration::from_secs(9));
/// assert!(matches!(err, messages_http::Error::Timeout { .. }));
/// # });
/// ```
#[derive(Debug)]
pub struct IdleTimer {
    limit: Duration,
    /// When the limit runs out unless progress is made. [`IdleTimer::restart`]
    /// only moves this instant: it never touches tokio's timer wheel.
    deadline: tokio::time::Instant,
    /// One armed timer, at or before `deadline`. When it fires early
    /// (progress moved `deadline` since it was armed) it is re-armed once to
    /// the new `deadline`: a stream that keeps making progress costs one
    /// timer registration per `limit`, not one per chunk or event.
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl IdleTimer {
    /// A timer that expires `limit` from now unless restarted.
    pub fn new(limit: Duration) -> Self {
        let deadline = tokio::time::Instant::now() + limit;
        Self {
            limit,
            deadline,
            sleep: Box::pin(tokio::time::sleep_until(deadline)),
        }
    }

    /// Progress: the limit counts again from now (a clock read; the armed
    /// timer is left alone).
    pub fn restart(&mut self) {
        self.deadline = tokio::time::Instant::now() + self.limit;
    }

    /// The configured limit.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// `Ready` with the idle [`Error::Timeout`] once the limit passed without
    /// a restart; registers the waker otherwise.
    pub fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<Error> {
        if self.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        if self.sleep.deadline() < self.deadline {
            // Fired early: progress was made since the timer was armed.
            // Re-armed to the current deadline (which may itself have passed).
            let at = self.deadline;
            self.sleep.as_mut().reset(at);
            if self.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        Poll::Ready(Error::Timeout {
            phase: TimeoutPhase::Idle,
            after: self.limit,
        })
    }
}

struct IdleTimeout {
    inner: ResponseBody,
    timer: IdleTimer,
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
                this.timer.restart();
                if item.is_none() {
                    this.done = true;
                }
                Poll::Ready(item)
            }
            Poll::Pending => match this.timer.poll_expired(cx) {
                Poll::Ready(e) => {
                    this.done = true;
                    Poll::Ready(Some(Err(e)))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

struct Deadline {
    inner: ResponseBody,
    sleep: Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
    done: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        // The deadline wins over a body that is always ready.
        if this.sleep.as_mut().poll(cx).is_ready() {
            this.done = true;
            return Poll::Ready(Some(Err(Error::Timeout {
                phase: TimeoutPhase::Request,
                after: this.limit,
            })));
        }
        let item = Pin::new(&mut this.inner).poll_next(cx);
        if let Poll::Ready(None) = item {
            this.done = true;
        }
        item
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

    #[test]
    fn idle_timer_expires_exactly_one_limit_after_the_last_restart() {
        rt().block_on(async {
            let start = tokio::time::Instant::now();
            let mut timer = IdleTimer::new(Duration::from_secs(5));
            // Progress every second for 20 s: the armed timer fires early
            // (at 5 s, …) and is re-armed to the moved deadline each time.
            for _ in 0..20 {
                let tick = tokio::time::sleep(Duration::from_secs(1));
                tokio::pin!(tick);
                std::future::poll_fn(|cx| {
                    if let Poll::Ready(e) = timer.poll_expired(cx) {
                        panic!("expired while progressing: {e}");
                    }
                    tick.as_mut().poll(cx)
                })
                .await;
                timer.restart();
            }
            assert_eq!(start.elapsed(), Duration::from_secs(20));
            let err = std::future::poll_fn(|cx| timer.poll_expired(cx)).await;
            assert_eq!(start.elapsed(), Duration::from_secs(25));
            assert!(matches!(
                err,
                Error::Timeout {
                    phase: TimeoutPhase::Idle,
                    after,
                } if after == Duration::from_secs(5)
            ));
        });
    }

    #[test]
    fn the_deadline_ends_a_body_that_keeps_sending() {
        rt().block_on(async {
            // A chunk every 3 s, forever: no idle limit fires, the deadline does.
            let endless = futures_util::stream::unfold((), |()| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                Some((Ok(Bytes::from_static(b"x")), ()))
            });
            let start = tokio::time::Instant::now();
            let b = ResponseBody::new(endless)
                .with_idle_timeout(Duration::from_secs(5))
                .with_deadline(start + Duration::from_secs(10), Duration::from_secs(10));
            let got: Vec<_> = StreamExt::collect::<Vec<_>>(b).await;
            assert_eq!(got.len(), 4, "{got:?}");
            assert!(got[..3].iter().all(Result::is_ok));
            assert!(matches!(
                got[3],
                Err(Error::Timeout {
                    phase: TimeoutPhase::Request,
                    after,
                }) if after == Duration::from_secs(10)
            ));
            assert_eq!(start.elapsed(), Duration::from_secs(10));
        });
    }
}
