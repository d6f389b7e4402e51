//! The access log: one `response` line per request, a `stream_end` line per
//! stream, with route, target, status and tokens, never a key.
#![cfg(feature = "tracing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm_testkit::ReplayServer;
use common::log_capture::{AccessLog, DebugText};
use common::*;

// Current-thread runtime: the gateway's tasks run on this thread, under the default subscriber.
#[tokio::test]
async fn access_log_lines_name_route_target_status_and_tokens() {
    let lines = AccessLog::<DebugText>::default();
    let _guard = tracing::subscriber::set_default(lines.clone());
    let upstream = ReplayServer::start(vec![fixture("openai/demo_stream.json")])
        .await
        .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{}/v1\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n[[keys]]\nname = \"team-a\"\nkey_env = \"TEAM_A_KEY\"\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let mut params = demo_params("fast");
    params.stream = Some(true);
    let reply = send(
        gw.addr,
        "POST",
        "/v1/messages",
        &[("x-api-key", "client-key-a")],
        serde_json::to_string(&params).unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200);
    // The stream_end line is written by the stream task after the last frame.
    for _ in 0..100 {
        if lines.0.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let got = lines.0.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    let response = &got[0];
    assert!(response.contains("event=\"response\""), "{response}");
    assert!(response.contains("route=\"/v1/messages\""), "{response}");
    assert!(response.contains("key=\"team-a\""), "{response}");
    assert!(
        response.contains("target_model=\"openai:gpt-4.1-mini\""),
        "{response}"
    );
    assert!(response.contains("status=200"), "{response}");
    let end = &got[1];
    assert!(
        end.contains("event=\"stream_end\"") && end.contains("outcome=\"complete\""),
        "{end}"
    );
    assert!(end.contains("output_tokens="), "{end}");
    for line in &got {
        assert!(
            !line.contains("client-key-a") && !line.contains("upstream-secret"),
            "{line}"
        );
    }
}

#[tokio::test]
async fn access_log_names_the_requested_model_and_the_error_type() {
    let lines = AccessLog::<DebugText>::default();
    let _guard = tracing::subscriber::set_default(lines.clone());
    let upstream = anyllm_testkit::CaptureServer::start(|_, _| {
        anyllm_testkit::Reply::json(
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_upstream_0002"}"#,
        )
    })
    .await
    .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.anthropic]\napi_key_env = \"ANTHROPIC_TEST_KEY\"\napi_base = \"{}\"\n\
         [models.\"haiku\"]\ntargets = [\"anthropic:claude-haiku-4-5\"]\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let reply = send(
        gw.addr,
        "POST",
        "/v1/messages",
        &[],
        serde_json::to_string(&demo_params("haiku")).unwrap(),
    )
    .await;
    reply.assert_error(529, "overloaded_error");
    let got = lines.0.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let line = &got[0];
    assert!(line.contains("model=\"haiku\""), "{line}");
    assert!(
        line.contains("target_model=\"anthropic:claude-haiku-4-5\""),
        "{line}"
    );
    assert!(line.contains("error_type=\"overloaded_error\""), "{line}");
    assert!(
        line.contains("upstream_request_id=\"req_upstream_0002\""),
        "{line}"
    );
    let id = reply.header("request-id").unwrap();
    assert!(line.contains(&format!("request_id=\"{id}\"")), "{line}");
}
