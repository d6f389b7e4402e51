//! Issue 16's OpenAI-compatible rows (the rest of any-llm's reference list),
//! table-driven: each row's default URL, key variable and auth header, then
//! a recorded Chat exchange (one whole reply, one stream) replayed through
//! the real client over loopback at the row's path with its auth header,
//! coming back equal to converting the recorded answer directly. Also: the
//! `azure` row's `api-version`, its Entra ID authorizer, and the base-URL
//! aliases (explicit > primary > alias).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::{Client, MapEnv, MessageCreateParams};
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter, QueryParam};
use anyllm_openai::{base_url_env_aliases, providers_with_env, spec, OpenAiCompatible};
use anyllm_provider::{ApiKey, CallContext, KeyPolicy, Provider, ProviderConfig};
use anyllm_testkit::{MatchRules, ReplayServer};
use messages_convert::openai_chat::{parse_response, request_body, ResponseContext};
use messages_types::grammar::validate_stream;
use serde_json::{json, Value};

/// `(name, default base URL, first key variable, auth header, auth value
/// for key `k`, chat path after the base)`.
const ROWS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "atlascloud",
        "https://api.atlascloud.ai/v1",
        "ATLASCLOUD_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "cascadia",
        "http://localhost:9090/v1",
        "CASCADIA_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "edenai",
        "https://api.edenai.run/v3",
        "EDENAI_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "gmi",
        "https://api.gmi-serving.com/v1",
        "GMI_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "kenari",
        "https://kenari.id/v1",
        "KENARI_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "meta",
        "https://api.meta.ai/v1",
        "MODEL_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "neosantara",
        "https://api.neosantara.xyz/v1",
        "NEOSANTARA_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "qiniu",
        "https://api.qnaigc.com/v1",
        "QINIU_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "telnyx",
        "https://api.telnyx.com/v2/ai",
        "TELNYX_API_KEY",
        "authorization",
        "Bearer k",
        "/chat/completions",
    ),
    (
        "otari",
        "",
        "OTARI_API_KEY",
        "authorization",
        "Bearer k",
        "/v1/chat/completions",
    ),
    (
        "azure",
        "",
        "AZURE_API_KEY",
        "api-key",
        "k",
        "/chat/completions?api-version=2024-05-01-preview",
    ),
];

fn hello(model: &str) -> MessageCreateParams {
    serde_json::from_value(json!({"model": model, "max_tokens": 16,
        "messages": [{"role": "user", "content": "Say hi."}]}))
    .unwrap()
}

#[test]
fn each_row_builds_its_url_and_auth_header() {
    for &(name, base, key_env, header, value, path) in ROWS {
        let s = spec(name).unwrap_or_else(|| panic!("missing {name}"));
        assert_eq!(s.default_base_url, base, "{name}");
        assert_eq!(s.key_env.first().copied(), Some(key_env), "{name}");
        assert_eq!(s.dialect.provider, name, "{name}");
        let p = OpenAiCompatible::new(*s);
        let root = if base.is_empty() {
            "https://gw.example"
        } else {
            base
        };
        let mut ctx = CallContext::new(root);
        ctx.api_key = Some(ApiKey::new("k"));
        let req = p.build_request(&hello("m"), &ctx).unwrap();
        assert_eq!(req.uri().to_string(), format!("{root}{path}"), "{name}");
        assert_eq!(req.headers()[header], value, "{name}");
        // Every any-llm base-URL variable name is accepted too.
        let alias = base_url_env_aliases(name);
        assert!(!alias.is_empty(), "{name}: any-llm's base-URL name");
        assert_eq!(p.info().base_url_env_aliases, alias, "{name}");
    }
    assert_eq!(spec("cascadia").unwrap().key_policy, KeyPolicy::Optional);
    // No default URL: a typed configuration error naming the variable.
    for name in ["otari", "azure"] {
        let p = OpenAiCompatible::new(*spec(name).unwrap());
        let mut ctx = CallContext::new("");
        ctx.api_key = Some(ApiKey::new("k"));
        let err = p.build_request(&hello("m"), &ctx).unwrap_err();
        assert!(err.to_string().contains("base URL"), "{name}: {err}");
    }
}

#[test]
fn azure_takes_an_api_version_and_an_entra_token_instead_of_a_key() {
    let azure = OpenAiCompatible::new(*spec("azure").unwrap()).with_api_version("2025-04-01");
    let mut ctx = CallContext::new("https://r.services.ai.azure.com/models");
    ctx.api_key = Some(ApiKey::new("k"));
    let req = azure.build_request(&hello("mistral-large"), &ctx).unwrap();
    assert_eq!(
        req.uri(),
        "https://r.services.ai.azure.com/models/chat/completions?api-version=2025-04-01"
    );
    let body: Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["model"], "mistral-large");
    let bad = OpenAiCompatible::new(*spec("azure").unwrap()).with_api_version("x&y=1");
    assert!(bad.build_request(&hello("m"), &ctx).is_err());

    // Without a key but with Entra ID client credentials, the registry's
    // azure provider authorizes each attempt with a token: no key needed.
    let env = MapEnv::new([
        ("AZURE_TENANT_ID", "t"),
        ("AZURE_CLIENT_ID", "c"),
        ("AZURE_CLIENT_SECRET", "s"),
    ]);
    let all = providers_with_env(&env);
    let azure = all.iter().find(|p| p.info().name == "azure").unwrap();
    let ctx = CallContext::new("https://r.services.ai.azure.com/models");
    assert!(azure.authorizer(&ctx).unwrap().is_some());
    let req = azure.build_request(&hello("m"), &ctx).unwrap();
    assert!(req.headers().get("api-key").is_none());
    // With a key, the key is used and no token is fetched.
    let env = MapEnv::new([
        ("AZURE_API_KEY", "k"),
        ("AZURE_TENANT_ID", "t"),
        ("AZURE_CLIENT_ID", "c"),
        ("AZURE_CLIENT_SECRET", "s"),
    ]);
    let all = providers_with_env(&env);
    let azure = all.iter().find(|p| p.info().name == "azure").unwrap();
    assert!(azure.authorizer(&ctx).unwrap().is_none());
    // Without either, calling is a missing-key error.
    let plain = OpenAiCompatible::new(*spec("azure").unwrap());
    assert!(plain.build_request(&hello("m"), &ctx).is_err());
}

