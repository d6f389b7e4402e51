//! Telemetry names: [`Error::otel_error_type`] (always), and the retry event
//! of the [`HttpClient`](crate::HttpClient) loop (feature `tracing`).

use messages_types::ErrorKind;

use crate::Error;

impl Error {
    /// A short, low-cardinality name of this error's class, for the
    /// OpenTelemetry `error.type` attribute: the API error kind
    /// (`rate_limit_error`, `overloaded_error`, … — the Anthropic error
    /// types, see [`Error::kind`]) for an error response, otherwise the
    /// failure itself: `timeout`, `connection`, `decode`, `framing`,
    /// `body_too_large`, `invalid_request`, `invalid_proxy`, `credentials`.
    /// An error type the API sent that is not one of Anthropic's
    /// ([`ErrorKind::Other`](messages_types::ErrorKind::Other)) is the
    /// conventions' fallback `_OTHER`: the value set stays bounded whatever
    /// an upstream sends. Never holds a message, a URL or a secret.
    ///
    /// ```
    /// use messages_http::Error;
    /// let e = Error::from_response(http::StatusCode::TOO_MANY_REQUESTS, Default::default(), bytes::Bytes::new());
    /// assert_eq!(e.otel_error_type(), "rate_limit_error");
    /// assert_eq!(Error::InvalidRequest("bad url".into()).otel_error_type(), "invalid_request");
    /// // A provider classified the body's own type, unknown to Anthropic.
    /// let other = e.with_kind(messages_http::ErrorKind::Other("quota_exceeded_42".into()));
    /// assert_eq!(other.otel_error_type(), "_OTHER");
    /// ```
    pub fn otel_error_type(&self) -> &str {
        match self {
            Self::Api(api) if matches!(api.kind, ErrorKind::Other(_)) => "_OTHER",
            Self::Api(api) => api.kind.as_str(),
            Self::Timeout { .. } => "timeout",
            Self::Connection { .. } => "connection",
            Self::Decode { .. } => "decode",
            Self::Framing(_) => "framing",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidProxy { .. } => "invalid_proxy",
            Self::Credentials { .. } => "credentials",
        }
    }
}

/// The `tracing` target of the retry event.
#[cfg(feature = "tracing")]
pub const RETRY_EVENT_TARGET: &str = "messages_http::retry";

/// Emits the retry event: attempt `attempt` (1 = the first request) failed
/// with `err` and the loop waits `delay` before the next one. A `WARN` event
/// named `retry` (target [`RETRY_EVENT_TARGET`]) with the fields
/// `retry.attempt`, `http.request.resend_count` (the number of the resend
/// about to happen, as OpenTelemetry's HTTP conventions count it),
/// `retry.delay_ms`, `error.type` ([`Error::otel_error_type`]) and, for an
/// error response, `http.response.status_code`. No URL, header, body or
/// message: nothing that could hold a prompt or a key.
#[cfg(feature = "tracing")]
pub(crate) fn emit_retry(attempt: u32, err: &Error, delay: std::time::Duration) {
    // `i64`: `tracing-opentelemetry` exports `u64` fields as strings.
    let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    let attempt = i64::from(attempt);
    // An absent status (a connection error) leaves the field out.
    let status = err.status().map(|s| i64::from(s.as_u16()));
    tracing::event!(
        name: "retry",
        target: RETRY_EVENT_TARGET,
        tracing::Level::WARN,
        retry.attempt = attempt,
        http.request.resend_count = attempt,
        retry.delay_ms = delay_ms,
        error.type = err.otel_error_type(),
        http.response.status_code = status,
        "retry"
    );
}
