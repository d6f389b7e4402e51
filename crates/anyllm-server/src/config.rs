//! The gateway's TOML configuration (`anyllm serve --config FILE`).
//!
//! The shape of `listen`, `[providers.<name>]`, `[models."<alias>"]` and
//! `[[keys]]` is a contract (issue 15); unknown keys are rejected so a typo
//! never silently changes routing.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use serde::Deserialize;

/// The default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4000";

/// The default request body limit: 32 MB.
pub const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The address to listen on (default [`DEFAULT_LISTEN`]).
    pub listen: Option<String>,
    /// The largest request body accepted, in bytes (default [`DEFAULT_BODY_LIMIT`]).
    pub body_limit: Option<usize>,
    /// Retries of one target inside the client before falling back (default: the client's).
    pub max_retries: Option<u32>,
    /// Settings per upstream provider, by provider name.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderSettings>,
    /// Model aliases clients send as `model`.
    #[serde(default)]
    pub models: BTreeMap<String, ModelAlias>,
    /// Client keys; none configured = no client authentication.
    #[serde(default)]
    pub keys: Vec<KeySettings>,
    /// The conversion policy of every route (default `true`, strict): a
    /// field the target cannot express is a 400 naming it. `false` drops
    /// what the lenient policy allows and reports it in the
    /// `anyllm-dropped-fields` header (see `docs/lenient-conversion.md`).
    pub strict: Option<bool>,
    /// `GET /metrics` (`[metrics]`).
    #[serde(default)]
    pub metrics: MetricsSettings,
}

/// `[metrics]`: who may read `GET /metrics`.
///
/// By default the endpoint asks for a client key like the API does (when
/// keys are configured; without keys everything is open anyway): metrics
/// name aliases, providers and traffic volumes. `public = true` serves them
/// without a key, for a scraper on a trusted network.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Serve `/metrics` without a client key (default `false`).
    #[serde(default)]
    pub public: bool,
}

/// `[providers.<name>]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// The env var holding the provider's key (else the provider's own default).
    pub api_key_env: Option<String>,
    /// The provider's base URL.
    pub api_base: Option<String>,
}

/// `[models."<alias>"]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelAlias {
    /// `provider:model` targets, tried in order.
    pub targets: Vec<String>,
    /// A clamp on the `max_tokens` clients ask for.
    pub max_tokens: Option<u32>,
    /// This alias's conversion policy (overrides the top-level `strict`).
    pub strict: Option<bool>,
}

/// `[[keys]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySettings {
    /// The key's name (logged; never the key).
    pub name: String,
    /// The env var holding the key clients send.
    pub key_env: String,
    /// Requests per minute allowed for this key (token bucket); at least 1
    /// (`0` is rejected: leave the key out, or the field for no limit).
    pub requests_per_minute: Option<u32>,
}

impl Config {
    /// Parses a TOML document.
    ///
    /// ```
    /// let c = anyllm_server::Config::from_toml(r#"
    /// listen = "127.0.0.1:4000"
    /// [models."fast"]
    /// targets = ["openai:gpt-4.1-mini"]
    /// "#).unwrap();
    /// assert_eq!(c.models["fast"].targets, ["openai:gpt-4.1-mini"]);
    /// ```
    ///
    /// Besides the shape, the values checked without the environment are
    /// checked here (e.g. `requests_per_minute = 0` is an error); names of
    /// providers and env vars are checked by [`crate::Gateway::new`].
    pub fn from_toml(text: &str) -> Result<Self, crate::ServerError> {
        let config: Self = toml::from_str(text).map_err(|e| crate::ServerError::Config(e.to_string()))?;
        for k in &config.keys {
            k.rate()?;
        }
        Ok(config)
    }
}

impl KeySettings {
    /// The key's rate limit: `None` for no limit, an error for `0`.
    pub(crate) fn rate(&self) -> Result<Option<NonZeroU32>, crate::ServerError> {
        match self.requests_per_minute {
            None => Ok(None),
            Some(n) => NonZeroU32::new(n).map(Some).ok_or_else(|| {
                crate::ServerError::Config(format!(
                    "client key `{}`: requests_per_minute must be at least 1 (leave it out for no limit)",
                    self.name
                ))
            }),
        }
    }
}
