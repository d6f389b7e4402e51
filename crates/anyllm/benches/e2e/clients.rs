//! The three clients compared: anyllm, a simple hand-written client
//! (hyper + `serde_json::Value`) and the floor (hyper + `IgnoredAny`).

use anyllm::{Client, MapEnv};
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::cases::Case;

/// Which client a measurement is of.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Which {
    /// hyper + serde validating with `IgnoredAny`.
    Floor,
    /// hyper + serde_json into `Value`.
    Simple,
    /// The real anyllm client, reading every event of a stream.
    Anyllm,
    /// The real anyllm client, `final_message()` of a stream (events read
    /// and accumulated into the `Message`); streams only.
    AnyllmFinal,
}

impl Which {
    /// All three, in table order.
    pub const ALL: [Which; 4] = [Which::Anyllm, Which::AnyllmFinal, Which::Simple, Which::Floor];

    /// Column name.
    pub fn name(self) -> &'static str {
        match self {
            Which::Floor => "floor",
            Which::Simple => "simple",
            Which::Anyllm => "anyllm",
            Which::AnyllmFinal => "final",
        }
    }
}

type Hyper = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

/// The clients, built once, pointing at the replay server.
pub struct Clients {
    hyper: Hyper,
    anyllm: Vec<Client>,
    base: String,
    floor_requests: Vec<Bytes>,
}

impl Clients {
    /// Builds the clients for `cases` against the server at `base`.
    pub fn new(base: &str, cases: &[Case]) -> Result<Self, String> {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        let hyper = hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(http);
        let mut anyllm = Vec::new();
        let mut floor_requests = Vec::new();
        for (i, c) in cases.iter().enumerate() {
            let client = Client::builder()
                .env(MapEnv::empty())
                .api_key(c.provider, "bench-key")
                .api_base(c.provider, format!("{base}/c{i}{}", c.base_path))
                .max_retries(0)
                .build()
                .map_err(|e| e.to_string())?;
            anyllm.push(client);
            floor_requests.push(Bytes::from(
                serde_json::to_vec(&c.native_request).map_err(|e| e.to_string())?,
            ));
        }
        Ok(Self {
            hyper,
            anyllm,
            base: base.to_owned(),
            floor_requests,
        })
    }

    /// One request of case `i` with client `which`; returns how many
    /// payloads (SSE data lines, content blocks or events) it read, so each
    /// client is seen to do the whole job.
    pub async fn call(&self, which: Which, i: usize, case: &Case) -> Result<usize, String> {
        match which {
            Which::Anyllm => self.call_anyllm(i, case).await,
            Which::AnyllmFinal => {
                let stream = self.anyllm[i]
                    .messages(&case.params)
                    .stream()
                    .await
                    .map_err(|e| e.to_string())?;
                let msg = stream.final_message().await.map_err(|e| e.to_string())?;
                Ok(msg.content.len())
            }
            Which::Simple => {
                // A hand-written client serializes its request each time.
                let body = serde_json::to_vec(&case.native_request).map_err(|e| e.to_string())?;
                self.call_hyper(i, case, Bytes::from(body), parse_value).await
            }
            Which::Floor => {
                let body = self.floor_requests[i].clone();
                self.call_hyper(i, case, body, parse_ignored).await
            }
        }
    }

    async fn call_anyllm(&self, i: usize, case: &Case) -> Result<usize, String> {
        let client = &self.anyllm[i];
        if case.stream {
            let mut stream = client
                .messages(&case.params)
                .stream()
                .await
                .map_err(|e| e.to_string())?;
            let mut n = 0;
            while let Some(ev) = stream.next_event().await {
                ev.map_err(|e| e.to_string())?;
                n += 1;
            }
            Ok(n)
        } else {
            let msg = client.messages(&case.params).await.map_err(|e| e.to_string())?;
            Ok(msg.content.len())
        }
    }

    async fn call_hyper(
        &self,
        i: usize,
        case: &Case,
        body: Bytes,
        parse: fn(&[u8]) -> Result<(), serde_json::Error>,
    ) -> Result<usize, String> {
        let req = http::Request::post(format!("{}/c{i}{}", self.base, case.native_path))
            .header("content-type", "application/json")
            .header("authorization", "Bearer bench-key")
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let resp = self.hyper.request(req).await.map_err(|e| e.to_string())?;
        if !resp.status().is_success() {
            return Err(format!("status {}", resp.status()));
        }
        let mut body = resp.into_body();
        if !case.stream {
            let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
            parse(&bytes).map_err(|e| e.to_string())?;
            return Ok(1);
        }
        // SSE: split lines, parse each `data:` payload (except `[DONE]`).
        let mut buf = BytesMut::new();
        let mut n = 0;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| e.to_string())?;
            let Ok(data) = frame.into_data() else { continue };
            buf.extend_from_slice(&data);
            let mut start = 0;
            while let Some(nl) = memchr::memchr(b'\n', &buf[start..]) {
                let line = &buf[start..start + nl];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if let Some(payload) = line.strip_prefix(b"data:") {
                    let payload = payload.strip_prefix(b" ").unwrap_or(payload);
                    if payload != b"[DONE]" {
                        parse(payload).map_err(|e| e.to_string())?;
                        n += 1;
                    }
                }
                start += nl + 1;
            }
            let _ = buf.split_to(start);
        }
        Ok(n)
    }
}

fn parse_value(b: &[u8]) -> Result<(), serde_json::Error> {
    let v: Value = serde_json::from_slice(b)?;
    std::hint::black_box(v);
    Ok(())
}

fn parse_ignored(b: &[u8]) -> Result<(), serde_json::Error> {
    serde_json::from_slice::<IgnoredAny>(b).map(|_| ())
}
