//! The access log of a lenient route: the `response` line's `dropped`
//! field is the report (the same JSON as the `anyllm-dropped-fields`
//! header). One test in this binary: its subscriber is thread-local
//! (`set_default`) and sees only this test's events.
#![cfg(feature = "tracing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod lenient_common;

use common::log_capture::{AccessLog, PlainText};
use lenient_common::*;
use serde_json::Value;

// Current-thread runtime: the gateway's tasks run on this thread, under the default subscriber.
#[tokio::test]
async fn the_access_log_names_what_a_lenient_route_dropped() {
    let lines = AccessLog::<PlainText>::default();
    let _guard = tracing::subscriber::set_default(lines.clone());
    let (_up, reply) = lenient_openai_call().await;
    // The reply and the upstream request are `lenient.rs`'s; here only the log line.
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));

    let logged = lines.0.lock().unwrap().clone();
    let response = logged.iter().find(|l| l.contains("event=response")).unwrap();
    let dropped = response.split("dropped=").nth(1).unwrap().trim_end().to_owned();
    assert_eq!(
        serde_json::from_str::<Value>(&dropped).unwrap(),
        expected_report(),
        "{response}"
    );
}
