//! The three measurements, each against the same-run baseline:
//! latency (gateway interleaved with direct calls to the upstream, with the
//! gateway's CPU over its share), throughput at a fixed concurrency, and
//! memory per idle open stream.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::client::{Conn, IdleStream, Kind, Target};
use super::procstat;
use super::upstream::Upstream;

/// Percentiles of one series of latencies, in microseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
}

fn percentiles(mut v: Vec<Duration>) -> Percentiles {
    v.sort_unstable();
    let at = |q: f64| {
        if v.is_empty() {
            return 0.0;
        }
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v[i.min(v.len() - 1)].as_secs_f64() * 1e6
    };
    Percentiles {
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// The latency phase of one kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct Latency {
    /// Calls straight to the upstream.
    pub direct: Percentiles,
    /// Calls through the gateway.
    pub gateway: Percentiles,
    /// Gateway CPU (user + system) per request, milliseconds.
    pub cpu_ms: f64,
    /// Requests through the gateway.
    pub n: usize,
}

/// `n` requests of `kind` through the gateway, each followed (or preceded,
/// alternately) by the same request straight to the upstream, one at a time
/// on two keep-alive connections; after `warmup` untimed pairs.
pub async fn latency(
    gateway: &Target,
    pid: u32,
    direct: &Target,
    kind: Kind,
    n: usize,
    warmup: usize,
) -> Result<Latency, String> {
    let mut g = Conn::open(gateway.addr).await?;
    let mut d = Conn::open(direct.addr).await?;
    for _ in 0..warmup {
        g.timed(gateway, kind).await?;
        d.timed(direct, kind).await?;
    }
    let mut gt = Vec::with_capacity(n);
    let mut dt = Vec::with_capacity(n);
    let cpu0 = procstat::cpu(pid);
    for i in 0..n {
        if i % 2 == 0 {
            gt.push(g.timed(gateway, kind).await?);
            dt.push(d.timed(direct, kind).await?);
        } else {
            dt.push(d.timed(direct, kind).await?);
            gt.push(g.timed(gateway, kind).await?);
        }
    }
    let cpu = procstat::cpu(pid).saturating_sub(cpu0);
    Ok(Latency {
        direct: percentiles(dt),
        gateway: percentiles(gt),
        cpu_ms: cpu.as_secs_f64() * 1e3 / n.max(1) as f64,
        n,
    })
}

/// The throughput phase.
#[derive(Clone, Copy, Debug, Default)]
pub struct Throughput {
    /// Completed requests per second.
    pub rps: f64,
    /// Completed requests.
    pub done: u64,
    /// Failed requests.
    pub failed: u64,
    /// Gateway CPU per completed request, milliseconds.
    pub cpu_ms: f64,
    /// Connections, each one request at a time.
    pub concurrency: usize,
}

/// `concurrency` connections sending `kind` requests back to back for `secs`.
pub async fn throughput(
    target: &Target,
    pid: Option<u32>,
    kind: Kind,
    concurrency: usize,
    secs: f64,
) -> Result<(Throughput, Option<String>), String> {
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let cpu0 = pid.map(procstat::cpu);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (t, done, failed, first_error) =
            (target.clone(), done.clone(), failed.clone(), first_error.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = None;
            while Instant::now() < deadline {
                if conn.is_none() {
                    conn = Conn::open(t.addr).await.ok();
                }
                let Some(c) = conn.as_mut() else {
                    failed.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                match c.timed(&t, kind).await {
                    Ok(_) => {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut f) = first_error.lock() {
                            f.get_or_insert(e);
                        }
                        conn = None;
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    let cpu_ms = match (pid, cpu0) {
        (Some(p), Some(c0)) => procstat::cpu(p).saturating_sub(c0).as_secs_f64() * 1e3 / n.max(1) as f64,
        _ => 0.0,
    };
    let err = first_error.lock().ok().and_then(|mut f| f.take());
    Ok((
        Throughput {
            rps: n as f64 / elapsed,
            done: n,
            failed: failed.load(Ordering::Relaxed),
            cpu_ms,
            concurrency,
        },
        err,
    ))
}

/// The idle-stream phase.
#[derive(Clone, Copy, Debug, Default)]
pub struct Idle {
    /// Streams asked for.
    pub wanted: usize,
    /// Streams open (first bytes received) when memory was read.
    pub open: usize,
    /// Gateway resident memory before opening any, bytes.
    pub rss_before: u64,
    /// Gateway resident memory with `open` streams open, bytes.
    pub rss_open: u64,
    /// Streams that finished cleanly after the upstream was released.
    pub completed: usize,
    /// Seconds taken to open them all.
    pub open_secs: f64,
}

impl Idle {
    /// Resident memory per open stream, KiB.
    pub fn kib_per_stream(&self) -> f64 {
        (self.rss_open.saturating_sub(self.rss_before)) as f64 / 1024.0 / self.open.max(1) as f64
    }
}

/// Opens `k` streams through the gateway whose upstream sends one chunk and
/// then stays silent; reads the gateway's RSS with all of them open; then
/// releases the upstream and lets every stream finish.
pub async fn idle_streams(
    target: &Target,
    pid: u32,
    upstream: &Upstream,
    k: usize,
    open_timeout: Duration,
    budget: Duration,
) -> Result<(Idle, Option<String>), String> {
    upstream.hold();
    let mut probe = procstat::RssProbe::new(pid);
    let rss_before = probe.read();
    let opening = Instant::now();
    let connecting = Arc::new(Semaphore::new(128));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<IdleStream, String>>(k.max(1));
    for _ in 0..k {
        let (t, tx, connecting) = (target.clone(), tx.clone(), connecting.clone());
        tokio::spawn(async move {
            // At most 128 streams are being opened at once; each has
            // `open_timeout` from its turn to its first bytes.
            let r = match connecting.acquire().await {
                Ok(_) if opening.elapsed() > budget => {
                    Err(format!("not started: opening took longer than {budget:?} in all"))
                }
                Ok(_permit) => {
                    let opened = async {
                        let conn = Conn::open(t.addr).await?;
                        conn.open_idle(&t).await
                    };
                    tokio::time::timeout(open_timeout, opened)
                        .await
                        .unwrap_or_else(|_| Err(format!("not open within {open_timeout:?}")))
                }
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(r).await;
        });
    }
    drop(tx);
    let mut open = Vec::with_capacity(k);
    let mut first_error = None;
    while let Some(r) = rx.recv().await {
        match r {
            Ok(s) => open.push(s),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let open_secs = opening.elapsed().as_secs_f64();
    // Let the gateway settle (pending writes, allocator) before reading.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = probe.read();
    let n_open = open.len();
    upstream.release();
    let mut completed = 0;
    let drains: Vec<_> = open.into_iter().map(|s| tokio::spawn(s.drain())).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    for d in drains {
        if let Ok(Ok(Ok(()))) = tokio::time::timeout_at(deadline, d).await {
            completed += 1;
        }
    }
    upstream.hold();
    Ok((
        Idle {
            wanted: k,
            open: n_open,
            rss_before,
            rss_open,
            completed,
            open_secs,
        },
        first_error,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        let p = percentiles(v);
        assert_eq!(p.p50, 51.0);
        assert_eq!(p.p99, 99.0);
        let empty = percentiles(Vec::new());
        assert_eq!((empty.p50, empty.p99), (0.0, 0.0));
    }

    #[test]
    fn memory_per_stream_is_the_delta_over_the_open_streams() {
        let i = Idle {
            wanted: 10,
            open: 4,
            rss_before: 1 << 20,
            rss_open: (1 << 20) + 4 * 2048,
            completed: 4,
            open_secs: 1.0,
        };
        assert_eq!(i.kib_per_stream(), 2.0);
    }
}
