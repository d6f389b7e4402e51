//! The `bedrock` provider: the Converse API, for every model.

use std::sync::Arc;

use anyllm_provider::credentials::SigningClock;
use anyllm_provider::{
    ApiFamily, Authorize, CallContext, Env, Error, Framing, KeyPolicy, Provider, ProviderInfo,
    StreamConverter,
};
use bytes::Bytes;
use messages_convert::bedrock::{self, ResponseMeta};
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};

use crate::auth::{SharedAwsResolver, BEARER_TOKEN_ENV};
use crate::core::{request_id, Core, DEFAULT_ENDPOINT, ENDPOINT_ENV};

/// `bedrock`'s name, family, endpoint template and variables.
pub const BEDROCK_INFO: ProviderInfo = ProviderInfo::new(
    "bedrock",
    ApiFamily::BedrockConverse,
    DEFAULT_ENDPOINT,
    &[BEARER_TOKEN_ENV],
    KeyPolicy::Optional,
)
.with_base_url_env(Some(ENDPOINT_ENV));

/// Amazon Bedrock through the Converse API: Claude, Llama, Mistral, Nova,
/// DeepSeek and every other model Converse serves.
///
/// Calls go to `POST {endpoint}/model/{model id}/converse` (`/converse-stream`
/// when streaming), the model id — a model id, an inference-profile id such
/// as `us.anthropic.claude-haiku-4-5-20251001-v1:0`, or an ARN —
/// percent-encoded as one path segment. The endpoint is
/// `https://bedrock-runtime.{region}.amazonaws.com`, replaced whole by an
/// explicit `api_base` or `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`.
///
/// Authentication: a Bedrock API key (the call's key, or
/// `AWS_BEARER_TOKEN_BEDROCK`) as `Authorization: Bearer`; otherwise SigV4
/// (service `bedrock`) on every attempt, with keys from the AWS credentials
/// chain (explicit, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
/// `AWS_SESSION_TOKEN`, then the shared credentials and config files).
///
/// The conversion is [`messages_convert::bedrock`] (its docs hold the mapping);
/// `extra_body` is merged into the Converse body (JSON Merge Patch), e.g.
/// `{"guardrailConfig": {…}}` or `{"performanceConfig": {"latency": "optimized"}}`.
///
/// ```
/// use std::sync::Arc;
/// use anyllm_bedrock::BedrockProvider;
/// use anyllm_provider::{ApiKey, CallContext, MapEnv, Provider};
/// use messages_types::MessageCreateParams;
///
/// let env = MapEnv::new([("AWS_REGION", "eu-west-3")]);
/// let bedrock = BedrockProvider::from_env(Arc::new(env));
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "amazon.nova-lite-v1:0", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut ctx = CallContext::new(bedrock.info().default_base_url);
/// ctx.api_key = Some(ApiKey::new("bedrock-api-key"));
/// let req = bedrock.build_request(&params, &ctx).unwrap();
/// assert_eq!(req.uri(), "https://bedrock-runtime.eu-west-3.amazonaws.com/model/amazon.nova-lite-v1%3A0/converse");
/// assert!(req.headers()["authorization"].is_sensitive());
/// assert!(!format!("{req:?}").contains("bedrock-api-key"));
/// ```
#[derive(Debug)]
pub struct BedrockProvider {
    core: Core,
}

impl BedrockProvider {
    /// Region from `AWS_REGION` / `AWS_DEFAULT_REGION` / the config file's
    /// profile, AWS keys from the credentials chain reading `env` (read when
    /// a call is signed, not here).
    pub fn from_env(env: Arc<dyn Env>) -> Self {
        Self {
            core: Core::from_env(env),
        }
    }

    /// A provider for `region` with AWS keys from `credentials` (e.g.
    /// [`AwsCredentialsChain`](anyllm_provider::credentials::AwsCredentialsChain)
    /// with explicit keys).
    pub fn new(region: impl Into<String>, credentials: SharedAwsResolver) -> Self {
        Self {
            core: Core::new(Some(region.into()), credentials),
        }
    }

    /// Reads the SigV4 signing time from `clock` (tests).
    pub fn with_clock(self, clock: SigningClock) -> Self {
        Self {
            core: self.core.with_clock(clock),
        }
    }

    /// The region calls are signed for and sent to, if known.
    pub fn region(&self) -> Option<&str> {
        self.core.auth.region()
    }
}

impl Provider for BedrockProvider {
    fn info(&self) -> &ProviderInfo {
        &BEDROCK_INFO
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let body = bedrock::request(params)?;
        let body = messages_convert::merge_patch::to_vec_with_patch(&body, &ctx.extra_body)?;
        let operation = if ctx.stream { "converse-stream" } else { "converse" };
        self.core.post(ctx, &params.model, operation, body)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        let mut meta = ResponseMeta::new(&params.model);
        meta.request_id = request_id(&response);
        Ok(bedrock::response(response.body(), meta)?)
    }

    fn framing(&self) -> Framing {
        bedrock::FRAMING
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(bedrock::stream(&params.model, None))
    }

    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        crate::error::classify(response)
    }

    /// SigV4 on every attempt, unless the call has a Bedrock API key.
    fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        self.core.authorizer(ctx)
    }

    /// Bedrock's `CountTokens` (`POST /model/{id}/count-tokens`).
    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        self.core.count_tokens_request(params, ctx)
    }

    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        self.core.parse_count_tokens(response)
    }
}
