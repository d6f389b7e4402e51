//! `HTTP_PROXY` / `NO_PROXY` from the environment (alone in its own test
//! binary, since it changes the process environment).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::Ordering;

use common::*;
use messages_http::{HttpClient, HyperTransport};

#[tokio::test]
async fn proxy_and_no_proxy_are_read_from_the_environment() {
    let server = serve(|_, _| full(200, "ok")).await;
    let (proxy, tunnels, task) = connect_proxy().await;

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
