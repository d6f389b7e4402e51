//! `cargo xtask fuzz [TARGET] [SECONDS]`: runs a fuzz target of `fuzz/`
//! (`sse_decoder` by default, 60 s by default; `event_stream_decoder` too).
//!
//! With `cargo-fuzz` and a nightly toolchain it runs `cargo +nightly fuzz run`.
//! Without them it says so and falls back to a stable build instrumented for
//! libFuzzer's coverage guidance (the same `-C passes=sancov-module` flags
//! cargo-fuzz passes, minus AddressSanitizer, which needs nightly), then runs
//! that binary directly. The corpus lives in `fuzz/corpus/<target>`.

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGETS: &[&str] = &["sse_decoder", "event_stream_decoder"];

const SANCOV_FLAGS: &str = "-Cpasses=sancov-module \
    -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
    -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares \
    --cfg fuzzing -Cdebug-assertions -Coverflow-checks";

/// Runs `cargo xtask fuzz`.
pub fn run(args: &[String]) -> Result<(), String> {
    let target = args.first().map(String::as_str).unwrap_or("sse_decoder");
    if !TARGETS.contains(&target) {
        return Err(format!(
            "unknown fuzz target `{target}`; targets: {}",
            TARGETS.join(", ")
        ));
    }
    let seconds: u64 = match args.get(1) {
        Some(s) => s.parse().map_err(|_| format!("bad number of seconds `{s}`"))?,
        None => 60,
    };
    let root = workspace_root();
    if succeeds(Command::new("cargo").args(["fuzz", "--version"]))
        && succeeds(Command::new("rustup").args(["run", "nightly", "rustc", "--version"]))
    {
        let status = Command::new("cargo")
            .current_dir(&root)
            .args([
                "+nightly",
                "fuzz",
                "run",
                target,
                "--",
                &format!("-max_total_time={seconds}"),
            ])
            .status()
            .map_err(|e| format!("running cargo fuzz: {e}"))?;
        return check(status, "cargo fuzz");
    }
    eprintln!(
        "xtask: `cargo fuzz` (with a nightly toolchain) is not available here.\n\
         xtask: to use it: `rustup toolchain install nightly && cargo install cargo-fuzz`.\n\
         xtask: falling back to a stable, coverage-instrumented libFuzzer build \
         (no AddressSanitizer; the code under test forbids `unsafe` anyway)."
    );
    run_stable(&root, target, seconds)
}

fn run_stable(root: &Path, target: &str, seconds: u64) -> Result<(), String> {
    let fuzz_dir = root.join("fuzz");
    let host = host_triple()?;
    let target_dir = fuzz_dir.join("target").join("instrumented");
    let status = Command::new("cargo")
        .current_dir(&fuzz_dir)
        .env("RUSTFLAGS", SANCOV_FLAGS)
        .args([
            "build",
            "--release",
            "--bin",
            target,
            "--target",
            &host,
            "--target-dir",
        ])
        .arg(&target_dir)
        .status()
        .map_err(|e| format!("building the fuzz target: {e}"))?;
    check(status, "building the fuzz target")?;
    let corpus = fuzz_dir.join("corpus").join(target);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("creating {}: {e}", corpus.display()))?;
    let binary = target_dir.join(&host).join("release").join(target);
    let status = Command::new(&binary)
        .arg(&corpus)
        .arg(format!("-max_total_time={seconds}"))
        .status()
        .map_err(|e| format!("running {}: {e}", binary.display()))?;
    check(
        status,
        "the fuzz run (a crash leaves its input in fuzz/ as crash-*)",
    )
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("running rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "could not read the host triple from `rustc -vV`".to_owned())
}

fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn check(status: std::process::ExitStatus, what: &str) -> Result<(), String> {
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}
