//! [`Client`]: routing, configuration and the calls.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyllm_provider::{CallContext, Env, Provider, ProviderConfig};
use bytes::Bytes;
use http::header::HeaderMap;
use messages_http::{Authorize, HttpClient, RawResponse};
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};

use crate::message_stream::MessageStream;
use crate::model::split_model;
use crate::request::{CountTokensRequest, MessagesRequest};
use crate::{ClientBuilder, Error, Registry, RequestOptions};

/// The provider used for a model string without a `provider:` prefix.
pub const DEFAULT_PROVIDER: &str = "anthropic";

/// Default timeout of a non-streaming call (10 minutes, as the official SDK).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// Default number of retries (as the official SDK).
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// The anyllm client: one Anthropic Messages interface to every registered
/// provider. Cheap to clone (shared transport and registry).
///
/// ```no_run
/// # async fn run() -> Result<(), anyllm::Error> {
/// use anyllm::{Client, MessageParam};
/// let client = Client::from_env()?;
/// let params = anyllm::params("openai:gpt-4o-mini", 256, vec![MessageParam::user("Hello!")]);
/// let message = client.messages(&params).await?;
/// println!("{}", message.text());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) registry: Registry,
    pub(crate) http: HttpClient,
    pub(crate) configs: HashMap<String, ProviderConfig>,
    pub(crate) env: Arc<dyn Env>,
    pub(crate) headers: HeaderMap,
    pub(crate) betas: Vec<String>,
    pub(crate) default_provider: String,
    /// Record messages in the spans (feature `tracing`; always off without it).
    pub(crate) capture_content: bool,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values and keys may be credentials: redacted.
        f.debug_struct("Client")
            .field("providers", &self.registry.names())
            .field("http", &self.http)
            .field("configs", &self.configs)
            .field("env", &self.env)
            .field("headers", &messages_http::RedactedHeaders(&self.headers))
            .field("betas", &self.betas)
            .field("default_provider", &self.default_provider)
            .finish()
    }
}

/// A routed, validated call ready to send.
pub(crate) struct Prepared<'a> {
    pub(crate) provider: Arc<dyn Provider>,
    /// Borrowed when the model string needs no rewriting (no copy of the conversation).
    pub(crate) params: Cow<'a, MessageCreateParams>,
    pub(crate) ctx: CallContext,
    pub(crate) http: HttpClient,
}

impl Client {
    /// A client with every built-in provider, keys and base URLs from the
    /// process environment, the default HTTPS transport and SDK defaults.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The provider registry.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Resolves a model string to its provider and bare model id:
    /// with `provider` given, the model is used as is (minus a leading
    /// `provider:`); otherwise a `name:` prefix names the provider; without
    /// one, the default provider (`anthropic`) is used. An unregistered
    /// name is [`Error::UnknownProvider`] listing the known ones.
    ///
    /// ```
    /// let client = anyllm::Client::builder().env(anyllm::MapEnv::empty()).build().unwrap();
    /// let (p, model) = client.route("anthropic:claude-sonnet-4-5", None).unwrap();
    /// assert_eq!((p.info().name, model.as_str()), ("anthropic", "claude-sonnet-4-5"));
    /// assert!(client.route("nope:model", None).is_err());
    /// ```
    pub fn route(&self, model: &str, provider: Option<&str>) -> Result<(Arc<dyn Provider>, String), Error> {
        let (prefix, bare) = split_model(model);
        match provider {
            Some(name) => {
                let p = self.inner.registry.get(name)?;
                let bare = match prefix {
                    Some(pre) if pre.eq_ignore_ascii_case(p.info().name) => bare,
                    _ => model,
                };
                Ok((p, bare.to_owned()))
            }
            None => match prefix {
                Some(pre) => Ok((self.inner.registry.get(pre)?, bare.to_owned())),
                None => Ok((
                    self.inner.registry.get(&self.inner.default_provider)?,
                    model.to_owned(),
                )),
            },
        }
    }

