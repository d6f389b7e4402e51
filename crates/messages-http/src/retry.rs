//! The retry policy: pure decisions, separate from the transport (as in
//! tower's `retry::Policy` and smithy's retry classifiers).
//!
//! Defaults follow the official Anthropic/OpenAI SDKs: 2 retries; retry 408,
//! 409, 429, ≥ 500, connection errors and timeouts; `x-should-retry` wins when
//! present; honour `retry-after-ms`, then `retry-after` (seconds or an HTTP
//! date) when the hint lies in (0, 60] s; otherwise wait
//! `min(0.5 s · 2ⁿ, 8 s)` less up to 25 % jitter. The client never retries
//! once any byte of a response body has been handed to the caller.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

use crate::Error;

/// A source of random numbers in `[0, 1)` for jitter. Inject a constant for
/// deterministic tests.
pub type RandomSource = Arc<dyn Fn() -> f64 + Send + Sync>;

/// What happened on one attempt, as the policy sees it (`Debug` redacts
/// credential headers).
#[derive(Clone, Copy)]
pub enum Outcome<'a> {
    /// The server answered with a non-success status.
    Response {
        /// The status.
        status: StatusCode,
        /// The response headers (for `x-should-retry` and `retry-after`).
        headers: &'a HeaderMap,
    },
    /// The attempt failed (an [`Error`] built from a response is classified
    /// by its status and headers).
    Error(&'a Error),
}

impl fmt::Debug for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Response { status, headers } => f
                .debug_struct("Response")
                .field("status", status)
                .field("headers", &crate::RedactedHeaders(headers))
                .finish(),
            Self::Error(e) => f.debug_tuple("Error").field(e).finish(),
        }
    }
}

/// The policy's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Try again after this delay.
    Retry(Duration),
    /// Give up and report the outcome.
    Stop,
}

/// A pure retry policy. Cheap to clone.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use http::{HeaderMap, HeaderValue, StatusCode};
/// use messages_http::{Outcome, RetryDecision, RetryPolicy};
///
/// let policy = RetryPolicy::default().with_random(|| 0.0); // no jitter
/// let mut h = HeaderMap::new();
/// let now = SystemTime::now();
/// let o = Outcome::Response { status: StatusCode::SERVICE_UNAVAILABLE, headers: &h };
/// assert_eq!(policy.decide(0, o, now), RetryDecision::Retry(Duration::from_millis(500)));
/// assert_eq!(policy.decide(1, o, now), RetryDecision::Retry(Duration::from_secs(1)));
/// assert_eq!(policy.decide(2, o, now), RetryDecision::Stop); // 2 retries by default
///
/// h.insert("retry-after-ms", HeaderValue::from_static("1500"));
/// let o = Outcome::Response { status: StatusCode::TOO_MANY_REQUESTS, headers: &h };
/// assert_eq!(policy.decide(0, o, now), RetryDecision::Retry(Duration::from_millis(1500)));
///
/// h.insert("x-should-retry", HeaderValue::from_static("false"));
/// let o = Outcome::Response { status: StatusCode::TOO_MANY_REQUESTS, headers: &h };
/// assert_eq!(policy.decide(0, o, now), RetryDecision::Stop);
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_delay: Duration,
    max_delay: Duration,
    max_server_delay: Duration,
    jitter: f64,
    random: RandomSource,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("initial_delay", &self.initial_delay)
            .field("max_delay", &self.max_delay)
            .field("max_server_delay", &self.max_server_delay)
            .field("jitter", &self.jitter)
            .finish_non_exhaustive()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_server_delay: Duration::from_secs(60),
            jitter: 0.25,
            random: default_random(),
        }
    }
}

impl RetryPolicy {
    /// The SDK defaults (same as `Default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries.
    pub fn never() -> Self {
        Self::default().with_max_retries(0)
    }

