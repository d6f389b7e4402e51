//! `cargo xtask bench serve`: the gateway's overhead on loopback, against a
//! baseline measured in the same run.
//!
//! A replay upstream (hand-written OpenAI Chat Completions replies, whole
//! and SSE) runs on 127.0.0.1 inside this process; each gateway runs as its
//! own process pointed at it — the release `anyllm serve`, and LiteLLM's
//! proxy when `--litellm VENV` names a virtual environment holding it — so
//! its CPU (`utime + stime`) and resident memory are read from
//! `/proc/<pid>`. Measured per gateway:
//!
//! * added latency p50/p99, whole and streamed: each request through the
//!   gateway is paired with the same conversation sent straight to the
//!   upstream, alternating, one at a time, so noise from other work on the
//!   machine lands on both series alike;
//! * gateway CPU per request over those sequential requests, and under load;
//! * requests per second at `--concurrency` (whole and streamed), beside the
//!   direct-to-upstream rate of the same load generator (its ceiling);
//! * resident memory per open idle stream: `--streams` streams whose
//!   upstream sent one chunk and then stays silent, RSS delta / streams.
//!
//! Options: `--quick` (smoke: small numbers), `--full` (the figures in
//! docs/gateway-performance.md), `--requests N`, `--warmup N`,
//! `--concurrency C`, `--seconds S`, `--streams K`, `--cores LIST`
//! (`taskset -c LIST` for the gateway), `--anyllm PATH` (a built binary;
//! default: `cargo build --release -p anyllm-cli` then target/release/anyllm),
//! `--workers N` (`anyllm serve --workers N`; default: its own, one worker
//! thread per core), `--no-anyllm`, `--litellm VENV`, `--litellm-workers N`, `--json FILE`,
//! `--idle-budget S` (stop opening idle streams after S seconds in all;
//! default 300).
//!
//! K idle streams need 2K descriptors in the gateway (client and upstream
//! connections) and 2K in this process (load generator and upstream): this
//! command raises its own `RLIMIT_NOFILE` (the gateways inherit it) as far
//! as it is allowed; for 10,000 streams the hard limit must be above
//! 20,100 — `ulimit -Hn 65536` (as root, or with CAP_SYS_RESOURCE) first.

mod client;
mod gateways;
mod phases;
mod procstat;
mod upstream;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use client::{Kind, Target};
use phases::{Idle, Latency, Throughput};

/// The run's parameters.
#[derive(Debug, Clone)]
struct Options {
    requests: usize,
    warmup: usize,
    concurrency: usize,
    seconds: f64,
    streams: usize,
    cores: Option<String>,
    anyllm: Option<PathBuf>,
    workers: Option<u16>,
    no_anyllm: bool,
    litellm: Option<PathBuf>,
    litellm_workers: u32,
    json: Option<PathBuf>,
    idle_budget: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            requests: 1000,
            warmup: 50,
            concurrency: 32,
            seconds: 10.0,
            streams: 1000,
            cores: None,
            anyllm: None,
            workers: None,
            no_anyllm: false,
            litellm: None,
            litellm_workers: 1,
            json: None,
            idle_budget: 300.0,
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        let num = |v: String, name: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{name}: not a number: {v}"))
        };
        match a.as_str() {
            "--quick" => {
                o.requests = 100;
                o.warmup = 10;
                o.concurrency = 8;
                o.seconds = 2.0;
                o.streams = 200;
            }
            "--full" => {
                o.requests = 3000;
                o.warmup = 200;
                o.concurrency = 64;
                o.seconds = 20.0;
                o.streams = 10_000;
                o.cores = Some("0,1".into());
            }
            "--requests" => o.requests = num(value(a)?, a)?,
            "--warmup" => o.warmup = num(value(a)?, a)?,
            "--concurrency" => o.concurrency = num(value(a)?, a)?.max(1),
            "--seconds" => {
                let v = value(a)?;
                o.seconds = v.parse().map_err(|_| format!("--seconds: not a number: {v}"))?;
            }
            "--streams" => o.streams = num(value(a)?, a)?,
            "--cores" => o.cores = Some(value(a)?),
            "--anyllm" => o.anyllm = Some(PathBuf::from(value(a)?)),
            "--workers" => {
                let v = value(a)?;
                let n: u16 = v.parse().map_err(|_| format!("--workers: not a number: {v}"))?;
                if n == 0 {
                    return Err("--workers: must be at least 1".into());
                }
                o.workers = Some(n);
            }
            "--no-anyllm" => o.no_anyllm = true,
            "--litellm" => o.litellm = Some(PathBuf::from(value(a)?)),
            "--litellm-workers" => o.litellm_workers = num(value(a)?, a)?.max(1) as u32,
            "--json" => o.json = Some(PathBuf::from(value(a)?)),
            "--idle-budget" => {
                let v = value(a)?;
                o.idle_budget = v
                    .parse()
                    .map_err(|_| format!("--idle-budget: not a number: {v}"))?;
            }
            other => return Err(format!("bench serve: unknown option `{other}`")),
        }
    }
    Ok(o)
}

