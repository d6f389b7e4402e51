//! What the two Bedrock providers share: the region and credentials, the
//! `/model/{id}/{operation}` URL, and the count-tokens call.

use std::sync::Arc;

use anyllm_provider::credentials::{aws_region, AwsCredentialsChain, SigningClock};
use anyllm_provider::{Authorize, CallContext, Env, Error};
use bytes::Bytes;
use messages_convert::bedrock::{count_tokens_body, parse_count_tokens};
use messages_types::{CountTokensParams, CountTokensResponse};

use crate::auth::{AwsAuth, SharedAwsResolver};
use crate::endpoint::{fill_region, model_path_segment};

/// The default base URL of both providers (the region is filled per call).
pub const DEFAULT_ENDPOINT: &str = "https://bedrock-runtime.{region}.amazonaws.com";

/// The variable that overrides the endpoint (as the AWS SDKs read it).
pub const ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL_BEDROCK_RUNTIME";

/// The response header holding the request id.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) auth: AwsAuth,
}

impl Core {
    pub(crate) fn from_env(env: Arc<dyn Env>) -> Self {
        let region = aws_region(env.as_ref());
        Self::new(region, Arc::new(AwsCredentialsChain::from_env(env)))
    }

    pub(crate) fn new(region: Option<String>, credentials: SharedAwsResolver) -> Self {
        Self {
            auth: AwsAuth::new(region, credentials),
        }
    }

    pub(crate) fn with_clock(self, clock: SigningClock) -> Self {
        Self {
            auth: self.auth.with_clock(clock),
        }
    }

    /// `{endpoint}/model/{url-encoded model id}/{operation}`.
    pub(crate) fn url(&self, ctx: &CallContext, model: &str, operation: &str) -> Result<String, Error> {
        let base = fill_region(&ctx.base_url, self.auth.region(), "Bedrock")?;
        Ok(format!("{base}/model/{}/{operation}", model_path_segment(model)?))
    }

    pub(crate) fn post(
        &self,
        ctx: &CallContext,
        model: &str,
        operation: &str,
        body: Vec<u8>,
    ) -> Result<http::Request<Bytes>, Error> {
        let url = self.url(ctx, model, operation)?;
        ctx.json_post(&url, self.auth.headers(ctx)?, body)
    }

    pub(crate) fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        self.auth.authorizer(ctx)
    }

    /// `POST /model/{id}/count-tokens` with the Converse form of the input.
    pub(crate) fn count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let body = count_tokens_body(params)?;
        let body = if ctx.extra_body.is_empty() {
            body
        } else {
            let value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| messages_convert::ConvertError::decode("CountTokens body", &e, &body))?;
            messages_convert::merge_patch::to_vec_with_patch(&value, &ctx.extra_body)?
        };
        self.post(ctx, &params.model, "count-tokens", body)
    }

    pub(crate) fn parse_count_tokens(
        &self,
        response: http::Response<Bytes>,
    ) -> Result<CountTokensResponse, Error> {
        Ok(parse_count_tokens(response.body())?)
    }
}

/// The request id of a response (`x-amzn-requestid`).
pub(crate) fn request_id<B>(response: &http::Response<B>) -> Option<&str> {
    response
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
}
