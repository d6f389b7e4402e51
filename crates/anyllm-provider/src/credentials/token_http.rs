//! Fetching a token from an HTTP endpoint: bounded in time and size, errors
//! typed and free of secrets.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use messages_http::{Error, SecretString};
use serde_json::Value;
use tokio::time::Instant;

use super::{AccessToken, ResolveContext};

/// How long a token endpoint may take by default (the whole exchange).
pub const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The most bytes of a token endpoint's reply read.
const REPLY_LIMIT: usize = 64 * 1024;

/// How much of an endpoint's error description an error shows.
const DESCRIPTION_SHOWN: usize = 300;

/// Sends `request` through the context's transport and returns the JSON
/// object of a 2xx reply; anything else is [`Error::Credentials`] from
/// `source_name` (the endpoint's `error` / `error_description` shown, never
/// the request's credentials), within `timeout`.
pub(crate) async fn fetch_json(
    source_name: &str,
    cx: &ResolveContext,
    request: http::Request<Bytes>,
    timeout: Duration,
) -> Result<Value, Error> {
    let transport = cx.require_transport(source_name)?;
    let endpoint = endpoint_of(request.uri());
    let fail = |message: String| Error::credentials(source_name, message);
    let exchange = async {
        let response = transport
            .send(request)
            .await
            .map_err(|e| fail(format!("token endpoint {endpoint}: {e}")))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect(REPLY_LIMIT)
            .await
            .map_err(|e| fail(format!("token endpoint {endpoint}: reading the reply: {e}")))?;
        if !parts.status.is_success() {
            return Err(fail(format!(
                "token endpoint {endpoint} answered {}{}",
                parts.status,
                error_description(&body)
            )));
        }
        serde_json::from_slice::<Value>(&body)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| fail(format!("token endpoint {endpoint} sent no JSON object")))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(fail(format!(
            "token endpoint {endpoint} did not answer within {timeout:?}"
        ))),
    }
}

/// An access token from an OAuth-style reply: `access_token`, with
/// `expires_in` (seconds from now) or IBM's `expiration` (Unix seconds).
pub(crate) fn access_token_from(source_name: &str, reply: &Value) -> Result<AccessToken, Error> {
    let token = reply
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::credentials(source_name, "the token reply has no `access_token`"))?;
    let now = Instant::now();
    let expires_at = match (seconds(reply.get("expires_in")), seconds(reply.get("expiration"))) {
        (Some(secs), _) => Some(now + Duration::from_secs(secs)),
        (None, Some(unix)) => {
            let left = UNIX_EPOCH
                .checked_add(Duration::from_secs(unix))
                .and_then(|at| at.duration_since(SystemTime::now()).ok())
                .unwrap_or_default();
            Some(now + left)
        }
        (None, None) => None,
    };
    Ok(AccessToken::new(SecretString::new(token), expires_at))
}

/// A number of seconds given as a JSON number or a numeric string.
fn seconds(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `scheme://host/path` of a token endpoint (no query, no user info).
fn endpoint_of(uri: &http::Uri) -> String {
    format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or("http"),
        uri.host().unwrap_or(""),
        match uri.port_u16() {
            Some(p) => format!(":{p}{}", uri.path()),
            None => uri.path().to_owned(),
        }
    )
}

/// `: error — description` from an OAuth error body, shortened; empty when
/// the body has neither (the raw body is not echoed: it may repeat input).
fn error_description(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return String::new();
    };
    let text = |k: &str| {
        v.get(k).and_then(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("message").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        })
    };
    let parts: Vec<String> = [
        text("error"),
        text("errorCode"),
        text("error_description"),
        text("errorMessage"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return String::new();
    }
    let joined = parts.join(" — ");
    match joined.char_indices().nth(DESCRIPTION_SHOWN) {
        Some((cut, _)) => format!(": {}…", &joined[..cut]),
        None => format!(": {joined}"),
    }
}

/// A form-encoded POST (`application/x-www-form-urlencoded`) to `url`.
pub(crate) fn form_post(
    source_name: &str,
    url: &str,
    fields: &[(&str, &str)],
) -> Result<http::Request<Bytes>, Error> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    http::Request::post(url)
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .body(Bytes::from(form.finish()))
        .map_err(|_| Error::credentials(source_name, format!("invalid token endpoint URL `{url}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_descriptions_are_short_and_structured() {
        assert_eq!(
            error_description(br#"{"error":"invalid_grant","error_description":"Bad Request"}"#),
            ": invalid_grant — Bad Request"
        );
        assert_eq!(error_description(b"<html>secret echo</html>"), "");
        let long = format!(r#"{{"error":"{}"}}"#, "x".repeat(1000));
        assert_eq!(
            error_description(long.as_bytes()).chars().count(),
            DESCRIPTION_SHOWN + 3
        );
    }

    #[test]
    fn endpoints_drop_queries() {
        let uri: http::Uri = "http://127.0.0.1:9/token?key=secret".parse().unwrap();
        assert_eq!(endpoint_of(&uri), "http://127.0.0.1:9/token");
    }
}
