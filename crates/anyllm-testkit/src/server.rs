//! [`ReplayServer`]: a loopback HTTP/1.1 server answering from recordings.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::transport::into_http;
use crate::{Exchange, MatchRules, Replay};

/// Largest request body the server reads (16 MiB).
const MAX_REQUEST_BODY: usize = 16 << 20;

/// A replay HTTP server on `127.0.0.1` (random port) for tests and the
/// offline demo. Each request is answered like [`crate::ReplayTransport`]
/// does, over real HTTP; response bodies go out in chunks. The server stops
/// when dropped.
///
/// ```
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// use anyllm_testkit::{exchange, ReplayServer};
/// let server = ReplayServer::start(vec![exchange("POST", "/v1/x", serde_json::json!({}), 200,
///     "application/json", "{}")]).await.unwrap();
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// # });
/// ```
#[derive(Debug)]
pub struct ReplayServer {
    addr: SocketAddr,
    replay: Replay,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ReplayServer {
    /// Starts serving `exchanges` on the current tokio runtime.
    pub async fn start(exchanges: Vec<Exchange>) -> std::io::Result<Self> {
        Self::start_replay(Replay::new(exchanges)).await
    }

    /// Starts serving `exchanges` with explicit rules on the current runtime.
    pub async fn start_with_rules(exchanges: Vec<Exchange>, rules: MatchRules) -> std::io::Result<Self> {
        Self::start_replay(Replay::with_rules(exchanges, rules)).await
    }

    /// Starts serving an existing replay on the current runtime.
    pub async fn start_replay(replay: Replay) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(serve(listener, replay.clone(), stopped));
        Ok(Self {
            addr,
            replay,
            stop,
            thread: None,
        })
    }

    /// Starts the server on its own thread with its own runtime, for callers
    /// without a runtime (blocking tests, spawning a CLI process, the demo).
    pub fn start_background(exchanges: Vec<Exchange>) -> std::io::Result<Self> {
        let replay = Replay::new(exchanges);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = rt.block_on(TcpListener::bind(("127.0.0.1", 0)))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let r = replay.clone();
        let thread = std::thread::Builder::new()
            .name("anyllm-replay-server".into())
            .spawn(move || rt.block_on(serve(listener, r, stopped)))?;
        Ok(Self {
            addr,
            replay,
            stop,
            thread: Some(thread),
        })
    }

    /// The server's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared replay state (mismatches, served count, unused exchanges).
    pub fn replay(&self) -> &Replay {
        &self.replay
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(listener: TcpListener, replay: Replay, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let replay = replay.clone();
                let mut conn_stopped = stopped.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handle(replay.clone(), req));
                    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    let conn = builder.serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = conn_stopped.changed() => {}
                    }
                });
            }
        }
    }
}

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

async fn handle(replay: Replay, req: hyper::Request<Incoming>) -> Result<hyper::Response<Body>, Infallible> {
    let (parts, body) = req.into_parts();
    let bytes = match http_body_util::Limited::new(body, MAX_REQUEST_BODY)
        .collect()
        .await
    {
        Ok(c) => c.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let resp = replay.handle(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
        &bytes,
    );
    let resp = into_http(resp, 97).map(|chunks| {
        let frames = chunks.into_iter().map(|b| Ok::<_, Infallible>(Frame::data(b)));
        StreamBody::new(futures_util::stream::iter(frames)).boxed()
    });
    Ok(resp)
}
