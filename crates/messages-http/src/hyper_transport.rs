//! The default [`Transport`]: hyper 1 (hyper-util's pooled client) over
//! hyper-rustls with the ring crypto provider, on tokio.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;

use crate::proxy::{ConnectTimeout, ProxyConfig, ProxyConnector};
use crate::{BoxFuture, Error, ResponseBody, Transport};

/// Which root certificates verify servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RootCerts {
    /// The Mozilla roots bundled with `webpki-roots` (hermetic; the default).
    #[default]
    Webpki,
    /// The operating system's store (feature `native-roots`).
    #[cfg(feature = "native-roots")]
    Native,
    /// Only the certificates added with [`HyperTransportBuilder::add_root_certificate`].
    None,
}

/// The default transport: pooled HTTP/1.1 and HTTP/2 (negotiated by ALPN)
/// over rustls with an explicitly chosen ring provider (so another crate
/// enabling a second rustls provider causes no process-default panic),
/// TCP_NODELAY, connection reuse, a connect timeout, and `HTTPS_PROXY` /
/// `NO_PROXY` support (see [`ProxyConfig`]).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use messages_http::{HttpClient, HyperTransport};
/// let transport = HyperTransport::builder()
///     .connect_timeout(std::time::Duration::from_secs(5))
///     .build()
///     .unwrap();
/// let client = HttpClient::builder().transport(transport).build().unwrap();
/// # let _ = client;
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct HyperTransport {
    client: Client<ConnectTimeout<HttpsConnector<ProxyConnector>>, Full<Bytes>>,
    connect_timeout: Option<Duration>,
}

impl HyperTransport {
    /// A transport with default settings.
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// A builder.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }
}

/// Builds a [`HyperTransport`].
#[derive(Debug, Clone)]
pub struct HyperTransportBuilder {
    connect_timeout: Option<Duration>,
    roots: RootCerts,
    extra_roots: Vec<CertificateDer<'static>>,
    http2: bool,
    pool_idle_timeout: Option<Duration>,
    tls_config: Option<Arc<rustls::ClientConfig>>,
    proxy: ProxyConfig,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Some(Duration::from_secs(5)),
            roots: RootCerts::default(),
            extra_roots: Vec::new(),
            http2: true,
            pool_idle_timeout: Some(Duration::from_secs(90)),
            tls_config: None,
            proxy: ProxyConfig::default(),
        }
    }
}

impl HyperTransportBuilder {
    /// Limits TCP connection establishment (default 5 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Chooses the root certificate store.
    pub fn root_certs(mut self, roots: RootCerts) -> Self {
        self.roots = roots;
        self
    }

    /// Trusts one more root certificate (DER), e.g. a corporate or test CA.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(CertificateDer::from(der.into()));
        self
    }

    /// Offers HTTP/2 by ALPN (default true); false keeps to HTTP/1.1.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }

    /// How long idle pooled connections are kept (default 90 s).
    pub fn pool_idle_timeout(mut self, d: Option<Duration>) -> Self {
        self.pool_idle_timeout = d;
        self
    }

    /// Chooses the proxy (default: the `HTTPS_PROXY` / `NO_PROXY` environment).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Uses a complete rustls configuration instead (its ALPN list is replaced
    /// according to [`http2`](Self::http2)).
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls_config = Some(Arc::new(config));
        self
    }

    fn build_tls(&self) -> Result<rustls::ClientConfig, Error> {
        if let Some(c) = &self.tls_config {
            let mut c = (**c).clone();
            // hyper-rustls sets ALPN itself (and panics when it is preset).
            c.alpn_protocols.clear();
            return Ok(c);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        match self.roots {
            RootCerts::Webpki => {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            #[cfg(feature = "native-roots")]
            RootCerts::Native => {
                let found = rustls_native_certs::load_native_certs();
                let (added, _ignored) = roots.add_parsable_certificates(found.certs);
                if added == 0 {
                    return Err(Error::InvalidRequest(
                        "no usable native root certificates found".into(),
                    ));
                }
            }
            RootCerts::None => {}
        }
        for c in &self.extra_roots {
            roots
                .add(c.clone())
                .map_err(|e| Error::InvalidRequest(format!("bad root certificate: {e}")))?;
        }
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::InvalidRequest(format!("TLS setup: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth())
    }

    /// Builds the transport.
    pub fn build(self) -> Result<HyperTransport, Error> {
        let tls = self.build_tls()?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(self.connect_timeout);
        let connector = ProxyConnector {
            http,
            matcher: self.proxy.matcher()?.map(Arc::new),
        };
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1();
        let connector = if self.http2 {
            builder.enable_http2().wrap_connector(connector)
        } else {
            builder.wrap_connector(connector)
        };
        // The connect timeout covers the whole set-up, not only TCP.
        let connector = ConnectTimeout {
            inner: connector,
            timeout: self.connect_timeout,
        };
        let mut client = Client::builder(TokioExecutor::new());
        client.pool_idle_timeout(self.pool_idle_timeout);
        Ok(HyperTransport {
            client: client.build(connector),
            connect_timeout: self.connect_timeout,
        })
    }
}

impl Transport for HyperTransport {
    fn send(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<ResponseBody>, Error>> {
        let fut = self.client.request(request.map(Full::new));
        let connect_timeout = self.connect_timeout;
        Box::pin(async move {
            let resp = fut.await.map_err(|e| map_client_error(e, connect_timeout))?;
            Ok(resp.map(|body| ResponseBody::from_http_body(body, Error::connection)))
        })
    }
}

fn map_client_error(e: hyper_util::client::legacy::Error, connect_timeout: Option<Duration>) -> Error {
    if e.is_connect() {
        let timed_out = {
            let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            let mut found = false;
            while let Some(err) = cur {
                if let Some(io) = err.downcast_ref::<std::io::Error>() {
                    found |= io.kind() == std::io::ErrorKind::TimedOut;
                }
                found |= err.to_string().contains("timed out");
                cur = err.source();
            }
            found
        };
        if let (true, Some(after)) = (timed_out, connect_timeout) {
            return Error::Timeout {
                phase: crate::TimeoutPhase::Connect,
                after,
            };
        }
    }
    Error::connection(e)
}