/// Raises the soft (and, when allowed, hard) open-file limit to `want`;
/// returns the soft limit in force.
fn raise_nofile(want: u64) -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let cur = getrlimit(Resource::Nofile);
    let have = cur.current.unwrap_or(u64::MAX);
    if have >= want {
        return have;
    }
    let both = Rlimit {
        current: Some(want),
        maximum: Some(want.max(cur.maximum.unwrap_or(0))),
    };
    if setrlimit(Resource::Nofile, both).is_ok() {
        return want;
    }
    let hard = cur.maximum.unwrap_or(u64::MAX);
    let soft = Rlimit {
        current: Some(want.min(hard)),
        maximum: cur.maximum,
    };
    let _ = setrlimit(Resource::Nofile, soft);
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// A phase's figures and its first failure, or why it could not run.
type Measured<T> = Result<(T, Option<String>), String>;

/// What one gateway measured (each phase may fail on its own).
struct GatewayResult {
    name: String,
    version: String,
    start: Result<(), String>,
    whole: Result<Latency, String>,
    stream: Result<Latency, String>,
    rps_whole: Measured<Throughput>,
    rps_stream: Measured<Throughput>,
    idle: Measured<Idle>,
}

impl GatewayResult {
    fn failed(name: &str, e: String) -> Self {
        let skip = || "not run".to_owned();
        Self {
            name: name.into(),
            version: String::new(),
            start: Err(e),
            whole: Err(skip()),
            stream: Err(skip()),
            rps_whole: Err(skip()),
            rps_stream: Err(skip()),
            idle: Err(skip()),
        }
    }
}

