//! The connector seam: anything that turns an `http::Request<Bytes>` into a
//! streaming `http::Response`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};

use crate::{Error, ResponseBody};

/// A boxed, `Send` future (what [`Transport::send`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one HTTP request and returns the response with a streaming body.
///
/// Small and object-safe: `Arc<dyn Transport>` is how clients hold it. The
/// default implementation is [`HyperTransport`](crate::HyperTransport); supply
/// your own for a proxy client, a recorder, or a test double (see
/// [`crate::test_util`]). A transport does not retry, does not apply the
/// request timeout and does not check the status: [`HttpClient`](crate::HttpClient)
/// does.
///
/// ```
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use messages_http::{BoxFuture, Error, ResponseBody, Transport};
///
/// struct Hello;
/// impl Transport for Hello {
///     fn send(&self, _req: http::Request<Bytes>) -> BoxFuture<'_, Result<http::Response<ResponseBody>, Error>> {
///         Box::pin(async { Ok(http::Response::new(ResponseBody::from_bytes("hello"))) })
///     }
/// }
/// let t: Arc<dyn Transport> = Arc::new(Hello);
/// # let _ = t;
/// ```
pub trait Transport: Send + Sync {
    /// Sends `request`; resolves once the response head has arrived.
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<ResponseBody>, Error>>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<ResponseBody>, Error>> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<ResponseBody>, Error>> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<ResponseBody>, Error>> {
        (**self).send(request)
    }
}

/// A [`Transport`] made from a closure returning a future (see [`transport_fn`]).
pub struct FnTransport<F>(F);

/// Makes a [`Transport`] from an async closure.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use messages_http::{transport_fn, HttpClient, ResponseBody};
/// let t = transport_fn(|req: http::Request<bytes::Bytes>| async move {
///     assert_eq!(req.uri().path(), "/v1/messages");
///     Ok(http::Response::new(ResponseBody::from_bytes("{}")))
/// });
/// let client = HttpClient::with_transport(t);
/// let req = http::Request::post("http://127.0.0.1/v1/messages").body(bytes::Bytes::new()).unwrap();
/// let raw = client.send(req).await.unwrap();
/// assert_eq!(&raw.body[..], b"{}");
/// # });
/// ```
pub fn transport_fn<F, Fut>(f: F) -> FnTransport<F>
where
    F: Fn(Request<Bytes>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Response<ResponseBody>, Error>> + Send + 'static,
{
    FnTransport(f)
}

impl<F, Fut> Transport for FnTransport<F>
where
    F: Fn(Request<Bytes>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Response<ResponseBody>, Error>> + Send + 'static,
{
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<ResponseBody>, Error>> {
        Box::pin((self.0)(request))
    }
}
