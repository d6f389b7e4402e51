//! Real hyper servers on 127.0.0.1 for the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use messages_http::{HttpClient, HyperTransport, ProxyConfig, RetryPolicy, Timeouts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

/// A running server; stops (accepting) when dropped.
pub struct Server {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    /// TCP connections accepted.
    pub conns: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<http::request::Parts>>>,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Serves HTTP/1.1 and HTTP/2 (prior knowledge) with `handler(hit_index, parts)`.
pub async fn serve<F>(handler: F) -> Server
where
    F: Fn(usize, &http::request::Parts) -> Response<Body> + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let conns = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler = Arc::new(handler);
    let (h2, s2, c2) = (hits.clone(), seen.clone(), conns.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            c2.fetch_add(1, Ordering::SeqCst);
            let (handler, hits, seen) = (handler.clone(), h2.clone(), s2.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let (handler, hits, seen) = (handler.clone(), hits.clone(), seen.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let _ = body.collect().await;
                        let n = hits.fetch_add(1, Ordering::SeqCst);
                        let resp = handler(n, &parts);
                        seen.lock().unwrap().push(parts);
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Server {
        addr,
        hits,
        conns,
        seen,
        task,
    }
}

pub fn full(status: u16, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()).map_err(|e| match e {}).boxed_unsync());
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

pub fn with_header(mut r: Response<Body>, name: &'static str, value: &str) -> Response<Body> {
    r.headers_mut()
        .insert(name, http::HeaderValue::from_str(value).unwrap());
    r
}

/// What a streamed body does after its chunks.
#[derive(Clone, Copy, Debug)]
pub enum Then {
    /// Ends cleanly.
    End,
    /// Never sends anything more (a stall).
    Stall,
    /// Fails, which makes hyper cut the connection.
    Cut,
}

/// A 200 `text/event-stream` response sending `chunks` one frame at a time,
/// yielding to the runtime between frames so each is flushed separately.
pub fn streamed(chunks: Vec<Bytes>, then: Then) -> Response<Body> {
    let frames = futures_util::stream::iter(chunks).then(|c| async move {
        tokio::task::yield_now().await;
        Ok::<_, BoxError>(Frame::data(c))
    });
    let tail: futures_util::stream::BoxStream<'static, Result<Frame<Bytes>, BoxError>> = match then {
        Then::End => futures_util::stream::empty().boxed(),
        Then::Stall => futures_util::stream::pending().boxed(),
        Then::Cut => futures_util::stream::once(async {
            // Let hyper flush what was sent before cutting.
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
            Err::<Frame<Bytes>, BoxError>("server cut the connection".into())
        })
        .boxed(),
    };
    let body = BodyExt::boxed_unsync(StreamBody::new(frames.chain(tail)));
    let mut r = Response::new(body);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/event-stream"),
    );
    r
}

/// A client on the real hyper transport, no proxy, tiny retry delays.
pub fn client(timeouts: Timeouts) -> HttpClient {
    let transport = HyperTransport::builder()
        .proxy(ProxyConfig::Disabled)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    HttpClient::builder()
        .transport(transport)
        .timeouts(timeouts)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(4))
        .with_random(|| 0.5)
}

pub fn post(url: &str) -> Request<Bytes> {
    Request::post(url)
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

/// Splits `bytes` into chunks of `n` bytes.
pub fn chunks_of(bytes: &[u8], n: usize) -> Vec<Bytes> {
    bytes.chunks(n).map(Bytes::copy_from_slice).collect()
}

/// A minimal HTTP CONNECT proxy that counts the tunnels it opened.
pub async fn connect_proxy() -> (SocketAddr, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let tunnels = Arc::new(AtomicUsize::new(0));
    let t2 = tunnels.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let tunnels = t2.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    if client.read_exact(&mut byte).await.is_err() {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let mut words = head.split_whitespace();
                let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
                    let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n").await;
                    return;
                };
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                tunnels.fetch_add(1, Ordering::SeqCst);
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (addr, tunnels, task)
}
