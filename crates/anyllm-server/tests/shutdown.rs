//! Graceful shutdown: once the shutdown future resolves, new connections are
//! refused, an open stream runs to its end within the grace period, and one
//! still open at the deadline is cut (its upstream request dropped).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyllm::MapEnv;
use anyllm_server::{serve_with_grace, Config, Gateway};
use common::raw_client::{read_rest, read_until, stream_body};
use common::raw_upstream::*;
use common::*;
use http_body_util::BodyExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// The gateway over the upstream at `url`, served with `grace`; the sender
/// starts the shutdown, the handle resolves when `serve_with_grace` returns.
async fn serve_gateway(
    url: &str,
    grace: Duration,
) -> (SocketAddr, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let toml = format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{url}/v1\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n"
    );
    let gw = Gateway::new(Config::from_toml(&toml).unwrap(), MapEnv::new(ENV)).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        serve_with_grace(listener, Arc::new(gw), shutdown, grace)
            .await
            .unwrap();
    });
    (addr, stop, served)
}

/// Opens a stream and reads until its `message_start`; returns the body.
async fn open_stream(addr: SocketAddr) -> (hyper::body::Incoming, Vec<u8>) {
    let resp = send_raw(addr, "POST", "/v1/messages", &[], stream_body("fast")).await;
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    let got = read_until(&mut body, 20, |t| t.contains("message_start")).await;
    assert!(String::from_utf8_lossy(&got).contains("message_start"));
    (body, got)
}

/// Waits (bounded) until connecting to `addr` is refused.
async fn refused(addr: SocketAddr) -> bool {
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn an_open_stream_finishes_after_shutdown_and_new_connections_are_refused() {
    let (go_tx, go) = oneshot::channel::<()>();
    let url = serve_first(|mut sock| async move {
        write(&mut sock, SSE_HEAD).await;
        write(&mut sock, &delta("Hello")).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), go).await;
        write(&mut sock, &delta(" world")).await;
        write(&mut sock, &finish()).await;
        peer_closed(&mut sock, Duration::from_secs(10)).await;
    })
    .await;
    let (addr, stop, served) = serve_gateway(&url, Duration::from_secs(10)).await;
    let (body, mut got) = open_stream(addr).await;
    stop.send(()).unwrap();
    assert!(refused(addr).await, "new connections are still accepted");
    assert!(!served.is_finished(), "serve returned with a stream open");
    go_tx.send(()).unwrap();
    got.extend_from_slice(&read_rest(body).await);
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("world"), "{text}");
    assert!(text.contains("event: message_stop"), "the stream was cut: {text}");
    tokio::time::timeout(Duration::from_secs(5), served)
        .await
        .expect("serve did not return once its last stream ended")
        .unwrap();
}

#[tokio::test]
async fn a_stream_still_open_at_the_grace_deadline_is_cut() {
    let (closed_tx, closed) = oneshot::channel::<()>();
    let url = serve_first(|mut sock| async move {
        write(&mut sock, SSE_HEAD).await;
        write(&mut sock, &delta("Hello")).await;
        // Then silent until the gateway drops the request (at most 10 s).
        if peer_closed(&mut sock, Duration::from_secs(10)).await {
            let _ = closed_tx.send(());
        }
    })
    .await;
    let (addr, stop, served) = serve_gateway(&url, Duration::from_millis(300)).await;
    let (body, mut got) = open_stream(addr).await;
    stop.send(()).unwrap();
    // The body ends (cut: an error or an early end) soon after the deadline.
    let rest = tokio::time::timeout(Duration::from_secs(3), body.collect())
        .await
        .expect("the stream outlived the grace period");
    if let Ok(rest) = rest {
        got.extend_from_slice(&rest.to_bytes());
    }
    let text = String::from_utf8_lossy(&got);
    assert!(!text.contains("message_stop"), "{text}");
    tokio::time::timeout(Duration::from_secs(3), served)
        .await
        .expect("serve did not return at the deadline")
        .unwrap();
    tokio::time::timeout(Duration::from_secs(3), closed)
        .await
        .expect("the upstream request of the cut stream was not dropped")
        .unwrap();
}
