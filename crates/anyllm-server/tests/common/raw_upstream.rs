//! A hand-driven OpenAI-compatible upstream on 127.0.0.1: the test decides
//! what it writes and when (silences, failures, floods), which the replay
//! servers cannot. The chunk shapes are OpenAI's chat-completion stream
//! (`fixtures/openai/demo_stream.json`).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The response head of a streamed reply.
pub const SSE_HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";

/// One SSE `data:` frame as an HTTP chunk.
pub fn chunk(data: &str) -> Vec<u8> {
    let frame = format!("data: {data}\n\n");
    format!("{:x}\r\n{frame}\r\n", frame.len()).into_bytes()
}

/// A content delta carrying `text`.
pub fn delta(text: &str) -> Vec<u8> {
    chunk(
        &serde_json::json!({
            "id": "chatcmpl-raw", "object": "chat.completion.chunk", "created": 1,
            "model": "gpt-4.1-mini",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": null}],
        })
        .to_string(),
    )
}

/// The stop chunk, `[DONE]` and the end of the chunked body.
pub fn finish() -> Vec<u8> {
    let mut out = chunk(
        r#"{"id":"chatcmpl-raw","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
    );
    out.extend_from_slice(&chunk("[DONE]"));
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Whether `got` holds a whole HTTP/1 message: its head and the
/// `content-length` bytes of body (none without the header).
pub fn is_whole_message(got: &[u8]) -> bool {
    got.windows(4).position(|w| w == b"\r\n\r\n").is_some_and(|end| {
        let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        got.len() >= end + 4 + len
    })
}

/// Reads one request (head + `content-length` body), bounded.
pub async fn read_request(sock: &mut TcpStream) {
    let mut got = Vec::new();
    let mut buf = [0u8; 16384];
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let n = sock.read(&mut buf).await.unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
            if is_whole_message(&got) {
                return;
            }
        }
    })
    .await
    .unwrap();
}

/// Waits (at most `limit`) until the peer closes `sock`; `true` if it did.
pub async fn peer_closed(sock: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 256];
    tokio::time::timeout(limit, async {
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return true,
                Ok(_) => {}
            }
        }
    })
    .await
    .unwrap_or(false)
}

/// Serves the first connection with `handle` (after reading its request) in
/// a task of its own; the accept loop lives until the test's runtime ends.
/// Returns the base URL.
pub async fn serve_first<F, Fut>(handle: F) -> String
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut handle = Some(handle);
        while let Ok((mut sock, _)) = listener.accept().await {
            if let Some(h) = handle.take() {
                tokio::spawn(async move {
                    read_request(&mut sock).await;
                    h(sock).await;
                });
            }
        }
    });
    url
}

/// Writes `bytes`, ignoring a closed peer.
pub async fn write(sock: &mut TcpStream, bytes: &[u8]) {
    let _ = sock.write_all(bytes).await;
}

/// A whole `503 Service Unavailable` reply with an OpenAI error body.
pub fn unavailable() -> Vec<u8> {
    let body = r#"{"error":{"message":"unavailable","type":"server_error"}}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
