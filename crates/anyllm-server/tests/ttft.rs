//! Time to first token in the access log: `ttft_ms` on the `response` line
//! of whole replies and streams, and on a stream's `stream_end` line.
#![cfg(feature = "tracing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm_testkit::ReplayServer;
use common::log_capture::{AccessLog, Numbers};
use common::*;

// Current-thread runtime: the gateway's tasks run on this thread, under the default subscriber.
#[tokio::test]
async fn ttft_ms_is_logged_for_whole_replies_and_streams_and_not_for_errors() {
    let lines = AccessLog::<Numbers>::default();
    let _guard = tracing::subscriber::set_default(lines.clone());
    let upstream = ReplayServer::start(vec![
        fixture("openai/demo.json"),
        fixture("openai/demo_stream.json"),
    ])
    .await
    .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{}/v1\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let whole = post_demo(gw.addr, "fast").await;
    assert_eq!(whole.status, 200);
    let mut params = demo_params("fast");
    params.stream = Some(true);
    let stream = post_json(gw.addr, "/v1/messages", &serde_json::to_value(&params).unwrap()).await;
    assert_eq!(stream.status, 200);
    post_json(gw.addr, "/v1/messages", &serde_json::json!({"model": "nope:x"}))
        .await
        .assert_error(400, "invalid_request_error");

    let got = lines.0.lock().unwrap().clone();
    let events: Vec<&str> = got.iter().map(|(e, _)| e.as_str()).collect();
    // The stream's end is logged before its body ends, so it is here already.
    assert_eq!(
        events,
        ["response", "response", "stream_end", "response"],
        "{got:?}"
    );
    let (_, whole_line) = &got[0];
    let ttft = whole_line["ttft_ms"];
    assert!(ttft <= whole_line["latency_ms"], "{whole_line:?}");
    let (_, stream_line) = &got[1];
    let (_, end_line) = &got[2];
    assert!(stream_line.contains_key("ttft_ms"), "{stream_line:?}");
    assert_eq!(end_line.get("ttft_ms"), stream_line.get("ttft_ms"));
    assert!(end_line["ttft_ms"] <= end_line["duration_ms"], "{end_line:?}");
    let (_, error_line) = &got[3];
    assert!(!error_line.contains_key("ttft_ms"), "{error_line:?}");
    assert_eq!(error_line["status"], 400);
}
