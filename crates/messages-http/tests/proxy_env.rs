//! `HTTP_PROXY` / `NO_PROXY` from the environment (alone in its own test
//! binary, since it changes the process environment).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use messages_http::{HttpClient, HyperTransport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn proxy_and_no_proxy_are_read_from_the_environment() {
    let server = serve(|_, _| full(200, "ok")).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
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
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && client.read_exact(&mut b).await.is_ok() {
                    head.push(b[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let Some(target) = head.strip_prefix("CONNECT ").and_then(|r| r.split(' ').next()) else {
                    return;
                };
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    return;
                };
                tunnels.fetch_add(1, Ordering::SeqCst);
                let _ = client.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });

    for var in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "http_proxy",
        "no_proxy",
        "REQUEST_METHOD",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("HTTP_PROXY", format!("http://{proxy}"));
    std::env::set_var("NO_PROXY", "example.invalid");
    let client = HttpClient::builder()
        .transport(HyperTransport::new().unwrap())
        .build()
        .unwrap();
    client.send(post(&server.url("/"))).await.unwrap();
    assert_eq!(tunnels.load(Ordering::SeqCst), 1, "went through HTTP_PROXY");

    std::env::set_var("NO_PROXY", "127.0.0.1");
    let client = HttpClient::builder()
        .transport(HyperTransport::new().unwrap())
        .build()
        .unwrap();
    client.send(post(&server.url("/"))).await.unwrap();
    assert_eq!(tunnels.load(Ordering::SeqCst), 1, "NO_PROXY bypassed the proxy");
    assert_eq!(server.hits(), 2);
    std::env::remove_var("HTTP_PROXY");
    std::env::remove_var("NO_PROXY");
    task.abort();
}
