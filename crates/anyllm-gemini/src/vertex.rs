//! The `vertexai` provider: Gemini on Google Cloud Vertex AI, OAuth bearer.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderMap, AUTHORIZATION};
use messages_convert::gemini::{to_gemini_count_tokens_request, to_gemini_request};
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};

use anyllm_provider::credentials::{BearerAuth, GoogleCredentials, SharedTokenResolver};
use anyllm_provider::google_cloud::fill_vertex_base_url;
use anyllm_provider::{
    ApiFamily, Authorize, CallContext, Env, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter,
};

use crate::common::{body_bytes, classify, method_suffix, model_resource, parse_count_tokens, parse_message};
use crate::TokenSource;

/// The error of a call whose base URL needs a project none was given for.
const MISSING_PROJECT: &str =
    "Vertex AI needs a project: set GOOGLE_CLOUD_PROJECT or use VertexAiProvider::new";

/// The location used when neither the provider nor `GOOGLE_CLOUD_LOCATION` names one.
pub const DEFAULT_LOCATION: &str = "us-central1";

/// The default base URL, a template filled from the provider's project and location.
const BASE_TEMPLATE: &str =
    "https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}";

fn info(key_policy: KeyPolicy) -> ProviderInfo {
    ProviderInfo::new(
        "vertexai",
        ApiFamily::Gemini,
        BASE_TEMPLATE,
        &["VERTEXAI_ACCESS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN"],
        key_policy,
    )
    .with_base_url_env(Some("VERTEXAI_BASE_URL"))
    .with_base_url_env_aliases(&["VERTEXAI_API_BASE"])
}

/// Gemini on Vertex AI.
///
/// The base URL is the regional endpoint down to the location
/// (`https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}`,
/// or `https://aiplatform.googleapis.com/…/locations/global`); an explicit
/// base URL (`api_base` or `VERTEXAI_BASE_URL`) replaces it whole. Calls go
/// to `{base}/publishers/google/models/{model}:generateContent`.
///
/// Authentication is `Authorization: Bearer <token>`, first found of:
/// 1. the call's key (explicit, or from `VERTEXAI_ACCESS_TOKEN` /
///    `GOOGLE_OAUTH_ACCESS_TOKEN`, e.g. the output of
///    `gcloud auth print-access-token`);
/// 2. the [`TokenSource`] given to [`VertexAiProvider::with_token_source`];
/// 3. the credential resolver given to [`VertexAiProvider::with_credentials`]
///    — by default, for a provider made by [`VertexAiProvider::from_env`]
///    (as the `anyllm` registry does), Google Application Default
///    Credentials ([`GoogleCredentials`]: `GOOGLE_APPLICATION_CREDENTIALS`,
///    the gcloud ADC file, the metadata server, then `gcloud`). Its token is
///    cached in the provider, refreshed 5 minutes before it expires, put in
///    on every attempt and refreshed once after a 401.
///
/// ```
/// use anyllm_gemini::{StaticToken, VertexAiProvider};
/// use anyllm_provider::{CallContext, Provider};
/// use messages_types::MessageCreateParams;
/// use std::sync::Arc;
///
/// let vertex = VertexAiProvider::new("my-project", "europe-west4")
///     .with_token_source(Arc::new(StaticToken::new("ya29.token")));
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "gemini-2.5-pro", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let ctx = CallContext::new(vertex.info().default_base_url);
/// let req = vertex.build_request(&params, &ctx).unwrap();
/// assert_eq!(req.uri(), "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent");
/// assert_eq!(req.headers()["authorization"], "Bearer ya29.token");
/// ```
#[derive(Debug, Clone)]
pub struct VertexAiProvider {
    info: ProviderInfo,
    project: Option<String>,
    location: String,
    token_source: Option<Arc<dyn TokenSource>>,
    authorizer: Option<Arc<dyn Authorize>>,
}

impl VertexAiProvider {
    /// A provider for `project` in `location` (e.g. `us-central1`, `global`).
    pub fn new(project: impl Into<String>, location: impl Into<String>) -> Self {
        Self {
            info: info(KeyPolicy::Required),
            project: Some(project.into()),
            location: location.into(),
            token_source: None,
            authorizer: None,
        }
    }

