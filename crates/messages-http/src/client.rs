//! [`HttpClient`]: a [`Transport`] plus retries, timeouts and default headers.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use http::{Request, Response};

use crate::retry::{Outcome, RetryDecision, RetryPolicy};
use crate::secret::{mark_sensitive, RedactedHeaders};
use crate::test_util::clone_request;
use crate::{AttemptContext, Authorize, Error, RawResponse, ResponseBody, TimeoutPhase, Transport};

/// The default `user-agent`: `anyllm/<version>`.
pub const USER_AGENT_VALUE: &str = concat!("anyllm/", env!("CARGO_PKG_VERSION"));

/// The timeouts an [`HttpClient`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Establishing a connection (TCP + TLS). Applied by the default transport.
    pub connect: Duration,
    /// The whole call, as the SDKs' `timeout`: a non-streaming request, or a
    /// streaming one from sending it to the end of its body (however long
    /// the server keeps sending). Applies per attempt. `None` = no limit
    /// (only when asked: the default is 600 s).
    pub request: Option<Duration>,
    /// The longest gap between two chunks of a streamed body (a stream
    /// decoder also applies it between data events). `None` = no limit.
    pub idle: Option<Duration>,
}

impl Default for Timeouts {
    /// The SDK defaults: connect 5 s, request 600 s; idle 120 s.
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            request: Some(Duration::from_secs(600)),
            idle: Some(Duration::from_secs(120)),
        }
    }
}

impl Timeouts {
    /// Sets the connect timeout.
    pub fn with_connect(mut self, d: Duration) -> Self {
        self.connect = d;
        self
    }

    /// Sets the request timeout.
    pub fn with_request(mut self, d: Option<Duration>) -> Self {
        self.request = d;
        self
    }

    /// Sets the idle timeout between stream chunks.
    pub fn with_idle(mut self, d: Option<Duration>) -> Self {
        self.idle = d;
        self
    }
}

/// Default size limit of a collected (non-streaming) response body: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// How much of an error body is kept: 64 KiB.
pub const DEFAULT_MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// An HTTP client: a [`Transport`] plus a [`RetryPolicy`], [`Timeouts`],
/// default headers and the `anyllm/<version>` user agent. Cheap to clone.
///
/// * [`send`](Self::send) collects the body (bounded) and turns non-success
///   statuses into typed [`Error`]s, retrying per the policy.
/// * [`send_streaming`](Self::send_streaming) returns once a success head has
///   arrived; error statuses are read and typed, and retried, before that.
///   Nothing is retried once the body has been handed over; the body enforces
///   the idle timeout.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use messages_http::test_util::{CannedResponse, ReplayTransport};
/// use messages_http::{Error, HttpClient, RetryPolicy};
/// let t = ReplayTransport::new([
///     CannedResponse::new(529, r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
///     CannedResponse::new(200, "{}"),
/// ]);
/// let client = HttpClient::builder()
///     .transport(t.clone())
///     .retry_policy(RetryPolicy::default().with_initial_delay(std::time::Duration::from_millis(1)))
///     .build()
///     .unwrap();
/// let req = http::Request::post("http://127.0.0.1/v1/messages").body(bytes::Bytes::new()).unwrap();
/// let raw = client.send(req).await.unwrap();
/// assert_eq!(raw.status, 200);
/// assert_eq!(t.requests().len(), 2);
/// assert_eq!(t.requests()[0].headers()["user-agent"], messages_http::USER_AGENT_VALUE);
/// # });
/// ```
#[derive(Clone)]
pub struct HttpClient {
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    default_headers: HeaderMap,
    max_body_bytes: usize,
    max_error_body_bytes: usize,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("default_headers", &RedactedHeaders(&self.default_headers))
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client on the default [`HyperTransport`](crate::HyperTransport) with default settings.
    #[cfg(feature = "hyper-transport")]
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// A client on `transport` with default settings.
    pub fn with_transport(transport: impl Transport + 'static) -> Self {
        let mut default_headers = HeaderMap::new();
        default_headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        Self {
            transport: Arc::new(transport),
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            default_headers,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_error_body_bytes: DEFAULT_MAX_ERROR_BODY_BYTES,
        }
    }

    /// A builder.
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::default()
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// A copy using another retry policy (e.g. per request).
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Self {
        Self {
            retry,
            ..self.clone()
        }
    }

