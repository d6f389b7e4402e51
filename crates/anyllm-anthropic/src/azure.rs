//! The `azureanthropic` provider: Claude in Microsoft Foundry (Azure).
//!
//! Wire shape (from Microsoft's "Deploy and use Claude models in Microsoft
//! Foundry" page and Anthropic's "Claude in Microsoft Foundry" guide): the
//! Anthropic Messages API unchanged at
//! `https://{resource}.services.ai.azure.com/anthropic/v1/messages`, with
//! `anthropic-version: 2023-06-01` and either `x-api-key: <Foundry key>` or
//! `Authorization: Bearer <Entra ID token>` for the scope
//! `https://cognitiveservices.azure.com/.default`. The model is the
//! deployment name. Replies and stream events are Anthropic's own.

use std::borrow::Cow;
use std::sync::Arc;

use anyllm_provider::credentials::{BearerAuth, OAuthTokenExchange, SharedTokenResolver};
use anyllm_provider::{
    ApiFamily, Authorize, CallContext, Env, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter,
};
use bytes::Bytes;
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};

use crate::provider::AnthropicProvider;

/// The Entra ID scope of Azure AI services (Foundry) tokens.
pub const AZURE_COGNITIVE_SERVICES_SCOPE: &str = "https://cognitiveservices.azure.com/.default";

const BASE_TEMPLATE: &str = "https://{resource}.services.ai.azure.com/anthropic";

fn info(key_policy: KeyPolicy) -> ProviderInfo {
    ProviderInfo::new(
        "azureanthropic",
        ApiFamily::AnthropicMessages,
        BASE_TEMPLATE,
        &["AZURE_ANTHROPIC_API_KEY", "ANTHROPIC_FOUNDRY_API_KEY"],
        key_policy,
    )
    .with_base_url_env(Some("AZURE_ANTHROPIC_ENDPOINT"))
    .with_settings_env(&[
        "AZURE_ANTHROPIC_RESOURCE",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_ANTHROPIC_SCOPE",
    ])
}

/// Claude in Microsoft Foundry (see the [module docs](self)).
///
/// The base URL is `https://{resource}.services.ai.azure.com/anthropic`
/// (`{resource}` from [`AzureAnthropicProvider::new`] or
/// `AZURE_ANTHROPIC_RESOURCE`); an explicit base (`api_base` or
/// `AZURE_ANTHROPIC_ENDPOINT`, e.g. `https://my-res.services.ai.azure.com/anthropic`)
/// replaces it whole. The key (`AZURE_ANTHROPIC_API_KEY`) goes in
/// `x-api-key`; without one, an Entra ID resolver
/// ([`AzureAnthropicProvider::with_credentials`], or client credentials from
/// `AZURE_TENANT_ID` / `AZURE_CLIENT_ID` / `AZURE_CLIENT_SECRET` in
/// [`AzureAnthropicProvider::from_env`]) puts a bearer token on every attempt.
///
/// ```
/// use anyllm_anthropic::AzureAnthropicProvider;
/// use anyllm_provider::{ApiKey, CallContext, Provider};
/// use messages_types::MessageCreateParams;
///
/// let azure = AzureAnthropicProvider::new("my-resource");
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let mut ctx = CallContext::new(azure.info().default_base_url);
/// ctx.api_key = Some(ApiKey::new("foundry-key"));
/// let req = azure.build_request(&params, &ctx).unwrap();
/// assert_eq!(req.uri(), "https://my-resource.services.ai.azure.com/anthropic/v1/messages");
/// assert_eq!(req.headers()["x-api-key"], "foundry-key");
/// assert_eq!(req.headers()["anthropic-version"], "2023-06-01");
/// ```
#[derive(Debug, Clone)]
pub struct AzureAnthropicProvider {
    inner: AnthropicProvider,
    resource: Option<String>,
    authorizer: Option<Arc<dyn Authorize>>,
}