    pub(crate) fn context(
        &self,
        provider: &dyn Provider,
        opts: &RequestOptions,
        stream: bool,
    ) -> Result<CallContext, Error> {
        let info = provider.info();
        let base = self.inner.configs.get(info.name).cloned().unwrap_or_default();
        let mut cfg = ProviderConfig::default();
        cfg.api_key = opts.api_key.clone().or(base.api_key);
        cfg.api_base = opts.api_base.clone().or(base.api_base);
        let resolved = cfg.resolve(info, self.inner.env.as_ref())?;
        let mut headers = self.inner.headers.clone();
        for (k, v) in &opts.headers {
            headers.insert(k.clone(), v.clone());
        }
        let mut betas = self.inner.betas.clone();
        betas.extend(opts.betas.iter().cloned());
        let mut ctx = CallContext::new(resolved.base_url);
        ctx.api_key = resolved.api_key;
        ctx.api_key_env = resolved.api_key_env;
        ctx.headers = headers;
        ctx.betas = betas;
        ctx.extra_body = opts.extra_body.clone();
        ctx.stream = stream;
        Ok(ctx)
    }

    fn http_for(&self, opts: &RequestOptions) -> HttpClient {
        let mut http = self.inner.http.clone();
        if let Some(t) = opts.timeout {
            http = http.with_timeouts(http.timeouts().with_request(Some(t)));
        }
        if let Some(n) = opts.max_retries {
            http = http.with_retry_policy(http.retry_policy().clone().with_max_retries(n));
        }
        http
    }

    pub(crate) fn prepare<'a>(
        &self,
        params: &'a MessageCreateParams,
        opts: &RequestOptions,
        stream: bool,
    ) -> Result<Prepared<'a>, Error> {
        let (provider, model) = self.route(&params.model, opts.provider.as_deref())?;
        let ctx = self.context(provider.as_ref(), opts, stream)?;
        provider.validate(params, &ctx)?;
        let params = if model == params.model {
            Cow::Borrowed(params)
        } else {
            let mut owned = params.clone();
            owned.model = model;
            Cow::Owned(owned)
        };
        Ok(Prepared {
            provider,
            params,
            ctx,
            http: self.http_for(opts),
        })
    }

    /// A Messages call: `.await` it for the answer, or turn it into
    /// [`raw`](MessagesRequest::raw), [`stream`](MessagesRequest::stream) or
    /// [`parse`](MessagesRequest::parse); per-call options are set on the
    /// request ([`MessagesRequest::timeout`], [`MessagesRequest::options`], …).
    ///
    /// The model string routes the call (`provider:model`); the request is
    /// validated first (nothing is sent when validation fails). A
    /// `"stream": true` in `params` is ignored unless the call is
    /// [`stream`](MessagesRequest::stream)ed.
    ///
    /// ```no_run
    /// # async fn run(client: anyllm::Client) -> Result<(), anyllm::Error> {
    /// let params = anyllm::params("anthropic:claude-sonnet-4-5", 512,
    ///     vec![anyllm::MessageParam::user("Say hi")]);
    /// let msg = client.messages(&params).await?;
    /// println!("{}", msg.text());
    /// let quick = client.messages(&params).timeout(std::time::Duration::from_secs(20)).await?;
    /// let mut stream = client.messages(&params).stream().await?;
    /// # Ok(()) }
    /// ```
    pub fn messages<'a>(&'a self, params: &'a MessageCreateParams) -> MessagesRequest<'a> {
        MessagesRequest::new(Ok((Cow::Borrowed(self), Cow::Borrowed(params))))
    }

    /// A count-tokens call: `.await` it for the count, or
    /// [`raw`](CountTokensRequest::raw) for the response metadata too
    /// (providers without a count-tokens endpoint answer [`Error::Unsupported`]).
    ///
    /// ```no_run
    /// # async fn run(client: anyllm::Client, params: anyllm::CountTokensParams) -> Result<(), anyllm::Error> {
    /// let n = client.count_tokens(&params).await?.input_tokens;
    /// let raw = client.count_tokens(&params).provider("anthropic").raw().await?;
    /// println!("{} tokens (request {:?})", raw.body.input_tokens, raw.request_id);
    /// # Ok(()) }
    /// ```
    pub fn count_tokens<'a>(&'a self, params: &'a CountTokensParams) -> CountTokensRequest<'a> {
        CountTokensRequest::new(self, params)
    }

    /// The non-streaming Messages call behind [`MessagesRequest`].
    pub(crate) async fn send_messages(
        &self,
        params: &MessageCreateParams,
        opts: &RequestOptions,
    ) -> Result<RawResponse<Message>, Error> {
        traced_send(self, params, opts, self.capture_content()).await
    }

    /// The streaming Messages call behind [`MessagesRequest::stream`].
    pub(crate) async fn stream_messages(
        &self,
        params: &MessageCreateParams,
        opts: &RequestOptions,
    ) -> Result<MessageStream, Error> {
        traced_stream(self, params, opts, self.capture_content()).await
    }

    /// The call behind [`CountTokensRequest`].
    pub(crate) async fn send_count_tokens(
        &self,
        params: &CountTokensParams,
        opts: &RequestOptions,
    ) -> Result<RawResponse<CountTokensResponse>, Error> {
        traced_count(self, params, opts).await
    }

    /// Routes a count-tokens request: its provider, the request with the
    /// bare model, the call's context.
    fn prepare_count(
        &self,
        params: &CountTokensParams,
        opts: &RequestOptions,
    ) -> Result<(Arc<dyn Provider>, CountTokensParams, CallContext), Error> {
        if params.model.trim().is_empty() {
            return Err(Error::validation("model", "a model is required"));
        }
        if params.messages.is_empty() {
            return Err(Error::validation("messages", "at least one message is required"));
        }
        let (provider, model) = self.route(&params.model, opts.provider.as_deref())?;
        let ctx = self.context(provider.as_ref(), opts, false)?;
        let mut params = params.clone();
        params.model = model;
        Ok((provider, params, ctx))
    }

    /// The span's record of a failure before sending: the provider the
    /// model routes to, if any.
    #[cfg(feature = "tracing")]
    fn fail_unsent(&self, call: &crate::telemetry::CallSpan, model: &str, opts: &RequestOptions, e: &Error) {
        let provider = self.route(model, opts.provider.as_deref()).ok().map(|(p, _)| p);
        call.fail_unsent(provider.as_deref(), model, e);
    }

    /// Whether the spans record messages (feature `tracing`).
    fn capture_content(&self) -> bool {
        self.inner.capture_content
    }
}

