//! The `bedrock-anthropic` provider: Claude through InvokeModel, losslessly.

use std::sync::Arc;

use anyllm_provider::credentials::SigningClock;
use anyllm_provider::{
    ApiFamily, Authorize, CallContext, Env, Error, Framing, KeyPolicy, Provider, ProviderInfo,
    StreamConverter,
};
use bytes::Bytes;
use messages_convert::bedrock::invoke;
use messages_convert::signature::{self, SignatureOrigin};
use messages_convert::ConvertError;
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};
use serde_json::Value;

use crate::auth::{SharedAwsResolver, BEARER_TOKEN_ENV};
use crate::core::{Core, DEFAULT_ENDPOINT, ENDPOINT_ENV};

/// `bedrock-anthropic`'s name, family, endpoint template and variables.
pub const BEDROCK_ANTHROPIC_INFO: ProviderInfo = ProviderInfo::new(
    "bedrock-anthropic",
    ApiFamily::Other("bedrock-invoke-anthropic"),
    DEFAULT_ENDPOINT,
    &[BEARER_TOKEN_ENV],
    KeyPolicy::Optional,
)
.with_base_url_env(Some(ENDPOINT_ENV));

/// Claude on Amazon Bedrock through `InvokeModel` /
/// `InvokeModelWithResponseStream`, with the Anthropic body itself: every
/// Anthropic feature Claude on Bedrock has goes through unchanged.
///
/// The body is the request's Anthropic JSON with Bedrock's documented
/// differences ([`messages_convert::bedrock::invoke`]): no `model` (it is in
/// the path: `POST {endpoint}/model/{model id}/invoke`, or
/// `/invoke-with-response-stream`) and no `stream`,
/// `anthropic_version: "bedrock-2023-05-31"`, and the call's betas as the
/// body array `anthropic_beta`; `extra_body` is merged in (JSON Merge
/// Patch). The reply is an Anthropic message; the stream's event-stream
/// `chunk`s carry base64 Anthropic events, delivered as they are.
/// `count_tokens` uses `CountTokens` with the Converse form of the input.
///
/// Endpoint, region and authentication as for [`BedrockProvider`](crate::BedrockProvider).
///
/// ```
/// use std::sync::Arc;
/// use anyllm_bedrock::BedrockAnthropicProvider;
/// use anyllm_provider::{ApiKey, CallContext, MapEnv, Provider};
/// use messages_types::MessageCreateParams;
///
/// let bedrock = BedrockAnthropicProvider::from_env(Arc::new(MapEnv::new([("AWS_REGION", "us-east-1")])));
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "us.anthropic.claude-haiku-4-5-20251001-v1:0", "max_tokens": 64,
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut ctx = CallContext::new(bedrock.info().default_base_url).with_stream(true);
/// ctx.api_key = Some(ApiKey::new("bedrock-api-key"));
/// let req = bedrock.build_request(&params, &ctx).unwrap();
/// assert_eq!(req.uri().path(), "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream");
/// let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
/// assert_eq!(body["anthropic_version"], "bedrock-2023-05-31");
/// assert!(body.get("model").is_none());
/// ```
#[derive(Debug)]
pub struct BedrockAnthropicProvider {
    core: Core,
}

impl BedrockAnthropicProvider {
    /// Region and credentials read from `env`, as [`BedrockProvider::from_env`](crate::BedrockProvider::from_env).
    pub fn from_env(env: Arc<dyn Env>) -> Self {
        Self {
            core: Core::from_env(env),
        }
    }

    /// A provider for `region` with AWS keys from `credentials`.
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

fn to_object(params: &MessageCreateParams) -> Result<serde_json::Map<String, Value>, Error> {
    match serde_json::to_value(params) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::Convert(ConvertError::Invalid {
            what: "request",
            message: "the request did not serialize to a JSON object".to_owned(),
        })),
        Err(e) => Err(Error::Convert(ConvertError::Invalid {
            what: "request",
            message: e.to_string(),
        })),
    }
}

impl Provider for BedrockAnthropicProvider {
    fn info(&self) -> &ProviderInfo {
        &BEDROCK_ANTHROPIC_INFO
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        // The one replay rule (messages_convert::signature): thinking signed
        // by Bedrock goes back as Bedrock's own; any other is left out.
        let params = signature::retain_for(SignatureOrigin::Bedrock, params);
        let mut body = invoke::invoke_body_from_map(to_object(&params)?, &ctx.betas);
        ctx.merge_extra_body(&mut body);
        let body = serde_json::to_vec(&body).map_err(|e| {
            Error::Convert(ConvertError::Invalid {
                what: "request",
                message: e.to_string(),
            })
        })?;
        let operation = if ctx.stream {
            "invoke-with-response-stream"
        } else {
            "invoke"
        };
        self.core.post(ctx, &params.model, operation, body)
    }

    /// The reply is an Anthropic message as Claude sent it.
    fn parse_response(
        &self,
        _params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        let body = response.body();
        let mut message: Message = serde_json::from_slice(body).map_err(|e| {
            Error::Convert(ConvertError::decode(
                "Anthropic message from InvokeModel",
                &e,
                body,
            ))
        })?;
        // Signatures valid for Claude on Bedrock only: minted as Bedrock's.
        invoke::mint_reply(&mut message);
        Ok(message)
    }

    fn framing(&self) -> Framing {
        messages_convert::bedrock::FRAMING
    }

    fn stream_converter(&self, _params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(invoke::stream())
    }

    /// The call's betas go as the body's `anthropic_beta` array.
    fn honours_betas(&self) -> bool {
        true
    }

    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        crate::error::classify(response)
    }

    /// SigV4 on every attempt, unless the call has a Bedrock API key.
    fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        self.core.authorizer(ctx)
    }

    /// Bedrock's `CountTokens` (`POST /model/{id}/count-tokens`), Converse form.
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
