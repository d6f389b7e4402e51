//! Every stream ends, and holds memory only when asked: the whole-call
//! deadline covers a stream's body, only data (not SSE comments or pings)
//! restarts the idle limit, the accumulated message is capped, and a stream
//! read for its events only keeps no message (issue 10, points 1 and 4).
//! Loopback servers on 127.0.0.1; virtual time where a timer is involved.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use anyllm::{Client, Error, MapEnv, MessageCreateParams, MessageParam};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const START: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
const PING: &str = "event: ping\ndata: {\"type\":\"ping\"}\n\n";
const COMMENT: &str = ": keep-alive\n\n";
const END: &str = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

fn text(t: &str) -> String {
    format!(
        "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"{t}\"}}}}\n\n"
    )
}

/// What the server sends after the head: each chunk after its delay
/// (seconds); then, when `forever` is set, that chunk every `gap` seconds
/// until the client goes away.
struct Script {
    chunks: Vec<(u64, String)>,
    forever: Option<(u64, String)>,
}

/// An SSE server on 127.0.0.1 playing `script` to every connection.
async fn serve(script: Script) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let script = std::sync::Arc::new(script);
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let script = script.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = conn.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nrequest-id: req_1\r\nconnection: close\r\n\r\n";
                if conn.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for (delay, chunk) in &script.chunks {
                    tokio::time::sleep(Duration::from_secs(*delay)).await;
                    if conn.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
                if let Some((gap, chunk)) = &script.forever {
                    loop {
                        tokio::time::sleep(Duration::from_secs(*gap)).await;
                        if conn.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn client(url: &str, timeout: Option<Duration>) -> Client {
    Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "sk-ant-test")]))
        .api_base("anthropic", url)
        .timeout(timeout)
        .max_retries(0)
        .build()
        .unwrap()
}

fn params() -> MessageCreateParams {
    anyllm::params("claude-haiku-4-5", 64, vec![MessageParam::user("hi")])
}

/// Reads the stream to its end; the error that ended it (none: `Ok`), how
/// many events came before, and the virtual time it took. A stream that
/// never ends fails the test (after ten virtual hours).
async fn drain(mut stream: anyllm::MessageStream) -> (Result<(), Error>, usize, Duration) {
    let start = tokio::time::Instant::now();
    let mut n = 0;
    let outcome = tokio::time::timeout(Duration::from_secs(36_000), async {
        while let Some(ev) = stream.next_event().await {
            ev?;
            n += 1;
        }
        Ok(())
    })
    .await
    .expect("the stream never ended");
    (outcome, n, start.elapsed())
}

fn timeout_phase(e: &Error) -> Option<(messages_http::TimeoutPhase, Duration)> {
    match e {
        Error::Http(messages_http::Error::Timeout { phase, after }) => Some((*phase, *after)),
        _ => None,
    }
}

