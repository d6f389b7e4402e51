//! The error body the API returns (HTTP error responses and `error` stream events).

use serde::{Deserialize, Serialize};

use crate::common::Extra;
use crate::macros::open_enum;
use crate::nullable::Nullable;

open_enum! {
    /// The documented error types.
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
        /// 500.
        Api = "api_error",
        /// 504.
        Timeout = "timeout_error",
        /// 529.
        Overloaded = "overloaded_error",
    }
}

impl ErrorKind {
    /// The error type the API uses for an HTTP status.
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
