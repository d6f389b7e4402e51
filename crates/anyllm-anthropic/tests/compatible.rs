//! The Anthropic-compatible rows: every recorded Anthropic exchange replayed
//! through the real client over loopback for three rows (`x-api-key` and
//! bearer, with and without a path prefix): the body arrives unchanged at the
//! row's path with its auth header, the reply and stream events come back
//! unchanged (and form a valid stream); a request using a field the row
//! documents as unsupported is refused with `Unsupported` naming it, before
//! anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::types::grammar::validate_stream;
use anyllm::{Client, MapEnv, MessageCreateParams, RequestOptions};
use anyllm_anthropic::compatible::{spec, AnthropicCompatible, COMPATIBLE};
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use anyllm_provider::{ApiKey, CallContext, Error, Provider, ProviderConfig};
use anyllm_testkit::{json_diff, MatchRules, ReplayServer};
use messages_convert::ConvertError;
use serde_json::{json, Value};

/// A row under test: its name, the path prefix of its default base URL and
/// the auth header it must send.
struct Row {
    name: &'static str,
    prefix: &'static str,
    auth: (&'static str, &'static str),
}

const ROWS: &[Row] = &[
    Row {
        name: "anthropic-compatible",
        prefix: "",
        auth: ("x-api-key", "test-key"),
    },
    Row {
        name: "deepseek-anthropic",
        prefix: "/anthropic",
        auth: ("x-api-key", "test-key"),
    },
    Row {
        name: "zai-anthropic",
        prefix: "/api/anthropic",
        auth: ("authorization", "Bearer test-key"),
    },
];

fn sse_data(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .filter_map(|block| {
            let data: Vec<&str> = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            (!data.is_empty()).then(|| serde_json::from_str(&data.join("\n")).unwrap())
        })
        .collect()
}

