//! Listening, connections and graceful shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Sleep;

use crate::error::ServerError;
use crate::gateway::Gateway;

/// How long open connections (streams included) may finish after a shutdown
/// signal, by default ([`serve_with_grace`] sets another).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The pause after a failed accept (e.g. too many open files), so that a
/// persistent failure does not spin the accept loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// Refuses a non-loopback address without client keys unless `allow_unauthenticated`.
///
/// ```
/// use anyllm_server::check_listen;
/// assert!(check_listen("127.0.0.1:4000".parse().unwrap(), false, false).is_ok());
/// assert!(check_listen("0.0.0.0:4000".parse().unwrap(), false, false).is_err());
/// assert!(check_listen("0.0.0.0:4000".parse().unwrap(), true, false).is_ok());
/// assert!(check_listen("0.0.0.0:4000".parse().unwrap(), false, true).is_ok());
/// ```
pub fn check_listen(
    addr: SocketAddr,
    has_client_keys: bool,
    allow_unauthenticated: bool,
) -> Result<(), ServerError> {
    if addr.ip().is_loopback() || has_client_keys || allow_unauthenticated {
        return Ok(());
    }
    Err(ServerError::Config(format!(
        "refusing to listen on non-loopback {addr} without client keys ([[keys]] in the config); \
         pass --allow-unauthenticated to do it anyway"
    )))
}

/// Serves `gateway` on `listener` until `shutdown` completes, then lets open
/// connections finish for up to [`SHUTDOWN_GRACE`].
pub async fn serve(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    serve_with_grace(listener, gateway, shutdown, SHUTDOWN_GRACE).await
}

/// Serves `gateway` on `listener` until `shutdown` completes. Then the
/// listener closes (new connections are refused), open connections finish
/// their current exchange (streams included) for up to `grace`, and those
/// still open at the deadline are cut. Returns when every connection is gone.
///
/// A connection whose socket takes no byte for the gateway's write-stall
/// limit (a client that stopped reading) is closed.
pub async fn serve_with_grace(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> Result<(), ServerError> {
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(gateway.header_timeout());
    // HTTP/2 has no header timeout: a peer silent for the header timeout is
    // pinged and dropped unless it answers within as long again.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(gateway.header_timeout())
        .keep_alive_timeout(gateway.header_timeout());
    let builder = Arc::new(builder);
    let header_timeout = gateway.header_timeout();
    let write_stall = gateway.write_stall();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // A failed accept (e.g. too many open files) must not stop the
                // server, nor spin: pause briefly.
                Err(_) => {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            // Reap finished connections.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            () = &mut shutdown => break,
        };
        // SSE events are small writes: without TCP_NODELAY, Nagle's algorithm
        // holds each one back until the client's delayed ACK (~40 ms).
        let _ = stream.set_nodelay(true);
        let gw = Arc::clone(&gateway);
        let service = service_fn(move |req| {
            let gw = Arc::clone(&gw);
            async move { Ok::<_, std::convert::Infallible>(gw.handle(req).await) }
        });
        let builder = Arc::clone(&builder);
        let watcher = graceful.watcher();
        connections.spawn(async move {
            if !protocol_known(&stream, header_timeout).await {
                return;
            }
            let io = TokioIo::new(StallGuard::new(stream, write_stall));
            let conn = builder.serve_connection(io, service);
            let _ = watcher.watch(conn.into_owned()).await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
    // The deadline passed: cut what is still open (dropping a stream's body
    // ends its task and so its upstream request).
    connections.shutdown().await;
    Ok(())
}

/// A connection's socket that fails a write (or flush) which could not make
/// progress for `limit`: hyper has no write timeout, and a client that stops
/// reading would otherwise hold its connection (and its buffered reply) forever.
struct StallGuard<T> {
    io: T,
    limit: Duration,
    /// Running while a write is blocked.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> StallGuard<T> {
    fn new(io: T, limit: Duration) -> Self {
        Self {
            io,
            limit,
            stalled: None,
        }
    }

    /// Called when a write could not progress: pending until the limit, then an error.
    fn blocked<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        let limit = self.limit;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took no byte for the write-stall limit",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn progress<R>(&mut self, r: Poll<io::Result<R>>, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        match r {
            Poll::Pending => self.blocked(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StallGuard<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StallGuard<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.progress(r, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.progress(r, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.io).poll_flush(cx);
        self.progress(r, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.io).poll_shutdown(cx);
        self.progress(r, cx)
    }
}

/// Waits, at most `limit`, until the client sent enough for hyper to tell
/// HTTP/1 from HTTP/2 (the first byte that differs from the HTTP/2 preface,
/// or the whole preface). hyper's HTTP/1 header timeout only starts after
/// that, so without this a client that connects and sends nothing (or a
/// partial preface) would hold its connection forever. `false`: drop it.
async fn protocol_known(stream: &TcpStream, limit: Duration) -> bool {
    const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let wait = async {
        let mut buf = [0u8; H2_PREFACE.len()];
        // Bounded by the timeout below.
        loop {
            match stream.peek(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) if n == H2_PREFACE.len() || !H2_PREFACE.starts_with(&buf[..n]) => return true,
                // A prefix of the preface: wait for more bytes.
                Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    };
    tokio::time::timeout(limit, wait).await.unwrap_or(false)
}

/// ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// `anyllm serve`: reads the configuration, binds and serves until ctrl-c/SIGTERM.
pub async fn run(
    config: crate::Config,
    listen: Option<String>,
    allow_unauthenticated: bool,
) -> Result<(), ServerError> {
    let listen = listen
        .or_else(|| config.listen.clone())
        .unwrap_or_else(|| crate::config::DEFAULT_LISTEN.to_owned());
    let addr: SocketAddr = listen
        .parse()
        .map_err(|e| ServerError::Config(format!("listen address `{listen}`: {e}")))?;
    let gateway = Gateway::new(config, anyllm::ProcessEnv)?;
    // Load the tokenizer's vocabulary now, off the workers, not on the first count.
    #[cfg(feature = "token-estimate")]
    tokio::task::spawn_blocking(|| {
        let _ = crate::estimate::warm_up();
    });
    check_listen(addr, gateway.has_client_keys(), allow_unauthenticated)?;
    let listener = TcpListener::bind(addr).await?;
    eprintln!("anyllm serve: listening on http://{}", listener.local_addr()?);
    serve(listener, Arc::new(gateway), shutdown_signal()).await
}