    /// Project from `GOOGLE_CLOUD_PROJECT` (or `GCLOUD_PROJECT`), location from
    /// `GOOGLE_CLOUD_LOCATION` (or `GOOGLE_CLOUD_REGION`, else [`DEFAULT_LOCATION`]),
    /// and Google Application Default Credentials (as `env` configures them)
    /// when a call has no explicit token. A missing project is reported when
    /// a call is built, not here; nothing is read for the credentials until a
    /// call needs a token.
    pub fn from_env(env: &dyn Env) -> Self {
        Self {
            info: info(KeyPolicy::Optional),
            project: env
                .var("GOOGLE_CLOUD_PROJECT")
                .or_else(|| env.var("GCLOUD_PROJECT")),
            location: env
                .var("GOOGLE_CLOUD_LOCATION")
                .or_else(|| env.var("GOOGLE_CLOUD_REGION"))
                .unwrap_or_else(|| DEFAULT_LOCATION.to_owned()),
            token_source: None,
            authorizer: Some(Arc::new(BearerAuth::new(Arc::new(GoogleCredentials::from_env(
                env,
            ))))),
        }
    }

    /// Uses `resolver` for calls without an explicit token or token source:
    /// its tokens are cached in this provider (shared by its clones),
    /// refreshed ahead of expiry, sent on every attempt and refreshed once
    /// after a 401. The key then becomes optional.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use anyllm_gemini::VertexAiProvider;
    /// use anyllm_provider::credentials::{GoogleCredentials, StaticToken};
    /// use anyllm_provider::{CallContext, MapEnv, Provider};
    ///
    /// let vertex = VertexAiProvider::new("p", "us-central1")
    ///     .with_credentials(Arc::new(GoogleCredentials::from_env(&MapEnv::empty())));
    /// let ctx = CallContext::new(vertex.info().default_base_url);
    /// assert!(vertex.authorizer(&ctx).unwrap().is_some());
    /// ```
    pub fn with_credentials(mut self, resolver: SharedTokenResolver) -> Self {
        self.authorizer = Some(Arc::new(BearerAuth::new(resolver)));
        self.info = info(KeyPolicy::Optional);
        self
    }

    /// Uses `source` when a call has no explicit token (the key then becomes optional).
    pub fn with_token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.token_source = Some(source);
        self.info = info(KeyPolicy::Optional);
        self
    }

    /// The project, if known.
    pub fn project(&self) -> Option<&str> {
        self.project.as_deref()
    }

    /// The location.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The base URL for a call: the context's, with the default template's
    /// `{project}` and `{location}` filled in.
    fn base_url(&self, ctx: &CallContext) -> Result<String, Error> {
        fill_vertex_base_url(
            &ctx.base_url,
            self.project.as_deref(),
            &self.location,
            MISSING_PROJECT,
        )
    }

    fn model_url(&self, model: &str, method: &str, ctx: &CallContext) -> Result<String, Error> {
        let resource = model_resource(model)?;
        let resource = match resource.strip_prefix("models/") {
            Some(bare) => format!("publishers/google/models/{bare}"),
            None => resource,
        };
        Ok(format!("{}/{resource}{method}", self.base_url(ctx)?))
    }

    fn headers(&self, ctx: &CallContext) -> Result<HeaderMap, Error> {
        let token = match (&ctx.api_key, &self.token_source) {
            (Some(key), _) => key.clone(),
            (None, Some(source)) => source.token()?,
            // The per-attempt hook (`authorizer`) adds the token.
            (None, None) if self.authorizer.is_some() => return Ok(HeaderMap::new()),
            (None, None) => {
                return Err(Error::MissingApiKey {
                    provider: self.info.name.to_owned(),
                    env_var: "VERTEXAI_ACCESS_TOKEN".to_owned(),
                })
            }
        };
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, token.bearer()?);
        Ok(headers)
    }
}

impl Provider for VertexAiProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        let url = self.model_url(&params.model, method_suffix(ctx.stream), ctx)?;
        let body = body_bytes(&to_gemini_request(params)?, ctx)?;
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

    /// Vertex's `countTokens` takes the request fields at the top level.
    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        let url = self.model_url(&params.model, ":countTokens", ctx)?;
        let request = to_gemini_count_tokens_request(params, &params.model)?
            .generate_content_request
            .request;
        ctx.json_post(&url, headers, body_bytes(&request, ctx)?)
    }

    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        parse_count_tokens(response.body())
    }

    /// The credential resolver's hook, for calls with neither an explicit
    /// token nor a [`TokenSource`] (those put their token in `build_request`).
    fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        if ctx.api_key.is_some() || self.token_source.is_some() {
            return Ok(None);
        }
        Ok(self.authorizer.clone())
    }
}
