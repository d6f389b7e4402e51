//! The replay server, run in a child process (the bench binary started
//! again with `ANYLLM_E2E_SERVE=1`) so its CPU is not counted as the
//! client's. HTTP/1.1 with keep-alive on 127.0.0.1; `/c<N>/…` answers with
//! case N's recorded status line, content type and body. A stream body is
//! sent one recorded SSE event per frame, flushed after each (the body
//! yields once between events), as a provider flushes its events; set
//! `ANYLLM_E2E_BURST=1` to let hyper coalesce them instead.

use std::convert::Infallible;
use std::io::{BufRead, Write};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::cases::{load_cases, Case};

/// The environment variable that turns the bench binary into the server.
pub const SERVE_ENV: &str = "ANYLLM_E2E_SERVE";

/// The server process; killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl ServerProcess {
    /// Starts this binary again as the server for the cases matching `filter`.
    pub fn start(filter: Option<&str>) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(exe);
        cmd.env(SERVE_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(f) = filter {
            cmd.env("ANYLLM_E2E_CASES", f);
        }
        let mut child = cmd.spawn().map_err(|e| format!("starting the server: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let port: u16 = line.trim().parse().map_err(|_| format!("server said {line:?}"))?;
        Ok(Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child's main: serves until its stdin closes (the parent exited) or
/// ten minutes pass.
pub fn serve_main() -> Result<(), String> {
    let filter = std::env::var("ANYLLM_E2E_CASES").ok();
    let cases: Arc<Vec<Case>> = Arc::new(load_cases(filter.as_deref())?);
    let burst = std::env::var_os("ANYLLM_E2E_BURST").is_some();
    std::thread::spawn(|| {
        let mut sink = String::new();
        let _ = std::io::stdin().read_line(&mut sink);
        std::process::exit(0);
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{port}");
        let _ = out.flush();
        let accept = async {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let cases = cases.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handle(cases.clone(), req, burst));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(600), accept).await;
        Ok(())
    })
}

async fn handle(
    cases: Arc<Vec<Case>>,
    req: hyper::Request<Incoming>,
    burst: bool,
) -> Result<hyper::Response<EventBody>, Infallible> {
    let index = req
        .uri()
        .path()
        .strip_prefix("/c")
        .and_then(|r| r.split('/').next())
        .and_then(|n| n.parse::<usize>().ok());
    // Read (and drop) the request body, as a real server does.
    let _ = req.into_body().collect().await;
    let Some(case) = index.and_then(|i| cases.get(i)) else {
        let mut r = hyper::Response::new(EventBody::new(vec![Bytes::from_static(b"no such case")], true));
        *r.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(r);
    };
    let mut r = hyper::Response::new(EventBody::new(case.chunks.clone(), burst || !case.stream));
    if let Ok(v) = hyper::header::HeaderValue::from_str(&case.content_type) {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    Ok(r)
}

/// A body of recorded pieces, yielding once between pieces unless `burst`.
pub struct EventBody {
    chunks: Vec<Bytes>,
    next: usize,
    burst: bool,
    yielded: bool,
    len: u64,
}

impl EventBody {
    fn new(chunks: Vec<Bytes>, burst: bool) -> Self {
        let len = chunks.iter().map(|c| c.len() as u64).sum();
        Self {
            chunks,
            next: 0,
            burst,
            yielded: false,
            len,
        }
    }
}

impl Body for EventBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let Some(chunk) = self.chunks.get(self.next).cloned() else {
            return Poll::Ready(None);
        };
        if !self.burst && self.next > 0 && !self.yielded {
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.yielded = false;
        self.next += 1;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.next >= self.chunks.len()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        // Whole replies get a content-length; streams go out chunked.
        if self.chunks.len() == 1 {
            hyper::body::SizeHint::with_exact(self.len)
        } else {
            hyper::body::SizeHint::default()
        }
    }
}