/// The Messages call in its `chat` span, opened before the request is
/// routed and validated (a failure there is recorded too).
#[cfg(feature = "tracing")]
async fn traced_send(
    client: &Client,
    params: &MessageCreateParams,
    opts: &RequestOptions,
    capture: bool,
) -> Result<RawResponse<Message>, Error> {
    let call = crate::telemetry::CallSpan::chat(params, capture);
    let p = match client.prepare(params, opts, false) {
        Ok(p) => p,
        Err(e) => {
            client.fail_unsent(&call, &params.model, opts, &e);
            return Err(e);
        }
    };
    call.routed(p.provider.as_ref(), &p.params.model, &p.ctx.base_url);
    let result = tracing::Instrument::instrument(send_prepared(&p), call.span().clone()).await;
    call.finish_message(&result, |raw| &raw.body);
    result
}

/// The Messages call (no spans without the `tracing` feature).
#[cfg(not(feature = "tracing"))]
async fn traced_send(
    client: &Client,
    params: &MessageCreateParams,
    opts: &RequestOptions,
    _capture: bool,
) -> Result<RawResponse<Message>, Error> {
    send_prepared(&client.prepare(params, opts, false)?).await
}

/// The streamed Messages call in its `chat` span (opened before routing),
/// which the stream then carries until it ends.
#[cfg(feature = "tracing")]
async fn traced_stream(
    client: &Client,
    params: &MessageCreateParams,
    opts: &RequestOptions,
    capture: bool,
) -> Result<MessageStream, Error> {
    let call = crate::telemetry::CallSpan::chat(params, capture);
    let p = match client.prepare(params, opts, true) {
        Ok(p) => p,
        Err(e) => {
            client.fail_unsent(&call, &params.model, opts, &e);
            return Err(e);
        }
    };
    call.routed(p.provider.as_ref(), &p.params.model, &p.ctx.base_url);
    match tracing::Instrument::instrument(open_stream(&p), call.span().clone()).await {
        Ok(stream) => Ok(stream.with_telemetry(call.into_stream())),
        Err(e) => {
            call.fail(&e);
            Err(e)
        }
    }
}

/// The streamed Messages call (no spans without the `tracing` feature).
#[cfg(not(feature = "tracing"))]
async fn traced_stream(
    client: &Client,
    params: &MessageCreateParams,
    opts: &RequestOptions,
    _capture: bool,
) -> Result<MessageStream, Error> {
    open_stream(&client.prepare(params, opts, true)?).await
}

