//! Credentials: resolvers (the identity half of smithy-rs's identity /
//! signer split) and the per-attempt hooks that use them.
//!
//! * [`ResolveIdentity`] resolves a credential ([`AccessToken`],
//!   [`AwsCredentials`]) — from configuration, a token endpoint or a command;
//!   failures are typed ([`messages_http::Error::Credentials`]) and never
//!   hold the secret. Token endpoints are reached through the client's own
//!   [`Transport`](messages_http::Transport) (in the [`ResolveContext`]) and
//!   must answer within a bounded time.
//! * [`IdentityCache`] keeps a credential until 5 minutes before it expires,
//!   refreshing it once for all concurrent callers (single flight).
//! * [`BearerAuth`] is the per-attempt hook
//!   ([`Authorize`](messages_http::Authorize)) for token APIs: a current
//!   token on every attempt, and a fresh one for the single retry after a 401.
//!   A provider builds one and returns it from
//!   [`Provider::authorizer`](crate::Provider::authorizer).
//!
//! Resolvers: [`StaticToken`]; Google Application Default Credentials
//! ([`GoogleCredentials`]: `GOOGLE_APPLICATION_CREDENTIALS` key files —
//! [`GoogleServiceAccount`] behind the `google-auth` feature,
//! [`GoogleAuthorizedUser`] — the well-known gcloud file, the metadata
//! server [`GceMetadata`], and [`CommandToken`] running
//! `gcloud auth print-access-token` off the runtime); an OAuth
//! client-credentials exchange [`OAuthTokenExchange`] (IBM watsonx IAM,
//! Azure Entra ID); AWS keys [`AwsCredentialsChain`] and [`aws_region`],
//! and behind the `aws-sigv4` feature the per-attempt `SigV4Signer`.
//!
//! Only `tokio`'s `sync` and `time` features are used: no runtime is
//! required to build the seam (the calls run on whatever tokio runtime the
//! client runs on).

mod aws;
mod aws_profile;
mod bearer;
mod cache;
mod command;
mod google;
mod identity;
mod oauth;
#[cfg(feature = "aws-sigv4")]
mod sigv4;
mod token_http;

pub use aws::{aws_region, AwsCredentials, AwsCredentialsChain};
pub use bearer::BearerAuth;
pub use cache::{IdentityCache, DEFAULT_REFRESH_AHEAD};
pub use command::CommandToken;
#[cfg(feature = "google-auth")]
pub use google::GoogleServiceAccount;
pub use google::{
    GceMetadata, GoogleAuthorizedUser, GoogleCredentials, CLOUD_PLATFORM_SCOPE, DEFAULT_METADATA_HOST,
    GOOGLE_TOKEN_URL,
};
pub use identity::{
    AccessToken, Identity, ResolveContext, ResolveIdentity, SharedTokenResolver, StaticToken,
};
pub use oauth::{OAuthTokenExchange, IBM_IAM_TOKEN_URL};
#[cfg(feature = "aws-sigv4")]
pub use sigv4::{SigV4Signer, SigningClock};
pub use token_http::DEFAULT_TOKEN_TIMEOUT;
