//! The unified error's classification and messages, and the call context.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use anyllm_provider::{ApiKey, CallContext, Error, MapEnv};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use messages_convert::ConvertError;

fn api(status: u16, body: &str) -> Error {
    let mut h = HeaderMap::new();
    h.insert("request-id", HeaderValue::from_static("req_1"));
    Error::Http(messages_http::Error::from_response(
        StatusCode::from_u16(status).unwrap(),
        h,
        Bytes::from(body.to_owned()),
    ))
}

#[test]
fn api_errors_map_to_anthropic_error_types() {
    for (status, kind) in [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (402, "billing_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (409, "conflict_error"),
        (413, "request_too_large"),
        (422, "unprocessable_entity_error"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (503, "api_error"),
        (529, "overloaded_error"),
    ] {
        let e = api(status, r#"{"error":{"message":"boom"}}"#);
        assert_eq!(e.kind().as_str(), kind, "{status}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.request_id(), Some("req_1"));
        let body = e.to_error_response();
        assert_eq!(body.error.message, "boom");
        assert_eq!(body.kind, "error");
        assert_eq!(serde_json::to_value(&body).unwrap()["request_id"], "req_1");
    }
    let mut h = HeaderMap::new();
    h.insert("retry-after", HeaderValue::from_static("7"));
    let limited = Error::Http(messages_http::Error::from_response(
        StatusCode::TOO_MANY_REQUESTS,
        h,
        Bytes::new(),
    ));
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(Error::validation("f", "m").retry_after(), None);
    // No JSON message: the error's own text.
    let e = api(502, "<html>bad gateway</html>");
    assert!(e.to_error_response().error.message.contains("bad gateway"));
    let t = Error::Http(messages_http::Error::Timeout {
        phase: messages_http::TimeoutPhase::Request,
        after: Duration::from_secs(1),
    });
    assert_eq!(t.kind().as_str(), "timeout_error");
    assert_eq!(t.status(), None);
}

#[test]
fn local_errors_name_what_to_fix() {
    let e = Error::MissingApiKey {
        provider: "groq".into(),
        env_var: "GROQ_API_KEY".into(),
    };
    assert!(e
        .to_string()
        .contains("set the GROQ_API_KEY environment variable"));
    assert_eq!(e.kind().as_str(), "authentication_error");
    let e = Error::UnknownProvider {
        name: "x".into(),
        known: vec!["anthropic".into(), "openai".into()],
    };
    assert_eq!(
        e.to_string(),
        "unknown provider `x`; known providers: anthropic, openai"
    );
    let e = Error::validation("thinking.budget_tokens", "must be at least 1024");
    assert_eq!(
        e.to_error_response().error.message,
        "invalid request: `thinking.budget_tokens`: must be at least 1024"
    );
    let e: Error = ConvertError::unsupported("gemini", "top_k").into();
    assert_eq!(e.kind().as_str(), "invalid_request_error");
    assert!(e.to_string().contains("`top_k`"));
}

#[test]
fn json_post_orders_headers_and_context_debug_hides_secrets() {
    let mut ctx = CallContext::new("http://h:1/base/");
    ctx.api_key = Some(ApiKey::new("sk-secret-1"));
    ctx.headers
        .insert("authorization", HeaderValue::from_static("Bearer sk-secret-2"));
    ctx.headers.insert("x-extra", HeaderValue::from_static("ctx"));
    let mut provider_headers = HeaderMap::new();
    provider_headers.insert("x-extra", HeaderValue::from_static("provider"));
    provider_headers.insert("content-type", HeaderValue::from_static("application/x-custom"));
    let req = ctx
        .json_post(&ctx.url("v1/x"), provider_headers, b"{}".to_vec())
        .unwrap();
    assert_eq!(req.uri(), "http://h:1/base/v1/x");
    assert_eq!(req.headers()["x-extra"], "ctx", "context headers win");
    assert_eq!(req.headers()["content-type"], "application/x-custom");
    assert!(req.headers()["authorization"].is_sensitive());
    assert!(!format!("{req:?}").contains("sk-secret"), "{req:?}");
    let dbg = format!("{ctx:?}");
    assert!(!dbg.contains("sk-secret"), "{dbg}");
    let env = MapEnv::new([("K", "sk-secret-3")]);
    assert!(!format!("{env:?}").contains("sk-secret"));
    let mut body = serde_json::Map::new();
    body.insert("a".into(), 1.into());
    ctx.extra_body.insert("a".into(), 2.into());
    ctx.extra_body.insert("b".into(), 3.into());
    ctx.merge_extra_body(&mut body);
    assert_eq!(
        serde_json::Value::Object(body),
        serde_json::json!({"a": 2, "b": 3})
    );
}

/// The one `extra_body` rule (JSON Merge Patch, RFC 7396), as every
/// provider applies it: objects merge recursively, other values replace,
/// `null` removes the key.
#[test]
fn extra_body_is_a_json_merge_patch() {
    let mut ctx = CallContext::new("http://h:1");
    let extra = serde_json::json!({
        "generationConfig": {"seed": 7, "topK": null},
        "tools": [{"b": 2}],
        "stream_options": null,
        "n": 2
    });
    ctx.extra_body = extra.as_object().unwrap().clone();
    let mut body: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "generationConfig": {"maxOutputTokens": 64, "topK": 3},
        "tools": [{"a": 1}],
        "stream_options": {"include_usage": true},
        "n": 1
    }))
    .unwrap();
    ctx.merge_extra_body(&mut body);
    assert_eq!(
        serde_json::Value::Object(body),
        serde_json::json!({
            "generationConfig": {"maxOutputTokens": 64, "seed": 7},
            "tools": [{"b": 2}],
            "n": 2
        })
    );
}

#[test]
fn a_bad_url_is_an_error_that_never_echoes_credentials() {
    let ctx = CallContext::new("http://user:pw-secret@bad host");
    let err = ctx
        .json_post(&ctx.url("/v1/messages"), HeaderMap::new(), b"{}".to_vec())
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::InvalidConfig(_)), "{text}");
    assert!(!text.contains("pw-secret"), "{text}");
    assert!(text.contains("http://[REDACTED]@bad host/v1/messages"), "{text}");
    // Without credentials the URL is shown as given.
    let ctx = CallContext::new("not a url");
    let text = ctx
        .json_post(&ctx.url("/v1/messages"), HeaderMap::new(), b"{}".to_vec())
        .unwrap_err()
        .to_string();
    assert!(text.contains("not a url/v1/messages"), "{text}");
}