fn betas(e: &Exchange) -> Vec<String> {
    e.request
        .headers
        .get("anthropic-beta")
        .and_then(Value::as_str)
        .map(|b| b.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default()
}

/// The recording as the row must send it: same body, the row's path, the
/// row's auth header (and no other).
fn for_row(e: &Exchange, row: &Row) -> Exchange {
    let mut e = e.clone();
    e.request.path = format!("{}{}", row.prefix, e.request.path);
    e.request.headers.remove("x-api-key");
    e.request.headers.remove("authorization");
    e.request
        .headers
        .insert(row.auth.0.to_owned(), Value::String(row.auth.1.to_owned()));
    e
}

/// `Unsupported` naming a field, as the row's own validation reports it.
fn refused_field(row: &Row, params: &MessageCreateParams, betas: &[String]) -> Option<String> {
    let p = AnthropicCompatible::new(*spec(row.name).unwrap());
    let mut ctx = CallContext::new("http://127.0.0.1:1");
    ctx.api_key = Some(ApiKey::new("k"));
    ctx.betas = betas.to_vec();
    match p.validate(params, &ctx) {
        Ok(()) => None,
        Err(Error::Convert(ConvertError::Unsupported { field, .. })) => Some(field),
        Err(other) => panic!("{}: not an Unsupported error: {other}", row.name),
    }
}

/// Replays `e` through `row`; returns whether it was refused before sending.
async fn replay_one(e: &Exchange, row: &Row) -> bool {
    let native: MessageCreateParams = serde_json::from_value(e.request.body.clone()).unwrap();
    let mut params = native.clone();
    params.model = format!("{}:{}", row.name, native.model);
    let mut opts = RequestOptions::new();
    opts.betas = betas(e);
    let rules = MatchRules::default().require_headers([
        "anthropic-version",
        "anthropic-beta",
        "x-api-key",
        "authorization",
    ]);
    let server = ReplayServer::start_with_rules(vec![for_row(e, row)], rules)
        .await
        .unwrap();
    let client = Client::builder()
        .env(MapEnv::empty())
        .api_key(row.name, "test-key")
        .api_base(row.name, format!("{}{}", server.url(), row.prefix))
        .max_retries(0)
        .build()
        .unwrap();
    let tag = format!("{} via {}", e.file, row.name);

    if let Some(field) = refused_field(row, &native, &opts.betas) {
        let err = if e.stream {
            client
                .messages(&params)
                .options(opts.clone())
                .stream()
                .await
                .err()
                .unwrap()
        } else {
            client.messages(&params).options(opts.clone()).await.unwrap_err()
        };
        assert!(
            matches!(&err, Error::Convert(ConvertError::Unsupported { field: f, .. }) if *f == field),
            "{tag}: {err}"
        );
        assert!(err.to_string().contains(&field), "{tag}: {err}");
        assert_eq!(server.replay().served(), 0, "{tag}: sent although refused");
        assert!(server.replay().mismatches().is_empty(), "{tag}");
        return true;
    }

    if e.stream {
        match client.messages(&params).options(opts.clone()).stream().await {
            Ok(mut stream) => {
                let recorded = sse_data(e.response.body.as_deref().unwrap());
                let mut got = Vec::new();
                let mut failed = false;
                while let Some(ev) = stream.next_event().await {
                    match ev {
                        Ok(ev) => got.push(ev),
                        Err(_) => {
                            failed = true;
                            break;
                        }
                    }
                }
                let recorded_error = recorded.iter().any(|v| v["type"] == "error");
                assert_eq!(failed, recorded_error, "{tag}");
                let expected: Vec<&Value> = recorded.iter().filter(|v| v["type"] != "error").collect();
                assert_eq!(got.len(), expected.len(), "{tag}: event count");
                for (i, (g, want)) in got.iter().zip(expected.iter()).enumerate() {
                    let g = serde_json::to_value(g).unwrap();
                    if let Some(d) = json_diff(want, &g) {
                        panic!("{tag}: event {i} differs: {d}");
                    }
                }
                if !recorded_error {
                    validate_stream(&got).unwrap_or_else(|err| panic!("{tag}: {err}"));
                }
            }
            Err(err) => {
                assert_ne!(e.response.status, 200, "{tag}: {err}");
                assert_eq!(err.status(), Some(e.response.status), "{tag}");
            }
        }
    } else {
        match client.messages(&params).options(opts.clone()).await {
            Ok(msg) => {
                assert_eq!(e.response.status, 200, "{tag}");
                let want: Value = serde_json::from_str(e.response.body.as_deref().unwrap()).unwrap();
                if let Some(d) = json_diff(&want, &serde_json::to_value(&msg).unwrap()) {
                    panic!("{tag}: message differs: {d}");
                }
            }
            Err(err) => {
                assert_ne!(e.response.status, 200, "{tag}: {err}");
                assert_eq!(err.status(), Some(e.response.status), "{tag}");
            }
        }
    }
    let mismatches = server.replay().mismatches();
    assert!(mismatches.is_empty(), "{tag}: request differs: {mismatches:?}");
    assert_eq!(server.replay().served(), 1, "{tag}: nothing sent");
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_anthropic_exchanges_replay_unchanged_through_compatible_rows() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("anthropic-messages")).unwrap();
    assert!(all.len() > 300, "expected the recorded anthropic exchanges");
    for row in ROWS {
        let (mut sent, mut refused) = (0, 0);
        for e in &all {
            if replay_one(e, row).await {
                refused += 1;
            } else {
                sent += 1;
            }
        }
        match row.name {
            // No limits: everything goes through.
            "anthropic-compatible" => assert_eq!(refused, 0),
            // Betas, server tools, documents and images are refused.
            "deepseek-anthropic" => assert!(refused > 10, "{}: {refused} refused", row.name),
            // Betas and server tools are refused.
            _ => assert!(refused > 0, "{}: {refused} refused", row.name),
        }
        assert!(sent > 150, "{}: only {sent} sent", row.name);
    }
}

fn params(v: Value) -> MessageCreateParams {
    serde_json::from_value(v).unwrap()
}

fn field_of(name: &str, p: &MessageCreateParams, betas: &[&str]) -> Option<String> {
    let row = Row {
        name: spec(name).unwrap().name,
        prefix: "",
        auth: ("", ""),
    };
    let betas: Vec<String> = betas.iter().map(|b| (*b).to_owned()).collect();
    refused_field(&row, p, &betas)
}

