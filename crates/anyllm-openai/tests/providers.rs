//! The provider table and the `Provider` implementation: every listed
//! provider is present with its URL, env vars and auth; requests are built as
//! each provider wants them; the demo fixtures replay; and every recorded
//! `openai-chat` exchange goes through the provider seam (the real SSE
//! decoder of `messages-http`, the stream converter, error classification).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use anyllm_fixtures::{load_all, project_fixtures_dir, recorded_dir_or_skip, Exchange, Filter};
use anyllm_openai::{providers, spec, OpenAiCompatible, ProviderSpec, PROVIDERS};
use anyllm_provider::{ApiKey, CallContext, Error, Frame, KeyPolicy, MapEnv, Provider};
use bytes::Bytes;
use messages_http::SseParser;
use messages_types::accumulate::MessageAccumulator;
use messages_types::grammar::validate_stream;
use messages_types::{ErrorKind, Message, MessageCreateParams, StreamEvent};
use serde_json::{json, Value};

fn provider(name: &str) -> OpenAiCompatible {
    OpenAiCompatible::new(*spec(name).unwrap_or_else(|| panic!("no provider {name}")))
}

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

fn hello() -> MessageCreateParams {
    params(json!({"model": "some-model", "max_tokens": 32, "messages": [{"role": "user", "content": "Hi"}]}))
}

fn ctx(base: &str, key: Option<&str>) -> CallContext {
    let mut c = CallContext::new(base);
    c.api_key = key.map(ApiKey::new);
    c
}

