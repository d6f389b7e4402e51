//! The gateway service: one request in, one Anthropic-shaped reply out.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyllm::{
    Client, CountTokensParams, Env, Error, ErrorKind, MessageCreateParams, RequestOptions, StreamEvent,
};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};

use crate::auth::{find_key, presented_key, ClientKey};
use crate::config::{Config, DEFAULT_BODY_LIMIT};
use crate::error::{ApiFailure, ServerError};
use crate::lenient::{self, ClientHeaders};
use crate::sse::{self, PING_INTERVAL};

/// The reply body type of the gateway.
pub type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, Infallible>;

/// The response header naming the `provider:model` target that served a reply.
pub const SERVED_BY: &str = "anyllm-served-by";

/// The gateway: configuration, client keys and the upstream client.
#[derive(Debug)]
pub struct Gateway {
    client: Client,
    config: Config,
    keys: Vec<ClientKey>,
    body_limit: usize,
    ping_interval: Duration,
    header_timeout: Duration,
}

/// How long a client may take to send a request's headers (slow-loris guard).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

static REQUEST_COUNTER: AtomicU64 = AtomicU64::new(0);

fn request_id() -> String {
    let n = REQUEST_COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    format!("req_anyllm_{t:016x}{n:08x}")
}

impl Gateway {
    /// Builds the gateway from its configuration, reading upstream and client
    /// keys from `env`.
    pub fn new(config: Config, env: impl Env + Clone + 'static) -> Result<Self, ServerError> {
        let mut builder = Client::builder().env(env.clone());
        for (name, p) in &config.providers {
            if let Some(var) = &p.api_key_env {
                if let Some(key) = env.var(var) {
                    builder = builder.api_key(name, key);
                }
            }
            if let Some(base) = &p.api_base {
                builder = builder.api_base(name, base.clone());
            }
        }
        if let Some(n) = config.max_retries {
            builder = builder.max_retries(n);
        }
        let client = builder.build().map_err(|e| ServerError::Config(e.to_string()))?;
        for (alias, m) in &config.models {
            if m.targets.is_empty() {
                return Err(ServerError::Config(format!(
                    "model alias `{alias}` has no targets"
                )));
            }
            for t in &m.targets {
                client
                    .route(t, None)
                    .map_err(|e| ServerError::Config(format!("model alias `{alias}`: {e}")))?;
            }
        }
        let mut keys = Vec::new();
        for k in &config.keys {
            let secret = env.var(&k.key_env).ok_or_else(|| {
                ServerError::Config(format!("client key `{}`: {} is not set", k.name, k.key_env))
            })?;
            keys.push(ClientKey::new(k.name.clone(), secret, k.requests_per_minute));
        }
        Ok(Self {
            client,
            body_limit: config.body_limit.unwrap_or(DEFAULT_BODY_LIMIT),
            config,
            keys,
            ping_interval: PING_INTERVAL,
            header_timeout: HEADER_TIMEOUT,
        })
    }

    /// Sets the `ping` interval of silent streams (default 15 s).
    pub fn with_ping_interval(mut self, every: Duration) -> Self {
        self.ping_interval = every;
        self
    }

    /// Sets how long a client may take to send its request headers (default 30 s).
    pub fn with_header_timeout(mut self, limit: Duration) -> Self {
        self.header_timeout = limit;
        self
    }

    /// How long a client may take to send its request headers.
    pub fn header_timeout(&self) -> Duration {
        self.header_timeout
    }

