//! A streaming client that stops reading: the stream ends with outcome
//! `client_stalled` after the write-stall limit, the upstream request is
//! dropped and every task the request started ends.
#![cfg(feature = "tracing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use anyllm::MapEnv;
use anyllm_server::{Config, Gateway};
use common::log_capture::{AccessLog, Outcome};
use common::raw_client::{stream_body, write_post};
use common::raw_upstream::*;
use common::tasks::alive_tasks_after_settling;
use common::*;
use tokio::io::AsyncWriteExt;

/// About 4 KB of text a delta.
const TEXT: &str = include_str!("../../../fixtures/demo_request.json");

// Current-thread runtime: every task the gateway spawns lives on it (and
// under the default subscriber), so its metrics count them.
#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_with_its_upstream() {
    let outcomes = AccessLog::<Outcome>::default();
    let _guard = tracing::subscriber::set_default(outcomes.clone());
    let (closed_tx, closed) = tokio::sync::oneshot::channel::<()>();
    // Floods up to ~64 MB (far beyond the socket buffers on the way), and
    // reports when the gateway closed the upstream connection.
    let url = serve_first(|mut sock| async move {
        let one = delta(&TEXT.repeat(4096 / TEXT.len().max(1) + 1));
        let mut cut = sock.write_all(SSE_HEAD).await.is_err();
        let mut sent = 0;
        while !cut && sent < 64 << 20 {
            cut = sock.write_all(&one).await.is_err();
            sent += one.len();
        }
        if cut || peer_closed(&mut sock, Duration::from_secs(20)).await {
            let _ = closed_tx.send(());
        }
    })
    .await;
    let toml = format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{url}/v1\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n"
    );
    let gw = Gateway::new(Config::from_toml(&toml).unwrap(), MapEnv::new(ENV))
        .unwrap()
        .with_write_stall_limit(Duration::from_millis(300));
    let gw = start_gateway(gw).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let baseline = metrics.num_alive_tasks();
    // The client sends its request and never reads a byte.
    let sock = write_post(gw.addr, &stream_body("fast")).await;
    tokio::time::timeout(Duration::from_secs(8), closed)
        .await
        .expect("the upstream connection of a stalled client was not closed")
        .unwrap();
    // Every task the request started ends (bounded wait), the client's
    // socket still open.
    let alive = alive_tasks_after_settling(baseline).await;
    assert!(
        alive <= baseline,
        "{alive} tasks alive, {baseline} before the request"
    );
    assert_eq!(*outcomes.0.lock().unwrap(), ["client_stalled"]);
    drop(sock);
    // The server stays up.
    let reply = send(gw.addr, "GET", "/health", &[], "").await;
    assert_eq!(reply.status, 200);
}
