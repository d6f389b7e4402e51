//! The OAuth exchange (IBM IAM, Entra ID), the cache in front of it and the
//! bearer hook, against loopback token and API servers: expiry and refresh
//! ahead of expiry, a 401 that refreshes once, failing and hanging token
//! endpoints, and secrets kept out of every printed form.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyllm_provider::credentials::{
    BearerAuth, IdentityCache, OAuthTokenExchange, ResolveContext, ResolveIdentity, StaticToken,
};
use anyllm_provider::messages_http::{self, Error, ErrorKind, HttpClient, RetryPolicy};
use bytes::Bytes;
use common::*;

const API_KEY: &str = "ibm-api-key-SECRET-0123456789";

fn iam(server: &Server) -> OAuthTokenExchange {
    OAuthTokenExchange::ibm_iam(API_KEY).with_token_url(server.url("/identity/token"))
}

fn cx() -> ResolveContext {
    ResolveContext::with_transport(transport())
}

/// Moves tokio's clock forward by `d` (the clock keeps the offset when resumed).
async fn skip(d: Duration) {
    tokio::time::pause();
    tokio::time::advance(d).await;
    tokio::time::resume();
}

#[tokio::test]
async fn ibm_iam_exchange_sends_the_documented_form() {
    let server = serve(|n, _| token_reply(&format!("iam-{n}"), 3600)).await;
    let token = iam(&server).resolve(&cx()).await.unwrap();
    assert_eq!(token.token().expose(), "iam-0");
    let seen = &server.seen()[0];
    assert_eq!(seen.method, http::Method::POST);
    assert_eq!(seen.path, "/identity/token");
    assert_eq!(seen.headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(
        seen.form(),
        [
            (
                "grant_type".to_owned(),
                "urn:ibm:params:oauth:grant-type:apikey".to_owned()
            ),
            ("apikey".to_owned(), API_KEY.to_owned()),
        ]
    );
}

#[tokio::test]
async fn entra_id_client_credentials_form() {
    let server = serve(|_, _| token_reply("entra", 3599)).await;
    let entra = OAuthTokenExchange::azure_client_credentials(
        "tenant-1",
        "client-1",
        "entra-client-SECRET",
        "https://cognitiveservices.azure.com/.default",
    );
    assert_eq!(
        entra.token_url(),
        "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
    );
    assert!(!format!("{entra:?}").contains("entra-client-SECRET"));
    let entra = entra.with_token_url(server.url("/tenant-1/oauth2/v2.0/token"));
    assert_eq!(entra.resolve(&cx()).await.unwrap().token().expose(), "entra");
    let seen = &server.seen()[0];
    assert_eq!(seen.field("grant_type").as_deref(), Some("client_credentials"));
    assert_eq!(seen.field("client_id").as_deref(), Some("client-1"));
    assert_eq!(
        seen.field("client_secret").as_deref(),
        Some("entra-client-SECRET")
    );
    assert_eq!(
        seen.field("scope").as_deref(),
        Some("https://cognitiveservices.azure.com/.default")
    );
}

#[tokio::test]
async fn tokens_are_cached_and_refreshed_five_minutes_before_expiry() {
    let server = serve(|n, _| token_reply(&format!("iam-{n}"), 3600)).await;
    let cache = IdentityCache::new(Arc::new(iam(&server)));
    let cx = cx();
    assert_eq!(cache.get(&cx).await.unwrap().token().expose(), "iam-0");
    assert_eq!(cache.get(&cx).await.unwrap().token().expose(), "iam-0");
    assert_eq!(server.hits(), 1, "cached");
    // 301 s before expiry: still fresh.
    skip(Duration::from_secs(3600 - 301)).await;
    assert_eq!(cache.get(&cx).await.unwrap().token().expose(), "iam-0");
    assert_eq!(server.hits(), 1);
    // Within the 5-minute margin: refreshed ahead of expiry.
    skip(Duration::from_secs(2)).await;
    assert_eq!(cache.get(&cx).await.unwrap().token().expose(), "iam-1");
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn ibm_expiration_as_unix_seconds() {
    let server = serve(|n, _| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        // IBM sends both; `expiration` alone must do as well.
        (
            200,
            format!(r#"{{"access_token":"iam-{n}","expiration":{}}}"#, now + 3600),
        )
    })
    .await;
    let cache = IdentityCache::new(Arc::new(iam(&server)));
    let cx = cx();
    let first = cache.get(&cx).await.unwrap();
    assert!(first.token().expose().starts_with("iam-0"));
    let at = anyllm_provider::credentials::Identity::expires_at(&first).unwrap();
    let left = at - tokio::time::Instant::now();
    assert!(
        left > Duration::from_secs(3500) && left <= Duration::from_secs(3600),
        "{left:?}"
    );
    skip(Duration::from_secs(3600 - 200)).await;
    assert_eq!(cache.get(&cx).await.unwrap().token().expose(), "iam-1");
}

#[tokio::test]
async fn a_failing_token_endpoint_is_a_typed_error_without_the_key() {
    let server = serve(|_, _| {
        (
            400,
            r#"{"errorCode":"BXNIM0415E","errorMessage":"Provided API key could not be found."}"#.to_owned(),
        )
    })
    .await;
    let exchange = iam(&server);
    let err = exchange.resolve(&cx()).await.unwrap_err();
    let Error::Credentials { source_name, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source_name, "ibm iam");
    assert!(
        message.contains("400") && message.contains("BXNIM0415E"),
        "{message}"
    );
    let printed = format!("{err} {err:?} {exchange:?}");
    assert!(!printed.contains(API_KEY), "{printed}");

    // A reply without a token is typed too.
    let empty = serve(|_, _| (200, "{}".to_owned())).await;
    let err = iam(&empty).resolve(&cx()).await.unwrap_err();
    assert!(err.to_string().contains("access_token"), "{err}");
}

#[tokio::test]
async fn a_hanging_token_endpoint_times_out() {
    let (addr, _task) = silent().await;
    let exchange = OAuthTokenExchange::ibm_iam(API_KEY)
        .with_token_url(format!("http://{addr}/identity/token"))
        .timeout(Duration::from_millis(300));
    let err = exchange.resolve(&cx()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Credentials { message, .. } if message.contains("did not answer within 300ms")),
        "{err}"
    );
}

/// The same on tokio's paused clock with the default 30 s limit: no real wait.
#[tokio::test(start_paused = true)]
async fn a_hanging_transport_times_out_on_the_paused_clock() {
    let never = messages_http::transport_fn(|_req: http::Request<Bytes>| std::future::pending());
    let cx = ResolveContext::with_transport(Arc::new(never));
    let started = tokio::time::Instant::now();
    let err = OAuthTokenExchange::ibm_iam(API_KEY)
        .resolve(&cx)
        .await
        .unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(30));
    assert!(err.to_string().contains("did not answer within 30s"), "{err}");
}