#[test]
fn every_reference_provider_is_in_the_table() {
    let expected = [
        ("openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
        ("azureopenai", "", "AZURE_OPENAI_API_KEY"),
        ("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
        ("deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY"),
        ("mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
        ("together", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
        (
            "fireworks",
            "https://api.fireworks.ai/inference/v1",
            "FIREWORKS_API_KEY",
        ),
        ("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
        ("xai", "https://api.x.ai/v1", "XAI_API_KEY"),
        ("perplexity", "https://api.perplexity.ai", "PERPLEXITY_API_KEY"),
        ("cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
        ("sambanova", "https://api.sambanova.ai/v1", "SAMBANOVA_API_KEY"),
        ("nebius", "https://api.studio.nebius.ai/v1", "NEBIUS_API_KEY"),
        (
            "deepinfra",
            "https://api.deepinfra.com/v1/openai",
            "DEEPINFRA_API_KEY",
        ),
        ("moonshot", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY"),
        (
            "dashscope",
            "https://dashscope.aliyuncs.com/compatible-mode/v1",
            "DASHSCOPE_API_KEY",
        ),
        ("zai", "https://api.z.ai/api/paas/v4", "ZAI_API_KEY"),
        ("minimax", "https://api.minimax.io/v1", "MINIMAX_API_KEY"),
        (
            "inception",
            "https://api.inceptionlabs.ai/v1",
            "INCEPTION_API_KEY",
        ),
        ("llama", "https://api.llama.com/compat/v1", "LLAMA_API_KEY"),
        ("github", "https://models.github.ai/inference", "GITHUB_TOKEN"),
        ("huggingface", "https://router.huggingface.co/v1", "HF_TOKEN"),
        ("databricks", "", "DATABRICKS_TOKEN"),
        ("portkey", "https://api.portkey.ai/v1", "PORTKEY_API_KEY"),
        ("requesty", "https://router.requesty.ai/v1", "REQUESTY_API_KEY"),
        ("lmstudio", "http://localhost:1234/v1", "LM_STUDIO_API_KEY"),
        ("llamacpp", "http://127.0.0.1:8080/v1", "LLAMACPP_API_KEY"),
        ("llamafile", "http://127.0.0.1:8080/v1", "LLAMAFILE_API_KEY"),
        ("vllm", "http://localhost:8000/v1", "VLLM_API_KEY"),
        ("ollama-openai", "http://localhost:11434", "OLLAMA_API_KEY"),
        ("openai-compatible", "", "OPENAI_COMPATIBLE_API_KEY"),
    ];
    for (name, base, key) in expected {
        let s = spec(name).unwrap_or_else(|| panic!("missing {name}"));
        assert_eq!(s.default_base_url, base, "{name}");
        assert_eq!(s.key_env.first().copied(), Some(key), "{name}");
        assert_eq!(s.dialect.provider, name, "{name}: errors must name the provider");
    }
    let names: HashSet<&str> = PROVIDERS.iter().map(|p| p.name).collect();
    assert_eq!(names.len(), PROVIDERS.len(), "names are unique");
    assert!(PROVIDERS.iter().all(|p| p.name == p.name.to_ascii_lowercase()));
    let registered = providers();
    // The table's rows, then the Responses API rows.
    assert_eq!(
        registered.len(),
        PROVIDERS.len() + anyllm_openai::RESPONSES_PROVIDERS.len()
    );
    assert!(registered[..PROVIDERS.len()]
        .iter()
        .all(|p| p.info().family.as_str() == "openai-chat"));
    assert!(registered[PROVIDERS.len()..]
        .iter()
        .all(|p| p.info().family.as_str() == "openai-responses"));
    for local in [
        "lmstudio",
        "llamacpp",
        "llamafile",
        "vllm",
        "ollama-openai",
        "openai-compatible",
    ] {
        assert_eq!(spec(local).unwrap().key_policy, KeyPolicy::Optional, "{local}");
    }
}

#[test]
fn requests_follow_each_provider() {
    let p = hello();
    let openai = provider("openai")
        .build_request(&p, &ctx("https://api.openai.com/v1", Some("sk-1")))
        .unwrap();
    assert_eq!(openai.uri(), "https://api.openai.com/v1/chat/completions");
    assert_eq!(openai.headers()["authorization"], "Bearer sk-1");
    assert!(openai.headers()["authorization"].is_sensitive());
    let body: Value = serde_json::from_slice(openai.body()).unwrap();
    assert_eq!(body["max_completion_tokens"], 32);

    let azure = provider("azureopenai")
        .with_api_version("2025-01-01-preview")
        .build_request(
            &params(
                json!({"model": "my-gpt4o", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]}),
            ),
            &ctx("https://res.openai.azure.com/", Some("az-key")),
        )
        .unwrap();
    assert_eq!(
        azure.uri(),
        "https://res.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2025-01-01-preview"
    );
    assert_eq!(azure.headers()["api-key"], "az-key");
    assert!(azure.headers().get("authorization").is_none());
    let env = MapEnv::new([("OPENAI_API_VERSION", "2024-06-01")]);
    let azure_from_env = anyllm_openai::providers_with_env(&env)
        .into_iter()
        .find(|p| p.info().name == "azureopenai")
        .unwrap();
    let r = azure_from_env
        .build_request(&hello(), &ctx("https://res.openai.azure.com", Some("k")))
        .unwrap();
    assert!(r.uri().to_string().ends_with("?api-version=2024-06-01"));

    let portkey = provider("portkey")
        .build_request(&p, &ctx("https://api.portkey.ai/v1", Some("pk")))
        .unwrap();
    assert_eq!(portkey.headers()["x-portkey-api-key"], "pk");

    let dbx = provider("databricks")
        .build_request(&p, &ctx("https://adb-1.azuredatabricks.net", Some("dapi")))
        .unwrap();
    assert_eq!(
        dbx.uri(),
        "https://adb-1.azuredatabricks.net/serving-endpoints/chat/completions"
    );

    let ollama = provider("ollama-openai")
        .build_request(&p, &ctx("http://localhost:11434", None))
        .unwrap();
    assert_eq!(ollama.uri(), "http://localhost:11434/v1/chat/completions");
    assert!(
        ollama.headers().get("authorization").is_none(),
        "no key, no header"
    );

    let mut streaming = ctx("https://api.mistral.ai/v1", Some("m"));
    streaming.stream = true;
    let mistral = provider("mistral").build_request(&p, &streaming).unwrap();
    let body: Value = serde_json::from_slice(mistral.body()).unwrap();
    assert_eq!(body["stream"], true);
    assert!(
        body.get("stream_options").is_none(),
        "mistral takes no stream_options"
    );
    assert_eq!(mistral.headers()["accept"], "text/event-stream");
}

#[test]
fn configuration_errors_are_typed() {
    let p = hello();
    let err = provider("groq")
        .build_request(&p, &ctx("https://api.groq.com/openai/v1", None))
        .unwrap_err();
    assert!(
        matches!(err, Error::MissingApiKey { ref provider, ref env_var } if provider == "groq" && env_var == "GROQ_API_KEY")
    );
    let err = provider("openai-compatible")
        .build_request(&p, &ctx("", None))
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidConfig(ref m) if m.contains("OPENAI_COMPATIBLE_BASE_URL")),
        "{err}"
    );
    let err = provider("azureopenai")
        .build_request(
            &params(
                json!({"model": "../x", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]}),
            ),
            &ctx("https://res.openai.azure.com", Some("k")),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "model"));
    let top_k = params(
        json!({"model": "m", "max_tokens": 8, "top_k": 3, "messages": [{"role": "user", "content": "x"}]}),
    );
    let err = provider("openai")
        .build_request(&top_k, &ctx("https://api.openai.com/v1", Some("k")))
        .unwrap_err();
    assert!(
        err.to_string().contains("top_k") && err.to_string().contains("openai"),
        "{err}"
    );
    assert!(provider("vllm")
        .build_request(&top_k, &ctx("http://localhost:8000/v1", None))
        .is_ok());
    // A caller-built row with a malformed key header is a typed error, not a panic.
    let odd = OpenAiCompatible::new(ProviderSpec {
        auth: anyllm_openai::Auth::Header("bad header"),
        ..*spec("portkey").unwrap()
    });
    let err = odd
        .build_request(&p, &ctx("https://api.portkey.ai/v1", Some("k")))
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidConfig(ref m) if m.contains("bad header")),
        "{err}"
    );
    let upper = OpenAiCompatible::new(ProviderSpec {
        auth: anyllm_openai::Auth::Header("X-Api-Key"),
        ..*spec("portkey").unwrap()
    });
    let r = upper
        .build_request(&p, &ctx("https://api.portkey.ai/v1", Some("k")))
        .unwrap();
    assert_eq!(r.headers()["x-api-key"], "k");
    // Secrets never show up in errors or debug output.
    let c = ctx("https://api.openai.com/v1", Some("sk-very-secret"));
    assert!(!format!("{c:?}").contains("sk-very-secret"));
}

