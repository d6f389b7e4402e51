//! `GET /metrics`: the gateway's Prometheus metrics.
//!
//! Built on `prometheus-client`, the Prometheus organisation's own Rust
//! client: typed label sets (a struct, not a list of strings), lock-free
//! atomics for counters and gauges, and the OpenMetrics text format that
//! Prometheus scrapes (served as `application/openmetrics-text`).
//!
//! | family | type | labels |
//! |---|---|---|
//! | `anyllm_requests_total` | counter | `route`, `provider`, `model`, `status_class` |
//! | `anyllm_errors_total` | counter | `route`, `provider`, `error_type` |
//! | `anyllm_tokens_total` | counter | `route`, `provider`, `model`, `token_type` |
//! | `anyllm_fallbacks_total` | counter | `provider` (the target that failed), `model` |
//! | `anyllm_request_duration_seconds` | histogram | `route`, `provider` |
//! | `anyllm_time_to_first_token_seconds` | histogram | `route`, `provider` |
//! | `anyllm_streams_in_flight` | gauge | `provider` |
//!
//! * `route` is the endpoint: `messages`, `count_tokens`, `models`,
//!   `health`, `metrics`, or `other` for any unknown path.
//! * `provider` is the provider of the target that answered (`openai`,
//!   `gemini`, …); empty when the request never reached a target (bad key,
//!   malformed body, unknown model).
//! * `model` is what the client asked for: a configured alias, or the
//!   `provider:model` string it sent.
//! * `error_type` is the Anthropic error type of the reply (or of the
//!   `error` event that ended a stream); a type outside Anthropic's
//!   vocabulary counts as `other`.
//! * `token_type` is `input`, `output`, `cache_read` or `cache_creation`
//!   (the names of OpenTelemetry's `gen_ai.token.type` plus the two cache
//!   kinds). Tokens count what replies report as used: `count_tokens`
//!   answers bill nothing and add none.
//!
//! **Cardinality is bounded.** `route`, `status_class`, `error_type` and
//! `token_type` are closed sets; `provider` is one of the registered
//! providers. `model` is an alias from the configuration, or a
//! `provider:model` string that passed routing (an unknown model or provider
//! is answered 404 before anything is recorded, with an empty `model`), and
//! at most [`MAX_MODEL_LABELS`] distinct such strings get their own value:
//! later ones count under `model="other"`. With client keys configured only
//! holders of a key can add values at all.
//!
//! **What is timed.** `anyllm_request_duration_seconds` is the whole
//! exchange: for a whole reply, request start to the reply being handed to
//! hyper; for a stream, request start to the stream's end. Time to first
//! token is request start to the first reply byte: for a stream, the reply
//! handed to hyper with the first SSE event already in its body (or, for a
//! stream whose headers went out before its first event — past the
//! first-event window of [`crate::sse`] — that event handed to the body);
//! for a whole reply, the full reply (so it equals the latency). Only successful
//! `/v1/messages` replies have one.
//!
//! **Buckets** are set for LLM latencies, which span from tens of
//! milliseconds (a cached prefix, a small local model) to minutes (long
//! generations with thinking): [`DURATION_BUCKETS`] from 50 ms to 10 min,
//! [`TTFT_BUCKETS`] from 25 ms to 60 s, denser below 2 s where first-token
//! times usually fall.
//!
//! **Cost on the hot path:** a request's labels are resolved once per target
//! (two hash lookups that hand out shared `Arc<str>` values — no string is
//! formatted or allocated); recording is an atomic add or a histogram
//! observation in a family's read-locked map.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};
use std::time::Duration;

use anyllm::ErrorKind;
use http::StatusCode;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The most distinct non-alias `model` label values; later ones are `other`.
pub const MAX_MODEL_LABELS: usize = 100;

/// Buckets of `anyllm_request_duration_seconds`, in seconds.
pub const DURATION_BUCKETS: [f64; 14] = [
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// Buckets of `anyllm_time_to_first_token_seconds`, in seconds.
pub const TTFT_BUCKETS: [f64; 14] = [
    0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 60.0,
];

/// The `Content-Type` of `GET /metrics`.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The gateway endpoint of a request.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub(crate) enum Route {
    Messages,
    CountTokens,
    Models,
    Health,
    Metrics,
    Other,
}

impl Route {
    /// The route of a request path.
    pub(crate) fn of(path: &str) -> Self {
        match path {
            "/v1/messages" => Self::Messages,
            "/v1/messages/count_tokens" => Self::CountTokens,
            "/v1/models" => Self::Models,
            "/health" => Self::Health,
            "/metrics" => Self::Metrics,
            _ => Self::Other,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Messages => "messages",
            Self::CountTokens => "count_tokens",
            Self::Models => "models",
            Self::Health => "health",
            Self::Metrics => "metrics",
            Self::Other => "other",
        }
    }
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.as_str())
    }
}