/// Runs `cargo xtask bench serve`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let o = parse(args)?;
    let nofile = raise_nofile(o.streams as u64 * 2 + 4096);
    if nofile < o.streams as u64 * 2 + 200 {
        eprintln!(
            "bench serve: the open-file limit is {nofile}, short of ~{} for {} streams \
             (2 per stream in the gateway and here); raise the hard limit \
             (`ulimit -Hn 65536` as root) or lower --streams",
            o.streams * 2 + 200,
            o.streams
        );
    }
    let work = crate::bench::target_dir(root).join("bench-serve");
    std::fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;
    let anyllm_bin = match (&o.anyllm, o.no_anyllm) {
        (_, true) => None,
        (Some(p), false) => Some(p.clone()),
        (None, false) => Some(build_anyllm(root)?),
    };
    if o.litellm.is_none() {
        let venv = crate::bench::target_dir(root).join("litellm-venv");
        println!(
            "(LiteLLM not measured: pass --litellm VENV; to create one:\n{})",
            gateways::litellm_howto(&venv)
        );
    }
    let upstream = upstream::Upstream::start()?;
    let up_addr = upstream
        .url
        .trim_start_matches("http://")
        .parse()
        .map_err(|e| format!("upstream address: {e}"))?;
    let direct = gateways::direct_target(up_addr);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let machine = machine();
    println!("{machine}");
    println!("{o:?}");
    rt.block_on(async {
        let baseline_whole = phases::throughput(&direct, None, Kind::Whole, o.concurrency, o.seconds).await;
        let baseline_stream = phases::throughput(&direct, None, Kind::Stream, o.concurrency, o.seconds).await;
        let mut results = Vec::new();
        if let Some(bin) = &anyllm_bin {
            let gw = gateways::start_anyllm(bin, &upstream.url, &work, o.cores.as_deref(), o.workers).await;
            results.push(measure("anyllm", gw, &direct, &upstream, &o).await);
        }
        if let Some(venv) = &o.litellm {
            let gw =
                gateways::start_litellm(venv, &upstream.url, &work, o.cores.as_deref(), o.litellm_workers)
                    .await;
            results.push(measure("litellm", gw, &direct, &upstream, &o).await);
        }
        let table = table(&results, &baseline_whole, &baseline_stream, &o);
        println!("\n{table}");
        if let Some(path) = &o.json {
            let j = json(&results, &baseline_whole, &baseline_stream, &o, &machine);
            std::fs::write(path, serde_json::to_string_pretty(&j).unwrap_or_default())
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
            println!("wrote {}", path.display());
        }
        Ok::<(), String>(())
    })?;
    drop(upstream);
    Ok(())
}

fn build_anyllm(root: &Path) -> Result<PathBuf, String> {
    let status = Command::new("cargo")
        .current_dir(root)
        .args(["build", "--release", "-p", "anyllm-cli"])
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("building the release anyllm failed ({status})"));
    }
    Ok(crate::bench::target_dir(root).join("release").join("anyllm"))
}

async fn measure(
    name: &str,
    gw: Result<gateways::Gateway, String>,
    direct: &Target,
    upstream: &upstream::Upstream,
    o: &Options,
) -> GatewayResult {
    let gw = match gw {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{name}: {e}");
            return GatewayResult::failed(name, e);
        }
    };
    let pid = gw.pid();
    let t = &gw.target;
    eprintln!("{name}: latency, whole");
    let whole = phases::latency(t, pid, direct, Kind::Whole, o.requests, o.warmup).await;
    eprintln!("{name}: {whole:?}\n{name}: latency, stream");
    let stream = phases::latency(t, pid, direct, Kind::Stream, o.requests, o.warmup).await;
    eprintln!("{name}: {stream:?}\n{name}: throughput, whole");
    let rps_whole = phases::throughput(t, Some(pid), Kind::Whole, o.concurrency, o.seconds).await;
    eprintln!("{name}: {rps_whole:?}\n{name}: throughput, stream");
    let rps_stream = phases::throughput(t, Some(pid), Kind::Stream, o.concurrency, o.seconds).await;
    eprintln!("{name}: {rps_stream:?}\n{name}: {} idle streams", o.streams);
    let open_timeout = Duration::from_secs(60);
    let budget = Duration::from_secs_f64(o.idle_budget);
    let idle = phases::idle_streams(t, pid, upstream, o.streams, open_timeout, budget).await;
    eprintln!("{name}: {idle:?}");
    GatewayResult {
        name: gw.name.clone(),
        version: gw.version.clone(),
        start: Ok(()),
        whole,
        stream,
        rps_whole,
        rps_stream,
        idle,
    }
}

/// The machine line: cores, CPU model, load average.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "machine: {cpus} cpus, {model}; load average at start: {}",
        load.trim()
    )
}

fn us(v: f64) -> String {
    format!("{:.0} µs", v)
}