#[test]
fn extras_reach_the_body() {
    let mut c = ctx("https://api.openai.com/v1", Some("k"));
    c.extra_body.insert("seed".into(), json!(42));
    c.extra_body.insert("reasoning_effort".into(), json!("low"));
    let r = provider("openai").build_request(&hello(), &c).unwrap();
    let body: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(body["seed"], 42);
    assert_eq!(body["reasoning_effort"], "low");
}

/// The `data` payloads of a recorded SSE body, through the real decoder.
fn frames(body: &[u8]) -> Vec<Bytes> {
    let mut parser = SseParser::new();
    parser.feed(body);
    parser.finish();
    let mut out = Vec::new();
    while let Some(ev) = parser.next_event().unwrap() {
        out.push(ev.data);
    }
    out
}

fn stream_through(p: &dyn Provider, params: &MessageCreateParams, body: &[u8]) -> Vec<StreamEvent> {
    let mut conv = p.stream_converter(params);
    let mut events = Vec::new();
    for data in frames(body) {
        conv.on_frame(
            Frame::Sse {
                event: None,
                data: &data,
            },
            &mut events,
        )
        .unwrap();
    }
    conv.finish(&mut events).unwrap();
    events
}

fn accumulate(events: &[StreamEvent]) -> Message {
    let mut acc = MessageAccumulator::new();
    for e in events {
        acc.push(e).unwrap();
    }
    acc.finish().unwrap()
}

fn recorded_params(ex: &Exchange) -> MessageCreateParams {
    let model = ex.request.body["model"].as_str().unwrap_or("m");
    params(json!({"model": model, "max_tokens": 16, "messages": [{"role": "user", "content": "x"}]}))
}

#[test]
fn demo_fixtures_replay() {
    let demo: MessageCreateParams =
        serde_json::from_slice(&std::fs::read(project_fixtures_dir().join("demo_request.json")).unwrap())
            .unwrap();
    let mut seen = 0;
    for name in ["openai", "groq", "mistral", "deepseek", "openrouter"] {
        for file in ["demo.json", "demo_stream.json"] {
            let path = project_fixtures_dir().join(name).join(file);
            let ex: Exchange = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let p = provider(name);
            let mut params = demo.clone();
            params.model = ex.request.body["model"].as_str().unwrap().to_owned();
            let base = format!("http://127.0.0.1:9{}", url_path(p.spec()));
            let mut c = ctx(&base, Some("test-key"));
            c.stream = ex.stream;
            let req = p.build_request(&params, &c).unwrap();
            assert_eq!(req.uri().path(), ex.request.path, "{name}/{file}");
            let body: Value = serde_json::from_slice(req.body()).unwrap();
            assert_eq!(
                body, ex.request.body,
                "{name}/{file}: the fixture pins the native request"
            );
            let raw = ex.response.body_bytes().unwrap();
            let msg = if ex.stream {
                let events = stream_through(&p, &params, &raw);
                validate_stream(&events).unwrap();
                accumulate(&events)
            } else {
                p.parse_response(&params, http::Response::new(Bytes::from(raw)))
                    .unwrap()
            };
            assert!(msg.text().starts_with("The sky looks blue"), "{name}/{file}");
            if name == "deepseek" {
                assert!(
                    msg.thinking()
                        .next()
                        .is_some_and(|t| t.thinking.contains("Rayleigh")),
                    "{name}/{file}"
                );
                assert_eq!(
                    msg.usage
                        .output_tokens_details
                        .as_ref()
                        .and_then(|d| d.thinking_tokens),
                    Some(22)
                );
            }
            assert_eq!(msg.stop_reason, Some(messages_types::StopReason::EndTurn));
            assert!(msg.usage.output_tokens.unwrap() > 0);
            seen += 1;
        }
    }
    assert_eq!(seen, 10);
}

