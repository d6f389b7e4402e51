//! Environment lookup, injectable so tests never mutate the process environment.

use std::collections::HashMap;
use std::fmt::Debug;

/// Where configuration reads environment variables from.
pub trait Env: Send + Sync + Debug {
    /// The variable's value; `None` when unset or empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// A fixed set of variables (for tests and sandboxed callers).
///
/// ```
/// use anyllm_provider::{Env, MapEnv};
/// let env = MapEnv::new([("ANTHROPIC_API_KEY", "k")]);
/// assert_eq!(env.var("ANTHROPIC_API_KEY").as_deref(), Some("k"));
/// assert_eq!(env.var("OPENAI_API_KEY"), None);
/// ```
#[derive(Clone, Default)]
pub struct MapEnv(HashMap<String, String>);

impl MapEnv {
    /// An environment holding exactly these variables.
    pub fn new<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        Self(vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    /// An empty environment.
    pub fn empty() -> Self {
        Self::default()
    }
}

impl Debug for MapEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets: print only the names.
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        f.debug_struct("MapEnv").field("names", &names).finish()
    }
}

impl Env for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).filter(|v| !v.is_empty()).cloned()
    }
}
