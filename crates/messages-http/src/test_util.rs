//! Test doubles for [`Transport`] (after smithy's `test_util`): replay canned
//! responses while capturing requests, or never answer.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};

use crate::{BoxFuture, Error, ResponseBody, Transport};

/// One canned reply of a [`ReplayTransport`] (`Debug` redacts credential headers).
#[derive(Clone)]
pub struct CannedResponse {
    /// Status to answer with.
    pub status: StatusCode,
    /// Headers to answer with.
    pub headers: HeaderMap,
    /// Body chunks, sent in order.
    pub chunks: Vec<Bytes>,
}

impl std::fmt::Debug for CannedResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CannedResponse")
            .field("status", &self.status)
            .field("headers", &crate::RedactedHeaders(&self.headers))
            .field("chunks", &self.chunks)
            .finish()
    }
}

impl CannedResponse {
    /// A reply with one body chunk.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: HeaderMap::new(),
            chunks: vec![body.into()],
        }
    }

    /// Adds a header (ignored if name or value are invalid).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            self.headers.append(n, v);
        }
        self
    }

    /// Replaces the body with these chunks.
    pub fn chunks<I: IntoIterator<Item = B>, B: Into<Bytes>>(mut self, chunks: I) -> Self {
        self.chunks = chunks.into_iter().map(Into::into).collect();
        self
    }
}

/// Answers each request with the next canned reply and records every request.
/// When the replies run out it fails with a connection error.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use messages_http::test_util::{CannedResponse, ReplayTransport};
/// use messages_http::HttpClient;
/// let t = ReplayTransport::new([CannedResponse::new(200, "ok")]);
/// let client = HttpClient::with_transport(t.clone());
/// let req = http::Request::post("http://127.0.0.1/x").body(bytes::Bytes::from("hi")).unwrap();
/// assert_eq!(&client.send(req).await.unwrap().body[..], b"ok");
/// assert_eq!(&t.requests()[0].body()[..], b"hi");
/// # });
/// ```
#[derive(Clone, Default)]
pub struct ReplayTransport {
    replies: Arc<Mutex<VecDeque<CannedResponse>>>,
    requests: Arc<Mutex<Vec<Request<Bytes>>>>,
}

impl std::fmt::Debug for ReplayTransport {
    // Counts only: captured requests carry credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayTransport")
            .field("replies_left", &self.remaining())
            .field("requests", &self.requests.lock().map(|r| r.len()).unwrap_or(0))
            .finish()
    }
}

impl ReplayTransport {
    /// A transport answering with `replies` in order.
    pub fn new(replies: impl IntoIterator<Item = CannedResponse>) -> Self {
        Self {
            replies: Arc::new(Mutex::new(replies.into_iter().collect())),
            requests: Arc::default(),
        }
    }

    /// The requests received so far (clones; extensions are not kept).
    /// Credential headers are marked sensitive, so printing them hides the values.
    pub fn requests(&self) -> Vec<Request<Bytes>> {
        let Ok(reqs) = self.requests.lock() else {
            return Vec::new();
        };
        reqs.iter().map(clone_request).collect()
    }

    /// How many canned replies are left.
    pub fn remaining(&self) -> usize {
        self.replies.lock().map(|r| r.len()).unwrap_or(0)
    }
}

pub(crate) fn clone_request(r: &Request<Bytes>) -> Request<Bytes> {
    let mut out = Request::new(r.body().clone());
    *out.method_mut() = r.method().clone();
    *out.uri_mut() = r.uri().clone();
    *out.version_mut() = r.version();
    *out.headers_mut() = r.headers().clone();
    out
}

impl Transport for ReplayTransport {
    fn send(&self, mut request: Request<Bytes>) -> BoxFuture<'_, Result<Response<ResponseBody>, Error>> {
        crate::secret::mark_sensitive(request.headers_mut());
        if let Ok(mut reqs) = self.requests.lock() {
            reqs.push(request);
        }
        let next = self.replies.lock().ok().and_then(|mut r| r.pop_front());
        Box::pin(async move {
            let Some(c) = next else {
                return Err(Error::Connection {
                    message: "ReplayTransport: no canned response left".into(),
                    source: None,
                });
            };
            let mut resp = Response::new(ResponseBody::from_chunks(c.chunks));
            *resp.status_mut() = c.status;
            *resp.headers_mut() = c.headers;
            Ok(resp)
        })
    }
}

/// A transport that never answers (for timeout tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NeverTransport;

impl Transport for NeverTransport {
    fn send(&self, _request: Request<Bytes>) -> BoxFuture<'_, Result<Response<ResponseBody>, Error>> {
        Box::pin(std::future::pending())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_requests_never_print_credentials() {
        let t = ReplayTransport::new([CannedResponse::new(200, "ok")]);
        let req = Request::post("http://127.0.0.1/")
            .header("x-api-key", "sk-SECRET")
            .body(Bytes::new())
            .unwrap();
        drop(t.send(req));
        let shown = format!("{t:?} {:?}", t.requests());
        assert!(!shown.contains("sk-SECRET"), "{shown}");
        assert_eq!(t.requests()[0].headers()["x-api-key"], "sk-SECRET");
    }
}