fn lat_rows(
    rows: &mut Vec<(String, Vec<String>)>,
    label: &str,
    results: &[GatewayResult],
    pick: fn(&GatewayResult) -> &Result<Latency, String>,
) {
    let cells = |f: &dyn Fn(&Latency) -> String| -> Vec<String> {
        results
            .iter()
            .map(|r| match pick(r) {
                Ok(l) => f(l),
                Err(e) => format!("failed: {}", short(e)),
            })
            .collect()
    };
    rows.push((
        format!("{label}: added latency p50"),
        cells(&|l| us(l.gateway.p50 - l.direct.p50)),
    ));
    rows.push((
        format!("{label}: added latency p99"),
        cells(&|l| us(l.gateway.p99 - l.direct.p99)),
    ));
    rows.push((
        format!("{label}: via gateway p50 / p99"),
        cells(&|l| format!("{} / {}", us(l.gateway.p50), us(l.gateway.p99))),
    ));
    rows.push((
        format!("{label}: direct p50 / p99 (same run)"),
        cells(&|l| format!("{} / {}", us(l.direct.p50), us(l.direct.p99))),
    ));
    rows.push((
        format!("{label}: gateway CPU per request"),
        cells(&|l| format!("{:.3} ms", l.cpu_ms)),
    ));
}

fn short(e: &str) -> String {
    let one = e.lines().next().unwrap_or_default();
    one.chars().take(120).collect()
}

fn table(
    results: &[GatewayResult],
    base_whole: &Measured<Throughput>,
    base_stream: &Measured<Throughput>,
    o: &Options,
) -> String {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    rows.push((
        "version".into(),
        results.iter().map(|r| r.version.clone()).collect(),
    ));
    rows.push((
        "started".into(),
        results
            .iter()
            .map(|r| {
                r.start
                    .as_ref()
                    .map_or_else(|e| format!("failed: {}", short(e)), |()| "yes".into())
            })
            .collect(),
    ));
    lat_rows(&mut rows, "whole", results, |r| &r.whole);
    lat_rows(&mut rows, "stream", results, |r| &r.stream);
    let rps = |pick: fn(&GatewayResult) -> &Measured<Throughput>| -> Vec<String> {
        results
            .iter()
            .map(|r| match pick(r) {
                Ok((t, err)) => {
                    let mut s = format!("{:.0} req/s, {:.3} ms CPU/req", t.rps, t.cpu_ms);
                    if t.failed > 0 {
                        s.push_str(&format!(
                            " ({} failed: {})",
                            t.failed,
                            err.as_deref().map(short).unwrap_or_default()
                        ));
                    }
                    s
                }
                Err(e) => format!("failed: {}", short(e)),
            })
            .collect()
    };
    rows.push((
        format!("whole: throughput at concurrency {}", o.concurrency),
        rps(|r| &r.rps_whole),
    ));
    rows.push((
        format!("stream: throughput at concurrency {}", o.concurrency),
        rps(|r| &r.rps_stream),
    ));
    rows.push((
        format!("idle streams open / {}", o.streams),
        results
            .iter()
            .map(|r| match &r.idle {
                Ok((i, err)) => {
                    let mut s = format!(
                        "{} in {:.1} s (finished after release: {})",
                        i.open, i.open_secs, i.completed
                    );
                    if let Some(e) = err {
                        s.push_str(&format!("; first failure: {}", short(e)));
                    }
                    s
                }
                Err(e) => format!("failed: {}", short(e)),
            })
            .collect(),
    ));
    rows.push((
        "RSS before → with streams open".into(),
        results
            .iter()
            .map(|r| match &r.idle {
                Ok((i, _)) => format!(
                    "{:.1} MiB → {:.1} MiB",
                    i.rss_before as f64 / 1048576.0,
                    i.rss_open as f64 / 1048576.0
                ),
                Err(_) => "-".into(),
            })
            .collect(),
    ));
    rows.push((
        "memory per idle stream".into(),
        results
            .iter()
            .map(|r| match &r.idle {
                Ok((i, _)) if i.open > 0 => format!("{:.1} KiB", i.kib_per_stream()),
                _ => "-".into(),
            })
            .collect(),
    ));
    let mut out = String::from("| measurement |");
    for r in results {
        out.push_str(&format!(" {} |", r.name));
    }
    out.push_str("\n|---|");
    for _ in results {
        out.push_str("---|");
    }
    out.push('\n');
    for (label, cells) in rows {
        out.push_str(&format!("| {label} |"));
        for c in cells {
            out.push_str(&format!(" {c} |"));
        }
        out.push('\n');
    }
    let base = |b: &Measured<Throughput>| match b {
        Ok((t, _)) => format!("{:.0} req/s ({} failed)", t.rps, t.failed),
        Err(e) => format!("failed: {}", short(e)),
    };
    out.push_str(&format!(
        "\nbaseline, the load generator straight to the upstream at concurrency {}: whole {}, stream {}\n",
        o.concurrency,
        base(base_whole),
        base(base_stream)
    ));
    out
}

