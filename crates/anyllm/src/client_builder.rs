//! [`ClientBuilder`]: keys, base URLs, timeouts, retries, headers, transport.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyllm_provider::{ApiKey, Env, ProcessEnv, Provider, ProviderConfig};
use http::header::{HeaderMap, HeaderName, HeaderValue};
use messages_http::{HttpClient, RetryPolicy, Timeouts, Transport};

use crate::client::{Inner, DEFAULT_MAX_RETRIES, DEFAULT_PROVIDER, DEFAULT_TIMEOUT};
use crate::{Client, Error, Registry};

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use anyllm::{Client, MapEnv};
/// let client = Client::builder()
///     .env(MapEnv::empty())
///     .api_key("anthropic", "sk-ant-test")
///     .api_base("anthropic", "http://127.0.0.1:9")
///     .timeout(Duration::from_secs(30))
///     .max_retries(0)
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    registry: Option<Registry>,
    transport: Option<Arc<dyn Transport>>,
    configs: HashMap<String, ProviderConfig>,
    env: Option<Arc<dyn Env>>,
    headers: HeaderMap,
    betas: Vec<String>,
    timeout: Option<Option<Duration>>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
    default_provider: Option<String>,
    #[cfg(feature = "tracing")]
    capture_content: bool,
    error: Option<Error>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("providers", &self.configs.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Uses this provider registry instead of [`Registry::builtin`].
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Adds (or replaces) one provider in the registry.
    pub fn register(mut self, provider: Arc<dyn Provider>) -> Self {
        self.registry
            .get_or_insert_with(Registry::builtin)
            .register(provider);
        self
    }

    /// Sends through this transport instead of the default HTTPS transport
    /// (a proxy client, a recorder, a replay for tests).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The API key of `provider` (else its env var).
    pub fn api_key(mut self, provider: &str, key: impl Into<String>) -> Self {
        self.configs
            .entry(provider.to_ascii_lowercase())
            .or_default()
            .api_key = Some(ApiKey::new(key));
        self
    }

    /// The base URL of `provider` (else its base-URL env var, else its default).
    pub fn api_base(mut self, provider: &str, url: impl Into<String>) -> Self {
        self.configs
            .entry(provider.to_ascii_lowercase())
            .or_default()
            .api_base = Some(url.into());
        self
    }

    /// Reads env vars from `env` instead of the process environment.
    pub fn env(mut self, env: impl Env + 'static) -> Self {
        self.env = Some(Arc::new(env));
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(mut v)) => {
                if messages_http::is_sensitive_header(&n) {
                    v.set_sensitive(true);
                }
                self.headers.insert(n, v);
            }
            _ => {
                self.error = Some(Error::InvalidConfig(format!("invalid default header `{name}`")));
            }
        }
        self
    }

    /// A beta name sent with every request.
    pub fn beta(mut self, beta: impl Into<String>) -> Self {
        self.betas.push(beta.into());
        self
    }

    /// The timeout of a whole call, a stream's body included (default 10
    /// minutes, as the SDKs'). `None` = no limit (only when asked).
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = Some(timeout.into());
        self
    }

    /// The connect timeout (default 5 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Retries of failed requests (default 2).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }

    /// The provider of model strings without a `provider:` prefix (default `anthropic`).
    pub fn default_provider(mut self, name: impl Into<String>) -> Self {
        self.default_provider = Some(name.into());
        self
    }

    /// Records the messages in the client's `tracing` spans (feature
    /// `tracing`): the system prompt, the input messages and the answer as
    /// the OpenTelemetry GenAI attributes `gen_ai.system_instructions`,
    /// `gen_ai.input.messages` and `gen_ai.output.messages` (JSON). Off by
    /// default — prompts and completions often hold personal data — and
    /// never the API key, headers or URL. See `docs/observability.md`.
    ///
    /// ```
    /// let client = anyllm::Client::builder()
    ///     .env(anyllm::MapEnv::empty())
    ///     .capture_content(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    #[cfg(feature = "tracing")]
    pub fn capture_content(mut self, on: bool) -> Self {
        self.capture_content = on;
        self
    }

    /// Builds the client.
    ///
    /// Without the `default-transport` feature and without
    /// [`transport`](Self::transport) this fails with [`Error::InvalidConfig`].
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut timeouts = Timeouts::default().with_request(Some(DEFAULT_TIMEOUT));
        if let Some(t) = self.timeout {
            timeouts = timeouts.with_request(t);
        }
        if let Some(c) = self.connect_timeout {
            timeouts = timeouts.with_connect(c);
        }
        let retry = RetryPolicy::default().with_max_retries(self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES));
        let mut http = HttpClient::builder().retry_policy(retry).timeouts(timeouts);
        #[cfg(not(feature = "default-transport"))]
        if self.transport.is_none() {
            return Err(Error::InvalidConfig(
                "no transport: this build of anyllm has no default transport (cargo feature \
                 `default-transport` is off); give one with `ClientBuilder::transport`"
                    .into(),
            ));
        }
        if let Some(t) = self.transport {
            http = http.shared_transport(t);
        }
        let http = http.build()?;
        let env: Arc<dyn Env> = self.env.unwrap_or_else(|| Arc::new(ProcessEnv));
        Ok(Client {
            inner: Arc::new(Inner {
                registry: self
                    .registry
                    .unwrap_or_else(|| Registry::builtin_with_env(env.as_ref())),
                http,
                configs: self.configs,
                env,
                headers: self.headers,
                betas: self.betas,
                default_provider: self
                    .default_provider
                    .unwrap_or_else(|| DEFAULT_PROVIDER.to_owned()),
                #[cfg(feature = "tracing")]
                capture_content: self.capture_content,
                #[cfg(not(feature = "tracing"))]
                capture_content: false,
            }),
        })
    }
}
