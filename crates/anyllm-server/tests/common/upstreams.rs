//! Canned upstreams shared by several test files.

use anyllm_testkit::{CaptureServer, Reply as Upstream};

/// An Anthropic upstream answering every request with a 529 `overloaded_error`.
pub async fn anthropic_overloaded() -> CaptureServer {
    CaptureServer::start(|_, _| {
        Upstream::json(
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
    })
    .await
    .unwrap()
}