    /// A copy using other timeouts (the connect timeout of an existing
    /// transport does not change).
    pub fn with_timeouts(&self, timeouts: Timeouts) -> Self {
        Self {
            timeouts,
            ..self.clone()
        }
    }

    /// The transport.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    fn prepare(&self, mut req: Request<Bytes>) -> Request<Bytes> {
        for (name, value) in &self.default_headers {
            if !req.headers().contains_key(name) {
                req.headers_mut().insert(name.clone(), value.clone());
            }
        }
        mark_sensitive(req.headers_mut());
        req
    }

    /// Sends a request and collects its body (at most the body limit).
    /// Non-success statuses become typed errors; retries follow the policy.
    pub async fn send(&self, req: Request<Bytes>) -> Result<RawResponse<Bytes>, Error> {
        self.with_retries(req, None, |r| self.attempt_collect(r)).await
    }

    /// [`send`](Self::send), with `auth` authorizing every attempt (see
    /// [`Authorize`]): called just before each attempt is sent, and on a 401
    /// asked to [`invalidate`](Authorize::invalidate) its credential for one
    /// extra attempt. `None` is plain [`send`](Self::send).
    pub async fn send_with_auth(
        &self,
        req: Request<Bytes>,
        auth: Option<&dyn Authorize>,
    ) -> Result<RawResponse<Bytes>, Error> {
        self.with_retries(req, auth, |r| self.attempt_collect(r)).await
    }

    /// Sends a request and returns as soon as a success head arrives, with the
    /// body as a stream (guarded by the idle timeout, and by the request
    /// timeout counted from the start of the attempt that succeeded). Error
    /// statuses are read, typed and retried per the policy before anything
    /// is returned.
    pub async fn send_streaming(&self, req: Request<Bytes>) -> Result<RawResponse<ResponseBody>, Error> {
        self.send_streaming_with_auth(req, None).await
    }

    /// [`send_streaming`](Self::send_streaming), with `auth` authorizing
    /// every attempt (as in [`send_with_auth`](Self::send_with_auth)).
    pub async fn send_streaming_with_auth(
        &self,
        req: Request<Bytes>,
        auth: Option<&dyn Authorize>,
    ) -> Result<RawResponse<ResponseBody>, Error> {
        let (started, raw) = self
            .with_retries(req, auth, |r| async move {
                let started = tokio::time::Instant::now();
                self.attempt_head(r).await.map(|raw| (started, raw))
            })
            .await?;
        let raw = match self.timeouts.idle {
            Some(idle) => raw.map(|b| b.with_idle_timeout(idle)),
            None => raw,
        };
        Ok(match self.timeouts.request {
            Some(limit) => match started.checked_add(limit) {
                Some(deadline) => raw.map(|b| b.with_deadline(deadline, limit)),
                None => raw,
            },
            None => raw,
        })
    }

    /// Runs `attempt` (under the request timeout) until it succeeds or the
    /// policy stops. Nothing an attempt returned has reached the caller yet.
    /// `auth` authorizes each attempt; a 401 it can recover from
    /// ([`Authorize::invalidate`]) earns one extra attempt outside the policy.
    async fn with_retries<T, F, Fut>(
        &self,
        req: Request<Bytes>,
        auth: Option<&dyn Authorize>,
        attempt: F,
    ) -> Result<T, Error>
    where
        F: Fn(Request<Bytes>) -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let req = self.prepare(req);
        let mut retries = 0u32;
        let mut attempts = 0u32;
        let mut refreshed = false;
        loop {
            let mut this = clone_request(&req);
            if let Some(auth) = auth {
                auth.authorize(&mut this, AttemptContext::new(attempts, &self.transport))
                    .await?;
                mark_sensitive(this.headers_mut());
            }
            attempts += 1;
            let err = match self.with_request_timeout(attempt(this)).await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if let Some(auth) = auth {
                if !refreshed && err.status() == Some(http::StatusCode::UNAUTHORIZED) && auth.invalidate() {
                    refreshed = true;
                    continue;
                }
            }
            match self
                .retry
                .decide(retries, Outcome::Error(&err), SystemTime::now())
            {
                RetryDecision::Retry(d) => {
                    #[cfg(feature = "tracing")]
                    crate::telemetry::emit_retry(attempts, &err, d);
                    tokio::time::sleep(d).await;
                    retries += 1;
                }
                RetryDecision::Stop => return Err(err),
            }
        }
    }

    async fn with_request_timeout<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        match self.timeouts.request {
            Some(limit) => tokio::time::timeout(limit, fut)
                .await
                .unwrap_or(Err(Error::Timeout {
                    phase: TimeoutPhase::Request,
                    after: limit,
                })),
            None => fut.await,
        }
    }

    async fn attempt_collect(&self, req: Request<Bytes>) -> Result<RawResponse<Bytes>, Error> {
        let raw = self.attempt_head(req).await?;
        let limit = self.max_body_bytes;
        let status = raw.status;
        let headers = raw.headers;
        let body = raw.body.collect(limit).await?;
        Ok(RawResponse::new(status, headers, body))
    }

    async fn attempt_head(&self, req: Request<Bytes>) -> Result<RawResponse<ResponseBody>, Error> {
        let resp: Response<ResponseBody> = self.transport.send(req).await?;
        let (parts, body) = resp.into_parts();
        if parts.status.is_success() {
            return Ok(RawResponse::new(parts.status, parts.headers, body));
        }
        let bytes = body.collect_truncated(self.max_error_body_bytes).await;
        Err(Error::from_response(parts.status, parts.headers, bytes))
    }
}