#[test]
fn documented_limits_are_refused_naming_the_field() {
    let base = json!({"model": "m", "max_tokens": 16, "messages": [{"role": "user", "content": "Hi"}]});
    let with = |extra: Value| {
        let mut v = base.clone();
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        params(v)
    };
    // MiniMax ignores stop_sequences and top_k; Meta rejects them.
    for name in ["minimax-anthropic", "meta-anthropic"] {
        let p = with(json!({"stop_sequences": ["END"]}));
        assert_eq!(field_of(name, &p, &[]).as_deref(), Some("stop_sequences"));
        let p = with(json!({"top_k": 3}));
        assert_eq!(field_of(name, &p, &[]).as_deref(), Some("top_k"));
    }
    // DeepSeek takes stop_sequences.
    let p = with(json!({"stop_sequences": ["END"]}));
    assert_eq!(field_of("deepseek-anthropic", &p, &[]), None);
    // Images: refused by DeepSeek and MiniMax, with the block's path.
    let p = with(json!({"messages": [
        {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": [{"type": "text", "text": "see"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA=="}}]}]}));
    for name in ["deepseek-anthropic", "minimax-anthropic"] {
        assert_eq!(field_of(name, &p, &[]).as_deref(), Some("messages[2].content[1]"));
    }
    assert_eq!(field_of("zai-anthropic", &p, &[]), None);
    // Server tools and betas have nothing behind them on a third-party server.
    let p = with(
        json!({"tools": [{"name": "f", "input_schema": {"type": "object"}},
        {"type": "web_search_20250305", "name": "web_search"}]}),
    );
    assert_eq!(field_of("ollama-anthropic", &p, &[]).as_deref(), Some("tools[1]"));
    assert_eq!(field_of("anthropic-compatible", &p, &[]), None);
    let plain = params(base.clone());
    assert_eq!(
        field_of("vllm-anthropic", &plain, &["context-1m-2025-08-07"]).as_deref(),
        Some("betas")
    );
    assert_eq!(field_of("anthropic-compatible", &plain, &["x"]), None);
    let p = with(json!({"mcp_servers": []}));
    assert_eq!(
        field_of("llamacpp-anthropic", &p, &[]).as_deref(),
        Some("mcp_servers")
    );
}

#[test]
fn rows_resolve_their_env_vars_and_aliases() {
    let deepseek = AnthropicCompatible::new(*spec("deepseek-anthropic").unwrap());
    let info = deepseek.info();
    let env = MapEnv::new([
        ("DEEPSEEK_API_KEY", "k"),
        ("DEEPSEEK_ANTHROPIC_API_BASE", "http://alias/"),
    ]);
    let r = ProviderConfig::default().resolve(info, &env).unwrap();
    assert_eq!(r.base_url, "http://alias");
    let env = MapEnv::new([
        ("DEEPSEEK_API_KEY", "k"),
        ("DEEPSEEK_ANTHROPIC_BASE_URL", "http://primary"),
        ("DEEPSEEK_ANTHROPIC_API_BASE", "http://alias"),
    ]);
    let r = ProviderConfig::default().resolve(info, &env).unwrap();
    assert_eq!(r.base_url, "http://primary");
    let env = MapEnv::new([("DEEPSEEK_API_KEY", "k")]);
    let r = ProviderConfig::default().resolve(info, &env).unwrap();
    assert_eq!(r.base_url, "https://api.deepseek.com/anthropic");

    // The generic row has no default URL: a typed configuration error.
    let generic = AnthropicCompatible::new(*spec("anthropic-compatible").unwrap());
    let r = ProviderConfig::default()
        .resolve(generic.info(), &MapEnv::empty())
        .unwrap();
    let ctx = CallContext::new(r.base_url);
    let err = generic
        .build_request(
            &params(json!({"model": "m", "max_tokens": 1,
        "messages": [{"role": "user", "content": "x"}]})),
            &ctx,
        )
        .unwrap_err();
    assert!(err.to_string().contains("ANTHROPIC_COMPATIBLE_BASE_URL"), "{err}");
}

#[test]
fn every_row_is_registered_with_an_anthropic_name() {
    let names: Vec<&str> = anyllm_anthropic::providers()
        .iter()
        .map(|p| p.info().name)
        .collect();
    for s in COMPATIBLE {
        assert!(names.contains(&s.name), "{} missing", s.name);
        assert!(
            s.name.ends_with("-anthropic") || s.name == "anthropic-compatible",
            "{}",
            s.name
        );
    }
    assert_eq!(names[0], "anthropic");
}
