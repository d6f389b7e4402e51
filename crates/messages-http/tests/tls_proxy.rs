//! HTTPS with a locally generated certificate over HTTP/1.1 and HTTP/2
//! (ALPN), and the CONNECT proxy path, all on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use common::*;
use futures_util::StreamExt;
use http::{Request, Version};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use messages_http::{Error, HttpClient, HyperTransport, ProxyConfig, RootCerts, SseDecoder, Transport};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

struct TlsServer {
    addr: SocketAddr,
    cert_der: Vec<u8>,
    /// TLS connections accepted.
    conns: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An HTTPS server answering every request with a two-event SSE body and
/// a `x-version` header naming the HTTP version it saw.
async fn tls_server() -> TlsServer {
    let ck =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert_der = ck.cert.der().to_vec();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        ck.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![ck.cert.der().clone()], key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let conns = Arc::new(AtomicUsize::new(0));
    let c2 = conns.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            c2.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(|req: Request<Incoming>| async move {
                    let version = format!("{:?}", req.version());
                    let mut resp = streamed(
                        vec![
                            Bytes::from_static(b"event: a\ndata: {\"n\":1}\n\n"),
                            Bytes::from_static(b"event: b\ndata: {\"n\":2}\n\n"),
                        ],
                        Then::End,
                    );
                    resp.headers_mut()
                        .insert("x-version", http::HeaderValue::from_str(&version).unwrap());
                    Ok::<_, Infallible>(resp)
                });
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    TlsServer {
        addr,
        cert_der,
        conns,
        task,
    }
}

fn tls_transport(server: &TlsServer, http2: bool) -> HyperTransport {
    HyperTransport::builder()
        .proxy(ProxyConfig::Disabled)
        .root_certs(RootCerts::None)
        .add_root_certificate(server.cert_der.clone())
        .http2(http2)
        .build()
        .unwrap()
}

async fn check_version(http2: bool, expected: Version, expected_seen: &str) {
    let server = tls_server().await;
    let transport = tls_transport(&server, http2);
    let url = format!("https://127.0.0.1:{}/v1/messages", server.addr.port());
    // Straight through the transport: the negotiated version is visible.
    let resp = transport.send(post(&url)).await.unwrap();
    assert_eq!(resp.version(), expected);
    assert_eq!(resp.headers()["x-version"], expected_seen);
    resp.into_body().collect(1 << 20).await.unwrap();
    // And through the client, with the SSE decoder, twice (connection reuse).
    let client = HttpClient::builder().transport(transport).build().unwrap();
    for _ in 0..2 {
        let raw = client.send_streaming(post(&url)).await.unwrap();
        let events: Vec<_> = SseDecoder::new(raw.body).map(|e| e.unwrap()).collect().await;
        let names: Vec<_> = events.iter().map(|e| e.event_type().to_owned()).collect();
        assert_eq!(names, ["a", "b"]);
    }
    assert_eq!(server.conns.load(Ordering::SeqCst), 1, "one pooled connection");
}

#[tokio::test]
async fn https_http1() {
    check_version(false, Version::HTTP_11, "HTTP/1.1").await;
}

#[tokio::test]
async fn https_http2_by_alpn() {
    check_version(true, Version::HTTP_2, "HTTP/2.0").await;
}

#[tokio::test]
async fn untrusted_certificate_is_a_connection_error() {
    let server = tls_server().await;
    // Default webpki roots: the self-signed certificate is not trusted.
    let transport = HyperTransport::builder()
        .proxy(ProxyConfig::Disabled)
        .build()
        .unwrap();
    let url = format!("https://127.0.0.1:{}/", server.addr.port());
    let client = HttpClient::builder()
        .transport(transport)
        .retry_policy(messages_http::RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.send(post(&url)).await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(err.to_string().to_lowercase().contains("certificate"), "{err}");
}

#[tokio::test]
async fn https_through_a_connect_proxy() {
    let server = tls_server().await;
    let (proxy, tunnels, task) = connect_proxy().await;
    let transport = HyperTransport::builder()
        .proxy(ProxyConfig::Explicit {
            url: format!("http://{proxy}"),
            no_proxy: String::new(),
        })
        .root_certs(RootCerts::None)
        .add_root_certificate(server.cert_der.clone())
        .build()
        .unwrap();
    let url = format!("https://127.0.0.1:{}/", server.addr.port());
    let resp = transport.send(post(&url)).await.unwrap();
    let body = resp.into_body().collect(1 << 20).await.unwrap();
    assert!(body.starts_with(b"event: a"));
    assert_eq!(tunnels.load(Ordering::SeqCst), 1);
    task.abort();
}

#[tokio::test]
async fn no_proxy_bypasses_the_proxy() {
    let server = serve(|_, _| full(200, "direct")).await;
    let (proxy, tunnels, task) = connect_proxy().await;
    let transport = HyperTransport::builder()
        .proxy(ProxyConfig::Explicit {
            url: format!("http://{proxy}"),
            no_proxy: "127.0.0.1".to_owned(),
        })
        .build()
        .unwrap();
    let client = HttpClient::builder().transport(transport).build().unwrap();
    let raw = client.send(post(&server.url("/"))).await.unwrap();
    assert_eq!(&raw.body[..], b"direct");
    assert_eq!(tunnels.load(Ordering::SeqCst), 0);
    assert_eq!(server.hits(), 1);
    task.abort();
}

#[tokio::test]
async fn plain_http_through_a_connect_proxy() {
    let server = serve(|_, _| full(200, "via proxy")).await;
    let (proxy, tunnels, task) = connect_proxy().await;
    let transport = HyperTransport::builder()
        .proxy(ProxyConfig::Explicit {
            url: format!("http://{proxy}"),
            no_proxy: String::new(),
        })
        .build()
        .unwrap();
    let client = HttpClient::builder().transport(transport).build().unwrap();
    let raw = client.send(post(&server.url("/"))).await.unwrap();
    assert_eq!(&raw.body[..], b"via proxy");
    assert_eq!(tunnels.load(Ordering::SeqCst), 1);
    task.abort();
}

#[tokio::test]
async fn a_custom_tls_config_with_preset_alpn_is_accepted() {
    let server = tls_server().await;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(server.cert_der.clone()))
        .unwrap();
    let mut config =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"something-else".to_vec()];
    let transport = HyperTransport::builder()
        .proxy(ProxyConfig::Disabled)
        .tls_config(config)
        .build()
        .unwrap();
    let url = format!("https://127.0.0.1:{}/", server.addr.port());
    let resp = transport.send(post(&url)).await.unwrap();
    assert_eq!(resp.version(), Version::HTTP_2);
}