/// Builds an [`HttpClient`].
#[derive(Default)]
pub struct HttpClientBuilder {
    transport: Option<Arc<dyn Transport>>,
    retry: Option<RetryPolicy>,
    timeouts: Option<Timeouts>,
    headers: HeaderMap,
    user_agent: Option<HeaderValue>,
    max_body_bytes: Option<usize>,
    max_error_body_bytes: Option<usize>,
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientBuilder")
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("headers", &RedactedHeaders(&self.headers))
            .finish_non_exhaustive()
    }
}

impl HttpClientBuilder {
    /// Uses this transport instead of the default hyper one.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Uses this shared transport.
    pub fn shared_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Sets the timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = Some(timeouts);
        self
    }

    /// Adds a header sent with every request (unless the request sets it).
    /// Credential headers are marked sensitive.
    pub fn default_header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        if crate::secret::is_sensitive_header(&name) {
            value.set_sensitive(true);
        }
        self.headers.insert(name, value);
        self
    }

    /// Replaces the `user-agent` (default [`USER_AGENT_VALUE`]).
    pub fn user_agent(mut self, value: HeaderValue) -> Self {
        self.user_agent = Some(value);
        self
    }

    /// Limits collected response bodies (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = Some(limit);
        self
    }

    /// Limits how much of an error body is read (default [`DEFAULT_MAX_ERROR_BODY_BYTES`]).
    pub fn max_error_body_bytes(mut self, limit: usize) -> Self {
        self.max_error_body_bytes = Some(limit);
        self
    }

    /// Builds the client (creating the default hyper transport when none was given).
    pub fn build(self) -> Result<HttpClient, Error> {
        let timeouts = self.timeouts.unwrap_or_default();
        let transport: Arc<dyn Transport> = match self.transport {
            Some(t) => t,
            None => default_transport(timeouts.connect)?,
        };
        let mut default_headers = self.headers;
        default_headers.insert(
            USER_AGENT,
            self.user_agent
                .unwrap_or_else(|| HeaderValue::from_static(USER_AGENT_VALUE)),
        );
        Ok(HttpClient {
            transport,
            retry: self.retry.unwrap_or_default(),
            timeouts,
            default_headers,
            max_body_bytes: self.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
            max_error_body_bytes: self.max_error_body_bytes.unwrap_or(DEFAULT_MAX_ERROR_BODY_BYTES),
        })
    }
}

#[cfg(feature = "hyper-transport")]
fn default_transport(connect: Duration) -> Result<Arc<dyn Transport>, Error> {
    Ok(Arc::new(
        crate::HyperTransport::builder()
            .connect_timeout(connect)
            .build()?,
    ))
}

