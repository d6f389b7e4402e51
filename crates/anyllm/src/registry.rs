//! The provider registry: every provider the client can address by name.

use std::sync::Arc;

use anyllm_provider::{Env, ProcessEnv, Provider};

use crate::Error;

/// The set of providers a [`crate::Client`] can route to, by name.
///
/// [`Registry::builtin`] holds every provider family this build enables (one
/// cargo feature each, all on by default): the native Anthropic provider
/// (`anthropic`), the OpenAI-compatible family (`openai`, `anyllm-openai`)
/// Gemini / Vertex AI (`gemini`, `anyllm-gemini`), Cohere (`cohere`,
/// `anyllm-cohere`), Ollama's native API (`ollama`, `anyllm-ollama`) and
/// Amazon Bedrock (`bedrock`, `anyllm-bedrock`). Register your own with
/// [`Registry::register`].
///
/// ```
/// let reg = anyllm::Registry::builtin();
/// assert!(reg.get("anthropic").is_ok());
/// let err = reg.get("nope").unwrap_err();
/// assert!(err.to_string().contains("known providers: anthropic"));
/// ```
#[derive(Clone, Default)]
pub struct Registry {
    providers: Vec<Arc<dyn Provider>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("providers", &self.names())
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every provider implemented in this build, with provider settings
    /// (e.g. Azure's API version) read from the process environment.
    pub fn builtin() -> Self {
        Self::builtin_with_env(&ProcessEnv)
    }

    /// [`Registry::builtin`] reading provider settings from `env`.
    #[cfg_attr(
        not(any(
            feature = "anthropic",
            feature = "openai",
            feature = "gemini",
            feature = "bedrock"
        )),
        allow(unused_variables)
    )]
    pub fn builtin_with_env(env: &dyn Env) -> Self {
        // One line per provider family, each behind its cargo feature.
        let families: Vec<Vec<Arc<dyn Provider>>> = vec![
            #[cfg(feature = "anthropic")]
            anyllm_anthropic::providers(),
            #[cfg(feature = "anthropic")]
            anyllm_anthropic::cloud_providers(env),
            #[cfg(feature = "openai")]
            anyllm_openai::providers_with_env(env),
            #[cfg(feature = "openai")]
            anyllm_openai::cloud_providers(env),
            #[cfg(feature = "gemini")]
            gemini_providers(env),
            #[cfg(feature = "cohere")]
            anyllm_cohere::providers(),
            #[cfg(feature = "ollama")]
            anyllm_ollama::providers(),
            #[cfg(feature = "bedrock")]
            anyllm_bedrock::providers_with_env(anyllm_bedrock::aws_env_snapshot(env)),
        ];
        let mut r = Self::empty();
        for p in families.into_iter().flatten() {
            r.register(p);
        }
        r
    }

    /// Adds a provider; one with the same name is replaced.
    pub fn register(&mut self, provider: Arc<dyn Provider>) -> &mut Self {
        let name = provider.info().name;
        if let Some(slot) = self.providers.iter_mut().find(|p| p.info().name == name) {
            *slot = provider;
        } else {
            self.providers.push(provider);
        }
        self
    }

    /// The provider called `name` (case-insensitive), or
    /// [`Error::UnknownProvider`] listing the known ones.
    pub fn get(&self, name: &str) -> Result<Arc<dyn Provider>, Error> {
        self.find(name).ok_or_else(|| Error::UnknownProvider {
            name: name.to_owned(),
            known: self.names().into_iter().map(str::to_owned).collect(),
        })
    }

    /// The provider called `name`, if registered.
    pub fn find(&self, name: &str) -> Option<Arc<dyn Provider>> {
        self.providers
            .iter()
            .find(|p| p.info().name.eq_ignore_ascii_case(name))
            .cloned()
    }

    /// Every registered provider name, in registration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.providers.iter().map(|p| p.info().name).collect()
    }

    /// Every registered provider.
    pub fn providers(&self) -> &[Arc<dyn Provider>] {
        &self.providers
    }
}

/// Gemini (AI Studio) and Vertex AI.
#[cfg(feature = "gemini")]
fn gemini_providers(env: &dyn Env) -> Vec<Arc<dyn Provider>> {
    vec![
        Arc::new(anyllm_gemini::GeminiProvider::new()),
        Arc::new(anyllm_gemini::VertexAiProvider::from_env(env)),
    ]
}