/// A listener that accepts TCP connections and never writes a byte (holding
/// them open): a stalled TLS handshake or proxy `CONNECT`.
async fn silent_listener() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = listener.accept().await {
            held.push(conn);
        }
    });
    (addr, task)
}

fn assert_connect_timeout(result: Result<http::Response<messages_http::ResponseBody>, Error>) {
    match result {
        Err(Error::Timeout {
            phase: messages_http::TimeoutPhase::Connect,
            after,
        }) => assert_eq!(after, std::time::Duration::from_millis(200)),
        Err(other) => panic!("expected a connect timeout, got {other:?}"),
        Ok(r) => panic!("expected a connect timeout, got HTTP {}", r.status()),
    }
}

#[tokio::test]
async fn the_connect_timeout_covers_a_stalled_tls_handshake() {
    let (addr, task) = silent_listener().await;
    let t = HyperTransport::builder()
        .connect_timeout(std::time::Duration::from_millis(200))
        .proxy(ProxyConfig::Disabled)
        .build()
        .unwrap();
    // The request timeout is far away: only the connect timeout can end this.
    let req = Request::post(format!("https://{addr}/"))
        .body(Bytes::new())
        .unwrap();
    let sent = tokio::time::timeout(std::time::Duration::from_secs(30), t.send(req))
        .await
        .expect("the connect timeout did not fire");
    assert_connect_timeout(sent);
    task.abort();
}

#[tokio::test]
async fn the_connect_timeout_covers_a_stalled_proxy_connect() {
    let (proxy, task) = silent_listener().await;
    let t = HyperTransport::builder()
        .connect_timeout(std::time::Duration::from_millis(200))
        .proxy(ProxyConfig::Explicit {
            url: format!("http://{proxy}"),
            no_proxy: String::new(),
        })
        .build()
        .unwrap();
    let req = Request::post("http://api.example.invalid/v1/messages")
        .body(Bytes::new())
        .unwrap();
    let sent = tokio::time::timeout(std::time::Duration::from_secs(30), t.send(req))
        .await
        .expect("the connect timeout did not fire");
    assert_connect_timeout(sent);
    task.abort();
}
