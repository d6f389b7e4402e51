//! `anyllm serve` as a process: its multi-threaded runtime (`--workers`),
//! `/metrics`, and the local `count_tokens` estimate the command turns on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `anyllm serve`; dropping it kills the process.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anyllm"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env_clear()
        // The estimate never calls the upstream; a dead loopback port makes sure.
        .env("OPENAI_API_KEY", "sk-openai-test")
        .env("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("anyllm serve printed its address");
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    Served { child, addr }
}

/// One HTTP/1.1 request; the status code and the whole response text.
fn request(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    (status, text)
}

#[test]
fn serve_counts_tokens_locally_and_exposes_metrics() {
    let served = serve(&["--workers", "2"]);
    let body = r#"{"model":"openai:gpt-4.1-mini","messages":[{"role":"user","content":"The quick brown fox jumps over the lazy dog."}]}"#;
    let (status, text) = request(&served.addr, "POST", "/v1/messages/count_tokens", body);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("anyllm-token-count: approximate"), "{text}");
    // 10 o200k_base tokens, one message (3) and the reply priming (3).
    assert!(text.ends_with(r#"{"input_tokens":16}"#), "{text}");
    let (status, text) = request(&served.addr, "GET", "/metrics", "");
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains(r#"anyllm_requests_total{route="count_tokens",provider="openai",model="openai:gpt-4.1-mini",status_class="2xx"} 1"#),
        "{text}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn serve_runs_the_requested_number_of_worker_threads() {
    let served = serve(&["--workers", "4"]);
    let threads = std::fs::read_dir(format!("/proc/{}/task", served.child.id()))
        .unwrap()
        .count();
    // Four workers and the main thread (a current-thread runtime has one or two).
    assert!(threads >= 5, "{threads} threads");
}

#[test]
fn serve_refuses_zero_workers() {
    let out = Command::new(env!("CARGO_BIN_EXE_anyllm"))
        .args(["serve", "--workers", "0"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
