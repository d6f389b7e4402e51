//! The official Python SDK's venv (`target/sdk-venv`, created by `.ci/run`)
//! and running one of the `scripts/` against a gateway.

use std::path::PathBuf;
use std::process::Output;

use anyllm_testkit::{CaptureServer, Reply as Upstream};

/// The client keys the SDK scripts use: `a` without a limit, `b` allowed
/// one request a minute (TOML, to append to a config).
pub const SDK_CLIENT_KEYS: &str = r#"[[keys]]
name = "a"
key_env = "TEAM_A_KEY"
[[keys]]
name = "b"
key_env = "TEAM_B_KEY"
requests_per_minute = 1
"#;

/// The venv's python; `None` (the test skips) when it is missing locally.
/// Under `CI=true` a missing venv fails the test.
pub fn sdk_python() -> Option<PathBuf> {
    let python = anyllm_fixtures::workspace_root().join("target/sdk-venv/bin/python");
    if !python.exists() {
        assert!(
            !anyllm_fixtures::in_ci(),
            "{} is missing (see .ci/run)",
            python.display()
        );
        eprintln!("skipped: no {}", python.display());
        return None;
    }
    Some(python)
}

/// Runs `scripts/<script>` with `python` and `args`, off the runtime's threads.
pub async fn run_script(python: PathBuf, script: &str, args: Vec<std::ffi::OsString>) -> Output {
    let script = anyllm_fixtures::workspace_root().join("scripts").join(script);
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// An upstream answering every request with a 529 "overloaded".
pub async fn overloaded_upstream() -> CaptureServer {
    CaptureServer::start(|_, _| {
        Upstream::json(529, r#"{"error":{"message":"overloaded","type":"server_error"}}"#)
    })
    .await
    .unwrap()
}
