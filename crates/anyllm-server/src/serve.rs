//! Listening, connections and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::error::ServerError;
use crate::gateway::Gateway;

/// How long open connections (streams included) may finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

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
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(gateway.header_timeout());
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // A failed accept (e.g. too many open files) must not stop the server.
                Err(_) => continue,
            },
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
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
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
    check_listen(addr, gateway.has_client_keys(), allow_unauthenticated)?;
    let listener = TcpListener::bind(addr).await?;
    eprintln!("anyllm serve: listening on http://{}", listener.local_addr()?);
    serve(listener, Arc::new(gateway), shutdown_signal()).await
}
