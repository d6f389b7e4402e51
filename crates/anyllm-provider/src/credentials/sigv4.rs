//! [`SigV4Signer`]: AWS Signature Version 4 on every attempt (feature `aws-sigv4`).
//!
//! The signature itself comes from the `aws-sigv4` crate (smithy-rs's own
//! signer, as the AWS SDK uses it): canonical requests and their escaping
//! rules are easy to get subtly wrong, and this crate pulls no HTTP client,
//! TLS stack or async runtime (checked with `cargo tree`).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity as SmithyIdentity;
use bytes::Bytes;
use messages_http::{AttemptContext, Authorize, BoxFuture, Error};

use super::{AwsCredentials, IdentityCache, ResolveContext, ResolveIdentity};

/// The clock a signer reads (injectable for tests).
pub type SigningClock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Signs every attempt with SigV4 (`authorization`, `x-amz-date`, and
/// `x-amz-security-token` for temporary credentials) for one region and
/// service (`bedrock`, `sagemaker`, …), with credentials from a cached
/// resolver (e.g. [`AwsCredentialsChain`](crate::credentials::AwsCredentialsChain)).
/// Each attempt is signed afresh, so a retried request carries a new
/// `x-amz-date` and signature. Build one per provider and share it.
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, SystemTime};
/// use anyllm_provider::credentials::{AwsCredentials, AwsCredentialsChain, SigV4Signer};
/// use anyllm_provider::MapEnv;
///
/// let chain = AwsCredentialsChain::from_env(Arc::new(MapEnv::empty()))
///     .explicit(AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None));
/// let signer = SigV4Signer::new(Arc::new(chain), "us-east-1", "bedrock");
/// let mut req = http::Request::post("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse")
///     .body(bytes::Bytes::from_static(b"{}")).unwrap();
/// let creds = AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
/// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// signer.sign(&mut req, &creds, at).unwrap();
/// assert_eq!(req.headers()["x-amz-date"], "20231114T221320Z");
/// assert!(req.headers()["authorization"].to_str().unwrap()
///     .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/bedrock/aws4_request"));
/// ```
pub struct SigV4Signer {
    credentials: IdentityCache<AwsCredentials>,
    region: String,
    service: String,
    clock: SigningClock,
}

impl fmt::Debug for SigV4Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4Signer")
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

const SOURCE: &str = "aws sigv4";

impl SigV4Signer {
    /// A signer for `region` and `service` with credentials from `resolver` (cached).
    pub fn new(
        resolver: Arc<dyn ResolveIdentity<Identity = AwsCredentials>>,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        Self {
            credentials: IdentityCache::new(resolver),
            region: region.into(),
            service: service.into(),
            clock: Arc::new(SystemTime::now),
        }
    }

    /// Reads the signing time from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: SigningClock) -> Self {
        self.clock = clock;
        self
    }

    /// The region signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Signs `request` (its method, URI, string-valued headers and body) with
    /// `credentials` at `time`, adding the signing headers.
    pub fn sign(
        &self,
        request: &mut http::Request<Bytes>,
        credentials: &AwsCredentials,
        time: SystemTime,
    ) -> Result<(), Error> {
        let identity: SmithyIdentity = Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key().expose(),
            credentials.session_token().map(|t| t.expose().to_owned()),
            None,
            "anyllm",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| Error::credentials(SOURCE, format!("signing parameters: {e}")))?
            .into();
        let uri = request.uri().to_string();
        let headers = request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
        let signable = SignableRequest::new(
            request.method().as_str(),
            uri.as_str(),
            headers,
            SignableBody::Bytes(request.body()),
        )
        .map_err(|e| Error::credentials(SOURCE, format!("the request cannot be signed: {e}")))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| Error::credentials(SOURCE, format!("signing failed: {e}")))?
            .into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }
}

impl Authorize for SigV4Signer {
    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        cx: AttemptContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let rcx = ResolveContext::from(cx);
            let credentials = self.credentials.get(&rcx).await?;
            self.sign(request, &credentials, (self.clock)())
        })
    }

    fn invalidate(&self) -> bool {
        self.credentials.invalidate()
    }
}
