//! `cargo xtask bench [ARGS…]`: runs the workspace's criterion benches
//! (`cargo bench --workspace --bench '*'`, extra arguments passed on), then
//! prints the SSE decoding table: MB/s and events/s of each decoder on the
//! recorded Anthropic and OpenAI streams, and its time relative to the
//! `memchr` line-splitting floor.
//!
//! `cargo xtask bench e2e [CASE]`: runs only the end-to-end client bench
//! (`crates/anyllm/benches/e2e`), which prints its own table: the anyllm
//! client's CPU per request beside a simple hand-written hyper +
//! `serde_json::Value` client and the `IgnoredAny` floor, with the ratios
//! (environment knobs are documented in that bench).
//!
//! `cargo xtask bench serve [--quick|--full] [--litellm VENV] …`: the
//! gateway's added latency, CPU per request, requests per second and
//! memory per idle stream, beside LiteLLM's proxy (see `bench_serve`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cargo xtask bench`.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match args.first().map(String::as_str) {
        Some("e2e") => return e2e(&root, &args[1..]),
        Some("serve") => return crate::bench_serve::run(&root, &args[1..]),
        _ => {}
    }
    let status = Command::new("cargo")
        .current_dir(&root)
        .args(["bench", "--workspace", "--bench", "*"])
        .args(args)
        .status()
        .map_err(|e| format!("running cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench failed ({status})"));
    }
    let criterion = target_dir(&root).join("criterion");
    match sse_table(&criterion) {
        Some(table) => println!("\n{table}"),
        None => println!(
            "\n(no SSE results under {}: was the `sse` bench filtered out?)",
            criterion.display()
        ),
    }
    Ok(())
}

/// `cargo xtask bench e2e [ARGS…]`: the end-to-end bench alone; its table
/// goes straight to the terminal.
fn e2e(root: &Path, args: &[String]) -> Result<(), String> {
    let status = Command::new("cargo")
        .current_dir(root)
        .args(["bench", "-p", "anyllm", "--bench", "e2e", "--"])
        .args(args)
        .status()
        .map_err(|e| format!("running cargo bench: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the e2e bench failed ({status})"))
    }
}

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

const DECODERS: &[&str] = &[
    "memchr_lines_floor",
    "anyllm_parser_borrowed",
    "anyllm_map_stream",
    "anyllm_parser",
    "anyllm_decoder_stream",
    "eventsource_stream",
];

/// The summary table, from criterion's `estimates.json` files and the corpus
/// sizes the bench writes to `sse-corpus.tsv`.
fn sse_table(criterion: &Path) -> Option<String> {
    let corpus = std::fs::read_to_string(criterion.join("sse-corpus.tsv")).ok()?;
    let mut out = String::from(
        "SSE decoding (mean time per pass over the corpus)\n\
         corpus     decoder                    time (µs)       MB/s     Mevents/s   × floor\n",
    );
    for line in corpus.lines() {
        let mut cols = line.split('\t');
        let (Some(name), Some(bytes), Some(events)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let (Ok(bytes), Ok(events)) = (bytes.parse::<f64>(), events.parse::<f64>()) else {
            continue;
        };
        // Criterion writes group `sse/<corpus>` to the directory `sse_<corpus>`.
        let group = criterion.join(format!("sse_{name}"));
        let floor = mean_ns(&group.join(DECODERS[0]));
        for d in DECODERS {
            let Some(ns) = mean_ns(&group.join(d)) else {
                continue;
            };
            let secs = ns / 1e9;
            let ratio = floor.map_or(String::from("-"), |f| format!("{:.2}", ns / f));
            out.push_str(&format!(
                "{name:<10} {d:<26} {:>9.1} {:>10.1} {:>13.2} {ratio:>9}\n",
                ns / 1e3,
                bytes / secs / 1e6,
                events / secs / 1e6,
            ));
        }
        out.push_str(&format!(
            "{name:<10} ({} bytes, {} events)\n",
            bytes as u64, events as u64
        ));
    }
    Some(out)
}

/// The mean point estimate (ns) in `<bench>/new/estimates.json`.
fn mean_ns(bench: &Path) -> Option<f64> {
    let json = std::fs::read_to_string(bench.join("new").join("estimates.json")).ok()?;
    let mean = json.get(json.find("\"mean\"")?..)?;
    let at = mean.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let rest = mean.get(at..)?;
    let end = rest.find([',', '}'])?;
    rest.get(..end)?.trim().parse().ok()
}