impl AzureAnthropicProvider {
    /// A provider for the Foundry resource `resource` (key required until
    /// [`Self::with_credentials`] gives an Entra ID resolver).
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            inner: AnthropicProvider::new().with_info(info(KeyPolicy::Required)),
            resource: Some(resource.into()),
            authorizer: None,
        }
    }

    /// The resource from `AZURE_ANTHROPIC_RESOURCE` (or
    /// `ANTHROPIC_FOUNDRY_RESOURCE`, the Anthropic SDK's name); Entra ID
    /// client credentials when `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
    /// `AZURE_CLIENT_SECRET` are all set (a call's key still wins), for the
    /// scope [`AZURE_COGNITIVE_SERVICES_SCOPE`] unless `AZURE_ANTHROPIC_SCOPE`
    /// names another (e.g. `https://ai.azure.com/.default`).
    pub fn from_env(env: &dyn Env) -> Self {
        let resource = env
            .var("AZURE_ANTHROPIC_RESOURCE")
            .or_else(|| env.var("ANTHROPIC_FOUNDRY_RESOURCE"));
        let mut p = Self {
            inner: AnthropicProvider::new().with_info(info(KeyPolicy::Required)),
            resource,
            authorizer: None,
        };
        if let (Some(tenant), Some(id), Some(secret)) = (
            env.var("AZURE_TENANT_ID"),
            env.var("AZURE_CLIENT_ID"),
            env.var("AZURE_CLIENT_SECRET"),
        ) {
            let scope = env
                .var("AZURE_ANTHROPIC_SCOPE")
                .unwrap_or_else(|| AZURE_COGNITIVE_SERVICES_SCOPE.to_owned());
            let exchange = OAuthTokenExchange::azure_client_credentials(&tenant, id, secret, scope);
            p = p.with_credentials(Arc::new(exchange));
        }
        p
    }

    /// Uses `resolver` (e.g. [`OAuthTokenExchange::azure_client_credentials`]
    /// with [`AZURE_COGNITIVE_SERVICES_SCOPE`]) for calls without a key: its
    /// tokens are cached in this provider, sent as `Authorization: Bearer`
    /// on every attempt and refreshed once after a 401. The key becomes optional.
    pub fn with_credentials(mut self, resolver: SharedTokenResolver) -> Self {
        self.authorizer = Some(Arc::new(BearerAuth::new(resolver)));
        self.inner = self.inner.with_info(info(KeyPolicy::Optional));
        self
    }

    /// The context with `{resource}` filled in (borrowed when the base is explicit).
    fn resolve<'a>(&self, ctx: &'a CallContext) -> Result<Cow<'a, CallContext>, Error> {
        if !ctx.base_url.contains("{resource}") {
            return Ok(Cow::Borrowed(ctx));
        }
        let resource = self.resource.as_deref().unwrap_or_default();
        if resource.is_empty() {
            return Err(Error::InvalidConfig(
                "Claude in Microsoft Foundry needs a resource: set AZURE_ANTHROPIC_RESOURCE or AZURE_ANTHROPIC_ENDPOINT, or pass api_base".to_owned(),
            ));
        }
        if !resource.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(Error::InvalidConfig(
                "an Azure resource name may only hold letters, digits and `-`".to_owned(),
            ));
        }
        let mut owned = ctx.clone();
        owned.base_url = ctx.base_url.replace("{resource}", resource);
        Ok(Cow::Owned(owned))
    }
}

impl Provider for AzureAnthropicProvider {
    fn info(&self) -> &ProviderInfo {
        self.inner.info()
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        self.inner.build_request(params, &*self.resolve(ctx)?)
    }

    fn validate(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<(), Error> {
        self.inner.validate(params, ctx)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        self.inner.parse_response(params, response)
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        self.inner.stream_converter(params)
    }

    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        self.inner
            .build_count_tokens_request(params, &*self.resolve(ctx)?)
    }

    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        self.inner.parse_count_tokens(response)
    }

    /// The Entra ID hook, for calls without a key.
    fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        if ctx.api_key.is_some() {
            return Ok(None);
        }
        Ok(self.authorizer.clone())
    }
}
