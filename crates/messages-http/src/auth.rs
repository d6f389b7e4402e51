//! Per-attempt authorization: the hook [`HttpClient`](crate::HttpClient)'s
//! retry loop calls on every attempt, just before sending.
//!
//! This is the signer half of smithy-rs's identity / signer split: the
//! request body is final when the hook runs, so a SigV4 signature is computed
//! afresh for each attempt (a new `x-amz-date`), and a bearer token that was
//! refreshed after a 401 is the one sent. Where the credential comes from
//! (and how it is cached) is the identity half, in `anyllm-provider`.

use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;
use http::Request;

use crate::{BoxFuture, Error, Transport};

/// What the retry loop tells an [`Authorize`] hook about the attempt.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct AttemptContext<'a> {
    /// The attempt number: 0 for the first, 1 for the first retry, …
    pub attempt: u32,
    /// The client's transport, for hooks that must fetch a credential (a
    /// token endpoint is reached the same way as the API).
    pub transport: &'a Arc<dyn Transport>,
}

impl<'a> AttemptContext<'a> {
    /// A context for attempt `attempt` over `transport`.
    pub fn new(attempt: u32, transport: &'a Arc<dyn Transport>) -> Self {
        Self { attempt, transport }
    }
}

impl Debug for AttemptContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttemptContext")
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

/// Authorizes one attempt of a request: adds a bearer token, signs it, ….
///
/// Called by [`HttpClient::send_with_auth`](crate::HttpClient::send_with_auth)
/// and [`HttpClient::send_streaming_with_auth`](crate::HttpClient::send_streaming_with_auth)
/// for every attempt, after the body is final and just before the request
/// goes to the transport. An error stops the call (it is not retried).
/// Headers the hook sets that carry credentials should be marked sensitive
/// (the client marks the well-known ones again after the hook).
///
/// When an attempt is answered 401, the client calls
/// [`invalidate`](Self::invalidate); if it returns `true` the request is
/// retried once more with a fresh credential, even when the retry policy
/// would not retry — and never a second time for a second 401.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use bytes::Bytes;
/// use messages_http::test_util::{CannedResponse, ReplayTransport};
/// use messages_http::{AttemptContext, Authorize, BoxFuture, Error, HttpClient};
///
/// #[derive(Debug)]
/// struct AttemptHeader;
/// impl Authorize for AttemptHeader {
///     fn authorize<'a>(&'a self, request: &'a mut http::Request<Bytes>, cx: AttemptContext<'a>)
///         -> BoxFuture<'a, Result<(), Error>> {
///         let value = http::HeaderValue::from(cx.attempt);
///         Box::pin(async move { request.headers_mut().insert("x-attempt", value); Ok(()) })
///     }
/// }
/// let t = ReplayTransport::new([CannedResponse::new(200, "{}")]);
/// let client = HttpClient::with_transport(t.clone());
/// let req = http::Request::post("http://127.0.0.1/v1").body(Bytes::new()).unwrap();
/// client.send_with_auth(req, Some(&AttemptHeader)).await.unwrap();
/// assert_eq!(t.requests()[0].headers()["x-attempt"], "0");
/// # });
/// ```
pub trait Authorize: Send + Sync + Debug {
    /// Adds the credential to `request` (headers, a signature) for this attempt.
    fn authorize<'a>(
        &'a self,
        request: &'a mut Request<Bytes>,
        cx: AttemptContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>>;

    /// The credential just used was refused (401): forget it. Returns `true`
    /// when a fresh one can be had (a refreshing token), so one more attempt
    /// is worthwhile; `false` (the default) for a fixed credential.
    fn invalidate(&self) -> bool {
        false
    }
}

impl<T: Authorize + ?Sized> Authorize for Arc<T> {
    fn authorize<'a>(
        &'a self,
        request: &'a mut Request<Bytes>,
        cx: AttemptContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        (**self).authorize(request, cx)
    }

    fn invalidate(&self) -> bool {
        (**self).invalidate()
    }
}
