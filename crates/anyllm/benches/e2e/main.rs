//! End-to-end client CPU benchmark (`cargo xtask bench e2e`, or
//! `cargo bench -p anyllm --bench e2e`).
//!
//! The real anyllm client calls a loopback HTTP/1.1 replay server (a child
//! process, so its CPU is not counted) that answers with recorded replies:
//! an OpenAI whole reply, the ~1 MB DeepSeek reasoning stream, an Anthropic
//! stream and a Gemini stream. Beside it, in the same run and against the
//! same server, two baselines read the same bytes:
//!
//! * **floor** — hyper + serde validating the body (each SSE `data:`
//!   payload of a stream) as `serde::de::IgnoredAny`: no client can read
//!   the reply for less;
//! * **simple** — a hand-written client: hyper + `serde_json` into
//!   `serde_json::Value` (request serialized from a `Value` each call).
//!
//! On a stream the anyllm client is measured twice: reading every event
//! (`events`, what the baselines do) and `final_message()` (`final`: the
//! events also accumulated into a `Message`).
//!
//! The figure is the client process's CPU time per request
//! (`CLOCK_PROCESS_CPUTIME_ID`; one current-thread tokio runtime, so the
//! process is only the client), measured in rounds that alternate the three
//! clients, each batch about `ANYLLM_E2E_BATCH_MS` (default 150) ms of CPU;
//! the table gives the median over rounds and the median of the per-round
//! ratios. Goal: anyllm ≤ 1.2× simple and ≤ 2× floor on every case.
//!
//! Environment: `ANYLLM_E2E_ROUNDS` (default 7), `ANYLLM_E2E_BATCH_MS`,
//! `ANYLLM_E2E_CASES` (substring of the case names to keep),
//! `ANYLLM_E2E_CLIENTS` (comma list of anyllm,final,simple,floor — e.g. one
//! client alone under a profiler), `ANYLLM_E2E_BURST=1` (server coalesces a
//! stream's events instead of flushing each).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod cases;
mod clients;
mod server;

use cases::{load_cases, Case};
use clients::{Clients, Which};
use rustix::time::{clock_gettime, ClockId};

fn cpu_ns() -> u128 {
    let t = clock_gettime(ClockId::ProcessCPUTime);
    t.tv_sec as u128 * 1_000_000_000 + t.tv_nsec as u128
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn main() {
    if std::env::var_os(server::SERVE_ENV).is_some() {
        if let Err(e) = server::serve_main() {
            eprintln!("e2e server: {e}");
            std::process::exit(1);
        }
        return;
    }
    // `cargo bench` passes `--bench`; a bare word filters cases.
    let arg_filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let filter = arg_filter.or_else(|| std::env::var("ANYLLM_E2E_CASES").ok());
    let cases = match load_cases(filter.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("e2e: cannot load the recorded replies ({e}); they live in ../shared/fixtures/recorded or $ANYLLM_RECORDED_DIR");
            std::process::exit(1);
        }
    };
    let which: Vec<Which> = match std::env::var("ANYLLM_E2E_CLIENTS") {
        Ok(list) => Which::ALL
            .into_iter()
            .filter(|w| list.split(',').any(|n| n.trim() == w.name()))
            .collect(),
        Err(_) => Which::ALL.to_vec(),
    };
    let rounds = env_num("ANYLLM_E2E_ROUNDS", 7).max(1) as usize;
    let batch_ns = u128::from(env_num("ANYLLM_E2E_BATCH_MS", 150)) * 1_000_000;

    let server = server::ServerProcess::start(filter.as_deref()).expect("replay server");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = Clients::new(&server.url, &cases).unwrap();
    let load_before = loadavg();
    let wall = std::time::Instant::now();

    // per case, per client: calls per batch (calibrated) and per-round µs.
    let mut iters = vec![vec![0usize; which.len()]; cases.len()];
    let mut results = vec![vec![Vec::<f64>::new(); which.len()]; cases.len()];
    rt.block_on(async {
        for (ci, case) in cases.iter().enumerate() {
            for (wi, &w) in which.iter().enumerate() {
                if w == Which::AnyllmFinal && !case.stream {
                    continue; // a whole reply has no stream to accumulate
                }
                iters[ci][wi] = calibrate(&clients, w, ci, case, batch_ns).await;
            }
        }
        for round in 0..rounds {
            for (ci, case) in cases.iter().enumerate() {
                // Rotate the order each round so drift hits every client alike.
                for k in 0..which.len() {
                    let wi = (k + round) % which.len();
                    let n = iters[ci][wi];
                    if n == 0 {
                        continue;
                    }
                    let t0 = cpu_ns();
                    for _ in 0..n {
                        clients.call(which[wi], ci, case).await.unwrap();
                    }
                    let per = (cpu_ns() - t0) as f64 / n as f64 / 1e3;
                    results[ci][wi].push(per);
                }
            }
        }
    });
    drop(server);
    print_table(&cases, &which, &mut results, rounds);
    println!(
        "{rounds} rounds in {:.1} s wall; load average before {load_before}, after {}",
        wall.elapsed().as_secs_f64(),
        loadavg()
    );
}

