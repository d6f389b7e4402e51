//! [`GceMetadata`]: the access token of a Google Compute Engine / Cloud Run /
//! GKE workload from its metadata server.

use std::time::Duration;

use bytes::Bytes;
use messages_http::{BoxFuture, Error};

use crate::credentials::token_http::{access_token_from, fetch_json};
use crate::credentials::{AccessToken, ResolveContext, ResolveIdentity};

/// The metadata server's host name on Google Cloud.
pub const DEFAULT_METADATA_HOST: &str = "metadata.google.internal";

/// The default service account's token path on the metadata server.
const TOKEN_PATH: &str = "/computeMetadata/v1/instance/service-accounts/default/token";

/// `GET http://{host}/computeMetadata/v1/instance/service-accounts/default/token`
/// with `Metadata-Flavor: Google`; the host is [`DEFAULT_METADATA_HOST`]
/// unless given (`GCE_METADATA_HOST` in the chain), which is how tests
/// point it at a loopback server.
///
/// ```
/// use anyllm_provider::credentials::GceMetadata;
/// let m = GceMetadata::new("127.0.0.1:8080");
/// assert_eq!(m.token_url(), "http://127.0.0.1:8080/computeMetadata/v1/instance/service-accounts/default/token");
/// ```
#[derive(Debug, Clone)]
pub struct GceMetadata {
    token_url: String,
    timeout: Duration,
}

impl Default for GceMetadata {
    fn default() -> Self {
        Self::new(DEFAULT_METADATA_HOST)
    }
}

impl GceMetadata {
    /// The metadata server at `host` (`name[:port]`, or a full `http://` URL base).
    pub fn new(host: &str) -> Self {
        let base = if host.starts_with("http://") || host.starts_with("https://") {
            host.trim_end_matches('/').to_owned()
        } else {
            format!("http://{host}")
        };
        Self {
            token_url: format!("{base}{TOKEN_PATH}"),
            timeout: Duration::from_secs(5),
        }
    }

    /// How long the server may take (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The token URL.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }
}

impl ResolveIdentity for GceMetadata {
    type Identity = AccessToken;

    fn resolve<'a>(&'a self, cx: &'a ResolveContext) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            const SOURCE: &str = "gce metadata server";
            let request = http::Request::get(&self.token_url)
                .header("metadata-flavor", "Google")
                .body(Bytes::new())
                .map_err(|_| Error::credentials(SOURCE, format!("invalid URL `{}`", self.token_url)))?;
            let reply = fetch_json(SOURCE, cx, request, self.timeout).await?;
            access_token_from(SOURCE, &reply)
        })
    }
}
