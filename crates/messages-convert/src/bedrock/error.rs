//! Bedrock errors → the Anthropic error kinds.
//!
//! The error code comes from the `x-amzn-errortype` header, else `__type` /
//! `code` in the body, trimmed after `:` and `#` as botocore does
//! (`ValidationException:http://internal.amazon.com/coral/…` →
//! `ValidationException`); the message from the body's `message` /
//! `Message`. In-stream exceptions use the same codes in lower camel case
//! (`throttlingException`); the match ignores case.
//!
//! | code | kind |
//! |---|---|
//! | `ValidationException` | `invalid_request_error` |
//! | `AccessDeniedException` | `permission_error` |
//! | `UnrecognizedClientException`, `InvalidSignatureException`, `ExpiredTokenException`, `IncompleteSignature`, `MissingAuthenticationToken`, `InvalidClientTokenId` | `authentication_error` |
//! | `ResourceNotFoundException` | `not_found_error` |
//! | `ThrottlingException`, `TooManyRequestsException` | `rate_limit_error` |
//! | `ServiceQuotaExceededException` | `invalid_request_error` (a 400: retrying does not help) |
//! | `ConflictException` | `conflict_error` |
//! | `ServiceUnavailableException`, `ModelNotReadyException` | `overloaded_error` |
//! | `ModelTimeoutException` | `timeout_error` |
//! | `InternalServerException`, `ModelErrorException`, `ModelStreamErrorException` | `api_error` |
//! | anything else | by HTTP status ([`ErrorKind::from_status`]) |
//!
//! ```
//! use messages_convert::bedrock::error_response;
//! use messages_types::ErrorKind;
//! let e = error_response(
//!     400,
//!     Some("ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
//!     br#"{"message":"Malformed input request"}"#,
//! );
//! assert_eq!(e.error.kind, ErrorKind::InvalidRequest);
//! assert_eq!(e.error.message, "Malformed input request");
//! ```

use messages_types::{ErrorKind, ErrorResponse};

use super::wire::ExceptionBody;

/// A classified Bedrock error.
#[derive(Debug, Clone, PartialEq)]
pub struct BedrockError {
    /// The HTTP status (for an in-stream exception, the shape's status).
    pub http_status: u16,
    /// The Anthropic error kind.
    pub kind: ErrorKind,
    /// The Bedrock error code (`ThrottlingException`, …), when known.
    pub code: Option<String>,
    /// The message (Bedrock's, or a generic one).
    pub message: String,
    /// For model errors: the model's own status code.
    pub original_status_code: Option<u16>,
}

impl BedrockError {
    /// The Anthropic error body for this error.
    pub fn to_error_response(&self) -> ErrorResponse {
        ErrorResponse::new(self.kind.clone(), self.message.clone())
    }
}

/// A code as botocore trims it: before the first `:`, after the last `#`.
pub fn trim_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    code.rsplit('#').next().unwrap_or(code).trim()
}

/// The Anthropic kind of a Bedrock error code (case-insensitive); `None`
/// for a code this table does not know.
pub fn kind_for_code(code: &str) -> Option<ErrorKind> {
    let c = code.to_ascii_lowercase();
    Some(match c.as_str() {
        "validationexception" | "serializationexception" | "servicequotaexceededexception" => {
            ErrorKind::InvalidRequest
        }
        "accessdeniedexception" => ErrorKind::Permission,
        "unrecognizedclientexception"
        | "invalidsignatureexception"
        | "expiredtokenexception"
        | "incompletesignature"
        | "incompletesignatureexception"
        | "missingauthenticationtoken"
        | "missingauthenticationtokenexception"
        | "invalidclienttokenid" => ErrorKind::Authentication,
        "resourcenotfoundexception" => ErrorKind::NotFound,
        "throttlingexception" | "toomanyrequestsexception" => ErrorKind::RateLimit,
        "conflictexception" => ErrorKind::Conflict,
        "serviceunavailableexception" | "modelnotreadyexception" => ErrorKind::Overloaded,
        "modeltimeoutexception" => ErrorKind::Timeout,
        "internalserverexception" | "modelerrorexception" | "modelstreamerrorexception" => ErrorKind::Api,
        _ => return None,
    })
}

/// The HTTP status botocore's model gives an exception shape (for in-stream
/// exceptions, which have none of their own).
pub fn status_for_code(code: &str) -> u16 {
    match code.to_ascii_lowercase().as_str() {
        "accessdeniedexception" => 403,
        "resourcenotfoundexception" => 404,
        "throttlingexception" | "modelnotreadyexception" => 429,
        "modeltimeoutexception" => 408,
        "modelerrorexception" | "modelstreamerrorexception" => 424,
        "serviceunavailableexception" => 503,
        "internalserverexception" => 500,
        _ => 400,
    }
}

