//! [`AnthropicProvider`]: request building and response parsing.

use std::borrow::Cow;

use anyllm_provider::{ApiFamily, KeyPolicy};
use anyllm_provider::{CallContext, Error, Provider, ProviderInfo, StreamConverter};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use messages_convert::signature::SignatureOrigin;
use messages_convert::ConvertError;
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};

use crate::stream::AnthropicStreamConverter;

/// The `anthropic-version` header every request carries.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The env var of a bearer token (OAuth / gateways), used when
/// `ANTHROPIC_API_KEY` is unset; sent as `authorization: Bearer`.
pub const AUTH_TOKEN_ENV: &str = "ANTHROPIC_AUTH_TOKEN";

/// The Anthropic provider's static description.
pub const INFO: ProviderInfo = ProviderInfo::new(
    "anthropic",
    ApiFamily::AnthropicMessages,
    "https://api.anthropic.com",
    &["ANTHROPIC_API_KEY", AUTH_TOKEN_ENV],
    KeyPolicy::Required,
)
.with_base_url_env(Some("ANTHROPIC_BASE_URL"));

/// How an explicit key or `ANTHROPIC_API_KEY` is sent (a key from
/// `ANTHROPIC_AUTH_TOKEN` is always a bearer token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnthropicAuth {
    /// `x-api-key: KEY` (the default).
    #[default]
    ApiKey,
    /// `authorization: Bearer KEY` (OAuth tokens, gateways).
    Bearer,
}

/// The native Anthropic Messages provider.
#[derive(Debug, Clone)]
pub struct AnthropicProvider {
    info: ProviderInfo,
    auth: AnthropicAuth,
}

impl Default for AnthropicProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl AnthropicProvider {
    /// The provider named `anthropic`, sending `x-api-key`.
    pub fn new() -> Self {
        Self {
            info: INFO,
            auth: AnthropicAuth::ApiKey,
        }
    }

    /// Sends the key as `authorization: Bearer KEY` instead.
    pub fn with_auth(mut self, auth: AnthropicAuth) -> Self {
        self.auth = auth;
        self
    }

    /// The same wire API under another description (e.g. an Anthropic-format
    /// gateway with its own name, default URL and env vars).
    pub fn with_info(mut self, info: ProviderInfo) -> Self {
        self.info = info;
        self
    }

    fn headers(&self, ctx: &CallContext) -> Result<HeaderMap, Error> {
        let mut h = HeaderMap::new();
        h.insert("anthropic-version", HeaderValue::from_static(ANTHROPIC_VERSION));
        h.insert(http::header::ACCEPT, HeaderValue::from_static("application/json"));
        let key_env = self.info.key_env.first().copied().unwrap_or("ANTHROPIC_API_KEY");
        match (&ctx.api_key, self.info.key_policy) {
            (Some(key), _) => match self.auth {
                AnthropicAuth::ApiKey if ctx.api_key_env != Some(AUTH_TOKEN_ENV) => {
                    h.insert(HeaderName::from_static("x-api-key"), key.header_value()?);
                }
                AnthropicAuth::ApiKey | AnthropicAuth::Bearer => {
                    h.insert(http::header::AUTHORIZATION, key.bearer()?);
                }
            },
            (None, KeyPolicy::Required) => {
                ctx.require_key(self.info.name, key_env)?;
            }
            (None, _) => {}
        }
        if !ctx.betas.is_empty() {
            let joined = ctx.betas.join(",");
            let v = HeaderValue::from_str(&joined).map_err(|_| {
                Error::InvalidConfig("a beta name contains characters not allowed in a header".into())
            })?;
            h.insert(HeaderName::from_static("anthropic-beta"), v);
        }
        Ok(h)
    }
}

/// The body's `stream` field for a call: the params as given, only the
/// stream flag following the call (absent on a non-streaming call that did
/// not set it, as the SDK sends it).
pub(crate) fn stream_flag(params: &MessageCreateParams, ctx: &CallContext) -> Option<bool> {
    match (ctx.stream, params.stream) {
        (true, _) => Some(true),
        (false, Some(true)) => None,
        (false, other) => other,
    }
}

/// Serializes `value` with the context's `extra_body` applied (the seam's
/// one rule, JSON Merge Patch: see [`CallContext::extra_body`]).
fn body_bytes<T: serde::Serialize>(value: &T, ctx: &CallContext) -> Result<Vec<u8>, Error> {
    Ok(messages_convert::merge_patch::to_vec_with_patch(
        value,
        &ctx.extra_body,
    )?)
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(what: &'static str, body: &Bytes) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| ConvertError::decode(what, &e, body).into())
}

impl Provider for AnthropicProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let wanted = stream_flag(params, ctx);
        // Thinking blocks another provider family signed are left out
        // (the one rule: `messages_convert::signature`); Anthropic's own are
        // sent unchanged.
        let params = messages_convert::signature::retain_for(SignatureOrigin::Anthropic, params);
        let params: Cow<'_, MessageCreateParams> = if params.stream == wanted {
            params
        } else {
            let mut p = params.into_owned();
            p.stream = wanted;
            Cow::Owned(p)
        };
        let body = body_bytes(params.as_ref(), ctx)?;
        ctx.json_post(&ctx.url("/v1/messages"), self.headers(ctx)?, body)
    }

    /// The portable checks plus the Anthropic API's own limits
    /// ([`crate::validate`]): thinking budget at least 1024 and below
    /// `max_tokens` (unless an `interleaved-thinking-*` beta is on, from the
    /// call's betas or an `anthropic-beta` header), the tool-name pattern.
    fn validate(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<(), Error> {
        crate::validate::validate(params, &crate::validate::call_betas(ctx))
    }

    fn parse_response(
        &self,
        _params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        decode("message", response.body())
    }

    fn stream_converter(&self, _params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(AnthropicStreamConverter::new())
    }

    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let body = body_bytes(params, ctx)?;
        ctx.json_post(&ctx.url("/v1/messages/count_tokens"), self.headers(ctx)?, body)
    }

    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        decode("count_tokens response", response.body())
    }
}
