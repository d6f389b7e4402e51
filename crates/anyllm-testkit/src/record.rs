//! [`RecordingTransport`]: records real traffic in the fixture format.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use anyllm_fixtures::{Exchange, QueryParam, RecordedRequest, RecordedResponse};
use base64::Engine as _;
use bytes::Bytes;
use futures_util::Stream;
use http::HeaderMap;
use messages_http::{is_sensitive_header, BoxFuture, Error, ResponseBody, Transport};
use serde_json::{Map, Value};

const REDACTED: &str = "[REDACTED]";

/// Wraps a [`Transport`] and records every exchange in the format of the
/// recorded fixtures (and of `fixtures/`), ready to be saved and replayed
/// with [`crate::ReplayServer`] / [`crate::ReplayTransport`].
///
/// Credentials are redacted: sensitive request headers (`x-api-key`,
/// `authorization`, …) and the `key` query parameter become `[REDACTED]`.
/// A streamed body is recorded as the consumer reads it, and the exchange is
/// stored when the body ends or is dropped.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use anyllm_testkit::{exchange, RecordingTransport, ReplayTransport};
/// use messages_http::HttpClient;
/// let upstream = ReplayTransport::new(vec![exchange("POST", "/v1/messages",
///     serde_json::json!({"model": "m"}), 200, "application/json", r#"{"ok":true}"#)]);
/// let recorder = RecordingTransport::new(Arc::new(upstream), "anthropic", "anthropic-messages");
/// let client = HttpClient::with_transport(recorder.clone());
/// let req = http::Request::post("http://h/v1/messages")
///     .header("x-api-key", "sk-secret").body(bytes::Bytes::from(r#"{"model":"m"}"#)).unwrap();
/// client.send(req).await.unwrap();
/// let ex = &recorder.exchanges()[0];
/// assert_eq!(ex.request.headers["x-api-key"], "[REDACTED]");
/// assert_eq!(ex.response.body.as_deref(), Some(r#"{"ok":true}"#));
/// # });
/// ```
#[derive(Clone)]
pub struct RecordingTransport {
    inner: Arc<dyn Transport>,
    log: Arc<Mutex<Vec<Exchange>>>,
    provider: String,
    api: String,
}

impl std::fmt::Debug for RecordingTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingTransport")
            .field("provider", &self.provider)
            .field("api", &self.api)
            .field("recorded", &self.exchanges().len())
            .finish()
    }
}

impl RecordingTransport {
    /// Records what passes through `inner`, labelling exchanges with
    /// `provider` (folder name) and `api` (wire API, e.g. `openai-chat`).
    pub fn new(inner: Arc<dyn Transport>, provider: &str, api: &str) -> Self {
        Self {
            inner,
            log: Arc::new(Mutex::new(Vec::new())),
            provider: provider.to_owned(),
            api: api.to_owned(),
        }
    }

    /// The exchanges recorded so far, in completion order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Writes each recorded exchange to `dir/<prefix>_<n>.json` (pretty JSON)
    /// and returns the paths.
    pub fn save(&self, dir: &std::path::Path, prefix: &str) -> std::io::Result<Vec<std::path::PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let mut paths = Vec::new();
        for (i, e) in self.exchanges().iter().enumerate() {
            let path = dir.join(format!("{prefix}_{i}.json"));
            let mut text = serde_json::to_string_pretty(e).map_err(std::io::Error::other)?;
            text.push('\n');
            std::fs::write(&path, text)?;
            paths.push(path);
        }
        Ok(paths)
    }
}

fn redacted_headers(h: &HeaderMap) -> Map<String, Value> {
    h.iter()
        .map(|(k, v)| {
            let value = if v.is_sensitive() || is_sensitive_header(k) {
                REDACTED.to_owned()
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (k.as_str().to_owned(), Value::String(value))
        })
        .collect()
}

fn query_of(q: Option<&str>) -> Vec<QueryParam> {
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            let value = if name == "key" { REDACTED } else { value };
            QueryParam {
                name: name.to_owned(),
                value: value.to_owned(),
            }
        })
        .collect()
}

impl Transport for RecordingTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>, Error>> {
        let recorded = RecordedRequest {
            method: request.method().as_str().to_owned(),
            path: request.uri().path().to_owned(),
            query: query_of(request.uri().query()),
            headers: redacted_headers(request.headers()),
            body: serde_json::from_slice(request.body())
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(request.body()).into_owned())),
        };
        Box::pin(async move {
            let resp = self.inner.send(request).await?;
            let (parts, body) = resp.into_parts();
            let content_type = parts
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let stream = ["text/event-stream", "ndjson", "eventstream"]
                .iter()
                .any(|t| content_type.contains(t));
            let pending = Exchange {
                origin: "recorded by anyllm_testkit::RecordingTransport".to_owned(),
                provider: self.provider.clone(),
                api: self.api.clone(),
                stream,
                request: recorded,
                response: RecordedResponse {
                    status: parts.status.as_u16(),
                    headers: redacted_headers(&parts.headers),
                    body: None,
                    body_base64: None,
                },
                file: String::new(),
            };
            let tee = Tee {
                inner: body,
                buf: Vec::new(),
                pending: Some(pending),
                log: self.log.clone(),
            };
            Ok(http::Response::from_parts(parts, ResponseBody::new(tee)))
        })
    }
}

/// Passes the body through while keeping a copy; stores the exchange at the
/// end of the body (or when dropped).
struct Tee {
    inner: ResponseBody,
    buf: Vec<u8>,
    pending: Option<Exchange>,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl Tee {
    fn store(&mut self) {
        if let Some(mut e) = self.pending.take() {
            let body = std::mem::take(&mut self.buf);
            match String::from_utf8(body) {
                Ok(text) => e.response.body = Some(text),
                Err(bin) => {
                    e.response.body_base64 =
                        Some(base64::engine::general_purpose::STANDARD.encode(bin.as_bytes()))
                }
            }
            self.log
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(e);
        }
    }
}

impl Stream for Tee {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = Pin::new(&mut self.inner).poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => self.buf.extend_from_slice(chunk),
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => self.store(),
            Poll::Pending => {}
        }
        polled
    }
}

impl Drop for Tee {
    fn drop(&mut self) {
        self.store();
    }
}
