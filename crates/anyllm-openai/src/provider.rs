//! [`OpenAiCompatible`]: one table row as an [`anyllm_provider::Provider`].

use anyllm_provider::{ApiFamily, CallContext, Error, KeyPolicy, Provider, ProviderInfo, StreamConverter};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use messages_convert::openai_chat::{self, error_response, request_body, ResponseContext};
use messages_types::{ErrorKind, Message, MessageCreateParams};

use crate::table::{Auth, Endpoint, ProviderSpec};

/// The Azure OpenAI `api-version` used when none is configured.
pub const AZURE_API_VERSION: &str = "2024-10-21";

/// An OpenAI-compatible provider described by a [`ProviderSpec`].
#[derive(Debug, Clone)]
pub struct OpenAiCompatible {
    spec: ProviderSpec,
    info: ProviderInfo,
    api_version: String,
}

impl OpenAiCompatible {
    /// The provider for a table row.
    pub fn new(spec: ProviderSpec) -> Self {
        let info = ProviderInfo::new(
            spec.name,
            ApiFamily::OpenAiChat,
            spec.default_base_url,
            spec.key_env,
            spec.key_policy,
        )
        .with_base_url_env(spec.base_url_env);
        Self {
            spec,
            info,
            api_version: AZURE_API_VERSION.to_owned(),
        }
    }

    /// The Azure OpenAI `api-version` query parameter (Azure rows only).
    pub fn with_api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// The row this provider was built from.
    pub fn spec(&self) -> &ProviderSpec {
        &self.spec
    }

    fn url(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<String, Error> {
        if ctx.base_url.is_empty() {
            let env = self
                .spec
                .base_url_env
                .unwrap_or("a base-URL environment variable");
            return Err(Error::InvalidConfig(format!(
                "provider `{}` has no default base URL: pass api_base or set {env}",
                self.spec.name
            )));
        }
        match self.spec.endpoint {
            Endpoint::Path(path) => {
                let url = ctx.url(path);
                // Local servers are often configured as `host:port` (Ollama's
                // own `OLLAMA_HOST=127.0.0.1:11434`): plain HTTP, as their
                // default is. Hosted providers never get a scheme added (the
                // key must not go out over plain HTTP): a bare host stays an error.
                if !url.contains("://") && self.spec.default_base_url.starts_with("http://") {
                    Ok(format!("http://{url}"))
                } else {
                    Ok(url)
                }
            }
            Endpoint::AzureDeployment => {
                let ok = |s: &str| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                };
                if !ok(&params.model) {
                    return Err(Error::validation(
                        "model",
                        "an Azure OpenAI deployment name may only contain letters, digits, `-`, `_` and `.`",
                    ));
                }
                if !ok(&self.api_version) {
                    return Err(Error::InvalidConfig("invalid Azure OpenAI api-version".into()));
                }
                Ok(ctx.url(&format!(
                    "/openai/deployments/{}/chat/completions?api-version={}",
                    params.model, self.api_version
                )))
            }
        }
    }

    fn headers(&self, ctx: &CallContext) -> Result<HeaderMap, Error> {
        let mut h = HeaderMap::new();
        let accept = if ctx.stream {
            "text/event-stream"
        } else {
            "application/json"
        };
        h.insert(http::header::ACCEPT, HeaderValue::from_static(accept));
        match (&ctx.api_key, self.spec.key_policy) {
            (Some(key), KeyPolicy::Required | KeyPolicy::Optional) => match self.spec.auth {
                Auth::Bearer => {
                    h.insert(http::header::AUTHORIZATION, key.bearer()?);
                }
                Auth::Header(name) => {
                    // `from_bytes`, not `from_static`: a row built by a caller
                    // with a malformed name is a typed error, not a panic.
                    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                        Error::InvalidConfig(format!(
                            "provider `{}`: `{name}` is not a valid header name",
                            self.spec.name
                        ))
                    })?;
                    h.insert(name, key.header_value()?);
                }
            },
            (None, KeyPolicy::Required) => {
                let env = self.spec.key_env.first().copied().unwrap_or("");
                ctx.require_key(self.spec.name, env)?;
            }
            _ => {}
        }
        Ok(h)
    }

    fn response_context<'a>(&'a self, params: &'a MessageCreateParams) -> ResponseContext<'a> {
        ResponseContext {
            dialect: &self.spec.dialect,
            stop_sequences: params.stop_sequences.as_deref().unwrap_or_default(),
            model: &params.model,
        }
    }
}

impl Provider for OpenAiCompatible {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let headers = self.headers(ctx)?;
        let url = self.url(params, ctx)?;
        let body = request_body(params, &self.spec.dialect, ctx.stream, &ctx.extra_body)?;
        ctx.json_post(&url, headers, body)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        Ok(openai_chat::response(
            response.body(),
            &self.response_context(params),
        )?)
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(openai_chat::stream(&self.response_context(params)))
    }

    /// Classified by status, corrected by the body's error code where the
    /// status says less than the code: a 400 `invalid_model` is
    /// `not_found_error`, a 429 `insufficient_quota` is `billing_error`.
    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        let (parts, body) = response.into_parts();
        let http_status = parts.status;
        let status = http_status.as_u16();
        let native = error_response(status, &body);
        let err = messages_http::Error::from_response(http_status, parts.headers, body);
        let by_status = ErrorKind::from_status(status);
        let by_code = native.error.kind;
        let corrected = by_code != by_status
            && matches!(
                by_code,
                ErrorKind::NotFound | ErrorKind::Billing | ErrorKind::Authentication
            );
        if corrected {
            Error::Http(err.with_kind(by_code))
        } else {
            Error::Http(err)
        }
    }
}
