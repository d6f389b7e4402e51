//! Reading a streamed reply frame by frame from a raw HTTP/1 response body
//! (`send_raw`), bounded in time and frames.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::demo_params;

/// The demo request for `alias` with `"stream": true`, as JSON text.
pub fn stream_body(alias: &str) -> String {
    let mut params = demo_params(alias);
    params.stream = Some(true);
    serde_json::to_string(&params).unwrap()
}

/// Reads frames of `body` (at most `max_frames`, each within 5 s) until
/// `done` holds for the text read so far; returns the bytes read. The caller
/// asserts what it waited for.
pub async fn read_until(body: &mut Incoming, max_frames: usize, done: impl Fn(&str) -> bool) -> Vec<u8> {
    let mut got = Vec::new();
    for _ in 0..max_frames {
        if done(&String::from_utf8_lossy(&got)) {
            break;
        }
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("no frame within 5 s")
            .expect("the body ended early")
            .unwrap();
        got.extend_from_slice(&frame.into_data().unwrap());
    }
    got
}

/// The rest of `body`, which must end within 5 s.
pub async fn read_rest(body: Incoming) -> Bytes {
    tokio::time::timeout(Duration::from_secs(5), body.collect())
        .await
        .expect("the body did not end within 5 s")
        .unwrap()
        .to_bytes()
}

/// Connects to `addr` and writes a `POST /v1/messages` of `body` (JSON, by
/// `content-length`); returns the socket, nothing read from it.
pub async fn write_post(addr: std::net::SocketAddr, body: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    sock.write_all(body.as_bytes()).await.unwrap();
    sock
}