/// Warms a client up on a case (checking the reply is read whole) and
/// returns how many calls make a batch of about `batch_ns` CPU.
async fn calibrate(clients: &Clients, w: Which, ci: usize, case: &Case, batch_ns: u128) -> usize {
    let items = clients
        .call(w, ci, case)
        .await
        .unwrap_or_else(|e| panic!("{} ({}) via {}: {e}", case.name, case.file, w.name()));
    assert!(items > 0, "{} via {}: read nothing", case.name, w.name());
    let t0 = cpu_ns();
    let mut n = 0u128;
    while n < 3 || (cpu_ns() - t0) < batch_ns / 4 {
        clients.call(w, ci, case).await.unwrap();
        n += 1;
        if n > 100_000 {
            break;
        }
    }
    let per = ((cpu_ns() - t0) / n).max(1);
    (batch_ns / per).clamp(3, 100_000) as usize
}

fn print_table(cases: &[Case], which: &[Which], results: &mut [Vec<Vec<f64>>], rounds: usize) {
    let col = |w: Which| which.iter().position(|&x| x == w);
    println!(
        "\nend-to-end client CPU per request (µs, median of {rounds} rounds; ratios = median of per-round ratios)"
    );
    println!(
        "{:<20} {:>7} {:>6} {:<8} {:>9} {:>9} {:>9} {:>8} {:>8}",
        "case", "body KB", "events", "anyllm", "µs", "simple", "floor", "/simple", "/floor"
    );
    for (ci, case) in cases.iter().enumerate() {
        let median_of = |i: usize| median(&mut results[ci][i].clone());
        let us = |w: Which| -> String {
            col(w)
                .filter(|&i| !results[ci][i].is_empty())
                .map_or("-".into(), |i| format!("{:.1}", median_of(i)))
        };
        let ratio = |a: usize, b: Option<usize>, goal: f64| -> String {
            let Some(b) = b else { return "-".into() };
            let mut r: Vec<f64> = results[ci][a]
                .iter()
                .zip(&results[ci][b])
                .map(|(x, y)| x / y)
                .collect();
            if r.is_empty() {
                return "-".into();
            }
            let m = median(&mut r);
            format!("{m:.2}{}", if m <= goal { " " } else { "!" })
        };
        let events = if case.stream {
            case.chunks.len().to_string()
        } else {
            "-".into()
        };
        let mut printed = false;
        let read = if case.stream { "events" } else { "whole" };
        for (w, label) in [(Which::Anyllm, read), (Which::AnyllmFinal, "final")] {
            let Some(a) = col(w).filter(|&a| !results[ci][a].is_empty()) else {
                continue;
            };
            println!(
                "{:<20} {:>7.1} {:>6} {:<8} {:>9} {:>9} {:>9} {:>8} {:>8}",
                case.name,
                case.body.len() as f64 / 1024.0,
                events,
                label,
                us(w),
                us(Which::Simple),
                us(Which::Floor),
                ratio(a, col(Which::Simple), 1.2),
                ratio(a, col(Which::Floor), 2.0),
            );
            printed = true;
        }
        if !printed {
            println!(
                "{:<20} {:>7.1} {:>6} {:<8} {:>9} {:>9} {:>9}",
                case.name,
                case.body.len() as f64 / 1024.0,
                events,
                "-",
                "-",
                us(Which::Simple),
                us(Which::Floor),
            );
        }
    }
    println!(
        "(anyllm `whole`: messages(); `events`: every stream event read; `final`: final_message().\n \
         goal: /simple ≤ 1.2, /floor ≤ 2.0; `!` marks a miss)"
    );
}
