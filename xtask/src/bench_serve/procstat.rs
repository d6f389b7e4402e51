//! CPU time and resident memory of a process and its descendants, read
//! from `/proc` (Linux only): `utime + stime` from `/proc/<pid>/stat`, `VmRSS`
//! from `/proc/<pid>/status`. A gateway that forks workers (LiteLLM's
//! uvicorn can) is counted whole.

use std::time::Duration;

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ; 100 on every
/// Linux this runs on — `getconf CLK_TCK`).
const TICKS_PER_SECOND: f64 = 100.0;

/// One process's `stat` fields we use.
struct Stat {
    ppid: u32,
    cpu_ticks: u64,
}

fn read_stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: split after it.
    let after = text.get(text.rfind(')')? + 2..)?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    Some(Stat {
        ppid: fields.get(1)?.parse().ok()?,
        cpu_ticks: fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?,
    })
}

/// `pid` and every process descending from it.
pub fn tree(pid: u32) -> Vec<u32> {
    let mut all: Vec<(u32, u32)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(p) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(s) = read_stat(p) {
                all.push((p, s.ppid));
            }
        }
    }
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(all.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    out
}

/// CPU time (user + system) used so far by `pid` and its descendants.
pub fn cpu(pid: u32) -> Duration {
    let ticks: u64 = tree(pid)
        .into_iter()
        .filter_map(read_stat)
        .map(|s| s.cpu_ticks)
        .sum();
    Duration::from_secs_f64(ticks as f64 / TICKS_PER_SECOND)
}

fn vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resident memory (`VmRSS`, bytes) of a process and its descendants, from
/// their `status` files opened in advance: reading them
/// later needs no new descriptor (the idle-stream phase uses them all up).
pub struct RssProbe {
    files: Vec<std::fs::File>,
}

impl RssProbe {
    /// Opens the `status` file of `pid` and of each of its descendants.
    pub fn new(pid: u32) -> Self {
        let files = tree(pid)
            .into_iter()
            .filter_map(|p| std::fs::File::open(format!("/proc/{p}/status")).ok())
            .collect();
        Self { files }
    }

    /// Resident memory (bytes) now: each file read again from its start.
    pub fn read(&mut self) -> u64 {
        use std::io::{Read, Seek};
        self.files
            .iter_mut()
            .filter_map(|f| {
                f.rewind().ok()?;
                let mut text = String::new();
                f.read_to_string(&mut text).ok()?;
                vm_rss(&text)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        let s = read_stat(me);
        assert!(s.is_some(), "no /proc/{me}/stat");
        assert!(tree(me).contains(&me));
        let mut probe = RssProbe::new(me);
        let (a, b) = (probe.read(), probe.read());
        assert!(a > 0 && b > 0, "a probe reads again: {a}, {b}");
    }
}
