//! The one error type of the transport, with variants mirroring the official SDKs.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

pub use messages_types::ErrorKind;

use crate::error_body::ErrorDetails;
use crate::headers::request_id_of;
use crate::retry::server_retry_delay;
use crate::secret::RedactedHeaders;

/// How many bytes of an offending payload an error keeps for display.
pub const EXCERPT_LIMIT: usize = 512;

/// Everything known about an error response: status, headers, request id, the
/// raw body and its parsed details.
///
/// Every field is public: providers correct the classification or the details
/// (e.g. Gemini's 400 with reason `API_KEY_INVALID` is an authentication
/// error; its `RetryInfo.retryDelay` becomes `retry_after`).
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The class of the error: from the status ([`ErrorKind::from_status`])
    /// unless a provider or the stream's error type said otherwise.
    pub kind: ErrorKind,
    /// The HTTP status (for errors that arrived inside a stream, the status
    /// their kind stands for).
    pub status: StatusCode,
    /// The response headers (credentials redacted in `Debug`).
    pub headers: HeaderMap,
    /// `request-id` / `x-request-id` (or the body's `request_id`).
    pub request_id: Option<String>,
    /// The raw error body as received (bounded by the client's error-body limit).
    pub body: Bytes,
    /// The parsed body.
    pub details: ErrorDetails,
    /// How long the server asked us to wait, from `retry-after-ms`, `retry-after`
    /// or Google's `RetryInfo`.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// Builds the error for a non-success response, classified by its status.
    /// Parses the body generically and reads request id and retry hints from
    /// the headers.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        let details = ErrorDetails::parse(&body);
        let request_id = request_id_of(&headers).or_else(|| details.request_id.clone());
        let retry_after =
            server_retry_delay(&headers, SystemTime::now(), Duration::MAX).or(details.retry_delay);
        Self {
            kind: ErrorKind::from_status(status.as_u16()),
            status,
            headers,
            request_id,
            body,
            details,
            retry_after,
        }
    }

    /// What the error's message starts with: its class in words (the
    /// official SDKs' exception names).
    fn label(&self) -> &'static str {
        match self.kind {
            ErrorKind::InvalidRequest => "bad request",
            ErrorKind::Authentication => "authentication failed",
            ErrorKind::Billing => "billing error",
            ErrorKind::Permission => "permission denied",
            ErrorKind::NotFound => "not found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RequestTooLarge => "request too large",
            ErrorKind::Unprocessable => "unprocessable",
            ErrorKind::RateLimit => "rate limited",
            ErrorKind::Overloaded => "overloaded",
            ErrorKind::Timeout => "server error",
            ErrorKind::Api if self.status.is_server_error() => "server error",
            ErrorKind::Api | ErrorKind::Other(_) => "unexpected status",
        }
    }

    /// The body as text, lossily decoded and cut to [`EXCERPT_LIMIT`] bytes.
    pub fn body_excerpt(&self) -> String {
        excerpt(&self.body)
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("details", &self.details)
            .field("retry_after", &self.retry_after)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &self.body_excerpt())
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status.as_u16())?;
        if let Some(t) = &self.details.error_type {
            write!(f, " {t}")?;
        } else if let Some(s) = &self.details.status {
            write!(f, " {s}")?;
        }
        match &self.details.message {
            Some(m) => write!(f, ": {m}")?,
            None if !self.body.is_empty() => write!(f, ": {}", self.body_excerpt())?,
            None => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request-id: {id})")?;
        }
        Ok(())
    }
}

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Establishing the TCP/TLS connection.
    Connect,
    /// The whole request (non-streaming) or the wait for response headers (streaming).
    Request,
    /// The gap between two chunks of a streamed body.
    Idle,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Request => "request",
            Self::Idle => "idle between stream chunks",
        })
    }
}