/// The count-tokens call in its `count_tokens` span (opened before routing).
#[cfg(feature = "tracing")]
async fn traced_count(
    client: &Client,
    params: &CountTokensParams,
    opts: &RequestOptions,
) -> Result<RawResponse<CountTokensResponse>, Error> {
    let call = crate::telemetry::CallSpan::count_tokens();
    let (provider, params, ctx) = match client.prepare_count(params, opts) {
        Ok(p) => p,
        Err(e) => {
            client.fail_unsent(&call, &params.model, opts, &e);
            return Err(e);
        }
    };
    call.routed(provider.as_ref(), &params.model, &ctx.base_url);
    let http = client.http_for(opts);
    let result = tracing::Instrument::instrument(
        count_prepared(&http, provider.as_ref(), &params, &ctx),
        call.span().clone(),
    )
    .await;
    call.finish_count(&result, |raw| &raw.body);
    result
}

/// The count-tokens call (no spans without the `tracing` feature).
#[cfg(not(feature = "tracing"))]
async fn traced_count(
    client: &Client,
    params: &CountTokensParams,
    opts: &RequestOptions,
) -> Result<RawResponse<CountTokensResponse>, Error> {
    let (provider, params, ctx) = client.prepare_count(params, opts)?;
    count_prepared(&client.http_for(opts), provider.as_ref(), &params, &ctx).await
}

/// The non-streaming Messages call of a prepared request.
async fn send_prepared(p: &Prepared<'_>) -> Result<RawResponse<Message>, Error> {
    let request = p.provider.build_request(&p.params, &p.ctx)?;
    let auth = p.provider.authorizer(&p.ctx)?;
    let raw = send(&p.http, p.provider.as_ref(), request, auth.as_deref()).await?;
    let (status, headers) = (raw.status, raw.headers.clone());
    raw.try_map(|body| {
        let mut resp = http::Response::new(body);
        *resp.status_mut() = status;
        *resp.headers_mut() = headers;
        p.provider.parse_response(&p.params, resp)
    })
}

/// Opens the stream of a prepared request (once a success head arrived).
async fn open_stream(p: &Prepared<'_>) -> Result<MessageStream, Error> {
    let request = p.provider.build_request(&p.params, &p.ctx)?;
    let auth = p.provider.authorizer(&p.ctx)?;
    let raw = match p.http.send_streaming_with_auth(request, auth.as_deref()).await {
        Ok(raw) => raw,
        Err(e) => return Err(classify(p.provider.as_ref(), e)),
    };
    let converter = p.provider.stream_converter(&p.params);
    Ok(MessageStream::new(raw, p.provider.framing(), converter)?.with_idle_timeout(p.http.timeouts().idle))
}

/// The count-tokens call of a routed request.
async fn count_prepared(
    http: &HttpClient,
    provider: &dyn Provider,
    params: &CountTokensParams,
    ctx: &CallContext,
) -> Result<RawResponse<CountTokensResponse>, Error> {
    let request = provider.build_count_tokens_request(params, ctx)?;
    let auth = provider.authorizer(ctx)?;
    let raw = send(http, provider, request, auth.as_deref()).await?;
    let (status, headers) = (raw.status, raw.headers.clone());
    raw.try_map(|body| {
        let mut resp = http::Response::new(body);
        *resp.status_mut() = status;
        *resp.headers_mut() = headers;
        provider.parse_count_tokens(resp)
    })
}

/// Sends a non-streaming request (authorized per attempt by the provider's
/// hook, if any), classifying API errors with the provider.
async fn send(
    http: &HttpClient,
    provider: &dyn Provider,
    request: http::Request<Bytes>,
    auth: Option<&dyn Authorize>,
) -> Result<RawResponse<Bytes>, Error> {
    http.send_with_auth(request, auth)
        .await
        .map_err(|e| classify(provider, e))
}

/// Lets the provider classify an API error (transport errors pass through).
pub(crate) fn classify(provider: &dyn Provider, e: messages_http::Error) -> Error {
    match e.api_error() {
        Some(api) => {
            let mut resp = http::Response::new(api.body.clone());
            *resp.status_mut() = api.status;
            *resp.headers_mut() = api.headers.clone();
            provider.classify_error(resp)
        }
        None => Error::Http(e),
    }
}