#[tokio::test(start_paused = true)]
async fn sse_comments_and_pings_do_not_keep_a_stalled_stream_alive() {
    use messages_http::TimeoutPhase;
    for keep_alive in [COMMENT, PING] {
        // Data once, then only keep-alives every 10 s: under the 120 s byte
        // idle limit forever, but no data after the start.
        let url = serve(Script {
            chunks: vec![(0, START.to_owned())],
            forever: Some((10, keep_alive.to_owned())),
        })
        .await;
        let stream = client(&url, None).messages(&params()).stream().await.unwrap();
        let (outcome, n, took) = drain(stream).await;
        let e = outcome.unwrap_err();
        assert_eq!(
            timeout_phase(&e),
            Some((TimeoutPhase::Idle, Duration::from_secs(120))),
            "{keep_alive:?}: {e}"
        );
        assert!(n >= 2, "the data events came first");
        assert!(
            took < Duration::from_secs(200),
            "{keep_alive:?}: ended after {took:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn data_restarts_the_idle_limit() {
    // A text delta every 100 s (under 120 s) for 1,000 s, then the end.
    let mut chunks = vec![(0, START.to_owned())];
    chunks.extend((0..10).map(|i| (100, text(&format!("t{i}")))));
    chunks.push((0, END.to_owned()));
    let url = serve(Script {
        chunks,
        forever: None,
    })
    .await;
    let message = client(&url, None)
        .messages(&params())
        .stream()
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(message.text(), "t0t1t2t3t4t5t6t7t8t9");
}

#[tokio::test(start_paused = true)]
async fn the_timeout_covers_the_whole_stream_per_client_and_per_call() {
    use messages_http::TimeoutPhase;
    // Data every 10 s forever: no idle limit ever fires.
    let endless = || Script {
        chunks: vec![(0, START.to_owned())],
        forever: Some((10, text("more"))),
    };
    // Per client.
    let url = serve(endless()).await;
    let stream = client(&url, Some(Duration::from_secs(45)))
        .messages(&params())
        .stream()
        .await
        .unwrap();
    let (outcome, n, took) = drain(stream).await;
    let e = outcome.unwrap_err();
    assert_eq!(
        timeout_phase(&e),
        Some((TimeoutPhase::Request, Duration::from_secs(45))),
        "{e}"
    );
    assert!(n >= 4, "{n} events before the deadline");
    assert!(took < Duration::from_secs(60), "{took:?}");

    // Per call, overriding the client's.
    let url = serve(endless()).await;
    let stream = client(&url, Some(Duration::from_secs(45)))
        .messages(&params())
        .timeout(Duration::from_secs(25))
        .stream()
        .await
        .unwrap();
    let (outcome, _, took) = drain(stream).await;
    let e = outcome.unwrap_err();
    assert_eq!(
        timeout_phase(&e),
        Some((TimeoutPhase::Request, Duration::from_secs(25))),
        "{e}"
    );
    assert!(took < Duration::from_secs(30), "{took:?}");

    // The default is the SDK's 10 minutes.
    let url = serve(endless()).await;
    let stream = Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "sk-ant-test")]))
        .api_base("anthropic", &url)
        .max_retries(0)
        .build()
        .unwrap()
        .messages(&params())
        .stream()
        .await
        .unwrap();
    let (outcome, _, _) = drain(stream).await;
    let e = outcome.unwrap_err();
    assert_eq!(
        timeout_phase(&e),
        Some((TimeoutPhase::Request, anyllm::DEFAULT_TIMEOUT)),
        "{e}"
    );
}

/// `n` text deltas of 100 bytes each, complete.
fn long_text(n: usize) -> Script {
    let mut chunks = vec![(0, START.to_owned())];
    chunks.extend((0..n).map(|_| (0, text(&"x".repeat(100)))));
    chunks.push((0, END.to_owned()));
    Script {
        chunks,
        forever: None,
    }
}

#[tokio::test]
async fn the_accumulated_message_is_capped_with_a_typed_error() {
    let url = serve(long_text(50)).await;
    let err = client(&url, None)
        .messages(&params())
        .stream()
        .await
        .unwrap()
        .max_message_bytes(1_000)
        .final_message()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Http(messages_http::Error::BodyTooLarge { limit: 1_000 })
        ),
        "{err:?}"
    );
    // Under the cap, the same stream completes.
    let url = serve(long_text(5)).await;
    let m = client(&url, None)
        .messages(&params())
        .stream()
        .await
        .unwrap()
        .max_message_bytes(1_000)
        .final_message()
        .await
        .unwrap();
    assert_eq!(m.text().len(), 500);
}

#[tokio::test]
async fn reading_events_only_keeps_no_message() {
    // The same 5,000 bytes under a 1,000-byte cap: it would fail if the
    // stream still accumulated.
    let url = serve(long_text(50)).await;
    let mut stream = client(&url, None)
        .messages(&params())
        .stream()
        .await
        .unwrap()
        .max_message_bytes(1_000)
        .without_accumulation();
    assert!(!stream.is_accumulating());
    let mut n = 0;
    while let Some(ev) = stream.next_event().await {
        ev.unwrap();
        n += 1;
    }
    assert_eq!(n, 2 + 50 + 3);
    assert!(stream.snapshot().is_none());
    let err = stream.final_message().await.unwrap_err();
    assert!(matches!(err, Error::Stream(_)), "{err:?}");
}