/// A framing error from one of the stream decoders.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingError {
    /// A line (SSE, NDJSON) longer than the limit.
    #[error("line exceeds the limit of {limit} bytes")]
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// An SSE event whose fields add up to more than the limit.
    #[error("event exceeds the limit of {limit} bytes")]
    EventTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// An event-stream message whose declared length is out of range.
    #[error("event-stream message length {length} outside [16, {limit}]")]
    BadMessageLength {
        /// The declared total length.
        length: u32,
        /// The largest accepted length.
        limit: usize,
    },
    /// The CRC32 of an event-stream prelude does not match.
    #[error("event-stream prelude CRC mismatch (expected {expected:#010x}, computed {actual:#010x})")]
    PreludeCrc {
        /// The CRC the message carried.
        expected: u32,
        /// The CRC of the bytes received.
        actual: u32,
    },
    /// The CRC32 of a whole event-stream message does not match.
    #[error("event-stream message CRC mismatch (expected {expected:#010x}, computed {actual:#010x})")]
    MessageCrc {
        /// The CRC the message carried.
        expected: u32,
        /// The CRC of the bytes received.
        actual: u32,
    },
    /// A malformed event-stream header.
    #[error("bad event-stream header: {reason}")]
    BadHeader {
        /// What is wrong.
        reason: String,
    },
    /// The stream ended inside a binary message.
    #[error("stream ended inside a message ({buffered} bytes pending)")]
    Truncated {
        /// Bytes received of the incomplete message.
        buffered: usize,
    },
}