#[cfg(not(feature = "hyper-transport"))]
fn default_transport(_connect: Duration) -> Result<Arc<dyn Transport>, Error> {
    Err(Error::InvalidRequest(
        "no transport given and the `hyper-transport` feature is off".into(),
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures_util::StreamExt;

    use super::*;
    use crate::{transport_fn, ErrorKind};

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
    }

    fn req() -> Request<Bytes> {
        Request::post("http://127.0.0.1/").body(Bytes::new()).unwrap()
    }

    /// A 200 whose body sends `first`, then after `gap` seconds (virtual
    /// time) a chunk, `n` times, then ends with `tail` (an error or nothing).
    fn body(n: usize, gap: u64, tail: Option<Error>) -> ResponseBody {
        let chunks = futures_util::stream::unfold(0usize, move |i| async move {
            if i == n {
                return None;
            }
            tokio::time::sleep(Duration::from_secs(gap)).await;
            Some((Ok(Bytes::from_static(b"data: x\n\n")), i + 1))
        });
        ResponseBody::new(chunks.chain(futures_util::stream::iter(tail.map(Err))))
    }

    fn cut() -> Error {
        Error::Connection {
            message: "cut".into(),
            source: None,
        }
    }

    #[test]
    fn send_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let c = HttpClient::with_transport(crate::test_util::NeverTransport);
        assert_send(&c.send(req()));
        assert_send(&c.send_streaming(req()));
    }

    #[test]
    fn the_request_timeout_bounds_a_streamed_body_unless_turned_off() {
        rt().block_on(async {
            let streaming = |request: Option<Duration>| {
                HttpClient::with_transport(transport_fn(|_| async { Ok(Response::new(body(4, 2, None))) }))
                    .with_timeouts(
                        Timeouts::default()
                            .with_request(request)
                            .with_idle(Some(Duration::from_secs(5))),
                    )
            };
            // 8 s of body (a chunk every 2 s, each under the idle limit) under
            // a 5 s request timeout: two chunks, then the whole-call deadline.
            let raw = streaming(Some(Duration::from_secs(5)))
                .send_streaming(req())
                .await
                .unwrap();
            let chunks: Vec<_> = StreamExt::collect::<Vec<_>>(raw.body).await;
            assert_eq!(chunks.len(), 3, "{chunks:?}");
            assert!(chunks[..2].iter().all(Result::is_ok), "{chunks:?}");
            assert!(matches!(
                chunks[2],
                Err(Error::Timeout {
                    phase: TimeoutPhase::Request,
                    ..
                })
            ));
            // Turned off: only the idle limit applies.
            let raw = streaming(None).send_streaming(req()).await.unwrap();
            let chunks: Vec<_> = StreamExt::collect::<Vec<_>>(raw.body).await;
            assert_eq!(chunks.len(), 4);
            assert!(chunks.iter().all(Result::is_ok), "{chunks:?}");
        });
    }

    #[test]
    fn a_streamed_body_error_is_never_retried_but_a_collected_one_is() {
        rt().block_on(async {
            let calls = Arc::new(AtomicUsize::new(0));
            let counted = calls.clone();
            let c = HttpClient::with_transport(transport_fn(move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
                async { Ok(Response::new(body(1, 0, Some(cut())))) }
            }))
            .with_retry_policy(RetryPolicy::default().with_random(|| 0.0));

            // Streaming: the first chunk reaches the caller, then the error; one call.
            let raw = c.send_streaming(req()).await.unwrap();
            let items: Vec<_> = StreamExt::collect::<Vec<_>>(raw.body).await;
            assert_eq!(items.len(), 2);
            assert!(items[0].is_ok());
            assert!(matches!(items[1], Err(Error::Connection { .. })));
            assert_eq!(calls.load(Ordering::SeqCst), 1);

            // Collected: nothing was handed over, so the SDK policy retries twice.
            calls.store(0, Ordering::SeqCst);
            let err = c.send(req()).await.unwrap_err();
            assert!(matches!(err, Error::Connection { .. }), "{err:?}");
            assert_eq!(calls.load(Ordering::SeqCst), 3);
        });
    }

    #[test]
    fn retries_wait_for_the_server_hint_or_the_backoff() {
        rt().block_on(async {
            let calls = Arc::new(AtomicUsize::new(0));
            let counted = calls.clone();
            let c = HttpClient::with_transport(transport_fn(move |_| {
                let n = counted.fetch_add(1, Ordering::SeqCst);
                async move {
                    let mut r = Response::new(ResponseBody::from_bytes("{}"));
                    *r.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
                    if n == 0 {
                        r.headers_mut()
                            .insert("retry-after", HeaderValue::from_static("7"));
                    }
                    Ok(r)
                }
            }))
            .with_retry_policy(RetryPolicy::default().with_random(|| 0.0));
            let start = tokio::time::Instant::now();
            let err = c.send(req()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::RateLimit, "{err:?}");
            assert_eq!(calls.load(Ordering::SeqCst), 3);
            // Virtual time: 7 s (the hint) + 1 s (second backoff, 0.5 s · 2¹).
            assert_eq!(start.elapsed(), Duration::from_secs(8));
        });
    }
}
