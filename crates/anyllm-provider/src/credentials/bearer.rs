//! [`BearerAuth`]: a cached, refreshing token sent on every attempt.

use bytes::Bytes;
use http::header::{HeaderName, AUTHORIZATION};
use messages_http::{AttemptContext, Authorize, BoxFuture, Error};

use super::{AccessToken, IdentityCache, ResolveContext, SharedTokenResolver};

/// The per-attempt hook for token-based APIs (Vertex AI, watsonx, Azure
/// Entra ID): on every attempt it puts a current token from its
/// [`IdentityCache`] into `Authorization: Bearer …` (or another header), and
/// after a 401 drops it so the one extra attempt gets a fresh token.
///
/// Build it once per provider and share it (`Arc`): the cache lives in it.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use anyllm_provider::credentials::{BearerAuth, StaticToken};
/// use messages_http::test_util::{CannedResponse, ReplayTransport};
/// use messages_http::HttpClient;
///
/// let auth = BearerAuth::new(Arc::new(StaticToken::new("ya29.example")));
/// let t = ReplayTransport::new([CannedResponse::new(200, "{}")]);
/// let client = HttpClient::with_transport(t.clone());
/// let req = http::Request::post("http://127.0.0.1/v1").body(bytes::Bytes::new()).unwrap();
/// client.send_with_auth(req, Some(&auth)).await.unwrap();
/// let sent = &t.requests()[0];
/// assert_eq!(sent.headers()["authorization"], "Bearer ya29.example");
/// assert!(sent.headers()["authorization"].is_sensitive());
/// # });
/// ```
#[derive(Debug)]
pub struct BearerAuth {
    cache: IdentityCache<AccessToken>,
    header: HeaderName,
    prefix: &'static str,
}

impl BearerAuth {
    /// `Authorization: Bearer <token>` from `resolver`, cached.
    pub fn new(resolver: SharedTokenResolver) -> Self {
        Self::with_cache(IdentityCache::new(resolver))
    }

    /// Uses a cache configured by the caller (e.g. another refresh margin).
    pub fn with_cache(cache: IdentityCache<AccessToken>) -> Self {
        Self {
            cache,
            header: AUTHORIZATION,
            prefix: "Bearer ",
        }
    }

    /// Sends the token in `header` after `prefix` instead (e.g. a raw key header).
    pub fn header(mut self, header: HeaderName, prefix: &'static str) -> Self {
        self.header = header;
        self.prefix = prefix;
        self
    }

    /// The cache.
    pub fn cache(&self) -> &IdentityCache<AccessToken> {
        &self.cache
    }

    /// A current token (resolving one when needed).
    pub async fn token(&self, cx: &ResolveContext) -> Result<AccessToken, Error> {
        self.cache.get(cx).await
    }
}

impl Authorize for BearerAuth {
    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        cx: AttemptContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let rcx = ResolveContext::from(cx);
            let token = self.cache.get(&rcx).await?;
            let value = token.token().header_value_with_prefix(self.prefix)?;
            request.headers_mut().insert(self.header.clone(), value);
            Ok(())
        })
    }

    fn invalidate(&self) -> bool {
        self.cache.invalidate()
    }
}