/// `2xx`, `4xx`, `5xx`, … (holds the status's hundreds digit).
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
struct StatusClass(u16);

impl StatusClass {
    fn of(status: StatusCode) -> Self {
        Self(status.as_u16() / 100)
    }
}

impl EncodeLabelValue for StatusClass {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        encoder.write_str(match self.0 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        })
    }
}

/// An Anthropic error type; `None` for one outside the vocabulary (`other`).
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct ErrorType(Option<ErrorKind>);

impl ErrorType {
    fn of(kind: &ErrorKind) -> Self {
        match kind {
            ErrorKind::Other(_) => Self(None),
            known => Self(Some(known.clone())),
        }
    }
}

impl EncodeLabelValue for ErrorType {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.0.as_ref().map_or("other", ErrorKind::as_str))
    }
}

/// `input`, `output`, `cache_read`, `cache_creation`.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
enum TokenType {
    Input,
    Output,
    CacheRead,
    CacheCreation,
}

impl EncodeLabelValue for TokenType {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        encoder.write_str(match self {
            Self::Input => "input",
            Self::Output => "output",
            Self::CacheRead => "cache_read",
            Self::CacheCreation => "cache_creation",
        })
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Route,
    provider: Arc<str>,
    model: Arc<str>,
    status_class: StatusClass,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    route: Route,
    provider: Arc<str>,
    error_type: ErrorType,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TokenLabels {
    route: Route,
    provider: Arc<str>,
    model: Arc<str>,
    token_type: TokenType,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FallbackLabels {
    provider: Arc<str>,
    model: Arc<str>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Route,
    provider: Arc<str>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabels {
    provider: Arc<str>,
}

/// The `provider` and `model` labels of one request, resolved once per target.
#[derive(Debug, Clone)]
pub(crate) struct Labels {
    provider: Arc<str>,
    model: Arc<str>,
}

/// The empty label value, shared (no allocation per request).
static EMPTY: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(""));

impl Default for Labels {
    fn default() -> Self {
        Self {
            provider: Arc::clone(&EMPTY),
            model: Arc::clone(&EMPTY),
        }
    }
}

/// Token counts of one reply.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tokens {
    pub(crate) input: Option<u64>,
    pub(crate) output: Option<u64>,
    pub(crate) cache_read: Option<u64>,
    pub(crate) cache_creation: Option<u64>,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

fn ttft_histogram() -> Histogram {
    Histogram::new(TTFT_BUCKETS)
}

/// The gateway's metrics and their registry.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    tokens: Family<TokenLabels, Counter>,
    fallbacks: Family<FallbackLabels, Counter>,
    duration: HistogramFamily<RouteLabels>,
    ttft: HistogramFamily<RouteLabels>,
    streams: Family<ProviderLabels, Gauge>,
    /// Registered provider names.
    providers: HashMap<Box<str>, Arc<str>>,
    /// Configured aliases.
    aliases: HashMap<Box<str>, Arc<str>>,
    /// `provider:model` strings seen, at most [`MAX_MODEL_LABELS`].
    models: RwLock<HashMap<Box<str>, Arc<str>>>,
    other: Arc<str>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn interned<'a>(names: impl IntoIterator<Item = &'a str>) -> HashMap<Box<str>, Arc<str>> {
    names.into_iter().map(|n| (Box::from(n), Arc::from(n))).collect()
}

impl Metrics {
    /// The metrics of a gateway with these providers and aliases.
    pub(crate) fn new<'a>(
        providers: impl IntoIterator<Item = &'a str>,
        aliases: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        let tokens = Family::<TokenLabels, Counter>::default();
        let fallbacks = Family::<FallbackLabels, Counter>::default();
        let duration: HistogramFamily<RouteLabels> = Family::new_with_constructor(duration_histogram);
        let ttft: HistogramFamily<RouteLabels> = Family::new_with_constructor(ttft_histogram);
        let streams = Family::<ProviderLabels, Gauge>::default();
        registry.register(
            "anyllm_requests",
            "Requests answered, by route, provider, model (alias or provider:model) and status class",
            requests.clone(),
        );
        registry.register(
            "anyllm_errors",
            "Error replies and stream-ending error events, by Anthropic error type",
            errors.clone(),
        );
        registry.register(
            "anyllm_tokens",
            "Tokens reported by replies: input, output, cache_read, cache_creation",
            tokens.clone(),
        );
        registry.register(
            "anyllm_fallbacks",
            "Targets that failed retryably before the next target of an alias was tried",
            fallbacks.clone(),
        );
        registry.register(
            "anyllm_request_duration_seconds",
            "Request start to the whole reply handed over, or to the end of a stream",
            duration.clone(),
        );
        registry.register(
            "anyllm_time_to_first_token_seconds",
            "Request start to the first reply byte: the first SSE event of a stream, the whole reply otherwise",
            ttft.clone(),
        );
        registry.register(
            "anyllm_streams_in_flight",
            "Streamed replies currently open",
            streams.clone(),
        );
        Self {
            registry,
            requests,
            errors,
            tokens,
            fallbacks,
            duration,
            ttft,
            streams,
            providers: interned(providers),
            aliases: interned(aliases),
            models: RwLock::new(HashMap::new()),
            other: Arc::from("other"),
        }
    }

