//! Per-provider configuration and its resolution against the environment.

use crate::{ApiKey, Env, Error, KeyPolicy, ProviderInfo};

/// Explicit per-provider settings; anything left `None` comes from the
/// environment, then from the provider's defaults.
///
/// ```
/// use anyllm_provider::{ApiKey, ProviderConfig};
/// let cfg = ProviderConfig::default().with_api_key(ApiKey::new("k")).with_api_base("http://127.0.0.1:9");
/// assert_eq!(cfg.api_base.as_deref(), Some("http://127.0.0.1:9"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderConfig {
    /// The API key (else the provider's key env var).
    pub api_key: Option<ApiKey>,
    /// The base URL (else the provider's base-URL env var, else its default).
    pub api_base: Option<String>,
}

/// The settings a call uses after resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resolved {
    /// The key, when one is configured.
    pub api_key: Option<ApiKey>,
    /// The env var the key was read from (`None` for an explicit key).
    pub api_key_env: Option<&'static str>,
    /// The base URL, without a trailing slash.
    pub base_url: String,
}

impl ProviderConfig {
    /// Sets the explicit API key.
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Sets the explicit base URL.
    pub fn with_api_base(mut self, base: impl Into<String>) -> Self {
        self.api_base = Some(base.into());
        self
    }

    /// Resolves key and base URL: explicit value, else env var (the
    /// primary name, then its aliases in order), else default. Key
    /// variables are already a list in priority order
    /// ([`ProviderInfo::key_env`]); base-URL aliases are
    /// [`ProviderInfo::base_url_env_aliases`].
    /// A provider whose [`KeyPolicy`] is `Required` and has no key anywhere
    /// gives [`Error::MissingApiKey`] naming its first key env var.
    ///
    /// ```
    /// use anyllm_provider::{ApiFamily, KeyPolicy, MapEnv, ProviderConfig, ProviderInfo, Error};
    /// let info = ProviderInfo::new(
    ///     "anthropic", ApiFamily::AnthropicMessages, "https://api.anthropic.com",
    ///     &["ANTHROPIC_API_KEY"], KeyPolicy::Required,
    /// )
    /// .with_base_url_env(Some("ANTHROPIC_BASE_URL"));
    /// let env = MapEnv::new([("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/")]);
    /// let err = ProviderConfig::default().resolve(&info, &env).unwrap_err();
    /// assert!(matches!(err, Error::MissingApiKey { ref env_var, .. } if env_var == "ANTHROPIC_API_KEY"));
    /// let env = MapEnv::new([("ANTHROPIC_API_KEY", "k"), ("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/")]);
    /// let r = ProviderConfig::default().resolve(&info, &env).unwrap();
    /// assert_eq!(r.base_url, "http://127.0.0.1:9");
    /// ```
    pub fn resolve(&self, info: &ProviderInfo, env: &dyn Env) -> Result<Resolved, Error> {
        let (api_key, api_key_env) = match info.key_policy {
            KeyPolicy::None => (None, None),
            KeyPolicy::Required | KeyPolicy::Optional => match &self.api_key {
                Some(k) => (Some(k.clone()), None),
                None => info
                    .key_env
                    .iter()
                    .find_map(|v| env.var(v).map(|k| (Some(ApiKey::new(k)), Some(*v))))
                    .unwrap_or((None, None)),
            },
        };
        if api_key.is_none() && info.key_policy == KeyPolicy::Required {
            return Err(Error::MissingApiKey {
                provider: info.name.to_owned(),
                env_var: info.key_env.first().copied().unwrap_or("").to_owned(),
            });
        }
        let base_url = self
            .api_base
            .clone()
            .or_else(|| info.base_url_env.and_then(|v| env.var(v)))
            .or_else(|| info.base_url_env_aliases.iter().find_map(|v| env.var(v)))
            .unwrap_or_else(|| info.default_base_url.to_owned());
        Ok(Resolved {
            api_key,
            api_key_env,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::{ApiFamily, MapEnv};

    const INFO: ProviderInfo = ProviderInfo::new(
        "deepseek",
        ApiFamily::OpenAiChat,
        "https://api.deepseek.com",
        &["DEEPSEEK_API_KEY", "DEEPSEEK_KEY_ALIAS"],
        KeyPolicy::Required,
    )
    .with_base_url_env(Some("DEEPSEEK_BASE_URL"))
    .with_base_url_env_aliases(&["DEEPSEEK_API_BASE", "DEEPSEEK_OTHER_BASE"]);

    fn base(cfg: &ProviderConfig, vars: &[(&str, &str)]) -> String {
        let mut all = vec![("DEEPSEEK_API_KEY", "k")];
        all.extend_from_slice(vars);
        cfg.resolve(&INFO, &MapEnv::new(all)).unwrap().base_url
    }

    #[test]
    fn base_url_explicit_beats_primary_beats_aliases_in_order() {
        let none = ProviderConfig::default();
        let all = [
            ("DEEPSEEK_BASE_URL", "http://primary"),
            ("DEEPSEEK_API_BASE", "http://alias1"),
            ("DEEPSEEK_OTHER_BASE", "http://alias2"),
        ];
        assert_eq!(
            base(&ProviderConfig::default().with_api_base("http://explicit/"), &all),
            "http://explicit"
        );
        assert_eq!(base(&none, &all), "http://primary");
        assert_eq!(base(&none, &all[1..]), "http://alias1");
        assert_eq!(base(&none, &all[2..]), "http://alias2");
        assert_eq!(
            base(&none, &[("DEEPSEEK_API_BASE", "")]),
            "https://api.deepseek.com"
        );
    }

    #[test]
    fn key_env_names_are_tried_in_order_and_the_name_is_reported() {
        let env = MapEnv::new([("DEEPSEEK_KEY_ALIAS", "second")]);
        let r = ProviderConfig::default().resolve(&INFO, &env).unwrap();
        assert_eq!(r.api_key_env, Some("DEEPSEEK_KEY_ALIAS"));
        let env = MapEnv::new([("DEEPSEEK_KEY_ALIAS", "second"), ("DEEPSEEK_API_KEY", "first")]);
        let r = ProviderConfig::default().resolve(&INFO, &env).unwrap();
        assert_eq!(r.api_key_env, Some("DEEPSEEK_API_KEY"));
    }
}
