//! Request building, response parsing and stream conversion of the Anthropic provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm_anthropic::{AnthropicAuth, AnthropicProvider, AnthropicStreamConverter, INFO};
use anyllm_provider::{ApiKey, CallContext, Error, Frame, MapEnv, Provider, ProviderConfig, StreamConverter};
use bytes::Bytes;
use messages_types::{CountTokensParams, MessageCreateParams, StreamEvent};
use serde_json::{json, Value};

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

fn ctx() -> CallContext {
    let mut c = CallContext::new("http://127.0.0.1:1/");
    c.api_key = Some(ApiKey::new("sk-ant-secret"));
    c
}

fn body(req: &http::Request<Bytes>) -> Value {
    serde_json::from_slice(req.body()).unwrap()
}

#[test]
fn the_body_is_the_params_as_given_including_unknown_fields() {
    let v = json!({"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": "hi",
        "future_field": 1}], "brand_new": {"a": [1, 2]}, "temperature": 0.5});
    let req = AnthropicProvider::new()
        .build_request(&params(v.clone()), &ctx())
        .unwrap();
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(req.uri(), "http://127.0.0.1:1/v1/messages");
    assert_eq!(body(&req), v);
    let h = req.headers();
    assert_eq!(h["x-api-key"], "sk-ant-secret");
    assert!(h["x-api-key"].is_sensitive());
    assert_eq!(h["anthropic-version"], "2023-06-01");
    assert_eq!(h["content-type"], "application/json");
    assert!(h.get("anthropic-beta").is_none());
    assert!(h.get("authorization").is_none());
}

#[test]
fn the_stream_flag_follows_the_call() {
    let p = params(json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}));
    let mut c = ctx();
    c.stream = true;
    let req = AnthropicProvider::new().build_request(&p, &c).unwrap();
    assert_eq!(body(&req)["stream"], true);
    // A non-streaming call drops `stream: true` but keeps an explicit `false`.
    let mut p2 = p.clone();
    p2.stream = Some(true);
    let req = AnthropicProvider::new().build_request(&p2, &ctx()).unwrap();
    assert!(body(&req).get("stream").is_none());
    p2.stream = Some(false);
    let req = AnthropicProvider::new().build_request(&p2, &ctx()).unwrap();
    assert_eq!(body(&req)["stream"], false);
}

#[test]
fn betas_headers_bearer_and_extra_body() {
    let p = params(json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}));
    let mut c = ctx();
    c.betas = vec!["a-2025".into(), "b-2026".into()];
    c.extra_body.insert("service_tier".into(), json!("auto"));
    c.extra_body.insert("max_tokens".into(), json!(9));
    c.headers.insert("x-custom", http::HeaderValue::from_static("1"));
    c.headers
        .insert("anthropic-version", http::HeaderValue::from_static("2099-01-01"));
    let prov = AnthropicProvider::new().with_auth(AnthropicAuth::Bearer);
    let req = prov.build_request(&p, &c).unwrap();
    let h = req.headers();
    assert_eq!(h["anthropic-beta"], "a-2025,b-2026");
    assert_eq!(h["authorization"], "Bearer sk-ant-secret");
    assert!(h.get("x-api-key").is_none());
    assert_eq!(h["x-custom"], "1");
    assert_eq!(h["anthropic-version"], "2099-01-01", "call headers win");
    let b = body(&req);
    assert_eq!(b["service_tier"], "auto");
    assert_eq!(b["max_tokens"], 9, "extra body overrides");
}

#[test]
fn a_missing_key_names_the_env_var() {
    let p = params(json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}));
    let err = AnthropicProvider::new()
        .build_request(&p, &CallContext::new("http://x"))
        .unwrap_err();
    assert!(matches!(err, Error::MissingApiKey { ref env_var, .. } if env_var == "ANTHROPIC_API_KEY"));
    let err = ProviderConfig::default()
        .resolve(&INFO, &MapEnv::empty())
        .unwrap_err();
    assert!(err.to_string().contains("ANTHROPIC_API_KEY"), "{err}");
    assert!(!format!("{err:?}{c:?}", c = ctx()).contains("sk-ant-secret"));
}

#[test]
fn base_url_comes_from_explicit_then_env_then_default() {
    let env = MapEnv::new([
        ("ANTHROPIC_API_KEY", "k"),
        ("ANTHROPIC_BASE_URL", "http://proxy:8080/"),
    ]);
    let r = ProviderConfig::default().resolve(&INFO, &env).unwrap();
    assert_eq!(r.base_url, "http://proxy:8080");
    let explicit = ProviderConfig::default().with_api_base("http://other");
    assert_eq!(explicit.resolve(&INFO, &env).unwrap().base_url, "http://other");
    let r = ProviderConfig::default()
        .resolve(&INFO, &MapEnv::new([("ANTHROPIC_API_KEY", "k")]))
        .unwrap();
    assert_eq!(r.base_url, "https://api.anthropic.com");
    assert_eq!(r.api_key.unwrap().expose(), "k");
}

