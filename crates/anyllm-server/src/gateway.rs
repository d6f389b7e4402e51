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
use messages_types::Nullable;

use crate::auth::{find_key, presented_key, ClientKey};
use crate::config::{Config, DEFAULT_BODY_LIMIT};
use crate::error::{ApiFailure, Redactor, ServerError};
use crate::estimate::{exact_or_estimate, TOKEN_COUNT_HEADER};
use crate::lenient::{self, ClientHeaders};
use crate::metrics::{Labels, Metrics, Route, Tokens};
use crate::sse::{self, at_least_min, StreamTiming};

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
    stream: StreamTiming,
    header_timeout: Duration,
    redactor: Redactor,
    metrics: Arc<Metrics>,
    /// The provider a bare model string routes to, when the gateway holds
    /// credentials for it (see [`Gateway::targets`]).
    default_provider: Option<&'static str>,
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
    ///
    /// Refused (a [`ServerError::Config`] saying what to fix): a
    /// `[providers.<name>]` that names no provider (the message lists the
    /// known ones), an `api_key_env` or a client `key_env` that is not set,
    /// `requests_per_minute = 0`, an alias without targets or with a target
    /// naming an unknown provider.
    pub fn new(config: Config, env: impl Env + Clone + 'static) -> Result<Self, ServerError> {
        let mut builder = Client::builder().env(env.clone());
        let mut upstream_keys = Vec::new();
        for (name, p) in &config.providers {
            if let Some(var) = &p.api_key_env {
                let key = env.var(var).ok_or_else(|| {
                    ServerError::Config(format!("[providers.{name}]: api_key_env {var} is not set"))
                })?;
                upstream_keys.push(key.clone());
                builder = builder.api_key(name, key);
            }
            if let Some(base) = &p.api_base {
                builder = builder.api_base(name, base.clone());
            }
        }
        if let Some(n) = config.max_retries {
            builder = builder.max_retries(n);
        }
        let client = builder.build().map_err(|e| ServerError::Config(e.to_string()))?;
        if let Some(name) = config
            .providers
            .keys()
            .find(|n| client.registry().find(n).is_none())
        {
            return Err(ServerError::Config(format!(
                "[providers.{name}]: unknown provider `{name}`; known providers: {}",
                client.registry().names().join(", ")
            )));
        }
        // Every credential providers read from the environment by default, too.
        for p in client.registry().providers() {
            upstream_keys.extend(crate::error::credential_env(p.info()).filter_map(|var| env.var(var)));
        }
        let default_provider = default_provider_with_credentials(&client, &config, &env);
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
            keys.push(ClientKey::new(k.name.clone(), secret, k.rate()?));
        }
        let metrics = Metrics::new(
            client.registry().names(),
            config.models.keys().map(String::as_str),
        );
        Ok(Self {
            metrics: Arc::new(metrics),
            client,
            body_limit: config.body_limit.unwrap_or(DEFAULT_BODY_LIMIT),
            config,
            keys,
            stream: StreamTiming::default(),
            header_timeout: HEADER_TIMEOUT,
            redactor: Redactor::new(upstream_keys),
            default_provider,
        })
    }

    /// Sets the `ping` interval of silent streams (default 15 s; at least
    /// [`sse::MIN_DURATION`], a shorter one is raised to it).
    pub fn with_ping_interval(mut self, every: Duration) -> Self {
        self.stream.ping = at_least_min(every);
        self
    }

    /// Sets how long a stream waits for the upstream's first event before the
    /// headers go out (default: the ping interval; at least
    /// [`sse::MIN_DURATION`]). Inside it a failure can still fall back to the
    /// next target; after it the client gets pings, and a failure becomes an
    /// SSE `error` event (see [`crate::sse`]).
    pub fn with_first_event_window(mut self, window: Duration) -> Self {
        self.stream.first_event_window = Some(at_least_min(window));
        self
    }

    /// Sets how long a client that does not read may hold up a stream (one
    /// frame's wait) or its connection (the socket taking no byte) before it
    /// is dropped (default: 4 × the ping interval; at least
    /// [`sse::MIN_DURATION`]).
    pub fn with_write_stall_limit(mut self, limit: Duration) -> Self {
        self.stream.write_stall = Some(at_least_min(limit));
        self
    }

    /// Sets how long a client may take to send its request headers, and the
    /// longest pause allowed while its body arrives (default 30 s; at least
    /// [`sse::MIN_DURATION`], a shorter one is raised to it).
    pub fn with_header_timeout(mut self, limit: Duration) -> Self {
        self.header_timeout = at_least_min(limit);
        self
    }

    /// How long a client that does not read may hold up a connection.
    pub(crate) fn write_stall(&self) -> Duration {
        self.stream.stall()
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
        let mut error = None;
        let mut resp = match self.dispatch(req, &mut log).await {
            Ok(r) => r,
            Err(mut f) => {
                // The body names the gateway's request id (the one in the
                // header); the upstream's goes to the log.
                let upstream = std::mem::replace(&mut f.body.request_id, Nullable::Value(id.clone()));
                if let Nullable::Value(u) = upstream {
                    log.upstream_request_id = Some(u);
                }
                let resp = failure_response(&f, &self.redactor);
                log.error_type = Some(f.body.error.kind.clone());
                error = Some(f.body.error.kind);
                resp
            }
        };
        if let Ok(v) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert("request-id", v);
        }
        let latency = started.elapsed();
        access_log(&id, &route, &log, resp.status(), latency);
        let route = Route::of(&route);
        // A stream's duration and tokens are recorded when it ends.
        let whole = (!log.streaming).then(|| {
            let tokens = if route == Route::Messages {
                log.tokens()
            } else {
                Tokens::default()
            };
            (latency, tokens)
        });
        self.metrics
            .response(route, &log.labels, resp.status(), error.as_ref(), log.ttft, whole);
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
            (&Method::GET, "/metrics") => {
                if !self.config.metrics.public {
                    self.authenticate(req.headers(), log)?;
                }
                return self.metrics_response();
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
            log.model = Some(params.model.clone());
            self.count_tokens(params, &forwarded, log).await
        } else {
            let params: MessageCreateParams = parse_body(&body)?;
            log.model = Some(params.model.clone());
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
        let mut body = std::pin::pin!(Limited::new(req.into_body(), self.body_limit));
        let mut parts: Vec<Bytes> = Vec::new();
        // Bounded: the body is capped at `body_limit` bytes and each wait at
        // `header_timeout` (a client stalling mid-body is cut off like a slow
        // header).
        loop {
            let frame = match tokio::time::timeout(self.header_timeout, body.frame()).await {
                Err(_) => {
                    let mut f = ApiFailure::new(
                        ErrorKind::InvalidRequest,
                        format!(
                            "the request body stalled for {} ms",
                            self.header_timeout.as_millis()
                        ),
                    );
                    f.status = StatusCode::REQUEST_TIMEOUT.as_u16();
                    return Err(f);
                }
                Ok(None) => break,
                Ok(Some(Ok(frame))) => frame,
                Ok(Some(Err(e))) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large()),
                Ok(Some(Err(e))) => {
                    return Err(ApiFailure::new(
                        ErrorKind::InvalidRequest,
                        format!("reading the request body: {e}"),
                    ))
                }
            };
            if let Ok(data) = frame.into_data() {
                parts.push(data);
            }
        }
        Ok(match parts.len() {
            0 => Bytes::new(),
            1 => parts.swap_remove(0),
            _ => Bytes::from(parts.concat()),
        })
    }

    /// The targets of a requested model: an alias's, else the model itself.
    ///
    /// The rule for a model that is not an alias: `provider:model` routes
    /// to that provider (an unknown one is a 404 naming it); a bare model
    /// string routes to the default provider (`anthropic`) only when the
    /// gateway holds credentials for it (`[providers.anthropic] api_key_env`
    /// or `ANTHROPIC_API_KEY`); without them it is a `404 not_found_error`
    /// naming the model, as Anthropic answers an unknown model.
    fn targets<'a>(&'a self, model: &'a str) -> Result<(Vec<&'a str>, Option<u32>), ApiFailure> {
        if let Some(alias) = self.config.models.get(model) {
            return Ok((
                alias.targets.iter().map(String::as_str).collect(),
                alias.max_tokens,
            ));
        }
        if anyllm::model::split_model(model).0.is_none() && self.default_provider.is_none() {
            return Err(ApiFailure::new(
                ErrorKind::NotFound,
                format!(
                    "model `{model}` not found: it is no alias of this gateway and names no \
                     provider (`provider:model`), and the default provider has no credentials here"
                ),
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
            log.labels = self.metrics.labels(&requested, target);
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
                Err(e) if !is_last && retryable(&e, stream) => {
                    self.metrics.fallback(&log.labels);
                    last = Some((e, *target));
                }
                Err(e) => return Err(self.upstream_failure(&e, target)),
            }
        }
        Err(last.map_or_else(
            || ApiFailure::new(ErrorKind::Api, "no target answered"),
            |(e, target)| self.upstream_failure(&e, target),
        ))
    }

    /// The reply to a failed call to `target` (credentials failures name its provider).
    fn upstream_failure(&self, e: &Error, target: &str) -> ApiFailure {
        let provider = self.client.route(target, None).ok().map(|(p, _)| p.info().name);
        ApiFailure::from_target(e, provider)
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
        log.cache_read_tokens = message.usage.cache_read_input_tokens;
        log.cache_creation_tokens = message.usage.cache_creation_input_tokens;
        let body = serde_json::to_vec(&message).map_err(|e| Error::Stream(e.to_string()))?;
        // A whole reply's first token arrives with the reply.
        log.ttft = Some(log.started.elapsed());
        let mut resp = json_response(StatusCode::OK, body);
        served_by(&mut resp, target);
        Ok(resp)
    }

    /// Opens the upstream stream and waits for its first event at most the
    /// first-event window, so that a failure before any byte reached the
    /// client can still fall back; past the window the headers go out and
    /// the stream task waits on (see [`crate::sse`]).
    async fn stream_once(
        &self,
        params: &MessageCreateParams,
        opts: RequestOptions,
        target: &str,
        alias: Option<&str>,
        log: &mut AccessLog,
    ) -> Result<Response<Body>, Error> {
        let mut opening = sse::open(self.client.clone(), params.clone(), opts);
        let upstream = match tokio::time::timeout(self.stream.window(), &mut opening).await {
            Ok(Ok((upstream, first))) => {
                // The reply goes to hyper with the first event already in its body.
                log.ttft = Some(log.started.elapsed());
                sse::Upstream::Ready(upstream, first)
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => sse::Upstream::Opening(opening),
        };
        log.streaming = true;
        let body = sse::spawn(
            upstream,
            alias.map(str::to_owned),
            self.stream,
            log.clone(),
            self.redactor.clone(),
            Arc::clone(&self.metrics),
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
        log.labels = self.metrics.labels(&requested, &target);
        let opts = forwarded.count_options_for(&self.client, &target);
        let policy = lenient::policy(&self.config, &requested);
        let fitted = self
            .client
            .apply_count_policy(&params, &opts, policy)
            .map_err(|e| ApiFailure::from_upstream(&e))?;
        log.dropped = lenient::report_json(&fitted.dropped);
        let opts = fitted.options.into_owned();
        let params = fitted.params.into_owned();
        let counted = self.client.count_tokens(&params).options(opts).await;
        let (counted, how) = exact_or_estimate(counted, params)
            .await
            .map_err(|e| ApiFailure::from_upstream(&e))?;
        log.input_tokens = Some(counted.input_tokens);
        let body =
            serde_json::to_vec(&counted).map_err(|e| ApiFailure::new(ErrorKind::Api, e.to_string()))?;
        let mut resp = json_response(StatusCode::OK, body);
        served_by(&mut resp, &target);
        resp.headers_mut()
            .insert(TOKEN_COUNT_HEADER, HeaderValue::from_static(how));
        lenient::set_report_header(resp.headers_mut(), log.dropped.as_deref());
        Ok(resp)
    }

    /// `GET /metrics`: the OpenMetrics text of [`crate::metrics`].
    fn metrics_response(&self) -> Result<Response<Body>, ApiFailure> {
        let text = self
            .metrics
            .render()
            .map_err(|e| ApiFailure::new(ErrorKind::Api, format!("encoding metrics: {e}")))?;
        let mut resp = Response::new(Full::new(Bytes::from(text)).boxed_unsync());
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
        );
        Ok(resp)
    }

    /// `GET /v1/models`: the aliases, then their `provider:model` targets, in Anthropic's list shape.
    fn models(&self) -> Response<Body> {
        // Only ids a client can send back as `model`: the aliases, then every
        // alias target (`provider:model`) that is not itself an alias. A bare
        // provider name is not a model, so providers are not listed.
        let aliases = &self.config.models;
        let mut targets: Vec<&str> = aliases
            .values()
            .flat_map(|m| m.targets.iter().map(String::as_str))
            .filter(|t| !aliases.contains_key(*t))
            .collect();
        targets.sort_unstable();
        targets.dedup();
        let ids = aliases.keys().map(String::as_str).chain(targets);
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

/// A failure where trying the next target may help: no answer at all, a 429,
/// a 5xx, overloaded — or, for a stream, an upstream stream that broke
/// before its first event reached the client (an empty `200`, a stream
/// ending before `message_stop`: [`Error::Stream`]; every error a stream
/// call returns comes before the client's first byte).
fn retryable(e: &Error, stream: bool) -> bool {
    match e {
        Error::Stream(_) => stream,
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

/// The provider a bare model string routes to, if the gateway can call it:
/// a key configured for it, or in one of its own variables, or no key needed.
fn default_provider_with_credentials(
    client: &Client,
    config: &Config,
    env: &impl Env,
) -> Option<&'static str> {
    let (provider, _) = client.route("model", None).ok()?;
    let info = provider.info();
    let configured = config
        .providers
        .iter()
        .any(|(name, p)| name.eq_ignore_ascii_case(info.name) && p.api_key_env.is_some());
    let ready = configured
        || info.key_policy != anyllm::KeyPolicy::Required
        || info.key_env.iter().any(|var| env.var(var).is_some());
    ready.then_some(info.name)
}

/// Parses a request body; a failure is a 400 naming the field at fault
/// (`serde_path_to_error` tracks the path serde_json's own errors lack).
fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiFailure> {
    let invalid = |e: serde_json::Error, path: Option<String>| {
        let what = if e.is_syntax() || e.is_eof() {
            "malformed JSON"
        } else {
            "invalid request body"
        };
        let at = path.map(|p| format!(" at `{p}`")).unwrap_or_default();
        ApiFailure::new(ErrorKind::InvalidRequest, format!("{what}{at}: {e}"))
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = (path != ".").then_some(path);
        invalid(e.into_inner(), path)
    })?;
    de.end().map_err(|e| invalid(e, None))?;
    Ok(parsed)
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

fn failure_response(f: &ApiFailure, redactor: &Redactor) -> Response<Body> {
    let body = serde_json::to_string(&f.body).map_or_else(
        |_| br#"{"type":"error","error":{"type":"api_error","message":"error"}}"#.to_vec(),
        |text| redactor.redact(text).into_bytes(),
    );
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
    /// The `model` the client asked for (an alias or `provider:model`).
    model: Option<String>,
    target: Option<String>,
    /// The error type of a failed request.
    error_type: Option<ErrorKind>,
    /// The upstream's request id of a failed call, when it gave one.
    upstream_request_id: Option<String>,
    pub(crate) input_tokens: Option<u64>,
    pub(crate) output_tokens: Option<u64>,
    pub(crate) cache_read_tokens: Option<u64>,
    pub(crate) cache_creation_tokens: Option<u64>,
    /// Request start to the first reply byte (see [`crate::metrics`]).
    pub(crate) ttft: Option<Duration>,
    /// The reply is a stream (its duration and tokens are recorded at its end).
    pub(crate) streaming: bool,
    /// The metrics labels of the target.
    pub(crate) labels: Labels,
    /// What a lenient route dropped: the `anyllm-dropped-fields` JSON.
    pub(crate) dropped: Option<String>,
}

impl AccessLog {
    /// The token counts for the metrics.
    pub(crate) fn tokens(&self) -> Tokens {
        Tokens {
            input: self.input_tokens,
            output: self.output_tokens,
            cache_read: self.cache_read_tokens,
            cache_creation: self.cache_creation_tokens,
        }
    }
}

impl Default for AccessLog {
    fn default() -> Self {
        Self {
            request_id: String::new(),
            started: Instant::now(),
            key: None,
            model: None,
            target: None,
            error_type: None,
            upstream_request_id: None,
            input_tokens: None,
            output_tokens: None,
            cache_read_tokens: None,
            cache_creation_tokens: None,
            ttft: None,
            streaming: false,
            labels: Labels::default(),
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
        model = log.model.as_deref(),
        target_model = log.target.as_deref(),
        status = status.as_u16(),
        error_type = log.error_type.as_ref().map(ErrorKind::as_str),
        upstream_request_id = log.upstream_request_id.as_deref(),
        input_tokens = log.input_tokens,
        output_tokens = log.output_tokens,
        cache_read_tokens = log.cache_read_tokens,
        cache_creation_tokens = log.cache_creation_tokens,
        latency_ms = latency.as_millis() as u64,
        ttft_ms = log.ttft.map(|t| t.as_millis() as u64),
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
        cache_read_tokens = log.cache_read_tokens,
        cache_creation_tokens = log.cache_creation_tokens,
        duration_ms = log.started.elapsed().as_millis() as u64,
        ttft_ms = log.ttft.map(|t| t.as_millis() as u64),
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
