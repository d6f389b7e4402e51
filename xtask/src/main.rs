//! Project automation, run as `cargo xtask <command>`:
//!
//! * `demo`  — the offline demo: replays recorded traffic through every provider.
//! * `deps`  — checks the dependency promises (no hyper/rustls/ring/clap where none is needed).
//! * `bench` — runs the benchmarks and prints their figures (`bench e2e`: the
//!   end-to-end client CPU table; `bench serve`: the gateway against a
//!   replay upstream, and LiteLLM's proxy).
//! * `fuzz`  — runs the fuzz targets (needs `cargo install cargo-fuzz` and nightly).

use std::process::ExitCode;

mod bench;
mod bench_serve;
mod demo;
mod deps;
mod fuzz;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let cmd = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let result = match cmd.as_str() {
        "demo" => demo::run(&rest),
        "deps" => deps::run(&rest),
        "bench" => bench::run(&rest),
        "fuzz" => fuzz::run(&rest),
        _ => Err(format!(
            "unknown command `{cmd}`; commands: demo, deps, bench, fuzz"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
