//! The `gemini` and `vertexai` providers without a network: URLs, headers,
//! bodies, error classification, and every recorded Gemini response through
//! the provider's parse and stream paths.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Filter};
use anyllm_gemini::{CommandTokenSource, GeminiProvider, StaticToken, TokenSource, VertexAiProvider};
use anyllm_provider::{ApiKey, CallContext, Error, Frame, MapEnv, Provider, ProviderConfig};
use bytes::Bytes;
use messages_http::ErrorKind;
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{CountTokensParams, MessageCreateParams};
use serde_json::{json, Value};

fn params(model: &str) -> MessageCreateParams {
    serde_json::from_value(json!({
        "model": model, "max_tokens": 32, "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap()
}

fn gemini_ctx(stream: bool) -> CallContext {
    let mut ctx = CallContext::new("https://generativelanguage.googleapis.com/");
    ctx.api_key = Some(ApiKey::new("AIza-secret"));
    ctx.stream = stream;
    ctx
}

fn response(status: u16, body: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

#[test]
fn gemini_endpoints_and_key_header() {
    let p = GeminiProvider::new();
    let req = p
        .build_request(&params("gemini-2.5-flash"), &gemini_ctx(true))
        .unwrap();
    assert_eq!(
        req.uri(),
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    );
    assert_eq!(req.headers()["x-goog-api-key"], "AIza-secret");
    assert!(req.headers()["x-goog-api-key"].is_sensitive());
    assert_eq!(req.headers()["content-type"], "application/json");
    assert!(
        !req.uri().to_string().contains("AIza"),
        "the key never goes in the URL"
    );
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["contents"][0]["parts"][0]["text"], "Hi");
    assert!(body.get("stream").is_none());

    let tuned = p
        .build_request(&params("tunedModels/my-model-1"), &gemini_ctx(false))
        .unwrap();
    assert_eq!(
        tuned.uri(),
        "https://generativelanguage.googleapis.com/v1beta/tunedModels/my-model-1:generateContent"
    );
    for bad in [
        "gemini?x=1",
        "a b",
        "m:generate",
        "",
        "models/../../v1/files",
        "models//m",
        "m/",
    ] {
        let err = p.build_request(&params(bad), &gemini_ctx(false)).unwrap_err();
        assert!(
            matches!(err, Error::Validation { ref field, .. } if field == "model"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn gemini_key_resolution_and_missing_key() {
    let p = GeminiProvider::new();
    let env = MapEnv::new([("GOOGLE_API_KEY", "from-google-var")]);
    let r = ProviderConfig::default().resolve(p.info(), &env).unwrap();
    assert_eq!(r.api_key.unwrap().expose(), "from-google-var");
    assert_eq!(r.base_url, "https://generativelanguage.googleapis.com");
    let env = MapEnv::new([
        ("GEMINI_API_KEY", "k1"),
        ("GOOGLE_API_KEY", "k2"),
        ("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:9/"),
    ]);
    let r = ProviderConfig::default().resolve(p.info(), &env).unwrap();
    assert_eq!(r.api_key.unwrap().expose(), "k1");
    assert_eq!(r.base_url, "http://127.0.0.1:9");
    let err = ProviderConfig::default()
        .resolve(p.info(), &MapEnv::empty())
        .unwrap_err();
    assert!(matches!(err, Error::MissingApiKey { ref env_var, .. } if env_var == "GEMINI_API_KEY"));
    let mut ctx = gemini_ctx(false);
    ctx.api_key = None;
    assert!(matches!(
        p.build_request(&params("m"), &ctx),
        Err(Error::MissingApiKey { .. })
    ));
}

#[test]
fn extra_body_and_headers_are_merged() {
    let mut ctx = gemini_ctx(false);
    ctx.extra_body.insert(
        "safetySettings".into(),
        json!([{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}]),
    );
    ctx.headers.insert("x-goog-user-project", "proj".parse().unwrap());
    ctx.extra_body
        .insert("generationConfig".into(), json!({"seed": 7, "temperature": 0.25}));
    let req = GeminiProvider::new()
        .build_request(&params("gemini-2.5-flash"), &ctx)
        .unwrap();
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["safetySettings"][0]["threshold"], "BLOCK_NONE");
    // Objects merge key by key: the converted settings stay, the extras are added.
    assert_eq!(
        body["generationConfig"],
        json!({"maxOutputTokens": 32, "seed": 7, "temperature": 0.25})
    );
    assert_eq!(req.headers()["x-goog-user-project"], "proj");
}

#[test]
fn conversion_refusals_are_typed() {
    let mut p = params("gemini-2.5-flash");
    p.container = Some(json!("c"));
    let err = GeminiProvider::new()
        .build_request(&p, &gemini_ctx(false))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Convert(messages_convert::ConvertError::Unsupported { .. })
        ),
        "{err}"
    );
}

#[test]
fn vertex_urls_tokens_and_config() {
    let p =
        VertexAiProvider::new("proj-1", "us-east5").with_token_source(Arc::new(StaticToken::new("ya29.t")));
    let ctx = CallContext::new(p.info().default_base_url);
    let req = p
        .build_request(&params("gemini-2.5-flash"), &ctx.clone().with_stream(true))
        .unwrap();
    assert_eq!(
        req.uri(),
        "https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    );
    assert_eq!(req.headers()["authorization"], "Bearer ya29.t");
    assert!(req.headers()["authorization"].is_sensitive());
    // An explicit key wins over the token source.
    let mut keyed = ctx.clone();
    keyed.api_key = Some(ApiKey::new("ya29.explicit"));
    let req = p.build_request(&params("gemini-2.5-flash"), &keyed).unwrap();
    assert_eq!(req.headers()["authorization"], "Bearer ya29.explicit");

    let global = VertexAiProvider::new("p", "global");
    let mut ctx = CallContext::new(global.info().default_base_url);
    ctx.api_key = Some(ApiKey::new("tok"));
    let req = global
        .build_request(&params("gemini-3-pro-preview"), &ctx)
        .unwrap();
    assert_eq!(
        req.uri(),
        "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-3-pro-preview:generateContent"
    );
    // Without a token source the token is required.
    let mut no_key = ctx.clone();
    no_key.api_key = None;
    let err = global.build_request(&params("m"), &no_key).unwrap_err();
    assert!(matches!(err, Error::MissingApiKey { ref env_var, .. } if env_var == "VERTEXAI_ACCESS_TOKEN"));

    // From the environment; a missing project is reported at call time.
    let env = MapEnv::new([("GOOGLE_CLOUD_PROJECT", "envproj")]);
    let from_env = VertexAiProvider::from_env(&env);
    assert_eq!(
        (from_env.project(), from_env.location()),
        (Some("envproj"), "us-central1")
    );
    let none = VertexAiProvider::from_env(&MapEnv::empty());
    let err = none.build_request(&params("m"), &ctx).unwrap_err();
    assert!(
        matches!(err, Error::InvalidConfig(ref m) if m.contains("GOOGLE_CLOUD_PROJECT")),
        "{err}"
    );
    // An explicit base URL is used whole.
    let mut custom = ctx.clone();
    custom.base_url = "http://127.0.0.1:8/v1/projects/x/locations/y".into();
    let req = none.build_request(&params("m"), &custom).unwrap();
    assert_eq!(
        req.uri(),
        "http://127.0.0.1:8/v1/projects/x/locations/y/publishers/google/models/m:generateContent"
    );
    // Vertex countTokens takes the request fields at the top level.
    let ct: CountTokensParams = serde_json::from_value(
        json!({"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]}),
    )
    .unwrap();
    let req = p
        .build_count_tokens_request(&ct, &CallContext::new(p.info().default_base_url))
        .unwrap();
    assert!(req
        .uri()
        .to_string()
        .ends_with("/publishers/google/models/gemini-2.5-flash:countTokens"));
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(
        body,
        json!({"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]})
    );
}

#[cfg(unix)]
#[test]
fn command_token_source_caches_and_reports_failures() {
    let dir = std::env::temp_dir().join(format!("anyllm-gemini-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let counter = dir.join("count");
    // Prints a token numbered by how many times it ran.
    let script = format!(
        "echo x >> {0}; echo tok-$(wc -l < {0} | tr -d ' ')",
        counter.display()
    );
    let source =
        CommandTokenSource::new("sh", ["-c".to_owned(), script.clone()]).cache_for(Duration::from_secs(3600));
    assert_eq!(source.token().unwrap().expose(), "tok-1");
    assert_eq!(source.token().unwrap().expose(), "tok-1", "cached");
    let uncached = CommandTokenSource::new("sh", ["-c".to_owned(), script]).cache_for(Duration::ZERO);
    assert_eq!(uncached.token().unwrap().expose(), "tok-2");
    assert_eq!(uncached.token().unwrap().expose(), "tok-3");
    let failing = CommandTokenSource::new("sh", ["-c", "echo 'not logged in' >&2; exit 3"]);
    let err = failing.token().unwrap_err();
    assert!(err.to_string().contains("not logged in"), "{err}");
    let missing = CommandTokenSource::new("/nonexistent/gcloud", Vec::<String>::new());
    assert!(missing.token().is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A command that never answers is killed at its timeout; a token it prints
/// to stderr is not repeated in the error.
#[cfg(unix)]
#[test]
fn command_token_source_is_bounded_and_does_not_leak() {
    let hanging = CommandTokenSource::new("sh", ["-c", "exec sleep 30"]).timeout(Duration::from_millis(200));
    let err = hanging.token().unwrap_err();
    assert!(err.to_string().contains("no answer within"), "{err}");
    assert!(!format!("{hanging:?}").contains("ya29"));

    let leaky = CommandTokenSource::new(
        "sh",
        [
            "-c",
            "echo 'refresh failed for ya29.a0AfB_secretTokenValue123 (expired)' >&2; exit 1",
        ],
    );
    let err = leaky.token().unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("secretTokenValue"), "{text}");
    assert!(text.contains("refresh failed for [redacted]"), "{text}");
}

#[test]
fn errors_are_classified_from_googles_body() {
    let p = GeminiProvider::new();
    let bad_key = r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
        "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#;
    let Error::Http(e) = p.classify_error(response(400, bad_key)) else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(
        e.message(),
        Some("API key not valid. Please pass a valid API key.")
    );

    let quota = r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",
        "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12.5s"}]}}"#;
    let Error::Http(e) = p.classify_error(response(429, quota)) else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::RateLimit);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(12_500)));
    assert!(e.is_retryable());

    let overloaded = r#"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#;
    let Error::Http(e) = p.classify_error(response(503, overloaded)) else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::Overloaded);
    assert!(e.is_retryable());

    for (status, body, kind) in [
        (
            404,
            r#"{"error":{"code":404,"message":"models/x is not found","status":"NOT_FOUND"}}"#,
            ErrorKind::NotFound,
        ),
        (
            400,
            r#"{"error":{"code":400,"message":"This API method requires billing to be enabled.","status":"FAILED_PRECONDITION"}}"#,
            ErrorKind::Billing,
        ),
        (
            403,
            r#"{"error":{"code":403,"message":"Permission denied on resource project p.","status":"PERMISSION_DENIED"}}"#,
            ErrorKind::Permission,
        ),
        (
            504,
            r#"{"error":{"code":504,"message":"Deadline exceeded","status":"DEADLINE_EXCEEDED"}}"#,
            ErrorKind::Timeout,
        ),
        (422, r#"{"oops": true}"#, ErrorKind::Unprocessable),
    ] {
        let Error::Http(e) = p.classify_error(response(status, body)) else {
            panic!()
        };
        assert_eq!(e.kind(), kind, "{body}");
    }

    let Error::Http(e) = p.classify_error(response(502, "<html>Bad Gateway</html>")) else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::Api);
    let text = format!("{e:?} {e}");
    assert!(!text.contains("AIza"), "no secret in errors");

    // A body not in Google's shape keeps a bounded excerpt, as the other families do.
    let page = format!(
        "<html><title>422 Unprocessable</title>{}</html>",
        "x".repeat(100_000)
    );
    let Error::Http(e) = p.classify_error(response(422, &page)) else {
        panic!()
    };
    let shown = e.to_string();
    assert!(
        shown.contains("<html><title>422 Unprocessable</title>"),
        "{shown}"
    );
    assert!(shown.len() < 2_000, "bounded: {} bytes", shown.len());
}

#[test]
fn count_tokens_through_the_provider() {
    let p = GeminiProvider::new();
    let ct: CountTokensParams = serde_json::from_value(json!({
        "model": "gemini-2.5-flash", "system": "s", "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap();
    let req = p.build_count_tokens_request(&ct, &gemini_ctx(false)).unwrap();
    assert_eq!(
        req.uri(),
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens"
    );
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["generateContentRequest"]["model"], "models/gemini-2.5-flash");
    let counted = p
        .parse_count_tokens(response(200, r#"{"totalTokens": 31, "promptTokensDetails": []}"#))
        .unwrap();
    assert_eq!(counted.input_tokens, 31);
    assert!(p.parse_count_tokens(response(200, "nope")).is_err());
}

/// Every recorded Gemini response through the provider: whole bodies via
/// `parse_response`, streams framed by the shared SSE decoder (in 7-byte
/// pieces) into the provider's stream converter.
#[test]
fn recorded_responses_through_the_provider() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let mut filter = Filter::api("gemini");
    filter.success = Some(true);
    let all = load_all(&dir, &filter).unwrap();
    assert!(all.len() > 200);
    let p = GeminiProvider::new();
    for e in &all {
        let body = e.response.body.clone().unwrap_or_default();
        let model = e
            .request
            .path
            .split("/models/")
            .nth(1)
            .unwrap()
            .split(':')
            .next()
            .unwrap();
        let params = params(model);
        if e.stream {
            let mut parser = messages_http::SseParser::new();
            let mut conv = p.stream_converter(&params);
            let mut events = Vec::new();
            for piece in body.as_bytes().chunks(7) {
                parser.feed(piece);
                while let Some(ev) = parser.next_event().unwrap() {
                    conv.on_frame(
                        Frame::Sse {
                            event: None,
                            data: &ev.data,
                        },
                        &mut events,
                    )
                    .unwrap();
                }
            }
            parser.finish();
            while let Some(ev) = parser.next_event().unwrap() {
                conv.on_frame(
                    Frame::Sse {
                        event: None,
                        data: &ev.data,
                    },
                    &mut events,
                )
                .unwrap();
            }
            conv.finish(&mut events).unwrap();
            validate_stream(&events).unwrap_or_else(|err| panic!("{}: {err:?}", e.file));
            let mut acc = MessageAccumulator::new();
            for ev in &events {
                acc.push(ev).unwrap();
            }
            let message = acc.finish().unwrap();
            assert!(message.stop_reason.is_some(), "{}", e.file);
            assert!(!message.model.is_empty(), "{}", e.file);
        } else {
            let message = p.parse_response(&params, response(200, &body)).unwrap();
            let direct = messages_convert::gemini::message_from_slice(body.as_bytes()).unwrap();
            assert_eq!(message, direct, "{}", e.file);
        }
    }
}

#[test]
fn providers_are_registered_under_their_names() {
    let names: Vec<&str> = anyllm_gemini::providers().iter().map(|p| p.info().name).collect();
    assert_eq!(names, ["gemini", "vertexai"]);
}

#[test]
fn static_token_is_not_printed() {
    let t = StaticToken::new("ya29.very-secret");
    assert!(!format!("{t:?}").contains("very-secret"));
    let v = VertexAiProvider::new("p", "l").with_token_source(Arc::new(t));
    assert!(!format!("{v:?}").contains("very-secret"));
}