    /// The labels of a request for `model` (as the client sent it) served by
    /// `target` (`provider:model`, or a bare model of the default provider).
    pub(crate) fn labels(&self, model: &str, target: &str) -> Labels {
        let provider_name = target.split_once(':').map_or("anthropic", |(p, _)| p);
        let provider = self
            .providers
            .get(provider_name)
            .map_or_else(|| Arc::clone(&self.other), Arc::clone);
        let model = match self.aliases.get(model) {
            Some(alias) => Arc::clone(alias),
            None => self.model_label(model),
        };
        Labels { provider, model }
    }

    fn model_label(&self, model: &str) -> Arc<str> {
        let seen = self.models.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(m) = seen.get(model) {
            return Arc::clone(m);
        }
        drop(seen);
        let mut seen = self.models.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(m) = seen.get(model) {
            return Arc::clone(m);
        }
        if seen.len() >= MAX_MODEL_LABELS {
            return Arc::clone(&self.other);
        }
        let m: Arc<str> = Arc::from(model);
        seen.insert(Box::from(model), Arc::clone(&m));
        m
    }

    /// One answered request: its status, its error type (an error reply),
    /// its time to first token (a successful `/v1/messages` reply) and — for
    /// a reply that is not a stream — its duration and tokens (a stream's
    /// come with [`Metrics::stream_end`]).
    pub(crate) fn response(
        &self,
        route: Route,
        labels: &Labels,
        status: StatusCode,
        error: Option<&ErrorKind>,
        ttft: Option<Duration>,
        whole: Option<(Duration, Tokens)>,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                route,
                provider: Arc::clone(&labels.provider),
                model: Arc::clone(&labels.model),
                status_class: StatusClass::of(status),
            })
            .inc();
        if let Some(kind) = error {
            self.error(route, labels, kind);
        }
        let by_route = RouteLabels {
            route,
            provider: Arc::clone(&labels.provider),
        };
        if let Some(t) = ttft {
            self.ttft.get_or_create(&by_route).observe(t.as_secs_f64());
        }
        if let Some((duration, tokens)) = whole {
            self.duration
                .get_or_create(&by_route)
                .observe(duration.as_secs_f64());
            self.tokens(route, labels, tokens);
        }
    }

    /// A stream ended (completely, by an upstream error, or by the client leaving).
    pub(crate) fn stream_end(
        &self,
        labels: &Labels,
        duration: Duration,
        tokens: Tokens,
        error: Option<&ErrorKind>,
    ) {
        self.duration
            .get_or_create(&RouteLabels {
                route: Route::Messages,
                provider: Arc::clone(&labels.provider),
            })
            .observe(duration.as_secs_f64());
        self.tokens(Route::Messages, labels, tokens);
        if let Some(kind) = error {
            self.error(Route::Messages, labels, kind);
        }
    }

    /// The first event of a stream whose headers went out before it (past
    /// the first-event window, see [`crate::sse`]).
    pub(crate) fn first_token(&self, labels: &Labels, ttft: Duration) {
        self.ttft
            .get_or_create(&RouteLabels {
                route: Route::Messages,
                provider: Arc::clone(&labels.provider),
            })
            .observe(ttft.as_secs_f64());
    }

    /// A target failed retryably and the next one is tried.
    pub(crate) fn fallback(&self, labels: &Labels) {
        self.fallbacks
            .get_or_create(&FallbackLabels {
                provider: Arc::clone(&labels.provider),
                model: Arc::clone(&labels.model),
            })
            .inc();
    }

    /// Counts an open stream until the returned guard is dropped.
    pub(crate) fn stream_open(&self, labels: &Labels) -> StreamGuard {
        let gauge = self.streams.get_or_create_owned(&ProviderLabels {
            provider: Arc::clone(&labels.provider),
        });
        gauge.inc();
        StreamGuard(gauge)
    }

    fn error(&self, route: Route, labels: &Labels, kind: &ErrorKind) {
        self.errors
            .get_or_create(&ErrorLabels {
                route,
                provider: Arc::clone(&labels.provider),
                error_type: ErrorType::of(kind),
            })
            .inc();
    }

    fn tokens(&self, route: Route, labels: &Labels, tokens: Tokens) {
        for (token_type, n) in [
            (TokenType::Input, tokens.input),
            (TokenType::Output, tokens.output),
            (TokenType::CacheRead, tokens.cache_read),
            (TokenType::CacheCreation, tokens.cache_creation),
        ] {
            if let Some(n) = n {
                self.tokens
                    .get_or_create(&TokenLabels {
                        route,
                        provider: Arc::clone(&labels.provider),
                        model: Arc::clone(&labels.model),
                        token_type,
                    })
                    .inc_by(n);
            }
        }
    }

    /// The OpenMetrics text of every family.
    pub(crate) fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::with_capacity(4096);
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Decrements `anyllm_streams_in_flight` when dropped (however the stream ends).
#[derive(Debug)]
pub(crate) struct StreamGuard(Gauge);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn model_labels_are_aliases_or_at_most_the_first_distinct_targets() {
        let m = Metrics::new(["openai", "anthropic"], ["fast"]);
        assert_eq!(&*m.labels("fast", "openai:gpt-4.1").model, "fast");
        assert_eq!(&*m.labels("fast", "openai:gpt-4.1").provider, "openai");
        assert_eq!(&*m.labels("claude-x", "claude-x").provider, "anthropic");
        assert_eq!(&*m.labels("nope:x", "nope:x").provider, "other");
        let m = Metrics::new(["openai"], ["fast"]);
        for i in 0..MAX_MODEL_LABELS + 5 {
            let name = format!("openai:m{i}");
            let got = m.labels(&name, &name).model;
            let want = if i < MAX_MODEL_LABELS {
                name.as_str()
            } else {
                "other"
            };
            assert_eq!(&*got, want);
        }
        assert_eq!(&*m.labels("openai:late", "openai:late").model, "other");
        assert_eq!(&*m.labels("openai:m0", "openai:m0").model, "openai:m0");
        assert_eq!(&*m.labels("fast", "openai:x").model, "fast");
    }

    #[test]
    fn render_shows_each_family_with_its_labels() {
        let m = Metrics::new(["openai"], ["fast"]);
        let l = m.labels("fast", "openai:gpt-4.1");
        let tokens = Tokens {
            input: Some(7),
            output: Some(3),
            ..Tokens::default()
        };
        let d = Duration::from_millis(300);
        m.response(
            Route::Messages,
            &l,
            StatusCode::OK,
            None,
            Some(d),
            Some((d, tokens)),
        );
        m.response(
            Route::Messages,
            &Labels::default(),
            StatusCode::UNAUTHORIZED,
            Some(&ErrorKind::Authentication),
            None,
            None,
        );
        m.response(
            Route::Messages,
            &Labels::default(),
            StatusCode::NOT_FOUND,
            Some(&ErrorKind::NotFound),
            None,
            None,
        );
        m.response(
            Route::Messages,
            &l,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(&ErrorKind::Other("brand_new".into())),
            None,
            None,
        );
        let guard = m.stream_open(&l);
        let text = m.render().unwrap();
        for want in [
            r#"anyllm_requests_total{route="messages",provider="openai",model="fast",status_class="2xx"} 1"#,
            r#"anyllm_requests_total{route="messages",provider="",model="",status_class="4xx"} 2"#,
            r#"anyllm_errors_total{route="messages",provider="",error_type="authentication_error"} 1"#,
            r#"anyllm_errors_total{route="messages",provider="openai",error_type="other"} 1"#,
            r#"anyllm_tokens_total{route="messages",provider="openai",model="fast",token_type="input"} 7"#,
            r#"anyllm_tokens_total{route="messages",provider="openai",model="fast",token_type="output"} 3"#,
            r#"anyllm_request_duration_seconds_bucket{le="0.5",route="messages",provider="openai"} 1"#,
            r#"anyllm_request_duration_seconds_bucket{le="0.25",route="messages",provider="openai"} 0"#,
            r#"anyllm_time_to_first_token_seconds_count{route="messages",provider="openai"} 1"#,
            r#"anyllm_streams_in_flight{provider="openai"} 1"#,
        ] {
            assert!(text.contains(want), "missing {want} in\n{text}");
        }
        assert!(
            !text.contains(r#"token_type="cache_read""#),
            "absent counts add nothing:\n{text}"
        );
        drop(guard);
        assert!(m
            .render()
            .unwrap()
            .contains(r#"anyllm_streams_in_flight{provider="openai"} 0"#));
    }
}
