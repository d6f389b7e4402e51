//! Bad input against the gateway: malformed JSON, wrong types (400 naming the
//! field), 100 MB bodies (413 without reading or buffering them), slow-loris
//! clients, a client that disconnects mid-stream (the upstream request is
//! cancelled and no task is left behind), 1,000 concurrent streams, garbage and
//! truncated upstream streams, and upstreams filling optional fields with `""`
//! or `{}`. Every reply is a typed Anthropic error or a valid answer, no
//! upstream key appears in any reply or log line, and the server stays up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyllm_testkit::{CaptureServer, ReplayServer, Reply as Upstream};
use bytes::Bytes;
use common::configs::openai_config;
use common::raw_client::{read_until, stream_body, write_post};
use common::raw_upstream::{chunk, is_whole_message, serve_first, SSE_HEAD};
use common::tasks::alive_tasks_after_settling;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing::field::{Field, Visit};

// ---- every log line of this binary, to prove no key leaks --------------------

#[derive(Clone, Default)]
struct AllLines(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for AllLines {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut text = self.0.lock().unwrap();
        span.record(&mut Fields(&mut text));
        text.push('\n');
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut text = self.0.lock().unwrap();
        values.record(&mut Fields(&mut text));
        text.push('\n');
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = self.0.lock().unwrap();
        event.record(&mut Fields(&mut text));
        text.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn log_lines() -> &'static AllLines {
    static LINES: OnceLock<AllLines> = OnceLock::new();
    LINES.get_or_init(|| {
        let lines = AllLines::default();
        tracing::subscriber::set_global_default(lines.clone()).unwrap();
        lines
    })
}

/// No upstream key in `text` (a reply) nor in any log line written so far.
fn assert_no_secret(text: &str) {
    let logs = log_lines().0.lock().unwrap().clone();
    for (_, value) in ENV.iter().filter(|(k, _)| !k.starts_with("TEAM")) {
        assert!(!text.contains(value), "upstream key in a reply: {text}");
        assert!(!logs.contains(value), "upstream key in a log line");
    }
}

fn reply_text(r: &Reply) -> String {
    format!("{:?}\n{}", r.headers, String::from_utf8_lossy(&r.body))
}

async fn assert_healthy(addr: SocketAddr) {
    let health = send(addr, "GET", "/health", &[], "").await;
    assert_eq!(health.status, 200, "the server stays up");
}

/// Tests that measure memory or open thousands of sockets run one at a time.
static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// ---- malformed JSON and wrong types ---------------------------------------

#[tokio::test]
async fn malformed_json_is_a_typed_400_and_the_server_stays_up() {
    log_lines();
    let gw = start("").await;
    let bodies: [&[u8]; 8] = [
        b"",
        b"{\"model\": ",
        b"not json",
        b"{\"model\": \"x\", }",
        b"{\"model\": \"x\"} trailing",
        b"\xff\xfe{\"model\": 1}",
        b"[1, 2, 3]",
        b"null",
    ];
    for body in bodies {
        for path in ["/v1/messages", "/v1/messages/count_tokens"] {
            let r = send(gw.addr, "POST", path, &[], Bytes::from_static(body)).await;
            let msg = r.assert_error(400, "invalid_request_error");
            assert!(!msg.is_empty(), "{path} {body:?}");
            assert_no_secret(&reply_text(&r));
        }
    }
    assert_healthy(gw.addr).await;
}

#[tokio::test]
async fn wrong_types_are_a_400_naming_the_field() {
    log_lines();
    let gw = start("").await;
    let user = json!([{"role": "user", "content": "hi"}]);
    let cases = [
        (
            "/v1/messages",
            json!({"model": "x", "max_tokens": "many", "messages": user}),
            "max_tokens",
        ),
        (
            "/v1/messages",
            json!({"model": 7, "max_tokens": 5, "messages": user}),
            "model",
        ),
        (
            "/v1/messages",
            json!({"model": "x", "max_tokens": 5, "messages": [{"role": "user", "content": 5}]}),
            "messages[0].content",
        ),
        (
            "/v1/messages",
            json!({"model": "x", "max_tokens": 5, "messages": user, "temperature": "hot"}),
            "temperature",
        ),
        (
            "/v1/messages",
            json!({"model": "x", "max_tokens": 5, "messages": user, "stream": "yes"}),
            "stream",
        ),
        (
            "/v1/messages",
            json!({"model": "x", "max_tokens": -1, "messages": user}),
            "max_tokens",
        ),
        (
            "/v1/messages/count_tokens",
            json!({"model": "x", "messages": "hi"}),
            "messages",
        ),
        (
            "/v1/messages",
            json!({"model": "x", "messages": user}),
            "max_tokens",
        ),
    ];
    for (path, body, field) in cases {
        let r = post_json(gw.addr, path, &body).await;
        let msg = r.assert_error(400, "invalid_request_error");
        assert!(msg.contains(field), "{body}: `{msg}` does not name `{field}`");
        assert_no_secret(&reply_text(&r));
    }
    assert_healthy(gw.addr).await;
}

// ---- 100 MB bodies -----------------------------------------------------------

const HUNDRED_MB: u64 = 100 * 1024 * 1024;

/// The process's peak resident memory (Linux `VmHWM`), in bytes. `None`
/// where it cannot be read — never on Linux under `CI=true`, where the
/// memory checks must run (they fail rather than skip).
fn peak_rss() -> Option<u64> {
    let read = || -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    let rss = read();
    if cfg!(target_os = "linux") && std::env::var("CI").is_ok_and(|v| v == "true") {
        assert!(rss.is_some(), "CI=true on Linux: /proc/self/status has no VmHWM");
    }
    rss
}

/// Reads one HTTP/1 response (head and a `content-length` body), bounded.
async fn read_response(sock: &mut (impl AsyncRead + Unpin)) -> (u16, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if is_whole_message(&got) {
                break;
            }
            let n = sock.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed mid-response: {got:?}");
            got.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("a response within 10 s");
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text[9..12].parse().unwrap();
    (status, text)
}

/// Sends `head`, then up to 100 MB of body (raw or chunked) while reading
/// the reply; returns the reply and how many body bytes were written by then.
async fn upload_100mb(addr: SocketAddr, head: String, chunked: bool) -> ((u16, String), u64) {
    let sock = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = sock.into_split();
    let written = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let w = written.clone();
    let writer = tokio::spawn(async move {
        wr.write_all(head.as_bytes()).await?;
        let block = vec![b'x'; 64 * 1024];
        let mut sent = 0u64;
        while sent < HUNDRED_MB {
            if chunked {
                wr.write_all(format!("{:x}\r\n", block.len()).as_bytes()).await?;
                wr.write_all(&block).await?;
                wr.write_all(b"\r\n").await?;
            } else {
                wr.write_all(&block).await?;
            }
            sent += block.len() as u64;
            w.store(sent, Ordering::Relaxed);
        }
        if chunked {
            wr.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let reply = read_response(&mut rd).await;
    let at_reply = written.load(Ordering::Relaxed);
    writer.abort();
    (reply, at_reply)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100mb_body_is_413_without_being_read_or_buffered() {
    log_lines();
    let _heavy = HEAVY.lock().await;
    let gw = start("").await; // the default limit, 32 MB
    let before = peak_rss();
    let head = format!(
        "POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {HUNDRED_MB}\r\n\r\n"
    );
    let ((status, text), written) = upload_100mb(gw.addr, head, false).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("request_too_large"), "{text}");
    // Refused from the declared length: long before the body was sent.
    assert!(written < HUNDRED_MB / 2, "{written} bytes were sent first");
    if let (Some(a), Some(b)) = (before, peak_rss()) {
        assert!(b - a < 32 << 20, "peak memory grew by {} MB", (b - a) >> 20);
    }
    assert_no_secret(&text);
    assert_healthy(gw.addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_100mb_body_without_length_is_413_at_the_limit() {
    log_lines();
    let _heavy = HEAVY.lock().await;
    let gw = start("body_limit = 1048576\n").await;
    let before = peak_rss();
    let head = "POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_owned();
    let ((status, text), written) = upload_100mb(gw.addr, head, true).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("request_too_large"), "{text}");
    assert!(written < HUNDRED_MB / 2, "{written} bytes were sent first");
    if let (Some(a), Some(b)) = (before, peak_rss()) {
        assert!(b - a < 32 << 20, "peak memory grew by {} MB", (b - a) >> 20);
    }
    assert_healthy(gw.addr).await;
}

// ---- slow loris -----------------------------------------------------------------

/// Waits until the server closes `sock` (EOF or reset), bounded; returns what it sent.
async fn closed_by_server(sock: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the connection stayed open past {within:?}"));
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_loris_clients_are_cut_off_and_others_are_served() {
    log_lines();
    let gateway = anyllm_server::Gateway::new(anyllm_server::Config::default(), anyllm::MapEnv::new(ENV))
        .unwrap()
        .with_header_timeout(Duration::from_millis(300));
    let gw = start_gateway(gateway).await;
    // 1: connects and never sends a byte.
    let mut silent = TcpStream::connect(gw.addr).await.unwrap();
    // 2: trickles a request head one byte every 20 ms, never finishing it.
    let trickle = tokio::spawn({
        let addr = gw.addr;
        async move {
            let mut sock = TcpStream::connect(addr).await.unwrap();
            let head = b"POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            for b in head {
                if sock.write_all(&[*b]).await.is_err() {
                    return true; // cut off
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // All sent without being cut: was the connection closed meanwhile?
            let mut buf = [0u8; 64];
            matches!(
                tokio::time::timeout(Duration::from_secs(2), sock.read(&mut buf)).await,
                Ok(Ok(0) | Err(_))
            )
        }
    });
    // 3: the start of an HTTP/2 preface, then silence.
    let mut preface = TcpStream::connect(gw.addr).await.unwrap();
    preface.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    // 4: the whole HTTP/2 preface and an empty SETTINGS frame, then silence
    // (never acknowledging anything the server sends).
    let mut h2 = TcpStream::connect(gw.addr).await.unwrap();
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    // Meanwhile a well-behaved client is served.
    assert_healthy(gw.addr).await;
    let got = closed_by_server(&mut silent, Duration::from_secs(5)).await;
    assert!(!String::from_utf8_lossy(&got).contains("200 OK"));
    closed_by_server(&mut preface, Duration::from_secs(5)).await;
    closed_by_server(&mut h2, Duration::from_secs(5)).await;
    assert!(trickle.await.unwrap(), "the trickling client was never cut off");
    assert_healthy(gw.addr).await;
}

// ---- a client disconnecting mid-stream ----------------------------------------

const CHUNK: &str = r#"{"id":"chatcmpl-slow","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-mini","choices":[{"index":0,"delta":{"content":"tick "},"finish_reason":null}]}"#;

/// An OpenAI-compatible upstream that streams a chunk every 20 ms (at most
/// 500) and reports when its peer closed the connection.
async fn slow_upstream() -> (String, tokio::sync::oneshot::Receiver<()>) {
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
    let url = serve_first(|mut sock| async move {
        sock.write_all(SSE_HEAD).await.unwrap();
        let tick = chunk(CHUNK);
        let mut buf = [0u8; 256];
        for _ in 0..500 {
            tokio::select! {
                r = sock.read(&mut buf) => if matches!(r, Ok(0) | Err(_)) { break },
                () = tokio::time::sleep(Duration::from_millis(20)) => {
                    if sock.write_all(&tick).await.is_err() { break }
                }
            }
        }
        let _ = closed_tx.send(());
    })
    .await;
    (url, closed_rx)
}

/// After the client went away: the upstream saw its connection closed
/// (within 3 s), every task the request started ended (bounded wait; at most
/// `baseline` alive) and the gateway still answers. `context` prefixes the
/// failure messages.
async fn assert_upstream_cancelled(
    addr: SocketAddr,
    closed: tokio::sync::oneshot::Receiver<()>,
    baseline: usize,
    context: &str,
) {
    tokio::time::timeout(Duration::from_secs(3), closed)
        .await
        .unwrap_or_else(|_| panic!("{context}the upstream request was not cancelled"))
        .unwrap();
    let alive = alive_tasks_after_settling(baseline).await;
    assert!(
        alive <= baseline,
        "{context}{alive} tasks alive, {baseline} before the request"
    );
    assert_healthy(addr).await;
}

// Current-thread runtime: every task the gateway spawns lives on it, so its
// metrics count them.
#[tokio::test]
async fn a_client_disconnect_cancels_the_upstream_and_leaves_no_task() {
    log_lines();
    let (url, closed) = slow_upstream().await;
    let gw = start(&openai_config(&url)).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let baseline = metrics.num_alive_tasks();
    let resp = send_raw(gw.addr, "POST", "/v1/messages", &[], stream_body("fast")).await;
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    let got = read_until(&mut body, 100, |t| t.matches("tick ").count() >= 3).await;
    assert!(String::from_utf8_lossy(&got).matches("tick ").count() >= 3);
    assert!(metrics.num_alive_tasks() > baseline, "the stream runs in tasks");
    drop(body);
    // The upstream notices its connection closed, long before its 500 chunks (10 s).
    assert_upstream_cancelled(gw.addr, closed, baseline, "").await;
    assert_no_secret(&String::from_utf8_lossy(&got));
}

// ---- 1,000 concurrent streams ----------------------------------------------------

const STREAMS: usize = 1000;

fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// An OpenAI upstream that holds every request until `STREAMS` are open at
/// once (or 20 s passed), then answers each with the demo stream; returns the
/// most requests it held at the same time.
async fn gathering_upstream() -> (String, Arc<AtomicUsize>) {
    let stream = fixture("openai/demo_stream.json");
    let body = Bytes::from(stream.response.body_bytes().unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let all_in = Arc::new(tokio::sync::Notify::new());
    let max_out = max.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (body, held, max, all_in) = (body.clone(), held.clone(), max.clone(), all_in.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (body, held, max, all_in) = (body.clone(), held.clone(), max.clone(), all_in.clone());
                    async move {
                        let _ = req.into_body().collect().await;
                        let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                        max.fetch_max(now, Ordering::SeqCst);
                        if now >= STREAMS {
                            all_in.notify_waiters();
                        } else {
                            let _ = tokio::time::timeout(Duration::from_secs(20), all_in.notified()).await;
                        }
                        let resp = hyper::Response::builder()
                            .header("content-type", "text/event-stream")
                            .body(Full::new(body))
                            .unwrap();
                        Ok::<_, std::convert::Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(sock), svc)
                    .await;
            });
        }
    });
    (url, max_out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_streams_all_complete() {
    log_lines();
    let _heavy = HEAVY.lock().await;
    // Four sockets per stream: client, gateway side, upstream client, upstream side.
    if let Some(limit) = open_files_limit() {
        assert!(
            limit >= 4 * STREAMS as u64 + 500,
            "open-files limit {limit} is too low for {STREAMS} streams (ulimit -n)"
        );
    }
    // The reference: one stream on its own.
    let single = ReplayServer::start(vec![fixture("openai/demo_stream.json")])
        .await
        .unwrap();
    let gw_single = start(&openai_config(&single.url())).await;
    let reference = send(gw_single.addr, "POST", "/v1/messages", &[], stream_body("fast")).await;
    assert_eq!(reference.status, 200);
    let (events, _) = reference.events();
    assert!(events.len() > 4, "{events:?}");
    single.replay().assert_clean();

    let (url, max_held) = gathering_upstream().await;
    let gw = start(&openai_config(&url)).await;
    let body = Bytes::from(stream_body("fast"));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..STREAMS {
        let body = body.clone();
        let addr = gw.addr;
        tasks.spawn(async move { send(addr, "POST", "/v1/messages", &[], body).await });
    }
    let mut done = 0;
    let all = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(r) = tasks.join_next().await {
            let r = r.unwrap();
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            assert_eq!(r.body, reference.body, "every stream carries the same events");
            done += 1;
        }
    })
    .await;
    assert!(all.is_ok(), "only {done} of {STREAMS} streams completed in 60 s");
    assert_eq!(done, STREAMS);
    assert_eq!(
        max_held.load(Ordering::SeqCst),
        STREAMS,
        "all streams were open at once"
    );
    assert_healthy(gw.addr).await;
    assert_no_secret(&String::from_utf8_lossy(&reference.body));
}

// ---- broken upstream streams and odd optional fields ---------------------------

const FIRST: &str = r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}

"#;

async fn sse_upstream(body: &'static str) -> CaptureServer {
    CaptureServer::start(move |_, _| Upstream::new(200, "text/event-stream", body))
        .await
        .unwrap()
}

#[tokio::test]
async fn garbage_or_truncated_upstream_streams_end_with_a_typed_error_event() {
    log_lines();
    let garbage_after_first: &'static str =
        Box::leak(format!("{FIRST}data: {{\"choices\": [ garbage\n\n").into_boxed_str());
    let truncated: &'static str = Box::leak(FIRST.to_owned().into_boxed_str());
    let cut_mid_json: &'static str =
        Box::leak(format!("{FIRST}data: {{\"id\":\"c1\",\"choi").into_boxed_str());
    for (name, body) in [
        ("garbage", garbage_after_first),
        ("truncated", truncated),
        ("cut", cut_mid_json),
    ] {
        let upstream = sse_upstream(body).await;
        let gw = start(&openai_config(&upstream.url())).await;
        let r = send(gw.addr, "POST", "/v1/messages", &[], stream_body("fast")).await;
        assert_eq!(r.status, 200, "{name}: the stream had started");
        let text = String::from_utf8_lossy(&r.body).into_owned();
        assert!(text.starts_with("event: message_start\n"), "{name}: {text}");
        let (kind, _) = r.sse_error_type();
        assert!(
            ["api_error", "invalid_request_error", "overloaded_error"].contains(&kind.as_str()),
            "{name}: {kind}"
        );
        assert!(!text.contains("event: message_stop"), "{name}: {text}");
        assert_no_secret(&reply_text(&r));
        assert_healthy(gw.addr).await;
    }
    // Garbage before any event: nothing was sent yet, so a typed JSON error.
    let upstream = sse_upstream("data: {not json\n\n").await;
    let gw = start(&openai_config(&upstream.url())).await;
    let r = send(gw.addr, "POST", "/v1/messages", &[], stream_body("fast")).await;
    assert!(r.status.is_server_error(), "{}", reply_text(&r));
    let v = r.json();
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(v["error"]["type"], "api_error", "{v}");
    assert_no_secret(&reply_text(&r));
    // A whole reply that is not JSON: a typed error too.
    let upstream = CaptureServer::start(|_, _| Upstream::json(200, "{\"choices\": [tru"))
        .await
        .unwrap();
    let gw = start(&openai_config(&upstream.url())).await;
    let r = post_demo(gw.addr, "fast").await;
    assert!(r.status.is_server_error(), "{}", reply_text(&r));
    assert_eq!(r.json()["error"]["type"], "api_error");
    assert_no_secret(&reply_text(&r));
    assert_healthy(gw.addr).await;
}

#[tokio::test]
async fn upstream_optional_fields_filled_with_empty_values() {
    log_lines();
    // Every optional field present but empty: "" strings, {} objects, [] lists.
    let whole = r#"{"id":"","object":"chat.completion","created":1,"model":"","system_fingerprint":"","service_tier":"",
        "choices":[{"index":0,"logprobs":{},"finish_reason":"stop","message":{"role":"assistant","content":"Hi there",
        "refusal":"","tool_calls":[],"annotations":[],"audio":{},"reasoning_content":""}}],
        "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{},"completion_tokens_details":{}}}"#;
    let upstream = CaptureServer::start(move |_, _| Upstream::json(200, whole))
        .await
        .unwrap();
    let gw = start(&openai_config(&upstream.url())).await;
    let r = post_demo(gw.addr, "fast").await;
    assert_eq!(r.status, 200, "{}", reply_text(&r));
    let message: anyllm::Message = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(message.model, "fast");
    let v = r.json();
    let content = v["content"].as_array().unwrap();
    assert_eq!(content.len(), 1, "no empty blocks: {v}");
    assert_eq!(content[0]["type"], "text");
    assert_eq!(content[0]["text"], "Hi there");
    assert_eq!(v["stop_reason"], "end_turn");
    assert_no_secret(&reply_text(&r));

    let stream = r#"data: {"id":"","object":"chat.completion.chunk","created":1,"model":"","system_fingerprint":"","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":"","tool_calls":[],"reasoning_content":""},"logprobs":{},"finish_reason":null}],"usage":{}}

data: {"id":"","object":"chat.completion.chunk","created":1,"model":"","choices":[{"index":0,"delta":{"content":"Hi there","tool_calls":[]},"logprobs":{},"finish_reason":null}]}

data: {"id":"","object":"chat.completion.chunk","created":1,"model":"","choices":[{"index":0,"delta":{},"logprobs":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{},"completion_tokens_details":{}}}

data: [DONE]

"#;
    let upstream = sse_upstream(stream).await;
    let gw = start(&openai_config(&upstream.url())).await;
    let r = send(gw.addr, "POST", "/v1/messages", &[], stream_body("fast")).await;
    assert_eq!(r.status, 200, "{}", reply_text(&r));
    let (events, _) = r.events();
    let text = String::from_utf8_lossy(&r.body).into_owned();
    assert!(!text.contains("event: error"), "{text}");
    assert_eq!(
        events.last().map(|e| e.type_name()),
        Some("message_stop"),
        "{text}"
    );
    assert!(text.contains("Hi there"), "{text}");
    // Exactly one content block, a text block.
    assert_eq!(text.matches("event: content_block_start").count(), 1, "{text}");
    assert_no_secret(&reply_text(&r));
    assert_healthy(gw.addr).await;
}

/// An upstream that reads the request and never answers; reports when its
/// peer closed the connection (bounded: 20 s).
async fn mute_upstream() -> (String, tokio::sync::oneshot::Receiver<()>) {
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
    let url = serve_first(|mut sock| async move {
        let mut buf = [0u8; 256];
        let r = tokio::time::timeout(Duration::from_secs(20), sock.read(&mut buf)).await;
        if matches!(r, Ok(Ok(0) | Err(_))) {
            let _ = closed_tx.send(());
        }
    })
    .await;
    (url, closed_rx)
}

// A client that goes away while the gateway still waits for the upstream's
// first byte (whole reply or stream): the upstream request is cancelled too.
#[tokio::test]
async fn a_client_disconnect_before_the_first_byte_cancels_the_upstream() {
    log_lines();
    for stream in [false, true] {
        let (url, closed) = mute_upstream().await;
        let gw = start(&openai_config(&url)).await;
        let metrics = tokio::runtime::Handle::current().metrics();
        let baseline = metrics.num_alive_tasks();
        let body = if stream {
            stream_body("fast")
        } else {
            serde_json::to_string(&demo_params("fast")).unwrap()
        };
        let sock = write_post(gw.addr, &body).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(sock);
        assert_upstream_cancelled(gw.addr, closed, baseline, &format!("stream={stream}: ")).await;
    }
}

// An upstream that echoes the credential it received in its error message
// (OpenAI's 401 names the key it got): the gateway must not pass it on.
#[tokio::test]
async fn an_upstream_echoing_its_key_never_leaks_it() {
    log_lines();
    let upstream = CaptureServer::start(|_, req| {
        let auth = req.header("authorization").unwrap_or("").to_owned();
        let body = json!({"error": {"message": format!("Incorrect API key provided: {auth}"),
            "type": "invalid_request_error", "code": "invalid_api_key"}});
        Upstream::json(401, body.to_string())
    })
    .await
    .unwrap();
    let gw = start(&openai_config(&upstream.url())).await;
    for body in [
        serde_json::to_string(&demo_params("fast")).unwrap(),
        stream_body("fast"),
    ] {
        let r = send(gw.addr, "POST", "/v1/messages", &[], body).await;
        assert!(
            r.status.is_client_error() || r.status.is_server_error(),
            "{}",
            reply_text(&r)
        );
        assert_eq!(r.json()["type"], "error");
        assert_no_secret(&reply_text(&r));
    }
    assert!(upstream.requests()[0]
        .header("authorization")
        .is_some_and(|a| a.contains("sk-openai-upstream-secret")));
    assert_healthy(gw.addr).await;
    // The same echo as a provider error in the middle of a stream.
    let upstream = CaptureServer::start(|_, req| {
        let auth = req.header("authorization").unwrap_or("").to_owned();
        let error = json!({"error": {"message": format!("key {auth} revoked"), "type": "server_error"}});
        Upstream::new(200, "text/event-stream", format!("{FIRST}data: {error}\n\n"))
    })
    .await
    .unwrap();
    let gw = start(&openai_config(&upstream.url())).await;
    let r = send(gw.addr, "POST", "/v1/messages", &[], stream_body("fast")).await;
    assert_eq!(r.status, 200);
    r.sse_error_type();
    assert!(
        String::from_utf8_lossy(&r.body).contains("revoked"),
        "{}",
        reply_text(&r)
    );
    assert_no_secret(&reply_text(&r));
}

#[tokio::test]
async fn deeply_nested_json_is_a_typed_400() {
    log_lines();
    let gw = start("").await;
    let deep = "[".repeat(100_000);
    let in_a_field = format!(
        "{{\"model\":\"x\",\"max_tokens\":5,\"messages\":[],\"metadata\":{}{}}}",
        "{\"a\":".repeat(50_000),
        "}".repeat(50_000)
    );
    for body in [deep, in_a_field] {
        let r = send(gw.addr, "POST", "/v1/messages", &[], body).await;
        r.assert_error(400, "invalid_request_error");
    }
    assert_healthy(gw.addr).await;
}

// Headers complete, then the body stalls: cut off like a slow header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_cut_off() {
    log_lines();
    let gateway = anyllm_server::Gateway::new(anyllm_server::Config::default(), anyllm::MapEnv::new(ENV))
        .unwrap()
        .with_header_timeout(Duration::from_millis(300));
    let gw = start_gateway(gateway).await;
    let mut sock = TcpStream::connect(gw.addr).await.unwrap();
    sock.write_all(b"POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"model\":")
        .await
        .unwrap();
    let (status, text) = read_response(&mut sock).await;
    assert_eq!(status, 408, "{text}");
    assert!(
        text.contains("invalid_request_error") && text.contains("stalled"),
        "{text}"
    );
    assert_healthy(gw.addr).await;
}

#[tokio::test]
async fn gemini_optional_fields_filled_with_empty_values() {
    log_lines();
    let whole = r#"{"candidates":[{"content":{"role":"model","parts":[{"text":""},{"text":"Hi there","thoughtSignature":""}]},
        "finishReason":"STOP","finishMessage":"","index":0,"safetyRatings":[],"citationMetadata":{},"groundingMetadata":{},
        "urlContextMetadata":{}}],"promptFeedback":{},"usageMetadata":{},"modelVersion":"","responseId":""}"#;
    let upstream = CaptureServer::start(move |_, _| Upstream::json(200, whole))
        .await
        .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.gemini]\napi_key_env = \"GEMINI_TEST_KEY\"\napi_base = \"{}\"\n\
         [models.\"flash\"]\ntargets = [\"gemini:gemini-2.5-flash\"]\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let r = post_demo(gw.addr, "flash").await;
    assert_eq!(r.status, 200, "{}", reply_text(&r));
    let message: anyllm::Message = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(message.model, "flash");
    let v = r.json();
    let texts: Vec<&str> = v["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["text"].as_str())
        .collect();
    assert_eq!(texts.concat(), "Hi there", "{v}");
    assert_eq!(v["stop_reason"], "end_turn", "{v}");
    assert_no_secret(&reply_text(&r));
    assert_healthy(gw.addr).await;
}

