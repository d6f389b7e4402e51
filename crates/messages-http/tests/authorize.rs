//! Per-attempt authorization against a real hyper server on 127.0.0.1: the
//! hook runs for every attempt, and a 401 earns exactly one refresh and one
//! more attempt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http::HeaderValue;
use messages_http::{AttemptContext, Authorize, BoxFuture, Error, ErrorKind, RetryPolicy, Timeouts};

/// Sends `token-<generation>` as a bearer token and `x-attempt`; each
/// `invalidate` moves to the next generation (a refreshing credential) when
/// `refreshable`.
#[derive(Debug)]
struct Counting {
    generation: AtomicU32,
    invalidations: AtomicUsize,
    refreshable: bool,
    fail: bool,
}

impl Counting {
    fn new(refreshable: bool) -> Self {
        Self {
            generation: AtomicU32::new(1),
            invalidations: AtomicUsize::new(0),
            refreshable,
            fail: false,
        }
    }
}

impl Authorize for Counting {
    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        cx: AttemptContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            if self.fail {
                return Err(Error::credentials("test", "token endpoint unreachable"));
            }
            let token = format!("Bearer token-{}", self.generation.load(Ordering::SeqCst));
            request
                .headers_mut()
                .insert("authorization", HeaderValue::from_str(&token).unwrap());
            request
                .headers_mut()
                .insert("x-attempt", HeaderValue::from(cx.attempt));
            Ok(())
        })
    }

    fn invalidate(&self) -> bool {
        self.invalidations.fetch_add(1, Ordering::SeqCst);
        if self.refreshable {
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        self.refreshable
    }
}

const UNAUTHORIZED: &str =
    r#"{"type":"error","error":{"type":"authentication_error","message":"token expired"}}"#;

fn quick() -> Timeouts {
    Timeouts::default().with_request(Some(Duration::from_secs(20)))
}

fn header(parts: &http::request::Parts, name: &str) -> String {
    parts.headers[name].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_attempt_is_authorized_afresh() {
    let server = serve(|n, _| match n {
        0 => full(503, "busy"),
        _ => full(200, "{}"),
    })
    .await;
    let auth = Counting::new(true);
    let raw = client(quick())
        .with_retry_policy(fast_retries())
        .send_with_auth(post(&server.url("/v1")), Some(&auth))
        .await
        .unwrap();
    assert_eq!(raw.status, 200);
    let seen = server.seen.lock().unwrap();
    let attempts: Vec<String> = seen.iter().map(|p| header(p, "x-attempt")).collect();
    assert_eq!(attempts, ["0", "1"]);
    assert_eq!(
        auth.invalidations.load(Ordering::SeqCst),
        0,
        "a 503 keeps the token"
    );
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once_even_without_retries() {
    let server = serve(|n, _| match n {
        0 => full(401, UNAUTHORIZED),
        _ => full(200, "{}"),
    })
    .await;
    let auth = Counting::new(true);
    let raw = client(quick())
        .with_retry_policy(RetryPolicy::never())
        .send_with_auth(post(&server.url("/v1")), Some(&auth))
        .await
        .unwrap();
    assert_eq!(raw.status, 200);
    let seen = server.seen.lock().unwrap();
    let tokens: Vec<String> = seen.iter().map(|p| header(p, "authorization")).collect();
    assert_eq!(tokens, ["Bearer token-1", "Bearer token-2"]);
    assert_eq!(auth.invalidations.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_second_401_is_returned() {
    let server = serve(|_, _| full(401, UNAUTHORIZED)).await;
    let auth = Counting::new(true);
    let err = client(quick())
        .with_retry_policy(fast_retries())
        .send_streaming_with_auth(post(&server.url("/v1")), Some(&auth))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!(server.hits(), 2, "one refresh, one retry, no more");
    assert_eq!(auth.invalidations.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_fixed_credential_is_not_retried_on_401() {
    let server = serve(|_, _| full(401, UNAUTHORIZED)).await;
    let auth = Counting::new(false);
    let err = client(quick())
        .with_retry_policy(fast_retries())
        .send_with_auth(post(&server.url("/v1")), Some(&auth))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_failing_hook_stops_the_call_before_sending() {
    let server = serve(|_, _| full(200, "{}")).await;
    let auth = Counting {
        fail: true,
        ..Counting::new(true)
    };
    let err = client(quick())
        .with_retry_policy(fast_retries())
        .send_with_auth(post(&server.url("/v1")), Some(&auth))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Credentials { ref source_name, .. } if source_name == "test"),
        "{err}"
    );
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn the_hooks_credential_is_marked_sensitive() {
    let server = serve(|_, _| full(200, "{}")).await;
    let auth = Counting::new(true);
    // Record what the transport is handed through a wrapping transport.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let inner = client(quick()).transport().clone();
    let s2 = seen.clone();
    let recording = messages_http::transport_fn(move |req: http::Request<Bytes>| {
        *s2.lock().unwrap() = Some(req.headers()["authorization"].is_sensitive());
        let inner = inner.clone();
        async move { inner.send(req).await }
    });
    messages_http::HttpClient::with_transport(recording)
        .send_with_auth(post(&server.url("/v1")), Some(&auth))
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), Some(true));
}
