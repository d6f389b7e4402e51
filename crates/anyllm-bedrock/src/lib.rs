//! Amazon Bedrock as native providers.
//!
//! * [`BedrockProvider`] (`bedrock`): the Converse API for every model —
//!   `POST {endpoint}/model/{url-encoded model id}/converse` and
//!   `/converse-stream` — converted by [`messages_convert::bedrock`].
//! * [`BedrockAnthropicProvider`] (`bedrock-anthropic`): Claude through
//!   `InvokeModel` / `InvokeModelWithResponseStream` with the Anthropic body
//!   itself, lossless ([`messages_convert::bedrock::invoke`]).
//!
//! Both: endpoint `https://bedrock-runtime.{region}.amazonaws.com`
//! (overridable by `api_base` or `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`), region
//! from `AWS_REGION`, `AWS_DEFAULT_REGION` or the AWS config file
//! ([`anyllm_provider::credentials::aws_region`]); model ids,
//! inference-profile ids and ARNs, percent-encoded as one path segment
//! ([`endpoint::model_path_segment`]). Authentication: a Bedrock API key as
//! a bearer token (`AWS_BEARER_TOKEN_BEDROCK`, or the call's key), else
//! SigV4 for service `bedrock` on every attempt through the seam's hook
//! ([`anyllm_provider::credentials::SigV4Signer`], keys from
//! [`anyllm_provider::credentials::AwsCredentialsChain`], session tokens
//! included). Credentials never appear in `Debug`, logs or errors; with
//! none configured the error names what to set. Errors are classified from
//! `x-amzn-errortype` and the body ([`error::classify`]); the request id is
//! `x-amzn-requestid`. Streams are AWS event streams
//! ([`Framing::AwsEventStream`](anyllm_provider::Framing::AwsEventStream)).
//!
//! ```
//! use std::sync::Arc;
//! use anyllm_provider::MapEnv;
//! let names: Vec<&str> = anyllm_bedrock::providers_with_env(Arc::new(MapEnv::empty()))
//!     .iter().map(|p| p.info().name).collect();
//! assert_eq!(names, ["bedrock", "bedrock-anthropic"]);
//! ```
//!
//! Dependencies: `anyllm-provider` with `aws-sigv4` (the trait, the AWS
//! credential chain and the `aws-sigv4` signer — signing is security code
//! best taken from the AWS SDK's own crate), `messages-convert` (the
//! Bedrock conversion), `messages-types`, `messages-http` (typed errors),
//! `http`/`bytes` (requests), `serde_json` (bodies).

pub mod auth;
mod converse;
mod core;
pub mod endpoint;
pub mod error;
mod invoke;

pub use auth::{BEARER_TOKEN_ENV, SIGNING_SERVICE};
pub use converse::{BedrockProvider, BEDROCK_INFO};
pub use core::{DEFAULT_ENDPOINT, ENDPOINT_ENV, REQUEST_ID_HEADER};
pub use invoke::{BedrockAnthropicProvider, BEDROCK_ANTHROPIC_INFO};

use std::sync::Arc;

/// Every provider this crate implements, for the `anyllm` registry:
/// `bedrock` and `bedrock-anthropic`, region and credentials from the
/// process environment.
pub fn providers() -> Vec<Arc<dyn anyllm_provider::Provider>> {
    providers_with_env(Arc::new(anyllm_provider::ProcessEnv))
}

/// Like [`providers`], reading region and credentials from `env`.
pub fn providers_with_env(env: Arc<dyn anyllm_provider::Env>) -> Vec<Arc<dyn anyllm_provider::Provider>> {
    vec![
        Arc::new(BedrockProvider::from_env(env.clone())),
        Arc::new(BedrockAnthropicProvider::from_env(env)),
    ]
}

/// The variables the Bedrock providers read (region, keys, profile, the
/// shared files' locations and the home directory that holds them).
pub const AWS_ENV_VARS: &[&str] = &[
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "HOME",
    "USERPROFILE",
];

/// An owned copy of `env`'s [`AWS_ENV_VARS`], for callers that hold only a
/// borrowed environment (the `anyllm` registry): the providers keep it.
///
/// ```
/// use anyllm_provider::{Env, MapEnv};
/// let env = anyllm_bedrock::aws_env_snapshot(&MapEnv::new([("AWS_REGION", "us-west-2"), ("OTHER", "x")]));
/// assert_eq!(env.var("AWS_REGION").as_deref(), Some("us-west-2"));
/// assert_eq!(env.var("OTHER"), None);
/// ```
pub fn aws_env_snapshot(env: &dyn anyllm_provider::Env) -> Arc<dyn anyllm_provider::Env> {
    Arc::new(anyllm_provider::MapEnv::new(
        AWS_ENV_VARS
            .iter()
            .filter_map(|name| env.var(name).map(|v| (*name, v))),
    ))
}