    /// Whether client keys are configured.
    pub fn has_client_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Answers one request (never fails: errors are Anthropic error replies).
    pub async fn handle<B>(self: Arc<Self>, req: Request<B>) -> Response<Body>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        let id = request_id();
        let started = Instant::now();
        let route = req.uri().path().to_owned();
        let mut log = AccessLog {
            request_id: id.clone(),
            started,
            ..AccessLog::default()
        };
        let mut resp = match self.dispatch(req, &mut log).await {
            Ok(r) => r,
            Err(f) => failure_response(&f),
        };
        if let Ok(v) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert("request-id", v);
        }
        access_log(&id, &route, &log, resp.status(), started.elapsed());
        resp
    }

    async fn dispatch<B>(&self, req: Request<B>, log: &mut AccessLog) -> Result<Response<Body>, ApiFailure>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        let path = req.uri().path();
        match (req.method(), path) {
            (&Method::GET, "/health") => {
                return Ok(json_response(StatusCode::OK, br#"{"status":"ok"}"#.to_vec()))
            }
            (&Method::POST, "/v1/messages")
            | (&Method::POST, "/v1/messages/count_tokens")
            | (&Method::GET, "/v1/models") => {}
            _ => {
                return Err(ApiFailure::new(
                    ErrorKind::NotFound,
                    format!("no route for {} {path}", req.method()),
                ))
            }
        }
        self.authenticate(req.headers(), log)?;
        if req.method() == Method::GET {
            return Ok(self.models());
        }
        let count = path.ends_with("/count_tokens");
        let forwarded = ClientHeaders::from_request(req.headers());
        let body = self.read_body(req).await?;
        if count {
            let params: CountTokensParams = parse_body(&body)?;
            self.count_tokens(params, &forwarded, log).await
        } else {
            let params: MessageCreateParams = parse_body(&body)?;
            self.messages(params, &forwarded, log).await
        }
    }

    fn authenticate(&self, headers: &http::HeaderMap, log: &mut AccessLog) -> Result<(), ApiFailure> {
        if self.keys.is_empty() {
            return Ok(());
        }
        let key = presented_key(headers)
            .and_then(|k| find_key(&self.keys, k))
            .ok_or_else(|| ApiFailure::new(ErrorKind::Authentication, "invalid x-api-key"))?;
        log.key = Some(key.name.clone());
        key.take().map_err(|secs| {
            let mut f = ApiFailure::new(
                ErrorKind::RateLimit,
                format!("rate limit of key `{}` exceeded; retry in {secs} s", key.name),
            );
            f.retry_after = Some(secs);
            f
        })
    }

    async fn read_body<B>(&self, req: Request<B>) -> Result<Bytes, ApiFailure>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        let too_large = || {
            ApiFailure::new(
                ErrorKind::RequestTooLarge,
                format!("request body exceeds the limit of {} bytes", self.body_limit),
            )
        };
        let declared = req
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.body_limit as u64) {
            return Err(too_large());
        }
        match Limited::new(req.into_body(), self.body_limit).collect().await {
            Ok(c) => Ok(c.to_bytes()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
            Err(e) => Err(ApiFailure::new(
                ErrorKind::InvalidRequest,
                format!("reading the request body: {e}"),
            )),
        }
    }

    /// The targets of a requested model: an alias's, else the model itself.
    fn targets<'a>(&'a self, model: &'a str) -> Result<(Vec<&'a str>, Option<u32>), ApiFailure> {
        if let Some(alias) = self.config.models.get(model) {
            return Ok((
                alias.targets.iter().map(String::as_str).collect(),
                alias.max_tokens,
            ));
        }
        self.client.route(model, None).map_err(|e| match e {
            Error::UnknownProvider { name, .. } => ApiFailure::new(
                ErrorKind::NotFound,
                format!("model `{model}`: no alias of that name and no provider `{name}`"),
            ),
            other => ApiFailure::from_upstream(&other),
        })?;
        Ok((vec![model], None))
    }

    async fn messages(
        &self,
        mut params: MessageCreateParams,
        forwarded: &ClientHeaders,
        log: &mut AccessLog,
    ) -> Result<Response<Body>, ApiFailure> {
        let requested = params.model.clone();
        let policy = lenient::policy(&self.config, &requested);
        let is_alias = self.config.models.contains_key(&requested);
        let (targets, clamp) = self.targets(&requested)?;
        if let Some(max) = clamp {
            params.max_tokens = params.max_tokens.min(max);
        }
        let stream = params.stream == Some(true);
        let mut last = None;
        for (i, target) in targets.iter().enumerate() {
            let is_last = i + 1 == targets.len();
            (*target).clone_into(&mut params.model);
            log.target = Some((*target).to_owned());
            let opts = forwarded.options_for(&self.client, target);
            let fitted = self
                .client
                .apply_policy(&params, &opts, stream, policy)
                .map_err(|e| ApiFailure::from_upstream(&e))?;
            log.dropped = lenient::report_json(&fitted.dropped);
            let opts = fitted.options.into_owned();
            let alias = is_alias.then_some(requested.as_str());
            let result = if stream {
                self.stream_once(&fitted.params, opts, target, alias, log).await
            } else {
                self.whole_once(&fitted.params, opts, target, alias, log).await
            };
            match result {
                Ok(mut r) => {
                    lenient::set_report_header(r.headers_mut(), log.dropped.as_deref());
                    return Ok(r);
                }
                Err(e) if !is_last && retryable(&e) => last = Some(e),
                Err(e) => return Err(ApiFailure::from_upstream(&e)),
            }
        }
        Err(last.map_or_else(
            || ApiFailure::new(ErrorKind::Api, "no target answered"),
            |e| ApiFailure::from_upstream(&e),
        ))
    }

    async fn whole_once(
        &self,
        params: &MessageCreateParams,
        opts: RequestOptions,
        target: &str,
        alias: Option<&str>,
        log: &mut AccessLog,
    ) -> Result<Response<Body>, Error> {
        let mut message = self.client.messages(params).options(opts).await?;
        if let Some(a) = alias {
            a.clone_into(&mut message.model);
        }
        log.input_tokens = message.usage.input_tokens;
        log.output_tokens = message.usage.output_tokens;
        let body = serde_json::to_vec(&message).map_err(|e| Error::Stream(e.to_string()))?;
        let mut resp = json_response(StatusCode::OK, body);
        served_by(&mut resp, target);
        Ok(resp)
    }

    /// Opens the upstream stream and waits for its first event, so that a
    /// failure before any byte reached the client can still fall back.
    async fn stream_once(
        &self,
        params: &MessageCreateParams,
        opts: RequestOptions,
        target: &str,
        alias: Option<&str>,
        log: &AccessLog,
    ) -> Result<Response<Body>, Error> {
        let mut upstream = self
            .client
            .messages(params)
            .options(opts)
            .stream()
            .await?
            .without_accumulation();
        let first = match upstream.next_event().await {
            Some(Ok(ev)) => ev,
            Some(Err(e)) => return Err(e),
            None => {
                return Err(Error::Stream(
                    "the upstream stream ended before any event".to_owned(),
                ))
            }
        };
        let body = sse::spawn(
            upstream,
            first,
            alias.map(str::to_owned),
            self.ping_interval,
            log.clone(),
        );
        let mut resp = Response::new(body);
        let h = resp.headers_mut();
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        h.insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        served_by(&mut resp, target);
        Ok(resp)
    }

    async fn count_tokens(
        &self,
        mut params: CountTokensParams,
        forwarded: &ClientHeaders,
        log: &mut AccessLog,
    ) -> Result<Response<Body>, ApiFailure> {
        let requested = params.model.clone();
        let (targets, _) = self.targets(&requested)?;
        let target = targets.first().copied().unwrap_or(requested.as_str()).to_owned();
        params.model.clone_from(&target);
        log.target = Some(target.clone());
        let counted = self
            .client
            .count_tokens(&params)
            .options(forwarded.count_options_for(&self.client, &target))
            .await
            .map_err(|e| ApiFailure::from_upstream(&e))?;
        log.input_tokens = Some(counted.input_tokens);
        let body =
            serde_json::to_vec(&counted).map_err(|e| ApiFailure::new(ErrorKind::Api, e.to_string()))?;
        let mut resp = json_response(StatusCode::OK, body);
        served_by(&mut resp, &target);
        Ok(resp)
    }

    /// `GET /v1/models`: the aliases, then the providers, in Anthropic's list shape.
    fn models(&self) -> Response<Body> {
        let ids = self
            .config
            .models
            .keys()
            .map(String::as_str)
            .chain(self.client.registry().names());
        let data: Vec<serde_json::Value> = ids
            .map(|id| {
                serde_json::json!({
                    "type": "model", "id": id, "display_name": id,
                    "created_at": "1970-01-01T00:00:00Z",
                })
            })
            .collect();
        let first = data.first().map(|d| d["id"].clone());
        let last = data.last().map(|d| d["id"].clone());
        let body = serde_json::json!({
            "data": data, "has_more": false, "first_id": first, "last_id": last,
        });
        json_response(StatusCode::OK, body.to_string().into_bytes())
    }
}

