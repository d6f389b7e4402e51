//! The `gemini` provider: the Gemini Developer API with an API key.

use bytes::Bytes;
use http::header::HeaderMap;
use messages_convert::gemini::{to_gemini_count_tokens_request, to_gemini_request};
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};

use anyllm_provider::{ApiFamily, CallContext, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter};

use crate::common::{body_bytes, classify, method_suffix, model_resource, parse_count_tokens, parse_message};

/// The `gemini` provider's description.
pub const GEMINI_INFO: ProviderInfo = ProviderInfo::new(
    "gemini",
    ApiFamily::Gemini,
    "https://generativelanguage.googleapis.com",
    &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    KeyPolicy::Required,
)
.with_base_url_env(Some("GOOGLE_GEMINI_BASE_URL"));

/// The API version path every call uses.
const API_VERSION: &str = "v1beta";

/// Google Gemini (Developer API): `x-goog-api-key` authentication, the
/// `v1beta` API under the base URL (which, as in Google's SDK, has no version).
#[derive(Debug, Clone)]
pub struct GeminiProvider {
    info: ProviderInfo,
}

impl Default for GeminiProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl GeminiProvider {
    /// The provider with its standard settings ([`GEMINI_INFO`]).
    pub fn new() -> Self {
        Self { info: GEMINI_INFO }
    }

    fn headers(&self, ctx: &CallContext) -> Result<HeaderMap, Error> {
        let key = ctx.require_key(self.info.name, "GEMINI_API_KEY")?;
        let mut headers = HeaderMap::new();
        headers.insert("x-goog-api-key", key.header_value()?);
        Ok(headers)
    }
}

impl Provider for GeminiProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        let resource = model_resource(&params.model)?;
        let body = body_bytes(&to_gemini_request(params)?, ctx)?;
        let url = ctx.url(&format!("/{API_VERSION}/{resource}{}", method_suffix(ctx.stream)));
        ctx.json_post(&url, headers, body)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        parse_message(params, response.body())
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(messages_convert::gemini::stream(&params.model))
    }

    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        classify(response)
    }

    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        let resource = model_resource(&params.model)?;
        let body = body_bytes(&to_gemini_count_tokens_request(params, &resource)?, ctx)?;
        ctx.json_post(
            &ctx.url(&format!("/{API_VERSION}/{resource}:countTokens")),
            headers,
            body,
        )
    }

    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        parse_count_tokens(response.body())
    }
}