/// The path of a provider's default base URL (`/openai/v1` for groq).
fn url_path(spec: &ProviderSpec) -> String {
    let after_scheme = spec.default_base_url.split_once("://").map_or("", |(_, r)| r);
    after_scheme
        .find('/')
        .map_or(String::new(), |i| after_scheme[i..].to_owned())
}

#[test]
fn recorded_exchanges_through_the_provider_seam() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("openai-chat")).unwrap();
    let (mut ok, mut streams, mut errors) = (0, 0, 0);
    for ex in &all {
        let name = if spec(&ex.provider).is_some() {
            ex.provider.as_str()
        } else {
            "openai-compatible"
        };
        let p = provider(name);
        let params = recorded_params(ex);
        let body = ex.response.body_bytes().unwrap();
        if ex.response.status != 200 {
            let mut resp = http::Response::new(Bytes::from(body.clone()));
            *resp.status_mut() = http::StatusCode::from_u16(ex.response.status).unwrap();
            let err = p.classify_error(resp);
            assert_eq!(err.status(), Some(ex.response.status), "{}", ex.file);
            let text = String::from_utf8_lossy(&body);
            let expected = match ex.response.status {
                401 => ErrorKind::Authentication,
                403 => ErrorKind::Permission,
                404 => ErrorKind::NotFound,
                400 if text.contains("model_not_found") || text.contains("invalid_model") => {
                    ErrorKind::NotFound
                }
                400 => ErrorKind::InvalidRequest,
                _ => ErrorKind::Api,
            };
            assert_eq!(err.kind(), expected, "{}: {text}", ex.file);
            errors += 1;
        } else if ex.stream {
            let events = stream_through(&p, &params, &body);
            validate_stream(&events).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
            accumulate(&events);
            streams += 1;
        } else {
            p.parse_response(&params, http::Response::new(Bytes::from(body)))
                .unwrap();
            ok += 1;
        }
    }
    assert!(
        ok >= 400 && streams >= 290 && errors >= 40,
        "{ok} {streams} {errors}"
    );
}

/// The conversion's tests snapshot these dialect constants under the
/// providers' names: the table must use exactly them.
#[test]
fn table_rows_use_the_shared_dialect_constants() {
    use messages_convert::openai_chat::Dialect;
    for (name, d) in [
        ("openai", Dialect::OPENAI),
        ("deepseek", Dialect::DEEPSEEK),
        ("mistral", Dialect::MISTRAL),
        ("openrouter", Dialect::OPENROUTER),
    ] {
        assert_eq!(spec(name).unwrap().dialect, d, "{name}");
    }
}

/// The body's error code corrects what the status says: a 429
/// `insufficient_quota` is a billing error, a 400 `model_not_found` a
/// not-found one; otherwise the status decides.
#[test]
fn error_codes_correct_the_status_class() {
    let p = provider("openai");
    for (status, body, want) in [
        (
            429,
            r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
            ErrorKind::Billing,
        ),
        (
            400,
            r#"{"error":{"message":"The model `x` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#,
            ErrorKind::NotFound,
        ),
        (
            429,
            r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#,
            ErrorKind::RateLimit,
        ),
    ] {
        let mut resp = http::Response::new(Bytes::from(body));
        *resp.status_mut() = http::StatusCode::from_u16(status).unwrap();
        let err = p.classify_error(resp);
        assert_eq!(err.status(), Some(status), "{body}");
        assert_eq!(err.kind(), want, "{body}");
    }
}

/// A local server's base URL given as `host:port` (as `OLLAMA_HOST` usually
/// is) gets plain HTTP; a hosted provider's bare host is never sent over HTTP.
#[test]
fn local_base_urls_without_a_scheme_are_http() {
    let p = hello();
    let r = provider("ollama-openai")
        .build_request(&p, &ctx("127.0.0.1:11434", None))
        .unwrap();
    assert_eq!(r.uri(), "http://127.0.0.1:11434/v1/chat/completions");
    let r = provider("ollama-openai")
        .build_request(&p, &ctx("https://ollama.example.com", None))
        .unwrap();
    assert_eq!(r.uri(), "https://ollama.example.com/v1/chat/completions");
    let hosted = provider("groq").build_request(&p, &ctx("api.groq.com/openai/v1", Some("k")));
    assert!(matches!(hosted, Err(Error::InvalidConfig(_))), "{hosted:?}");
}
