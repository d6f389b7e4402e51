//! The error body the API returns (HTTP error responses and `error` stream events).

use serde::{Deserialize, Serialize};

use crate::common::Extra;
use crate::macros::open_enum;
use crate::nullable::Nullable;

open_enum! {
    /// The class of an error: the Anthropic error types, and the one error
    /// classification of the whole workspace (in the style of
    /// `std::io::ErrorKind`). `messages_http::Error::kind`,
    /// `anyllm::Error::kind` and the Anthropic error bodies all use it.
    ///
    /// HTTP status → kind is [`ErrorKind::from_status`], kind → status is
    /// [`ErrorKind::status`] and a provider's error type name → kind is
    /// [`ErrorKind::from_error_type`]: those three mappings exist only here.
    /// On the wire it is the error body's `type`; a type this crate does not
    /// know is kept verbatim in [`ErrorKind::Other`] (its status is 500).
    pub enum ErrorKind {
        /// 400.
        InvalidRequest = "invalid_request_error",
        /// 401.
        Authentication = "authentication_error",
        /// 402.
        Billing = "billing_error",
        /// 403.
        Permission = "permission_error",
        /// 404.
        NotFound = "not_found_error",
        /// 409.
        Conflict = "conflict_error",
        /// 413.
        RequestTooLarge = "request_too_large",
        /// 422.
        Unprocessable = "unprocessable_entity_error",
        /// 429.
        RateLimit = "rate_limit_error",
        /// 500, any other 5xx, and any other non-success status (3xx, 408, 418, …).
        Api = "api_error",
        /// 504 (and a client-side timeout).
        Timeout = "timeout_error",
        /// 529.
        Overloaded = "overloaded_error",
    }
}

impl ErrorKind {
    /// The kind of an HTTP error status.
    ///
    /// ```
    /// use messages_types::ErrorKind;
    /// assert_eq!(ErrorKind::from_status(429), ErrorKind::RateLimit);
    /// assert_eq!(ErrorKind::from_status(503), ErrorKind::Api);
    /// assert_eq!(ErrorKind::from_status(418), ErrorKind::Api);
    /// ```
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::InvalidRequest,
            401 => Self::Authentication,
            402 => Self::Billing,
            403 => Self::Permission,
            404 => Self::NotFound,
            409 => Self::Conflict,
            413 => Self::RequestTooLarge,
            422 => Self::Unprocessable,
            429 => Self::RateLimit,
            504 => Self::Timeout,
            529 => Self::Overloaded,
            _ => Self::Api,
        }
    }

    /// The HTTP status this kind stands for (for errors that arrived without
    /// one, e.g. inside a stream, and for Anthropic error responses built
    /// from a kind). [`ErrorKind::Api`] and unknown kinds → 500.
    ///
    /// ```
    /// use messages_types::ErrorKind;
    /// assert_eq!(ErrorKind::Overloaded.status(), 529);
    /// assert_eq!(ErrorKind::Other("new_error".into()).status(), 500);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::Authentication => 401,
            Self::Billing => 402,
            Self::Permission => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::RequestTooLarge => 413,
            Self::Unprocessable => 422,
            Self::RateLimit => 429,
            Self::Api | Self::Other(_) => 500,
            Self::Timeout => 504,
            Self::Overloaded => 529,
        }
    }

    /// The kind named by a provider's error type: the Anthropic types, the
    /// OpenAI types and codes, Google statuses and AWS exception names (in
    /// UpperCamelCase as the HTTP APIs spell them, or lowerCamelCase as AWS
    /// event streams do). `None` for a name it does not know. Used where no
    /// HTTP status says the class (errors inside a stream) or where the body
    /// says more than the status.
    ///
    /// ```
    /// use messages_types::ErrorKind;
    /// assert_eq!(ErrorKind::from_error_type("overloaded_error"), Some(ErrorKind::Overloaded));
    /// assert_eq!(ErrorKind::from_error_type("RESOURCE_EXHAUSTED"), Some(ErrorKind::RateLimit));
    /// assert_eq!(ErrorKind::from_error_type("throttlingException"), Some(ErrorKind::RateLimit));
    /// assert_eq!(ErrorKind::from_error_type("something_new"), None);
    /// ```
    pub fn from_error_type(t: &str) -> Option<Self> {
        Self::from_exact_type(t).or_else(|| {
            // AWS event streams spell exception names in lowerCamelCase
            // (`throttlingException`); the HTTP API in UpperCamelCase.
            let mut chars = t.chars();
            let first = chars.next()?;
            if !first.is_ascii_lowercase() {
                return None;
            }
            Self::from_exact_type(&format!("{}{}", first.to_ascii_uppercase(), chars.as_str()))
        })
    }

    fn from_exact_type(t: &str) -> Option<Self> {
        match Self::from(t) {
            Self::Other(_) => {}
            known => return Some(known),
        }
        Some(match t {
            "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "ValidationException" => Self::InvalidRequest,
            "UNAUTHENTICATED" | "UnrecognizedClientException" => Self::Authentication,
            "insufficient_quota" => Self::Billing,
            "PERMISSION_DENIED" | "AccessDeniedException" => Self::Permission,
            "NOT_FOUND" | "ResourceNotFoundException" => Self::NotFound,
            "conflict" | "ABORTED" => Self::Conflict,
            "unprocessable" | "unprocessable_entity" => Self::Unprocessable,
            "rate_limit_exceeded" | "RESOURCE_EXHAUSTED" | "ThrottlingException" => Self::RateLimit,
            "server_error"
            | "INTERNAL"
            | "UNAVAILABLE"
            | "InternalServerException"
            | "ServiceUnavailableException"
            | "ModelStreamErrorException" => Self::Api,
            "ModelNotReadyException" => Self::Overloaded,
            _ => return None,
        })
    }
}

/// `{"type": "…", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error type.
    #[serde(rename = "type")]
    pub kind: ErrorKind,
    /// Human-readable message.
    pub message: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"type": "error", "error": {...}, "request_id": "req_…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// Always `error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The error.
    pub error: ErrorObject,
    /// The request id, when the API gave one.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub request_id: Nullable<String>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ErrorResponse {
    /// An error body of the given kind and message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind: "error".to_owned(),
            error: ErrorObject {
                kind,
                message: message.into(),
                extra: Extra::new(),
            },
            request_id: Nullable::Absent,
            extra: Extra::new(),
        }
    }
}