/// Classifies an error from its HTTP status, the `x-amzn-errortype` header
/// and the body. Never fails: a body that is not JSON is classified by the
/// header or the status alone.
pub fn classify_error(status: u16, error_type_header: Option<&str>, body: &[u8]) -> BedrockError {
    let parsed = serde_json::from_slice::<ExceptionBody>(body.trim_ascii()).ok();
    let code = error_type_header
        .or_else(|| {
            parsed
                .as_ref()
                .and_then(|b| b.type_name.as_deref().or(b.code.as_deref()))
        })
        .map(trim_code)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    classify_parts(status, code, parsed)
}

/// Classifies an already parsed exception (e.g. an in-stream one).
pub(crate) fn classify_parts(status: u16, code: Option<String>, body: Option<ExceptionBody>) -> BedrockError {
    let kind = code
        .as_deref()
        .and_then(kind_for_code)
        .unwrap_or_else(|| ErrorKind::from_status(status));
    let original_status_code = body.as_ref().and_then(|b| b.original_status_code);
    let message = body
        .and_then(|b| b.message)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| match &code {
            Some(c) => format!("Bedrock error {c} (HTTP {status})"),
            None => format!("Bedrock error (HTTP {status})"),
        });
    BedrockError {
        http_status: status,
        kind,
        code,
        message,
        original_status_code,
    }
}

/// [`classify_error`] as an Anthropic error body.
pub fn error_response(status: u16, error_type_header: Option<&str>, body: &[u8]) -> ErrorResponse {
    classify_error(status, error_type_header, body).to_error_response()
}

/// Classifies an exception sent inside an event stream
/// (`:message-type: exception`, `:exception-type: <code>`, JSON payload).
pub fn classify_stream_exception(exception_type: &str, payload: &[u8]) -> BedrockError {
    let body = serde_json::from_slice::<ExceptionBody>(payload.trim_ascii()).ok();
    let code = trim_code(exception_type);
    classify_parts(status_for_code(code), Some(code.to_owned()), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_maps() {
        for (status, code, kind) in [
            (400, "ValidationException", ErrorKind::InvalidRequest),
            (403, "AccessDeniedException", ErrorKind::Permission),
            (403, "UnrecognizedClientException", ErrorKind::Authentication),
            (404, "ResourceNotFoundException", ErrorKind::NotFound),
            (429, "ThrottlingException", ErrorKind::RateLimit),
            (429, "ModelNotReadyException", ErrorKind::Overloaded),
            (503, "ServiceUnavailableException", ErrorKind::Overloaded),
            (408, "ModelTimeoutException", ErrorKind::Timeout),
            (500, "InternalServerException", ErrorKind::Api),
            (424, "ModelErrorException", ErrorKind::Api),
            (400, "ServiceQuotaExceededException", ErrorKind::InvalidRequest),
            (400, "ConflictException", ErrorKind::Conflict),
        ] {
            let e = classify_error(status, Some(code), br#"{"message":"m"}"#);
            assert_eq!((e.kind, e.message.as_str()), (kind, "m"), "{code}");
            assert_eq!(e.code.as_deref(), Some(code));
        }
    }

    #[test]
    fn code_from_body_and_fallbacks() {
        let e = classify_error(
            400,
            None,
            br#"{"__type":"com.amazon.coral#ThrottlingException","Message":"slow"}"#,
        );
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::RateLimit, "slow"));
        let e = classify_error(502, None, b"<html>bad gateway</html>");
        assert_eq!(e.kind, ErrorKind::Api);
        assert!(e.message.contains("502"), "{}", e.message);
        let e = classify_error(418, Some("SomethingNewException"), b"");
        assert_eq!(e.kind, ErrorKind::from_status(418));
        assert!(e.message.contains("SomethingNewException"));
    }

    #[test]
    fn stream_exceptions() {
        let e = classify_stream_exception(
            "modelStreamErrorException",
            br#"{"message":"boom","originalStatusCode":500,"originalMessage":"x"}"#,
        );
        assert_eq!(
            (e.kind, e.http_status, e.original_status_code),
            (ErrorKind::Api, 424, Some(500))
        );
        assert_eq!(
            classify_stream_exception("throttlingException", b"{}").kind,
            ErrorKind::RateLimit
        );
        assert_eq!(
            classify_stream_exception("validationException", b"").kind,
            ErrorKind::InvalidRequest
        );
    }
}
