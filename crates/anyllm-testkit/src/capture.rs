//! [`CaptureServer`]: a loopback HTTP server that records every request and
//! answers each from a handler — for providers with no recordings, whose
//! tests assert the exact request sent (URL, headers, body) and feed
//! documented reply shapes back.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The method.
    pub method: http::Method,
    /// The path and query (`/v1/messages?beta=true`).
    pub path_and_query: String,
    /// The headers as received.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Captured {
    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }

    /// A header's value as text (`None` when absent or not text).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body's form fields (`application/x-www-form-urlencoded`).
    pub fn form_field(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(&self.body)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// The answer to one request.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The `content-type`.
    pub content_type: String,
    /// The body.
    pub body: Bytes,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            content_type: "application/json".to_owned(),
            body: body.into(),
        }
    }

    /// A reply with any content type (`text/event-stream`,
    /// `application/vnd.amazon.eventstream`, …).
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            content_type: content_type.to_owned(),
            body: body.into(),
        }
    }
}

type Handler = dyn Fn(usize, &Captured) -> Reply + Send + Sync;

/// A server on 127.0.0.1 recording every request and answering with
/// `handler(index, request)`; it stops when dropped.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use anyllm_testkit::capture::{CaptureServer, Reply};
/// let server = CaptureServer::start(|_, _| Reply::json(200, r#"{"ok":true}"#)).await.unwrap();
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// assert!(server.requests().is_empty());
/// # });
/// ```
pub struct CaptureServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Captured>>>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for CaptureServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CaptureServer {
    /// Starts the server (needs a Tokio runtime).
    pub async fn start<F>(handler: F) -> std::io::Result<Self>
    where
        F: Fn(usize, &Captured) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Vec::<Captured>::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let task = tokio::spawn(accept_loop(listener, handler, seen.clone()));
        Ok(Self { addr, seen, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Captured> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

async fn accept_loop(listener: TcpListener, handler: Arc<Handler>, seen: Arc<Mutex<Vec<Captured>>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let (handler, seen) = (handler.clone(), seen.clone());
        tokio::spawn(async move {
            let svc = service_fn(move |req: hyper::Request<Incoming>| {
                let (handler, seen) = (handler.clone(), seen.clone());
                async move {
                    let (parts, body) = req.into_parts();
                    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    let captured = Captured {
                        method: parts.method,
                        path_and_query: parts
                            .uri
                            .path_and_query()
                            .map(|p| p.as_str().to_owned())
                            .unwrap_or_default(),
                        headers: parts.headers,
                        body,
                    };
                    let index = {
                        let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
                        seen.push(captured.clone());
                        seen.len() - 1
                    };
                    let reply = handler(index, &captured);
                    let mut resp = hyper::Response::new(Full::new(reply.body));
                    *resp.status_mut() = http::StatusCode::from_u16(reply.status)
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
                    if let Ok(v) = http::HeaderValue::from_str(&reply.content_type) {
                        resp.headers_mut().insert(http::header::CONTENT_TYPE, v);
                    }
                    Ok::<_, Infallible>(resp)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
