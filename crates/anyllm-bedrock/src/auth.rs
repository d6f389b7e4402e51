//! How a Bedrock call is authenticated: a Bedrock API key as a bearer token
//! (put in by `build_request`), or else SigV4 on every attempt through the
//! seam's hook ([`SigV4Signer`], credentials from a cached resolver).

use std::fmt;
use std::sync::{Arc, Mutex};

use anyllm_provider::credentials::{
    AwsCredentials, ResolveContext, ResolveIdentity, SigV4Signer, SigningClock,
};
use anyllm_provider::messages_http::BoxFuture;
use anyllm_provider::{Authorize, CallContext, Error};
use http::header::{HeaderMap, AUTHORIZATION};

use crate::endpoint::region_of_endpoint;

/// The environment variable holding a Bedrock API key (sent as a bearer token).
pub const BEARER_TOKEN_ENV: &str = "AWS_BEARER_TOKEN_BEDROCK";

/// The SigV4 service name Bedrock signs for.
pub const SIGNING_SERVICE: &str = "bedrock";

/// A resolver of AWS keys, shared.
pub type SharedAwsResolver = Arc<dyn ResolveIdentity<Identity = AwsCredentials>>;

/// The credentials half of a Bedrock provider.
pub(crate) struct AwsAuth {
    /// The region the provider was made for (signing and the default endpoint).
    region: Option<String>,
    credentials: SharedAwsResolver,
    /// One signer (with its credential cache) per signing region seen.
    signers: Mutex<Vec<(String, Arc<SigV4Signer>)>>,
    clock: Option<SigningClock>,
}

impl fmt::Debug for AwsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsAuth")
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl AwsAuth {
    pub(crate) fn new(region: Option<String>, credentials: SharedAwsResolver) -> Self {
        Self {
            region,
            credentials: Arc::new(WithBearerHint(credentials)),
            signers: Mutex::new(Vec::new()),
            clock: None,
        }
    }

    pub(crate) fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub(crate) fn with_clock(mut self, clock: SigningClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The headers `build_request` adds: the bearer key when the call has one.
    pub(crate) fn headers(&self, ctx: &CallContext) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        if let Some(key) = &ctx.api_key {
            headers.insert(AUTHORIZATION, key.bearer()?);
        }
        Ok(headers)
    }

    /// The per-attempt SigV4 hook for a call without a bearer key, signing
    /// for the provider's region, else the region in the endpoint's host.
    pub(crate) fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        if ctx.api_key.is_some() {
            return Ok(None);
        }
        let region = match (&self.region, region_of_endpoint(&ctx.base_url)) {
            (Some(r), _) => r.clone(),
            (None, Some(r)) => r,
            (None, None) => {
                return Err(Error::InvalidConfig(format!(
                    "SigV4 needs a region to sign for: set AWS_REGION (the endpoint {} does not name one), \
                     or use a Bedrock API key ({BEARER_TOKEN_ENV})",
                    host_of(&ctx.base_url)
                )))
            }
        };
        let mut signers = self
            .signers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, s)) = signers.iter().find(|(r, _)| *r == region) {
            return Ok(Some(s.clone()));
        }
        let mut signer = SigV4Signer::new(self.credentials.clone(), region.clone(), SIGNING_SERVICE);
        if let Some(clock) = &self.clock {
            signer = signer.with_clock(clock.clone());
        }
        let signer = Arc::new(signer);
        signers.push((region, signer.clone()));
        Ok(Some(signer))
    }
}

/// The host of a URL, for messages (never its userinfo).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or(authority)
}

/// A resolver whose "nothing configured" error also names the Bedrock API
/// key, the other way to authenticate.
#[derive(Debug)]
struct WithBearerHint(SharedAwsResolver);

impl ResolveIdentity for WithBearerHint {
    type Identity = AwsCredentials;

    fn resolve<'a>(
        &'a self,
        cx: &'a ResolveContext,
    ) -> BoxFuture<'a, Result<AwsCredentials, anyllm_provider::messages_http::Error>> {
        Box::pin(async move {
            self.0.resolve(cx).await.map_err(|e| match e {
                anyllm_provider::messages_http::Error::Credentials {
                    source_name,
                    message,
                } => anyllm_provider::messages_http::Error::Credentials {
                    source_name,
                    message: format!(
                        "{message}; or set {BEARER_TOKEN_ENV} to a Bedrock API key (or pass one as the api key)"
                    ),
                },
                other => other,
            })
        })
    }

    fn refreshable(&self) -> bool {
        self.0.refreshable()
    }
}