// The HTTP/2 keep-alive that drops silent peers keeps a live client's long
// stream: its client acknowledges the pings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_client_keeps_a_long_stream_past_the_header_timeout() {
    log_lines();
    let (url, _closed) = slow_upstream().await;
    let config = anyllm_server::Config::from_toml(&openai_config(&url)).unwrap();
    let gateway = anyllm_server::Gateway::new(config, anyllm::MapEnv::new(ENV))
        .unwrap()
        .with_header_timeout(Duration::from_millis(100));
    let gw = start_gateway(gateway).await;
    let sock = TcpStream::connect(gw.addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(hyper_util::rt::TokioExecutor::new(), TokioIo::new(sock))
            .await
            .unwrap();
    tokio::spawn(conn);
    let req = http::Request::post(format!("http://{}/v1/messages", gw.addr))
        .body(Full::new(Bytes::from(stream_body("fast"))))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    let started = tokio::time::Instant::now();
    let mut ticks = 0;
    // 1 s of stream: ten times the header timeout.
    while started.elapsed() < Duration::from_secs(1) {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .unwrap()
            .expect("the stream ended early")
            .unwrap();
        ticks += String::from_utf8_lossy(&frame.into_data().unwrap())
            .matches("tick ")
            .count();
    }
    assert!(ticks >= 10, "{ticks}");
    let health = http::Request::get(format!("http://{}/health", gw.addr))
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(sender.send_request(health).await.unwrap().status(), 200);
}

#[test]
fn the_gateway_debug_shows_no_key() {
    let toml = "[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\n[[keys]]\nname = \"a\"\nkey_env = \"TEAM_A_KEY\"\n";
    let config = anyllm_server::Config::from_toml(toml).unwrap();
    let gateway = anyllm_server::Gateway::new(config, anyllm::MapEnv::new(ENV)).unwrap();
    let debug = format!("{gateway:?}");
    for (_, value) in ENV {
        assert!(!debug.contains(value), "{debug}");
    }
}
