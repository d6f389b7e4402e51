//! The identity half: what a resolver returns, and the resolver trait.

use std::fmt;
use std::sync::Arc;

use messages_http::{AttemptContext, BoxFuture, Error, SecretString, Transport};
use tokio::time::Instant;

/// A credential that may expire (an access token, temporary AWS keys).
pub trait Identity: Clone + Send + Sync + fmt::Debug + 'static {
    /// When it stops being valid; `None` = never (a fixed key).
    fn expires_at(&self) -> Option<Instant>;
}

/// An OAuth-style access token (sent as `Authorization: Bearer …`), with
/// its expiry when the issuer said. `Debug` never shows the token.
#[derive(Clone)]
pub struct AccessToken {
    token: SecretString,
    expires_at: Option<Instant>,
}

impl AccessToken {
    /// A token valid until `expires_at` (`None` = no known expiry).
    pub fn new(token: impl Into<SecretString>, expires_at: Option<Instant>) -> Self {
        Self {
            token: token.into(),
            expires_at,
        }
    }

    /// The token (a secret: never print it).
    pub fn token(&self) -> &SecretString {
        &self.token
    }
}

impl Identity for AccessToken {
    fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What a resolver may use while resolving: the transport to reach a token
/// endpoint (the client's own, so proxies and custom transports apply).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct ResolveContext {
    /// The transport for token endpoints; `None` for resolvers that need none.
    pub transport: Option<Arc<dyn Transport>>,
}

impl ResolveContext {
    /// A context without a transport (enough for keys from env or files).
    pub fn new() -> Self {
        Self::default()
    }

    /// A context whose token fetches go through `transport`.
    pub fn with_transport(transport: Arc<dyn Transport>) -> Self {
        Self {
            transport: Some(transport),
        }
    }

    /// The transport, or a [`Error::Credentials`] from `source_name` saying none was given.
    pub fn require_transport(&self, source_name: &str) -> Result<&Arc<dyn Transport>, Error> {
        self.transport
            .as_ref()
            .ok_or_else(|| Error::credentials(source_name, "no transport to reach the token endpoint"))
    }
}

impl From<AttemptContext<'_>> for ResolveContext {
    /// Token fetches of a per-attempt hook go through the client's transport.
    fn from(cx: AttemptContext<'_>) -> Self {
        Self::with_transport(Arc::clone(cx.transport))
    }
}

impl fmt::Debug for ResolveContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolveContext")
            .field("transport", &self.transport.is_some())
            .finish()
    }
}

/// Resolves a credential (smithy-rs's `ResolveIdentity`): reads it from
/// configuration or fetches it from a token endpoint. Resolvers do not
/// cache; wrap one in an [`IdentityCache`](crate::credentials::IdentityCache)
/// (or a [`BearerAuth`](crate::credentials::BearerAuth)) to reuse a
/// credential until shortly before it expires.
///
/// Failures are [`Error::Credentials`] naming the source and never the
/// secret; a token endpoint is given a bounded time to answer.
pub trait ResolveIdentity: Send + Sync + fmt::Debug {
    /// What it resolves.
    type Identity: Identity;

    /// Resolves a fresh credential.
    fn resolve<'a>(&'a self, cx: &'a ResolveContext) -> BoxFuture<'a, Result<Self::Identity, Error>>;

    /// `false` when resolving again cannot give another credential (a fixed
    /// key), so a 401 is not worth a retry. Default `true`.
    fn refreshable(&self) -> bool {
        true
    }
}

impl<R: ResolveIdentity + ?Sized> ResolveIdentity for Arc<R> {
    type Identity = R::Identity;

    fn resolve<'a>(&'a self, cx: &'a ResolveContext) -> BoxFuture<'a, Result<Self::Identity, Error>> {
        (**self).resolve(cx)
    }

    fn refreshable(&self) -> bool {
        (**self).refreshable()
    }
}

/// A shared token resolver, as providers hold them.
pub type SharedTokenResolver = Arc<dyn ResolveIdentity<Identity = AccessToken>>;

/// A fixed token (today's `api_key` behaviour, as a resolver).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// use anyllm_provider::credentials::{ResolveContext, ResolveIdentity, StaticToken};
/// let t = StaticToken::new("ya29.example");
/// let token = t.resolve(&ResolveContext::new()).await.unwrap();
/// assert_eq!(token.token().expose(), "ya29.example");
/// assert!(!format!("{t:?}").contains("ya29"));
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A resolver that always gives `token`.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self(AccessToken::new(token, None))
    }
}

impl ResolveIdentity for StaticToken {
    type Identity = AccessToken;

    fn resolve<'a>(&'a self, _cx: &'a ResolveContext) -> BoxFuture<'a, Result<AccessToken, Error>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }

    fn refreshable(&self) -> bool {
        false
    }
}