fn json(
    results: &[GatewayResult],
    base_whole: &Measured<Throughput>,
    base_stream: &Measured<Throughput>,
    o: &Options,
    machine: &str,
) -> serde_json::Value {
    use serde_json::json;
    let lat = |l: &Result<Latency, String>| match l {
        Ok(l) => json!({
            "n": l.n,
            "direct_p50_us": l.direct.p50, "direct_p99_us": l.direct.p99,
            "gateway_p50_us": l.gateway.p50, "gateway_p99_us": l.gateway.p99,
            "added_p50_us": l.gateway.p50 - l.direct.p50, "added_p99_us": l.gateway.p99 - l.direct.p99,
            "cpu_ms_per_request": l.cpu_ms,
        }),
        Err(e) => json!({"error": e}),
    };
    let tp = |t: &Measured<Throughput>| match t {
        Ok((t, err)) => json!({
            "rps": t.rps, "done": t.done, "failed": t.failed, "cpu_ms_per_request": t.cpu_ms,
            "concurrency": t.concurrency, "first_error": err,
        }),
        Err(e) => json!({"error": e}),
    };
    let gws: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            json!({
                "name": r.name, "version": r.version,
                "start_error": r.start.as_ref().err(),
                "whole": lat(&r.whole), "stream": lat(&r.stream),
                "throughput_whole": tp(&r.rps_whole), "throughput_stream": tp(&r.rps_stream),
                "idle": match &r.idle {
                    Ok((i, err)) => json!({
                        "wanted": i.wanted, "open": i.open, "completed": i.completed,
                        "rss_before": i.rss_before, "rss_open": i.rss_open,
                        "kib_per_stream": i.kib_per_stream(), "first_error": err,
                        "open_secs": i.open_secs,
                    }),
                    Err(e) => json!({"error": e}),
                },
            })
        })
        .collect();
    json!({
        "machine": machine,
        "options": format!("{o:?}"),
        "baseline_whole": tp(base_whole),
        "baseline_stream": tp(base_stream),
        "gateways": gws,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() -> Result<(), String> {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let q = parse(&args(&["--quick", "--streams", "7"]))?;
        assert_eq!((q.requests, q.streams, q.concurrency), (100, 7, 8));
        let f = parse(&args(&["--full"]))?;
        assert_eq!((f.streams, f.cores.as_deref()), (10_000, Some("0,1")));
        assert_eq!(f.workers, None);
        assert_eq!(parse(&args(&["--full", "--workers", "1"]))?.workers, Some(1));
        assert!(parse(&args(&["--workers", "0"])).is_err());
        assert!(parse(&args(&["--streams"])).is_err());
        assert!(parse(&args(&["--nope"])).is_err());
        Ok(())
    }
}
