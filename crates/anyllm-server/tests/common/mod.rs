//! Shared helpers: the gateway on 127.0.0.1 and a plain hyper HTTP/1 client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use anyllm::{MapEnv, MessageCreateParams, StreamEvent};
use anyllm_fixtures::{load, project_fixtures_dir, Exchange};
use anyllm_server::{serve, Config, Gateway};
use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use messages_http::SseParser;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

pub mod configs;
pub mod log_capture;
pub mod raw_client;
pub mod raw_upstream;
pub mod sdk;
pub mod tasks;
pub mod upstreams;

pub fn fixture(name: &str) -> Exchange {
    load(&project_fixtures_dir(), name).unwrap()
}

pub fn demo_params(model: &str) -> MessageCreateParams {
    let text = std::fs::read_to_string(project_fixtures_dir().join("demo_request.json")).unwrap();
    let mut params: MessageCreateParams = serde_json::from_str(&text).unwrap();
    model.clone_into(&mut params.model);
    params
}

pub const ENV: [(&str, &str); 5] = [
    ("OPENAI_TEST_KEY", "sk-openai-upstream-secret"),
    ("GEMINI_TEST_KEY", "AIza-upstream-secret"),
    ("ANTHROPIC_TEST_KEY", "sk-ant-upstream-secret"),
    ("TEAM_A_KEY", "client-key-a"),
    ("TEAM_B_KEY", "client-key-b"),
];

/// A running gateway; dropping it stops the server.
pub struct Running {
    pub addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

pub async fn start(toml: &str) -> Running {
    let config = Config::from_toml(toml).unwrap();
    let gateway = Gateway::new(config, MapEnv::new(ENV)).unwrap();
    start_gateway(gateway).await
}

pub async fn start_gateway(gateway: Gateway) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve(listener, Arc::new(gateway), async move {
        let _ = stopped.await;
    }));
    Running { addr, _stop: stop }
}

/// One request over a fresh HTTP/1 connection; the response with its body unread.
pub async fn send_raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> http::Response<hyper::body::Incoming> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(body.into())).unwrap();
    sender.send_request(req).await.unwrap()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an Anthropic error body of `kind` with `status`; returns its message.
    pub fn assert_error(&self, status: u16, kind: &str) -> String {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        let v = self.json();
        assert_eq!(v["type"], "error");
        assert_eq!(v["error"]["type"], kind, "{v}");
        assert!(self.header("request-id").is_some_and(|id| id.starts_with("req_")));
        v["error"]["message"].as_str().unwrap().to_owned()
    }

    /// The body's SSE `error` event (asserted present, of type `error`): its
    /// `error.type`, and the whole event for messages.
    pub fn sse_error_type(&self) -> (String, serde_json::Value) {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        let data = text
            .split("event: error\ndata: ")
            .nth(1)
            .unwrap_or_else(|| panic!("no error event in {text}"));
        let v: serde_json::Value = serde_json::from_str(data.lines().next().unwrap()).unwrap();
        assert_eq!(v["type"], "error", "{v}");
        (v["error"]["type"].as_str().unwrap().to_owned(), v)
    }

    /// The SSE body parsed back into Anthropic events (pings dropped, counted).
    pub fn events(&self) -> (Vec<StreamEvent>, usize) {
        let mut parser = SseParser::new();
        parser.feed(&self.body);
        let mut events = Vec::new();
        let mut pings = 0;
        while let Some(ev) = parser.next_event().unwrap() {
            let name = ev.event.clone().unwrap_or_default();
            let parsed: StreamEvent = serde_json::from_slice(&ev.data).unwrap();
            assert_eq!(parsed.type_name(), name, "event: line names the data's type");
            if name == "ping" {
                pings += 1;
            } else {
                events.push(parsed);
            }
        }
        (events, pings)
    }
}

pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Reply {
    let resp = send_raw(addr, method, path, headers, body).await;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// `POST /v1/messages` of the demo request for `alias` (not streamed).
pub async fn post_demo(addr: SocketAddr, alias: &str) -> Reply {
    post_json(
        addr,
        "/v1/messages",
        &serde_json::to_value(demo_params(alias)).unwrap(),
    )
    .await
}

pub async fn post_json(addr: SocketAddr, path: &str, body: &serde_json::Value) -> Reply {
    send(
        addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}
