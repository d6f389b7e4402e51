//! The SigV4 hook: a known AWS test-suite vector, and a retried request
//! signed again with a new `x-amz-date` through the client's retry loop
//! against a loopback server.
#![cfg(feature = "aws-sigv4")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use anyllm_provider::credentials::{AwsCredentials, AwsCredentialsChain, SigV4Signer};
use anyllm_provider::messages_http::{HttpClient, RetryPolicy};
use anyllm_provider::MapEnv;
use bytes::Bytes;
use common::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn example_keys(session: Option<&str>) -> AwsCredentials {
    AwsCredentials::new("AKIDEXAMPLE", SECRET, session.map(Into::into))
}

fn signer(service: &str, session: Option<&str>) -> SigV4Signer {
    let chain = AwsCredentialsChain::from_env(Arc::new(MapEnv::empty())).explicit(example_keys(session));
    SigV4Signer::new(Arc::new(chain), "us-east-1", service)
}

/// `get-vanilla` of AWS's published SigV4 test suite (aws-sig-v4-test-suite):
/// `GET /` on `example.amazonaws.com`, 2015-08-30T12:36:00Z, the suite's
/// example keys, region us-east-1, service `service`.
#[test]
fn aws_test_suite_get_vanilla() {
    let mut req = http::Request::get("https://example.amazonaws.com/")
        .body(Bytes::new())
        .unwrap();
    let at = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    signer("service", None)
        .sign(&mut req, &example_keys(None), at)
        .unwrap();
    assert_eq!(req.headers()["x-amz-date"], "20150830T123600Z");
    assert_eq!(
        req.headers()["authorization"],
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders=host;x-amz-date, \
         Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
}

#[tokio::test]
async fn every_attempt_is_signed_again() {
    let server = serve(|n, _| match n {
        0 => (503, r#"{"message":"ServiceUnavailable"}"#.to_owned()),
        _ => (200, "{}".to_owned()),
    })
    .await;
    // A clock that moves 7 s per reading: each attempt has its own time.
    let tick = Arc::new(AtomicU64::new(1_700_000_000));
    let clock = move || UNIX_EPOCH + Duration::from_secs(tick.fetch_add(7, Ordering::SeqCst));
    let signer = signer("bedrock", Some("SESSION-TOKEN-SECRET")).with_clock(Arc::new(clock));
    let client = HttpClient::builder()
        .shared_transport(transport())
        .retry_policy(
            RetryPolicy::default()
                .with_initial_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let req = http::Request::post(server.url("/model/m/converse"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(br#"{"messages":[]}"#))
        .unwrap();
    let raw = client.send_with_auth(req, Some(&signer)).await.unwrap();
    assert_eq!(raw.status, 200);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let header = |i: usize, name: &str| seen[i].headers[name].to_str().unwrap().to_owned();
    assert_eq!(header(0, "x-amz-date"), "20231114T221320Z");
    assert_eq!(header(1, "x-amz-date"), "20231114T221327Z");
    assert_ne!(header(0, "authorization"), header(1, "authorization"));
    assert_eq!(header(1, "x-amz-security-token"), "SESSION-TOKEN-SECRET");
    assert!(header(1, "authorization").contains("SignedHeaders=content-type;host;"));
    let printed = format!("{signer:?}");
    assert!(
        !printed.contains(SECRET) && !printed.contains("SESSION-TOKEN"),
        "{printed}"
    );
}