/// The error type of every fallible operation in this crate (and of the
/// clients built on it).
///
/// HTTP errors keep everything in an [`ApiError`]; [`Error::kind`] says the
/// class of any error (as `std::io::Error::kind`). Secrets never appear in
/// `Debug` or `Display`.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error response from the API (or an error event inside a stream):
    /// status, headers, request id, body and its class,
    /// [`ApiError::kind`]. 429s carry [`ApiError::retry_after`].
    #[error("{}: {}", .0.label(), .0)]
    Api(Box<ApiError>),
    /// A timeout fired.
    #[error("timed out ({phase}) after {after:?}")]
    Timeout {
        /// Which timeout.
        phase: TimeoutPhase,
        /// Its configured length.
        after: Duration,
    },
    /// Connecting failed, TLS failed, or the connection broke (also mid-stream).
    #[error("connection error: {message}")]
    Connection {
        /// What happened (the cause chain, flattened).
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Arc<dyn StdError + Send + Sync>>,
    },
    /// A payload that could not be decoded (bad JSON, an unexpected shape).
    #[error("decode error: {message} (payload: {excerpt})")]
    Decode {
        /// What went wrong.
        message: String,
        /// The start of the offending payload (at most [`EXCERPT_LIMIT`] bytes).
        excerpt: String,
    },
    /// A stream framing error (bad SSE / NDJSON / event-stream framing or a size limit).
    #[error("stream framing error: {0}")]
    Framing(#[from] FramingError),
    /// A response body larger than the configured limit.
    #[error("response body exceeds {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The request could not be built or sent as given (bad URL, bad header).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A proxy URL that cannot be parsed (from `HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY` or an explicit configuration). Never quotes the URL, so a
    /// password in it stays out of messages.
    #[error("invalid proxy configuration in {variable}: {reason}")]
    InvalidProxy {
        /// The environment variable (or "the explicit proxy URL").
        variable: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// Credentials could not be resolved (a token endpoint failed or did not
    /// answer in time, a credentials file is missing or malformed, nothing is
    /// configured). The message never holds the secret itself.
    #[error("credentials ({source_name}): {message}")]
    Credentials {
        /// Where the credentials were sought (e.g. `google service account`,
        /// `aws profile`, `ibm iam`).
        source_name: String,
        /// What went wrong, and what to set when nothing is configured.
        message: String,
    },
}

impl Error {
    /// A [`Error::Credentials`] error from `source_name`.
    ///
    /// ```
    /// let e = messages_http::Error::credentials("aws env", "AWS_SECRET_ACCESS_KEY is not set");
    /// assert_eq!(e.to_string(), "credentials (aws env): AWS_SECRET_ACCESS_KEY is not set");
    /// ```
    pub fn credentials(source_name: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Credentials {
            source_name: source_name.into(),
            message: message.into(),
        }
    }

    /// Builds the typed error for a non-success response: the class follows
    /// the status, the details come from the body.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http::{HeaderMap, HeaderValue, StatusCode};
    /// use messages_http::Error;
    /// let mut h = HeaderMap::new();
    /// h.insert("request-id", HeaderValue::from_static("req_1"));
    /// h.insert("retry-after", HeaderValue::from_static("3"));
    /// let body = Bytes::from_static(br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#);
    /// let e = Error::from_response(StatusCode::TOO_MANY_REQUESTS, h, body);
    /// assert_eq!(e.kind(), messages_http::ErrorKind::RateLimit);
    /// assert_eq!(e.request_id(), Some("req_1"));
    /// assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(3)));
    /// assert_eq!(e.error_type(), Some("rate_limit_error"));
    /// assert_eq!(e.message(), Some("slow down"));
    /// assert!(e.is_retryable());
    /// ```
    pub fn from_response(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self::from_api(ApiError::new(status, headers, body))
    }

    /// Wraps an [`ApiError`] (its `kind` says the class).
    pub fn from_api(api: ApiError) -> Self {
        Self::Api(Box::new(api))
    }

    /// Builds the error for an error event received inside a stream (Anthropic
    /// `event: error`, an OpenAI `data: {"error":…}` line, an Ollama
    /// `{"error":…}` line). The class follows the error type in the payload
    /// (unknown types → [`ErrorKind::Api`]); the status is the one that
    /// class stands for.
    ///
    /// ```
    /// use messages_http::{Error, ErrorKind};
    /// let e = Error::from_stream_error(br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#);
    /// assert_eq!(e.kind(), ErrorKind::Overloaded);
    /// assert_eq!(e.status().map(|s| s.as_u16()), Some(529));
    /// ```
    pub fn from_stream_error(payload: &[u8]) -> Self {
        let details = ErrorDetails::parse(payload);
        let kind = details
            .error_type
            .as_deref()
            .and_then(ErrorKind::from_error_type)
            .or_else(|| details.status.as_deref().and_then(ErrorKind::from_error_type))
            .or_else(|| {
                details
                    .code
                    .as_deref()
                    .and_then(|c| c.parse::<u16>().ok())
                    .filter(|c| (400..=599).contains(c))
                    .map(ErrorKind::from_status)
            })
            .unwrap_or(ErrorKind::Api);
        Self::from_payload(kind, details, payload)
    }

    /// An [`Error::Api`] of `kind` for an error that arrived without an HTTP
    /// status (its status is the one the kind stands for).
    fn from_payload(kind: ErrorKind, details: ErrorDetails, payload: &[u8]) -> Self {
        let api = ApiError {
            status: StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            kind,
            headers: HeaderMap::new(),
            request_id: details.request_id.clone(),
            body: Bytes::copy_from_slice(payload),
            retry_after: details.retry_delay,
            details,
        };
        Self::from_api(api)
    }

    /// Builds the error for an AWS event-stream exception message (Bedrock
    /// `:message-type: exception`): classified by its `:exception-type`
    /// (`throttlingException` → [`ErrorKind::RateLimit`], `validationException` →
    /// [`ErrorKind::InvalidRequest`], unknown → [`ErrorKind::Api`]), message from
    /// the `{"message": …}` payload.
    ///
    /// ```
    /// use messages_http::{Error, ErrorKind};
    /// let e = Error::from_exception("throttlingException", br#"{"message":"Too many requests"}"#);
    /// assert_eq!(e.kind(), ErrorKind::RateLimit);
    /// assert_eq!(e.message(), Some("Too many requests"));
    /// assert_eq!(e.error_type(), Some("throttlingException"));
    /// ```
    pub fn from_exception(exception_type: &str, payload: &[u8]) -> Self {
        let mut details = ErrorDetails::parse(payload);
        details.error_type = Some(exception_type.to_owned());
        let kind = ErrorKind::from_error_type(exception_type).unwrap_or(ErrorKind::Api);
        Self::from_payload(kind, details, payload)
    }

    /// A decode error keeping a bounded excerpt of the payload.
    pub fn decode(message: impl Into<String>, payload: &[u8]) -> Self {
        Self::Decode {
            message: message.into(),
            excerpt: excerpt(payload),
        }
    }

    /// A connection error from any cause (its source chain is flattened into the message).
    pub fn connection(source: impl StdError + Send + Sync + 'static) -> Self {
        let mut message = source.to_string();
        let mut cur: Option<&(dyn StdError + 'static)> = source.source();
        while let Some(e) = cur {
            let s = e.to_string();
            if !message.contains(&s) {
                message.push_str(": ");
                message.push_str(&s);
            }
            cur = e.source();
        }
        Self::Connection {
            message,
            source: Some(Arc::new(source)),
        }
    }

    /// The [`ApiError`] of an HTTP error.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(a) => Some(a),
            _ => None,
        }
    }

    /// Mutable access to the [`ApiError`] (to correct details or `retry_after`).
    pub fn api_error_mut(&mut self) -> Option<&mut ApiError> {
        match self {
            Self::Api(a) => Some(a),
            _ => None,
        }
    }

    /// The [`ApiError`] by value, if this is an HTTP error.
    pub fn into_api_error(self) -> Option<ApiError> {
        match self {
            Self::Api(a) => Some(*a),
            _ => None,
        }
    }

    /// Reclassifies an HTTP error (a provider's correction; the status is
    /// kept). Other errors are returned unchanged.
    ///
    /// ```
    /// use messages_http::{Error, ErrorKind};
    /// let e = Error::from_response(http::StatusCode::BAD_REQUEST, Default::default(), Default::default());
    /// let e = e.with_kind(ErrorKind::Authentication);
    /// assert_eq!((e.kind(), e.status().map(|s| s.as_u16())), (ErrorKind::Authentication, Some(400)));
    /// ```
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        if let Self::Api(a) = &mut self {
            a.kind = kind;
        }
        self
    }

    /// The class of any error, as `std::io::Error::kind`: an API error's own
    /// kind; [`ErrorKind::Timeout`] for a timeout, [`ErrorKind::InvalidRequest`]
    /// for a request that could not be built, [`ErrorKind::Authentication`]
    /// for credentials that could not be resolved, [`ErrorKind::Api`] for the
    /// rest (connection, decoding, framing, size limits, proxy configuration).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api(a) => a.kind.clone(),
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Self::Credentials { .. } => ErrorKind::Authentication,
            Self::Connection { .. }
            | Self::Decode { .. }
            | Self::Framing(_)
            | Self::BodyTooLarge { .. }
            | Self::InvalidProxy { .. } => ErrorKind::Api,
        }
    }

    /// The HTTP status of an HTTP error.
    pub fn status(&self) -> Option<StatusCode> {
        self.api_error().map(|a| a.status)
    }

    /// The request id of an HTTP error.
    pub fn request_id(&self) -> Option<&str> {
        self.api_error().and_then(|a| a.request_id.as_deref())
    }

    /// The delay the server asked for before a retry.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|a| a.retry_after)
    }

    /// The provider's error type (`overloaded_error`, `invalid_request_error`, …).
    pub fn error_type(&self) -> Option<&str> {
        self.api_error().and_then(|a| a.details.error_type.as_deref())
    }

    /// The provider's error message.
    pub fn message(&self) -> Option<&str> {
        self.api_error().and_then(|a| a.details.message.as_deref())
    }

    /// Whether the SDKs would retry this error: `x-should-retry` when present,
    /// else 408, 409, 429, ≥ 500, connection errors and timeouts.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Connection { .. } => true,
            _ => match self.api_error() {
                Some(a) => crate::retry::status_is_retryable(a.status, &a.headers),
                None => false,
            },
        }
    }
}