    /// Sets how many retries follow the first attempt.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the first backoff delay (0.5 s by default; tests use a tiny one).
    pub fn with_initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }

    /// Sets the cap on backoff delays (8 s by default).
    pub fn with_max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets the largest server hint that is honoured (60 s by default).
    pub fn with_max_server_delay(mut self, d: Duration) -> Self {
        self.max_server_delay = d;
        self
    }

    /// Sets the jitter fraction in `[0, 1]` (0.25 by default): the backoff is
    /// multiplied by `1 − jitter · random()`.
    pub fn with_jitter(mut self, fraction: f64) -> Self {
        self.jitter = fraction.clamp(0.0, 1.0);
        self
    }

    /// Injects the random source used for jitter.
    pub fn with_random(mut self, random: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        self.random = Arc::new(random);
        self
    }

    /// How many retries follow the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Decides what to do after an attempt; `retries_so_far` is 0 after the
    /// first attempt. `now` is used to read `retry-after` HTTP dates.
    pub fn decide(&self, retries_so_far: u32, outcome: Outcome<'_>, now: SystemTime) -> RetryDecision {
        if retries_so_far >= self.max_retries || !Self::is_retryable(outcome) {
            return RetryDecision::Stop;
        }
        let hint = match outcome {
            Outcome::Response { headers, .. } => server_retry_delay(headers, now, self.max_server_delay),
            Outcome::Error(e) => e
                .api_error()
                .and_then(|a| server_retry_delay(&a.headers, now, self.max_server_delay)),
        };
        RetryDecision::Retry(hint.unwrap_or_else(|| self.backoff(retries_so_far)))
    }

    /// Whether an outcome is worth retrying (ignoring the retry count).
    pub fn is_retryable(outcome: Outcome<'_>) -> bool {
        match outcome {
            Outcome::Response { status, headers } => status_is_retryable(status, headers),
            Outcome::Error(e) => e.is_retryable(),
        }
    }

    /// The backoff delay before retry number `retries_so_far + 1`:
    /// `min(initial · 2ⁿ, max) · (1 − jitter · random())`.
    pub fn backoff(&self, retries_so_far: u32) -> Duration {
        let factor = 2f64.powi(retries_so_far.min(62) as i32);
        let base = (self.initial_delay.as_secs_f64() * factor).min(self.max_delay.as_secs_f64());
        let r = (self.random)().clamp(0.0, 1.0);
        let secs = base * (1.0 - self.jitter * r);
        Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(self.max_delay)
    }
}

/// The SDK status rule: `x-should-retry: true|false` wins; else retry 408,
/// 409, 429 and every status ≥ 500.
pub fn status_is_retryable(status: StatusCode, headers: &HeaderMap) -> bool {
    match headers.get("x-should-retry").map(|v| v.as_bytes()) {
        Some(b"true") => return true,
        Some(b"false") => return false,
        _ => {}
    }
    matches!(status.as_u16(), 408 | 409 | 429) || status.as_u16() >= 500
}

/// The delay a server asked for: `retry-after-ms` (milliseconds), else
/// `retry-after` (seconds, or an HTTP date compared with `now`). Only hints in
/// `(0, max]` count. As in the official SDKs, a `retry-after-ms` that parses
/// decides alone: when it is out of range the answer is `None` (back off),
/// even if `retry-after` is also present.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use http::{HeaderMap, HeaderValue};
/// use messages_http::server_retry_delay;
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let mut h = HeaderMap::new();
/// h.insert("retry-after", HeaderValue::from_static("2"));
/// assert_eq!(server_retry_delay(&h, now, Duration::from_secs(60)), Some(Duration::from_secs(2)));
/// h.insert("retry-after", HeaderValue::from_static("120"));
/// assert_eq!(server_retry_delay(&h, now, Duration::from_secs(60)), None);
/// let date = httpdate::fmt_http_date(now + Duration::from_secs(10));
/// h.insert("retry-after", HeaderValue::from_str(&date).unwrap());
/// assert_eq!(server_retry_delay(&h, now, Duration::from_secs(60)), Some(Duration::from_secs(10)));
/// ```
pub fn server_retry_delay(headers: &HeaderMap, now: SystemTime, max: Duration) -> Option<Duration> {
    let in_range = |d: Duration| (!d.is_zero() && d <= max).then_some(d);
    if let Some(ms) = header_f64(headers, "retry-after-ms") {
        return secs(ms / 1000.0).and_then(in_range);
    }
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(s) = v.parse::<f64>() {
        return secs(s).and_then(in_range);
    }
    let at = httpdate::parse_http_date(v).ok()?;
    at.duration_since(now).ok().and_then(in_range)
}

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn secs(s: f64) -> Option<Duration> {
    if s.is_finite() && s > 0.0 {
        Duration::try_from_secs_f64(s).ok()
    } else {
        None
    }
}

