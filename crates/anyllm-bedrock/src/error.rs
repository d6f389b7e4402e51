//! A non-2xx Bedrock response → the typed error, classified by
//! [`messages_convert::bedrock::classify_error`] from the status, the
//! `x-amzn-errortype` header and the body; the request id is
//! `x-amzn-requestid`.

use bytes::Bytes;
use messages_convert::bedrock::classify_error;
use messages_types::ErrorKind;

use anyllm_provider::Error;

/// The header naming the exception (`ThrottlingException:http://…`).
pub const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";

/// The typed error for a Bedrock error response: `ThrottlingException` →
/// rate limit, `ValidationException` → invalid request,
/// `AccessDeniedException` → permission, `ResourceNotFoundException` → not
/// found, `ServiceUnavailableException` / `ModelNotReadyException` →
/// overloaded, …; the message is Bedrock's, the error type its exception
/// name, the request id `x-amzn-requestid`.
pub fn classify(response: http::Response<Bytes>) -> Error {
    let (parts, body) = response.into_parts();
    let status = parts.status;
    let header = parts.headers.get(ERROR_TYPE_HEADER).and_then(|v| v.to_str().ok());
    let bedrock = classify_error(status.as_u16(), header, &body);
    let kind = match bedrock.kind {
        ErrorKind::Other(_) => ErrorKind::from_status(status.as_u16()),
        known => known,
    };
    let mut error = messages_http::Error::from_response(status, parts.headers, body).with_kind(kind);
    if let Some(api) = error.api_error_mut() {
        api.details.message = Some(bedrock.message);
        if let Some(code) = bedrock.code {
            api.details.error_type = Some(code);
        }
    }
    Error::Http(error)
}