/// The start of a payload as text (lossy UTF-8), cut at [`EXCERPT_LIMIT`] bytes
/// on a character boundary, with `…` when cut.
pub fn excerpt(payload: &[u8]) -> String {
    let cut = payload.len() > EXCERPT_LIMIT;
    let head = payload.get(..EXCERPT_LIMIT).unwrap_or(payload);
    let mut s = String::from_utf8_lossy(head).into_owned();
    if cut {
        // A character split by the cut shows as U+FFFD; drop it.
        while s.ends_with('\u{FFFD}') {
            s.pop();
        }
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn classification_by_status() {
        for (code, kind) in [
            (400, ErrorKind::InvalidRequest),
            (401, ErrorKind::Authentication),
            (402, ErrorKind::Billing),
            (403, ErrorKind::Permission),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (413, ErrorKind::RequestTooLarge),
            (422, ErrorKind::Unprocessable),
            (429, ErrorKind::RateLimit),
            (500, ErrorKind::Api),
            (503, ErrorKind::Api),
            (529, ErrorKind::Overloaded),
            (418, ErrorKind::Api),
        ] {
            let status = StatusCode::from_u16(code).unwrap();
            let e = Error::from_response(status, HeaderMap::new(), Bytes::new());
            assert_eq!(e.kind(), kind, "{code}");
            assert_eq!(e.status(), Some(status));
        }
    }

    #[test]
    fn debug_and_display_never_show_credentials() {
        let mut h = HeaderMap::new();
        h.insert("set-cookie", HeaderValue::from_static("session=SECRET1"));
        h.insert("x-request-id", HeaderValue::from_static("abc"));
        let e = Error::from_response(StatusCode::UNAUTHORIZED, h, Bytes::from_static(b"{}"));
        let shown = format!("{e:?} {e}");
        assert!(!shown.contains("SECRET1"), "{shown}");
        assert!(shown.contains("abc"));
    }

    #[test]
    fn provider_can_reclassify() {
        let body = Bytes::from_static(
            br#"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#,
        );
        let e = Error::from_response(StatusCode::BAD_REQUEST, HeaderMap::new(), body);
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        let e = e.with_kind(ErrorKind::Authentication);
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.message(), Some("API key not valid."));
    }

    #[test]
    fn excerpt_is_bounded_and_char_safe() {
        let long = "é".repeat(1000);
        let x = excerpt(long.as_bytes());
        assert!(x.len() <= EXCERPT_LIMIT + '…'.len_utf8());
        assert!(x.ends_with('…'));
        assert!(!x.contains('\u{FFFD}'));
        assert_eq!(excerpt(b"short"), "short");
    }

    #[test]
    fn stream_error_classification() {
        let e = Error::from_stream_error(br#"{"error":{"message":"quota","type":"insufficient_quota"}}"#);
        assert_eq!(e.kind(), ErrorKind::Billing);
        let e = Error::from_stream_error(br#"{"error":"boom"}"#);
        assert_eq!(e.kind(), ErrorKind::Api);
        assert_eq!(e.message(), Some("boom"));
        let e = Error::from_stream_error(
            br#"{"error":{"code":429,"message":"x","status":"RESOURCE_EXHAUSTED"}}"#,
        );
        assert_eq!(e.kind(), ErrorKind::RateLimit);
    }

    #[test]
    fn display_names_the_class() {
        let show = |code| {
            let status = StatusCode::from_u16(code).unwrap();
            Error::from_response(status, HeaderMap::new(), Bytes::from_static(b"x")).to_string()
        };
        assert_eq!(show(429), "rate limited: 429: x");
        assert_eq!(show(503), "server error: 503: x");
        assert_eq!(show(504), "server error: 504: x");
        assert_eq!(show(418), "unexpected status: 418: x");
        assert_eq!(show(403), "permission denied: 403: x");
    }

    #[test]
    fn every_error_has_a_kind() {
        let t = Error::Timeout {
            phase: TimeoutPhase::Request,
            after: std::time::Duration::from_secs(1),
        };
        assert_eq!(t.kind(), ErrorKind::Timeout);
        assert_eq!(Error::credentials("x", "y").kind(), ErrorKind::Authentication);
        assert_eq!(
            Error::InvalidRequest("bad".into()).kind(),
            ErrorKind::InvalidRequest
        );
        assert_eq!(Error::decode("bad", b"{").kind(), ErrorKind::Api);
    }
}