#[test]
fn base_url_aliases_resolve_after_the_primary_name() {
    let p = OpenAiCompatible::new(*spec("deepseek").unwrap());
    let resolve = |vars: &[(&str, &str)]| {
        let mut all = vec![("DEEPSEEK_API_KEY", "k")];
        all.extend_from_slice(vars);
        ProviderConfig::default()
            .resolve(p.info(), &MapEnv::new(all))
            .unwrap()
            .base_url
    };
    assert_eq!(resolve(&[("DEEPSEEK_API_BASE", "http://alias")]), "http://alias");
    assert_eq!(
        resolve(&[
            ("DEEPSEEK_API_BASE", "http://alias"),
            ("DEEPSEEK_BASE_URL", "http://primary")
        ]),
        "http://primary"
    );
    assert_eq!(resolve(&[]), "https://api.deepseek.com");
    let explicit = ProviderConfig::default()
        .with_api_base("http://explicit")
        .resolve(
            p.info(),
            &MapEnv::new([("DEEPSEEK_API_KEY", "k"), ("DEEPSEEK_BASE_URL", "http://primary")]),
        )
        .unwrap();
    assert_eq!(explicit.base_url, "http://explicit");
    // otari keeps any-llm's legacy gateway name as a second alias.
    assert_eq!(
        base_url_env_aliases("otari"),
        ["OTARI_API_BASE", "GATEWAY_API_BASE"]
    );
}

/// The path prefix of a row's default base URL (`/v2/ai` for telnyx).
fn base_path(base: &str) -> &str {
    let rest = base.split_once("://").map_or("", |(_, r)| r);
    rest.find('/').map_or("", |i| &rest[i..])
}

/// The recorded exchange as `row` must send it: the row's path, query and
/// auth header, the body this crate converts the hello request into.
fn for_row(ex: &Exchange, name: &str, header: &str, value: &str, path: &str, model: &str) -> Exchange {
    let s = spec(name).unwrap();
    let body = request_body(&hello(model), &s.dialect, ex.stream, &serde_json::Map::new()).unwrap();
    let mut ex = ex.clone();
    ex.request.body = serde_json::from_slice(&body).unwrap();
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    ex.request.path = format!("{}{p}", base_path(s.default_base_url));
    ex.request.query = q
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(n, v)| QueryParam {
            name: n.to_owned(),
            value: v.to_owned(),
        })
        .collect();
    ex.request.headers.clear();
    ex.request
        .headers
        .insert(header.to_owned(), Value::String(value.to_owned()));
    ex
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_chat_exchange_replays_through_each_row() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("openai-chat")).unwrap();
    let pick = |stream: bool| {
        all.iter()
            .find(|e| e.provider == "openai" && e.stream == stream && e.response.status == 200)
            .unwrap()
    };
    for ex in [pick(false), pick(true)] {
        let model = ex.request.body["model"].as_str().unwrap().to_owned();
        let body = ex.response.body_bytes().unwrap();
        for &(name, _, _, header, value, path) in ROWS {
            // The table's value for key `k`, for the key `test-key`.
            let value = match value.strip_prefix("Bearer ") {
                Some(_) => "Bearer test-key",
                None => "test-key",
            };
            let recorded = for_row(ex, name, header, value, path, &model);
            let rules = MatchRules::default().require_headers([header]);
            let server = ReplayServer::start_with_rules(vec![recorded], rules)
                .await
                .unwrap();
            let s = spec(name).unwrap();
            let client = Client::builder()
                .env(MapEnv::empty())
                .api_key(name, "test-key")
                .api_base(name, format!("{}{}", server.url(), base_path(s.default_base_url)))
                .max_retries(0)
                .build()
                .unwrap();
            let params = hello(&format!("{name}:{model}"));
            let ctx = ResponseContext::new(&s.dialect, &model);
            let tag = format!("{} via {name}", ex.file);
            if ex.stream {
                let mut stream = client
                    .messages(&params)
                    .stream()
                    .await
                    .unwrap_or_else(|e| panic!("{tag}: {e}"));
                let mut events = Vec::new();
                while let Some(ev) = stream.next_event().await {
                    events.push(ev.unwrap_or_else(|e| panic!("{tag}: {e}")));
                }
                validate_stream(&events).unwrap_or_else(|e| panic!("{tag}: {e}"));
                assert!(events.len() > 3, "{tag}");
            } else {
                let msg = client
                    .messages(&params)
                    .await
                    .unwrap_or_else(|e| panic!("{tag}: {e}"));
                let direct = parse_response(&body, &ctx).unwrap();
                assert_eq!(
                    serde_json::to_value(&msg).unwrap(),
                    serde_json::to_value(&direct).unwrap(),
                    "{tag}"
                );
            }
            let mismatches = server.replay().mismatches();
            assert!(mismatches.is_empty(), "{tag}: request differs: {mismatches:?}");
            assert_eq!(server.replay().served(), 1, "{tag}");
        }
    }
}
