//! `GET /metrics`: the families, labels and counts after whole calls,
//! streams, errors (by type) and a fallback; who may read it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm_testkit::ReplayServer;
use common::upstreams::anthropic_overloaded;
use common::*;

const KEY: (&str, &str) = ("x-api-key", "client-key-a");

async fn post_with_key(addr: std::net::SocketAddr, model: &str, stream: bool) -> Reply {
    let mut params = demo_params(model);
    params.stream = stream.then_some(true);
    send(
        addr,
        "POST",
        "/v1/messages",
        &[KEY, ("content-type", "application/json")],
        serde_json::to_string(&params).unwrap(),
    )
    .await
}

/// The value of `series` (a full series name with its labels) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn assert_sample(text: &str, series: &str, want: f64) {
    assert_eq!(sample(text, series), Some(want), "{series} in\n{text}");
}

#[tokio::test]
async fn metrics_count_whole_calls_streams_errors_by_type_and_a_fallback() {
    // openai: a whole reply, a stream, and a stream that fails after its first event.
    let openai = ReplayServer::start(vec![
        fixture("openai/demo.json"),
        fixture("openai/demo_stream.json"),
        fixture("openai/stream_server_error.json"),
    ])
    .await
    .unwrap();
    let anthropic = anthropic_overloaded().await;
    let gemini = ReplayServer::start(vec![fixture("gemini/demo.json")])
        .await
        .unwrap();
    let toml = format!(
        "max_retries = 0\n\
         [providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{}/v1\"\n\
         [providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n\
         [providers.gemini]\napi_key_env = \"GEMINI_TEST_KEY\"\napi_base = \"{}\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n\
         [models.\"broken\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n\
         [models.\"m\"]\ntargets = [\"anthropic:claude-haiku-4-5\", \"gemini:gemini-2.5-flash\"]\n\
         [[keys]]\nname = \"team-a\"\nkey_env = \"TEAM_A_KEY\"\n",
        openai.url(),
        anthropic.url(),
        gemini.url()
    );
    let gw = start(&toml).await;

    assert_eq!(post_with_key(gw.addr, "fast", false).await.status, 200);
    let stream = post_with_key(gw.addr, "fast", true).await;
    assert_eq!(stream.status, 200);
    assert!(stream.events().0.len() > 3);
    let broken = post_with_key(gw.addr, "broken", true).await;
    assert!(String::from_utf8_lossy(&broken.body).contains("event: error\n"));
    post_with_key(gw.addr, "claude-haiku-4-5", false)
        .await
        .assert_error(529, "overloaded_error");
    let fell_back = post_with_key(gw.addr, "m", false).await;
    assert_eq!(
        fell_back.header("anyllm-served-by"),
        Some("gemini:gemini-2.5-flash")
    );
    post_with_key(gw.addr, "nope:x", false)
        .await
        .assert_error(404, "not_found_error");
    let no_key = post_demo(gw.addr, "fast").await;
    no_key.assert_error(401, "authentication_error");

    let reply = send(gw.addr, "GET", "/metrics", &[KEY], "").await;
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/openmetrics-text")));
    let text = String::from_utf8(reply.body.to_vec()).unwrap();

    // Requests by route, provider, model (the alias) and status class.
    let req = |p: &str, m: &str, class: &str| {
        format!(
            r#"anyllm_requests_total{{route="messages",provider="{p}",model="{m}",status_class="{class}"}}"#
        )
    };
    assert_sample(&text, &req("openai", "fast", "2xx"), 2.0);
    assert_sample(&text, &req("openai", "broken", "2xx"), 1.0);
    assert_sample(&text, &req("anthropic", "claude-haiku-4-5", "5xx"), 1.0);
    assert_sample(&text, &req("gemini", "m", "2xx"), 1.0);
    // The unknown model and the missing key never reached a target: empty labels, no `nope:x`.
    assert_sample(&text, &req("", "", "4xx"), 2.0);
    assert!(!text.contains("nope:x"), "{text}");

    // Errors by Anthropic type: error replies, and the error event that ended a stream.
    let err = |p: &str, t: &str| {
        format!(r#"anyllm_errors_total{{route="messages",provider="{p}",error_type="{t}"}}"#)
    };
    assert_sample(&text, &err("anthropic", "overloaded_error"), 1.0);
    assert_sample(&text, &err("", "not_found_error"), 1.0);
    assert_sample(&text, &err("", "authentication_error"), 1.0);
    assert_sample(&text, &err("openai", "api_error"), 1.0);

    // The fallback names the target that failed; its failure is not an error reply.
    assert_sample(
        &text,
        r#"anyllm_fallbacks_total{provider="anthropic",model="m"}"#,
        1.0,
    );

    // Tokens: fixtures/openai/demo*.json report 27 prompt and 29 completion tokens each.
    let tok = |m: &str, t: &str| {
        format!(r#"anyllm_tokens_total{{route="messages",provider="openai",model="{m}",token_type="{t}"}}"#)
    };
    assert_sample(&text, &tok("fast", "input"), 54.0);
    assert_sample(&text, &tok("fast", "output"), 58.0);
    // fixtures/gemini/demo.json: 19 prompt tokens.
    assert_sample(
        &text,
        r#"anyllm_tokens_total{route="messages",provider="gemini",model="m",token_type="input"}"#,
        19.0,
    );

    // TTFT: every successful /v1/messages reply (3 from openai, 1 from gemini); none for errors.
    let ttft =
        |p: &str| format!(r#"anyllm_time_to_first_token_seconds_count{{route="messages",provider="{p}"}}"#);
    assert_sample(&text, &ttft("openai"), 3.0);
    assert_sample(&text, &ttft("gemini"), 1.0);
    assert_eq!(sample(&text, &ttft("anthropic")), None, "{text}");
    // Durations: streams are observed at their end; a stream's first token comes before it.
    let dur = |p: &str, what: &str| {
        format!(r#"anyllm_request_duration_seconds_{what}{{route="messages",provider="{p}"}}"#)
    };
    assert_sample(&text, &dur("openai", "count"), 3.0);
    assert_sample(&text, &dur("anthropic", "count"), 1.0);
    let ttft_sum = sample(
        &text,
        r#"anyllm_time_to_first_token_seconds_sum{route="messages",provider="openai"}"#,
    )
    .unwrap();
    assert!(
        ttft_sum <= sample(&text, &dur("openai", "sum")).unwrap(),
        "{text}"
    );
    // Every bucket family has its +Inf bucket equal to the count.
    assert_sample(
        &text,
        r#"anyllm_time_to_first_token_seconds_bucket{le="+Inf",route="messages",provider="openai"}"#,
        3.0,
    );

    // All streams have ended.
    assert_sample(&text, r#"anyllm_streams_in_flight{provider="openai"}"#, 0.0);
}

#[tokio::test]
async fn metrics_need_a_client_key_unless_public() {
    let keys = "[[keys]]\nname = \"team-a\"\nkey_env = \"TEAM_A_KEY\"\n";
    let gw = start(keys).await;
    send(gw.addr, "GET", "/metrics", &[], "")
        .await
        .assert_error(401, "authentication_error");
    let with_key = send(gw.addr, "GET", "/metrics", &[KEY], "").await;
    assert_eq!(with_key.status, 200);
    // The refused scrape was counted.
    let text = String::from_utf8(with_key.body.to_vec()).unwrap();
    assert_sample(
        &text,
        r#"anyllm_requests_total{route="metrics",provider="",model="",status_class="4xx"}"#,
        1.0,
    );

    let public = start(&format!("[metrics]\npublic = true\n{keys}")).await;
    assert_eq!(send(public.addr, "GET", "/health", &[], "").await.status, 200);
    let reply = send(public.addr, "GET", "/metrics", &[], "").await;
    assert_eq!(reply.status, 200);
    let text = String::from_utf8(reply.body.to_vec()).unwrap();
    assert_sample(
        &text,
        r#"anyllm_requests_total{route="health",provider="",model="",status_class="2xx"}"#,
        1.0,
    );
    // The API itself still asks for a key.
    send(public.addr, "GET", "/v1/models", &[], "")
        .await
        .assert_error(401, "authentication_error");
    assert!(anyllm_server::Config::from_toml("[metrics]\npublik = true\n").is_err());
}