/// Concurrent callers share one refresh.
#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_refresh() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let slow = messages_http::transport_fn(move |_req: http::Request<Bytes>| {
        let n = c2.fetch_add(1, Ordering::SeqCst);
        async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let body = format!(r#"{{"access_token":"t{n}","expires_in":3600}}"#);
            Ok(http::Response::new(messages_http::ResponseBody::from_bytes(body)))
        }
    });
    let cx = ResolveContext::with_transport(Arc::new(slow));
    let cache = IdentityCache::new(Arc::new(OAuthTokenExchange::ibm_iam(API_KEY)));
    let (a, b, c) = tokio::join!(cache.get(&cx), cache.get(&cx), cache.get(&cx));
    let tokens: Vec<String> = [a, b, c]
        .into_iter()
        .map(|t| t.unwrap().token().expose().to_owned())
        .collect();
    assert_eq!(tokens, ["t0", "t0", "t0"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// A refresh ahead of expiry that fails keeps the still-valid token; once it
/// has expired the error comes through.
#[tokio::test]
async fn a_failed_early_refresh_keeps_the_valid_token() {
    let server = serve(|n, _| match n {
        0 => token_reply("iam-0", 3600),
        _ => (503, r#"{"errorCode":"BXNIM0999E"}"#.to_owned()),
    })
    .await;
    let cache = IdentityCache::new(Arc::new(iam(&server)));
    let cx = cx();
    cache.get(&cx).await.unwrap();
    skip(Duration::from_secs(3600 - 60)).await;
    assert_eq!(cache.get(&cx).await.unwrap().token().expose(), "iam-0");
    assert_eq!(server.hits(), 2, "a refresh was tried");
    // Not tried again at once: the valid token serves for a while …
    assert_eq!(cache.get(&cx).await.unwrap().token().expose(), "iam-0");
    assert_eq!(server.hits(), 2);
    // … then it is.
    skip(Duration::from_secs(11)).await;
    assert_eq!(cache.get(&cx).await.unwrap().token().expose(), "iam-0");
    assert_eq!(server.hits(), 3);
    skip(Duration::from_secs(50)).await;
    assert!(cache.get(&cx).await.is_err());
    assert_eq!(server.hits(), 4);
}

fn api_client() -> HttpClient {
    HttpClient::builder()
        .shared_transport(transport())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

fn api_post(server: &Server) -> http::Request<Bytes> {
    http::Request::post(server.url("/ml/v1/text/chat"))
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

const UNAUTHORIZED: &str = r#"{"errors":[{"code":"authentication_token_expired","message":"expired"}]}"#;

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries_once() {
    let tokens = serve(|n, _| token_reply(&format!("iam-{n}"), 3600)).await;
    let api = serve(|_, req| match req.headers["authorization"].to_str().unwrap() {
        "Bearer iam-0" => (401, UNAUTHORIZED.to_owned()),
        _ => (200, r#"{"ok":true}"#.to_owned()),
    })
    .await;
    let auth = BearerAuth::new(Arc::new(iam(&tokens)));
    let raw = api_client()
        .send_with_auth(api_post(&api), Some(&auth))
        .await
        .unwrap();
    assert_eq!(raw.status, 200);
    assert_eq!((tokens.hits(), api.hits()), (2, 2));
    let sent: Vec<String> = api
        .seen()
        .iter()
        .map(|s| s.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent, ["Bearer iam-0", "Bearer iam-1"]);
    // The refreshed token is cached for the next call.
    api_client()
        .send_with_auth(api_post(&api), Some(&auth))
        .await
        .unwrap();
    assert_eq!((tokens.hits(), api.hits()), (2, 3));
}

#[tokio::test]
async fn a_second_401_is_the_callers_error() {
    let tokens = serve(|n, _| token_reply(&format!("iam-{n}"), 3600)).await;
    let api = serve(|_, _| (401, UNAUTHORIZED.to_owned())).await;
    let auth = BearerAuth::new(Arc::new(iam(&tokens)));
    let err = api_client()
        .send_streaming_with_auth(api_post(&api), Some(&auth))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!((tokens.hits(), api.hits()), (2, 2), "one refresh, one retry");
}

#[tokio::test]
async fn a_static_token_is_not_retried_on_401() {
    let api = serve(|_, _| (401, UNAUTHORIZED.to_owned())).await;
    let auth = BearerAuth::new(Arc::new(StaticToken::new("fixed-SECRET-token")));
    let err = api_client()
        .send_with_auth(api_post(&api), Some(&auth))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!(api.hits(), 1);
    let printed = format!("{err} {err:?} {auth:?}");
    assert!(!printed.contains("fixed-SECRET-token"), "{printed}");
}

#[tokio::test]
async fn a_failing_token_endpoint_fails_the_call_before_the_api_is_hit() {
    let tokens = serve(|_, _| (500, r#"{"error":"server_error"}"#.to_owned())).await;
    let api = serve(|_, _| (200, "{}".to_owned())).await;
    let auth = BearerAuth::new(Arc::new(iam(&tokens)));
    let err = api_client()
        .send_with_auth(api_post(&api), Some(&auth))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Credentials { .. }), "{err}");
    assert!(err.to_string().contains("server_error"), "{err}");
    assert_eq!(api.hits(), 0);
}
