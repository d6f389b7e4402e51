//! The replay upstream: a minimal hyper server on 127.0.0.1 answering every
//! `POST …/chat/completions` with a hand-written OpenAI Chat Completions
//! reply (the shape of the recorded `openai/` traffic in the shared
//! fixtures, shortened): a whole JSON body, or, with `"stream": true`, the
//! usual `chat.completion.chunk` SSE events ending in a usage chunk and
//! `data: [DONE]`.
//!
//! The model name `idle` asks for a stream that sends its first chunk and
//! then stays silent until [`Upstream::release`] (or a deadline): the idle
//! streams of the memory measurement.
//!
//! It runs on its own current-thread runtime and thread, so the load
//! generator's runtime never waits behind it.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The longest an idle stream stays open without a release.
const IDLE_DEADLINE: Duration = Duration::from_secs(900);

type Body = UnsyncBoxBody<Bytes, Infallible>;

const WHOLE: &str = r#"{"id":"chatcmpl-bench","object":"chat.completion","created":1764460800,"model":"gpt-4.1-mini-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":9,"total_tokens":20,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_bench"}"#;

const PIECES: &[&str] = &["Hello", "!", " How", " can", " I", " help", " you", " today", "?"];

fn chunk(delta: &str, finish: Option<&str>) -> Bytes {
    let finish = finish.map_or_else(|| "null".to_owned(), |f| format!("\"{f}\""));
    Bytes::from(format!(
        "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1764460800,\"model\":\"gpt-4.1-mini-2025-04-14\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{finish}}}],\"usage\":null}}\n\n"
    ))
}

/// The first event of every stream: the role and the first piece of text.
fn first_chunk() -> Bytes {
    chunk(r#"{"role":"assistant","content":"","refusal":null}"#, None)
}

/// Everything after the first event.
fn rest_chunks() -> Vec<Bytes> {
    let mut out: Vec<Bytes> = PIECES
        .iter()
        .map(|p| chunk(&format!("{{\"content\":\"{p}\"}}"), None))
        .collect();
    out.push(chunk("{}", Some("stop")));
    out.push(Bytes::from_static(
        b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1764460800,\"model\":\"gpt-4.1-mini-2025-04-14\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":9,\"total_tokens\":20,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n",
    ));
    out.push(Bytes::from_static(b"data: [DONE]\n\n"));
    out
}

/// The running upstream; it stops when dropped.
pub struct Upstream {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    release: watch::Sender<bool>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Upstream {
    /// Binds a free port and serves on a thread of its own.
    pub fn start() -> Result<Self, String> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let (release, release_rx) = watch::channel(false);
        let (stop, stop_rx) = tokio::sync::oneshot::channel();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let thread = std::thread::Builder::new()
            .name("upstream".into())
            .spawn(move || rt.block_on(serve(listener, release_rx, stop_rx)))
            .map_err(|e| e.to_string())?;
        Ok(Self {
            url: format!("http://127.0.0.1:{port}"),
            release,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Lets every idle stream finish.
    pub fn release(&self) {
        let _ = self.release.send(true);
    }

    /// Makes later idle streams wait again.
    pub fn hold(&self) {
        let _ = self.release.send(false);
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.release();
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    release: watch::Receiver<bool>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let stream = tokio::select! {
            a = listener.accept() => match a {
                Ok((s, _)) => s,
                Err(_) => {
                    // Out of descriptors, most likely: wait a little.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = &mut stop => return,
        };
        let _ = stream.set_nodelay(true);
        let release = release.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| handle(req, release.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

async fn handle(
    req: hyper::Request<Incoming>,
    release: watch::Receiver<bool>,
) -> Result<hyper::Response<Body>, Infallible> {
    let ok_path = req.uri().path().ends_with("/chat/completions");
    let body = req
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if !ok_path || !request.is_object() {
        let mut r = hyper::Response::new(
            Full::new(Bytes::from_static(
                b"{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\"}}",
            ))
            .boxed_unsync(),
        );
        *r.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(r);
    }
    let stream = request["stream"].as_bool() == Some(true);
    let idle = request["model"].as_str() == Some("idle");
    let (body, content_type) = if !stream {
        (
            Full::new(Bytes::from_static(WHOLE.as_bytes())).boxed_unsync(),
            "application/json",
        )
    } else if !idle {
        let mut all = vec![first_chunk()];
        all.extend(rest_chunks());
        let frames = futures_util::stream::iter(all.into_iter().map(|b| Ok(Frame::data(b))));
        (StreamBody::new(frames).boxed_unsync(), "text/event-stream")
    } else {
        let first = futures_util::stream::once(async { Ok(Frame::data(first_chunk())) });
        let rest = futures_util::stream::once(async move {
            let mut release = release;
            let _ = tokio::time::timeout(IDLE_DEADLINE, release.wait_for(|r| *r)).await;
            futures_util::stream::iter(rest_chunks().into_iter().map(|b| Ok(Frame::data(b))))
        })
        .flatten();
        (
            StreamBody::new(first.chain(rest)).boxed_unsync(),
            "text/event-stream",
        )
    };
    let mut r = hyper::Response::new(body);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::super::client::{Conn, Kind};
    use super::super::gateways::direct_target;
    use super::*;

    /// The replay upstream answers whole and streamed requests (checked by
    /// the load generator's markers) and holds an idle stream until released.
    #[test]
    fn answers_whole_stream_and_idle() -> Result<(), String> {
        let up = Upstream::start()?;
        let addr = up
            .url
            .trim_start_matches("http://")
            .parse()
            .map_err(|e| format!("{e}"))?;
        let target = direct_target(addr);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async {
            let mut c = Conn::open(addr).await?;
            c.timed(&target, Kind::Whole).await?;
            c.timed(&target, Kind::Stream).await?;
            let idle = Conn::open(addr).await?.open_idle(&target).await?;
            let drain = tokio::spawn(idle.drain());
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(!drain.is_finished(), "the idle stream ended before its release");
            up.release();
            tokio::time::timeout(Duration::from_secs(10), drain)
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?
        })
    }
}
