//! `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` support for the
//! default transport, on hyper-util's proxy matcher and CONNECT tunnel.
//!
//! Every proxied destination, `http://` included, goes through an HTTP
//! `CONNECT` tunnel (then TLS end to end for `https://`). Proxies reached over
//! `https://` and SOCKS proxies are not supported: such destinations fail with
//! a connection error naming the proxy scheme.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn StdError + Send + Sync>;

/// Which proxy the default transport uses. `Debug` hides the credentials of
/// an explicit proxy URL.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyConfig {
    /// Read `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (and
    /// their lower-case forms) when the transport is built, as curl does.
    #[default]
    FromEnv,
    /// Connect directly.
    Disabled,
    /// One proxy (`http://[user:pass@]host:port`) for every destination except
    /// those matching `no_proxy` (a `NO_PROXY`-style list).
    Explicit {
        /// The proxy URL.
        url: String,
        /// Hosts that bypass it (comma separated; `*` = all).
        no_proxy: String,
    },
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnv => f.write_str("FromEnv"),
            Self::Disabled => f.write_str("Disabled"),
            Self::Explicit { url, no_proxy } => f
                .debug_struct("Explicit")
                .field("url", &redact_userinfo(url))
                .field("no_proxy", no_proxy)
                .finish(),
        }
    }
}

/// `url` with any `user:password@` in its authority replaced by `[REDACTED]@`.
fn redact_userinfo(url: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let rest = url.get(authority_start..).unwrap_or_default();
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_len).unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => format!(
            "{}[REDACTED]{}",
            url.get(..authority_start).unwrap_or_default(),
            rest.get(at..).unwrap_or_default()
        ),
        None => url.to_owned(),
    }
}

/// The proxy variables read from the environment, in the order curl
/// consults them (the matcher picks among them per destination).
const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Checks that a proxy URL parses the way the matcher will read it (a bare
/// `host:port` means `http://host:port`). The matcher itself silently skips
/// an unparsable URL, which would connect directly and bypass an egress
/// proxy; this makes it an error instead.
fn check_proxy_url(variable: &str, url: &str) -> Result<(), crate::Error> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(());
    }
    let full = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    match full.parse::<Uri>() {
        Ok(uri) if uri.authority().is_some() => Ok(()),
        Ok(_) => Err(crate::Error::InvalidProxy {
            variable: variable.to_owned(),
            reason: "the URL has no host".to_owned(),
        }),
        // The parser's message never quotes the URL, so no password leaks.
        Err(e) => Err(crate::Error::InvalidProxy {
            variable: variable.to_owned(),
            reason: e.to_string(),
        }),
    }
}

impl ProxyConfig {
    /// The matcher for this configuration; an unparsable proxy URL (from the
    /// environment or given explicitly) is [`crate::Error::InvalidProxy`].
    pub(crate) fn matcher(&self) -> Result<Option<Matcher>, crate::Error> {
        match self {
            Self::FromEnv => {
                for variable in PROXY_VARIABLES {
                    if let Some(url) = std::env::var_os(variable) {
                        let url = url.to_str().ok_or_else(|| crate::Error::InvalidProxy {
                            variable: variable.to_owned(),
                            reason: "not valid UTF-8".to_owned(),
                        })?;
                        check_proxy_url(variable, url)?;
                    }
                }
                Ok(Some(Matcher::from_env()))
            }
            Self::Disabled => Ok(None),
            Self::Explicit { url, no_proxy } => {
                check_proxy_url("the explicit proxy URL", url)?;
                Ok(Some(
                    Matcher::builder().all(url.clone()).no(no_proxy.clone()).build(),
                ))
            }
        }
    }
}

/// A connector that tunnels through a proxy where the matcher says so and
/// connects directly otherwise.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    pub(crate) http: HttpConnector,
    pub(crate) matcher: Option<Arc<Matcher>>,
}

impl Service<Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let intercept = self.matcher.as_ref().and_then(|m| m.intercept(&dst));
        let Some(intercept) = intercept else {
            let fut = self.http.call(dst);
            return Box::pin(async move { fut.await.map_err(Into::into) });
        };
        let proxy = intercept.uri().clone();
        if proxy.scheme_str() != Some("http") {
            let scheme = proxy.scheme_str().unwrap_or("").to_owned();
            return Box::pin(async move {
                Err(format!("proxy scheme `{scheme}` is not supported (only http:// CONNECT proxies)").into())
            });
        }
        let mut tunnel = Tunnel::new(proxy, self.http.clone());
        if let Some(auth) = intercept.basic_auth() {
            tunnel = tunnel.with_auth(auth.clone());
        }
        Box::pin(async move {
            std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await?;
            let io = tunnel.call(dst).await?;
            Ok(io)
        })
    }
}

/// Bounds a whole connection set-up — TCP, the proxy `CONNECT` tunnel and
/// the TLS handshake — by the connect timeout; an expiry is an
/// `io::ErrorKind::TimedOut` error, which the transport reports as
/// [`crate::TimeoutPhase::Connect`].
#[derive(Clone)]
pub(crate) struct ConnectTimeout<C> {
    pub(crate) inner: C,
    pub(crate) timeout: Option<std::time::Duration>,
}

impl<C> Service<Uri> for ConnectTimeout<C>
where
    C: Service<Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let fut = self.inner.call(dst);
        let timeout = self.timeout;
        Box::pin(async move {
            match timeout {
                Some(limit) => match tokio::time::timeout(limit, fut).await {
                    Ok(r) => r.map_err(Into::into),
                    Err(_) => Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "connect timed out (TCP, proxy tunnel or TLS handshake)",
                    )
                    .into()),
                },
                None => fut.await.map_err(Into::into),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_proxy_credentials() {
        let cfg = ProxyConfig::Explicit {
            url: "http://alice:s3cr3t-pw@proxy.local:3128/x?y#z".into(),
            no_proxy: "localhost".into(),
        };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(!shown.contains("alice"), "{shown}");
        assert!(
            shown.contains("http://[REDACTED]@proxy.local:3128/x?y#z"),
            "{shown}"
        );
        // No scheme, and an `@` only in the path, are handled too.
        assert_eq!(redact_userinfo("bob:pw@host:1"), "[REDACTED]@host:1");
        assert_eq!(redact_userinfo("http://host/a@b"), "http://host/a@b");
        assert_eq!(redact_userinfo("http://host:8080"), "http://host:8080");
        // Through the transport builder too.
        let b = crate::HyperTransport::builder().proxy(cfg);
        assert!(!format!("{b:?}").contains("s3cr3t"));
    }

    #[test]
    fn unparsable_proxy_urls_are_errors_naming_the_variable_not_the_password() {
        let e = check_proxy_url("HTTP_PROXY", "http://u:s3cr3t@[bad").unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(matches!(&e, crate::Error::InvalidProxy { variable, .. } if variable == "HTTP_PROXY"));
        assert!(shown.contains("HTTP_PROXY"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(check_proxy_url("HTTP_PROXY", "http://u:p@proxy:3128").is_ok());
        assert!(check_proxy_url("HTTP_PROXY", "proxy:3128").is_ok());
        let explicit = ProxyConfig::Explicit {
            url: "http://u:s3cr3t@[bad".into(),
            no_proxy: String::new(),
        };
        assert!(matches!(
            explicit.matcher(),
            Err(crate::Error::InvalidProxy { .. })
        ));
    }
}
