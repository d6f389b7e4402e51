//! The load generator: plain hyper HTTP/1.1 connections on loopback, one
//! request at a time per connection (keep-alive), timing each reply to its
//! last byte.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The client key both gateways are configured to require (LiteLLM refuses
/// to start without a master key; anyllm gets the same as a `[[keys]]` entry
/// so both pay for authentication).
pub const CLIENT_KEY: &str = "sk-bench-5f0c8e1a9b2d4c7e8f1a3b5c7d9e0f2a4b6c8d0e";

/// Where requests go and what they carry.
#[derive(Clone, Debug)]
pub struct Target {
    /// Shown in the table and errors.
    pub name: String,
    /// The listening address.
    pub addr: SocketAddr,
    /// The request path (`/v1/messages` or `/v1/chat/completions`).
    pub path: String,
    /// The whole-reply request body.
    pub whole: Bytes,
    /// The streamed-reply request body.
    pub stream: Bytes,
    /// The idle-stream request body (its upstream stays silent).
    pub idle: Bytes,
    /// Bytes a good whole reply contains.
    pub whole_marker: &'static [u8],
    /// Bytes a good, complete stream contains.
    pub stream_marker: &'static [u8],
}

/// Which of a target's requests to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole JSON reply.
    Whole,
    /// An SSE stream.
    Stream,
}

/// One open keep-alive connection.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
}

impl Conn {
    /// Opens a connection to `addr`.
    pub async fn open(addr: SocketAddr) -> Result<Self, String> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(|e| format!("handshake with {addr}: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Self { sender })
    }

    /// `GET path`: Ok when the status is a success.
    pub async fn get(&mut self, path: &str) -> Result<(), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let req = hyper::Request::get(path)
            .header(hyper::header::HOST, "127.0.0.1")
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        let resp = self.sender.send_request(req).await.map_err(|e| e.to_string())?;
        let ok = resp.status().is_success();
        let _ = resp.into_body().collect().await;
        if ok {
            Ok(())
        } else {
            Err(format!("GET {path}: not healthy"))
        }
    }

    async fn send(
        &mut self,
        target: &Target,
        body: Bytes,
    ) -> Result<hyper::Response<hyper::body::Incoming>, String> {
        self.sender
            .ready()
            .await
            .map_err(|e| format!("{}: connection closed: {e}", target.name))?;
        let req = hyper::Request::post(target.path.as_str())
            .header(hyper::header::HOST, target.addr.to_string())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header("anthropic-version", "2023-06-01")
            .header("x-api-key", CLIENT_KEY)
            .header(hyper::header::AUTHORIZATION, format!("Bearer {CLIENT_KEY}"))
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let resp = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| format!("{}: {e}", target.name))?;
        if !resp.status().is_success() {
            let status = resp.status();
            let body = resp
                .into_body()
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&body);
            return Err(format!(
                "{}: status {status}: {}",
                target.name,
                text.chars().take(300).collect::<String>()
            ));
        }
        Ok(resp)
    }

    /// Sends one request and reads its reply to the end: the time taken.
    pub async fn timed(&mut self, target: &Target, kind: Kind) -> Result<Duration, String> {
        let (body, marker) = match kind {
            Kind::Whole => (target.whole.clone(), target.whole_marker),
            Kind::Stream => (target.stream.clone(), target.stream_marker),
        };
        let started = Instant::now();
        let resp = self.send(target, body).await?;
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{}: reading the reply: {e}", target.name))?
            .to_bytes();
        let took = started.elapsed();
        if !contains(&bytes, marker) {
            return Err(format!(
                "{}: the {kind:?} reply lacks {:?}: {}",
                target.name,
                String::from_utf8_lossy(marker),
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(300)
                    .collect::<String>()
            ));
        }
        Ok(took)
    }

    /// Opens an idle stream: returns once the first body bytes arrived,
    /// with the body still open (drop or drain it to finish).
    pub async fn open_idle(self, target: &Target) -> Result<IdleStream, String> {
        let mut conn = self;
        let resp = conn.send(target, target.idle.clone()).await?;
        let mut body = resp.into_body();
        loop {
            match body.frame().await {
                Some(Ok(f)) if f.data_ref().is_some_and(|d| !d.is_empty()) => break,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("{}: idle stream: {e}", target.name)),
                None => return Err(format!("{}: the idle stream ended at once", target.name)),
            }
        }
        Ok(IdleStream { _conn: conn, body })
    }
}

/// An open stream whose first bytes arrived.
pub struct IdleStream {
    _conn: Conn,
    body: hyper::body::Incoming,
}

impl IdleStream {
    /// Reads the rest of the stream.
    pub async fn drain(mut self) -> Result<(), String> {
        while let Some(f) = self.body.frame().await {
            f.map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}