/// A failure where trying the next target may help: no answer at all, a 429, a 5xx or overloaded.
fn retryable(e: &Error) -> bool {
    match e {
        Error::Http(h) => match h.status() {
            Some(s) => s.as_u16() == 429 || s.is_server_error(),
            None => matches!(
                h.kind(),
                ErrorKind::Api | ErrorKind::Overloaded | ErrorKind::Timeout | ErrorKind::RateLimit
            ),
        },
        _ => false,
    }
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiFailure> {
    serde_json::from_slice(body).map_err(|e| {
        let what = if e.is_syntax() || e.is_eof() {
            "malformed JSON"
        } else {
            "invalid request body"
        };
        ApiFailure::new(ErrorKind::InvalidRequest, format!("{what}: {e}"))
    })
}

fn served_by(resp: &mut Response<Body>, target: &str) {
    if let Ok(v) = HeaderValue::from_str(target) {
        resp.headers_mut().insert(SERVED_BY, v);
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::from(body)).boxed_unsync());
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn failure_response(f: &ApiFailure) -> Response<Body> {
    let body = serde_json::to_vec(&f.body)
        .unwrap_or_else(|_| br#"{"type":"error","error":{"type":"api_error","message":"error"}}"#.to_vec());
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = json_response(status, body);
    if let Some(secs) = f.retry_after {
        resp.headers_mut()
            .insert(http::header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// What the access-log line of one request says besides route and status.
#[derive(Debug, Clone)]
pub(crate) struct AccessLog {
    pub(crate) request_id: String,
    pub(crate) started: Instant,
    key: Option<String>,
    target: Option<String>,
    pub(crate) input_tokens: Option<u64>,
    pub(crate) output_tokens: Option<u64>,
    /// What a lenient route dropped: the `anyllm-dropped-fields` JSON.
    dropped: Option<String>,
}

impl Default for AccessLog {
    fn default() -> Self {
        Self {
            request_id: String::new(),
            started: Instant::now(),
            key: None,
            target: None,
            input_tokens: None,
            output_tokens: None,
            dropped: None,
        }
    }
}

#[cfg(feature = "tracing")]
fn access_log(id: &str, route: &str, log: &AccessLog, status: StatusCode, latency: Duration) {
    tracing::info!(
        target: crate::access_log::ACCESS_TARGET,
        event = "response",
        request_id = id,
        route,
        key = log.key.as_deref(),
        target_model = log.target.as_deref(),
        status = status.as_u16(),
        input_tokens = log.input_tokens,
        output_tokens = log.output_tokens,
        latency_ms = latency.as_millis() as u64,
        dropped = log.dropped.as_deref(),
    );
}

#[cfg(not(feature = "tracing"))]
fn access_log(_: &str, _: &str, _: &AccessLog, _: StatusCode, _: Duration) {}

/// The line a streamed reply writes when it ends: tokens and total duration
/// (the `response` line was written when the headers went out).
#[cfg(feature = "tracing")]
pub(crate) fn stream_end_log(log: &AccessLog, outcome: &'static str) {
    tracing::info!(
        target: crate::access_log::ACCESS_TARGET,
        event = "stream_end",
        request_id = log.request_id.as_str(),
        target_model = log.target.as_deref(),
        outcome,
        input_tokens = log.input_tokens,
        output_tokens = log.output_tokens,
        duration_ms = log.started.elapsed().as_millis() as u64,
    );
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn stream_end_log(_: &AccessLog, _: &'static str) {}

/// Events streamed to the client are Anthropic events; the alias replaces the upstream model.
pub(crate) fn rename_model(ev: &mut StreamEvent, alias: &str) {
    if let StreamEvent::MessageStart(start) = ev {
        alias.clone_into(&mut start.message.model);
    }
}
