//! The official `anthropic` Python SDK (2.14.0, the venv `.ci/run` creates at
//! `target/sdk-venv` before `cargo test`) against the gateway:
//! `scripts/sdk_against_gateway.py`. Without the venv the test is skipped
//! locally and fails under `CI=true`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm_testkit::ReplayServer;
use common::sdk::*;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_against_the_gateway() {
    let Some(python) = sdk_python() else {
        return;
    };
    let openai = ReplayServer::start(vec![
        fixture("openai/demo.json"),
        fixture("openai/demo_stream.json"),
    ])
    .await
    .unwrap();
    let anthropic = ReplayServer::start(vec![fixture("anthropic/count_tokens.json")])
        .await
        .unwrap();
    let busy = overloaded_upstream().await;
    let toml = format!(
        r#"
max_retries = 0
[providers.openai]
api_key_env = "OPENAI_TEST_KEY"
api_base = "{}/v1"
[providers.anthropic]
api_key_env = "ANTHROPIC_TEST_KEY"
api_base = "{}"
[providers.groq]
api_key_env = "OPENAI_TEST_KEY"
api_base = "{}"
[models."fast"]
targets = ["openai:gpt-4.1-mini"]
[models."busy"]
targets = ["groq:llama-3.3-70b-versatile"]
{SDK_CLIENT_KEYS}"#,
        openai.url(),
        anthropic.url(),
        busy.url()
    );
    let gw = start(&toml).await;
    let url = format!("http://{}", gw.addr);
    let out = run_script(python, "sdk_against_gateway.py", vec![url.into()]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("all checks passed"), "{stdout}");
    openai.replay().assert_clean();
    anthropic.replay().assert_clean();
    assert_eq!(busy.requests().len(), 1);
}