#[test]
fn count_tokens_goes_to_its_endpoint() {
    let p: CountTokensParams = serde_json::from_value(json!({"model": "m",
        "messages": [{"role": "user", "content": "x"}]}))
    .unwrap();
    let prov = AnthropicProvider::new();
    let req = prov.build_count_tokens_request(&p, &ctx()).unwrap();
    assert_eq!(req.uri(), "http://127.0.0.1:1/v1/messages/count_tokens");
    let resp = http::Response::new(Bytes::from_static(br#"{"input_tokens": 12}"#));
    assert_eq!(prov.parse_count_tokens(resp).unwrap().input_tokens, 12);
}

#[test]
fn responses_parse_and_bad_bodies_are_typed_errors() {
    let prov = AnthropicProvider::new();
    let p = params(json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}));
    let ok = Bytes::from_static(
        br#"{"id":"msg_1","type":"message","role":"assistant","model":"m",
        "content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,
        "usage":{"input_tokens":1,"output_tokens":1},"new_top_level":true}"#,
    );
    let m = prov.parse_response(&p, http::Response::new(ok)).unwrap();
    assert_eq!(m.text(), "Hi");
    assert_eq!(m.extra["new_top_level"], true);
    let err = prov
        .parse_response(&p, http::Response::new(Bytes::from_static(b"<html>")))
        .unwrap_err();
    assert!(matches!(err, Error::Convert(_)), "{err}");
    // The default error classification keeps status, type, message and request id.
    let mut resp = http::Response::new(Bytes::from_static(
        br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
    ));
    *resp.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
    resp.headers_mut()
        .insert("request-id", http::HeaderValue::from_static("req_9"));
    let err = prov.classify_error(resp);
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.request_id(), Some("req_9"));
    assert_eq!(err.kind().as_str(), "rate_limit_error");
    assert_eq!(err.to_error_response().error.message, "slow down");
}

#[test]
fn the_stream_converter_passes_events_through() {
    let mut c = AnthropicStreamConverter::new();
    let mut out = Vec::new();
    c.on_frame(
        Frame::Sse {
            event: Some("ping"),
            data: br#"{"type": "ping"}"#,
        },
        &mut out,
    )
    .unwrap();
    c.on_frame(
        Frame::Sse {
            event: None,
            data: b"  ",
        },
        &mut out,
    )
    .unwrap();
    c.on_frame(
        Frame::Sse {
            event: Some("brand_new"),
            data: br#"{"type":"brand_new","x":1}"#,
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(out.len(), 2);
    assert!(matches!(out[0], StreamEvent::Ping(_)));
    assert_eq!(
        serde_json::to_value(&out[1]).unwrap(),
        json!({"type": "brand_new", "x": 1})
    );
    let err = c
        .on_frame(
            Frame::Sse {
                event: None,
                data: b"{oops",
            },
            &mut out,
        )
        .unwrap_err();
    // Converters now return the conversion error itself; the seam wraps it.
    assert!(matches!(
        Error::from(err),
        Error::Convert(messages_convert::ConvertError::Decode { .. })
    ));
    c.finish(&mut out).unwrap();
    assert_eq!(out.len(), 2);
}

#[test]
fn an_auth_token_from_its_env_var_is_a_bearer_token() {
    let env = MapEnv::new([("ANTHROPIC_AUTH_TOKEN", "oauth-tok")]);
    let r = ProviderConfig::default().resolve(&INFO, &env).unwrap();
    assert_eq!(r.api_key_env, Some("ANTHROPIC_AUTH_TOKEN"));
    let mut c = CallContext::new(r.base_url);
    c.api_key = r.api_key;
    c.api_key_env = r.api_key_env;
    let p = params(json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}));
    let req = AnthropicProvider::new().build_request(&p, &c).unwrap();
    assert_eq!(req.headers()["authorization"], "Bearer oauth-tok");
    assert!(req.headers().get("x-api-key").is_none());
    // ANTHROPIC_API_KEY wins when both are set.
    let env = MapEnv::new([("ANTHROPIC_AUTH_TOKEN", "t"), ("ANTHROPIC_API_KEY", "k")]);
    let r = ProviderConfig::default().resolve(&INFO, &env).unwrap();
    assert_eq!(r.api_key_env, Some("ANTHROPIC_API_KEY"));
    assert_eq!(r.api_key.unwrap().expose(), "k");
}