/// The default jitter source: a SplitMix64 generator seeded per process from
/// the standard library's random hasher keys. No extra dependency; quality is
/// ample for jitter.
fn default_random() -> RandomSource {
    use std::hash::{BuildHasher, Hasher};
    let seed = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let state = Arc::new(AtomicU64::new(seed));
    Arc::new(move || {
        let mut z = state
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn resp(status: u16, h: &HeaderMap) -> Outcome<'_> {
        Outcome::Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: h,
        }
    }

    #[test]
    fn retryable_statuses() {
        let h = HeaderMap::new();
        for s in [408, 409, 429, 500, 502, 503, 504, 529] {
            assert!(RetryPolicy::is_retryable(resp(s, &h)), "{s}");
        }
        for s in [400, 401, 402, 403, 404, 413, 422] {
            assert!(!RetryPolicy::is_retryable(resp(s, &h)), "{s}");
        }
    }

    #[test]
    fn should_retry_header_wins() {
        let mut h = HeaderMap::new();
        h.insert("x-should-retry", HeaderValue::from_static("true"));
        assert!(RetryPolicy::is_retryable(resp(400, &h)));
        h.insert("x-should-retry", HeaderValue::from_static("false"));
        assert!(!RetryPolicy::is_retryable(resp(503, &h)));
    }

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let p = RetryPolicy::default().with_random(|| 0.0);
        assert_eq!(p.backoff(0), Duration::from_millis(500));
        assert_eq!(p.backoff(3), Duration::from_secs(4));
        assert_eq!(p.backoff(4), Duration::from_secs(8));
        assert_eq!(p.backoff(40), Duration::from_secs(8));
        let p = p.with_random(|| 1.0);
        assert_eq!(p.backoff(0), Duration::from_millis(375));
    }

    #[test]
    fn default_random_in_unit_interval() {
        let r = default_random();
        for _ in 0..1000 {
            let x = r();
            assert!((0.0..1.0).contains(&x));
        }
    }

    #[test]
    fn hints_out_of_range_fall_back_to_backoff() {
        let p = RetryPolicy::default().with_random(|| 0.0);
        let now = SystemTime::now();
        let mut h = HeaderMap::new();
        h.insert("retry-after-ms", HeaderValue::from_static("0"));
        h.insert("retry-after", HeaderValue::from_static("not a date"));
        assert_eq!(
            p.decide(0, resp(429, &h), now),
            RetryDecision::Retry(Duration::from_millis(500))
        );
        // A parsable `retry-after-ms` decides alone (the SDKs' rule): out of
        // range means backoff, not a fall back to `retry-after`.
        h.insert("retry-after-ms", HeaderValue::from_static("61000"));
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(
            p.decide(0, resp(429, &h), now),
            RetryDecision::Retry(Duration::from_millis(500))
        );
        // An unparsable one is ignored and `retry-after` counts.
        h.insert("retry-after-ms", HeaderValue::from_static("soon"));
        assert_eq!(
            p.decide(0, resp(429, &h), now),
            RetryDecision::Retry(Duration::from_secs(3))
        );
    }

    #[test]
    fn errors_are_classified() {
        let p = RetryPolicy::default().with_random(|| 0.0);
        let now = SystemTime::now();
        let t = Error::Timeout {
            phase: crate::TimeoutPhase::Request,
            after: Duration::from_secs(1),
        };
        assert!(matches!(
            p.decide(0, Outcome::Error(&t), now),
            RetryDecision::Retry(_)
        ));
        let d = Error::decode("bad", b"x");
        assert_eq!(p.decide(0, Outcome::Error(&d), now), RetryDecision::Stop);
        assert_eq!(
            RetryPolicy::never().decide(0, Outcome::Error(&t), now),
            RetryDecision::Stop
        );
    }
}
