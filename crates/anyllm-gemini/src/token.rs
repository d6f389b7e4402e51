//! Where the Vertex AI provider gets its OAuth access token.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyllm_provider::credentials::CommandToken;
use anyllm_provider::{ApiKey, Error};

/// A source of OAuth access tokens for Vertex AI.
///
/// Called for every request that has no explicit key, so implementations
/// cache: Google access tokens last about an hour. Called from
/// `build_request`, which is synchronous: a slow refresh blocks that call.
/// Prefer [`VertexAiProvider::with_credentials`](crate::VertexAiProvider::with_credentials)
/// (an async resolver, cached, refreshed ahead of expiry and after a 401).
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A current access token.
    fn token(&self) -> Result<ApiKey, Error>;
}

/// A fixed token.
///
/// ```
/// use anyllm_gemini::{StaticToken, TokenSource};
/// let t = StaticToken::new("ya29.example");
/// assert_eq!(t.token().unwrap().expose(), "ya29.example");
/// ```
#[derive(Debug, Clone)]
pub struct StaticToken(ApiKey);

impl StaticToken {
    /// A source that always returns `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self(ApiKey::new(token.into()))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> Result<ApiKey, Error> {
        Ok(self.0.clone())
    }
}

/// Runs a command that prints an access token (by default
/// `gcloud auth print-access-token`) and caches its output for a while
/// (45 minutes by default, below the token's hour).
///
/// A synchronous wrapper around the seam's
/// [`CommandToken`](anyllm_provider::credentials::CommandToken), which holds
/// the logic: no standard input (so it cannot wait for a prompt), killed when
/// it has not finished within the timeout (30 seconds by default,
/// [`CommandTokenSource::timeout`]); its standard output (the token) never
/// appears in an error, its standard error does, shortened and with every
/// long token-like word replaced by `[redacted]`. Async callers (the Vertex
/// provider's default credential chain) use `CommandToken` directly, which
/// runs the command on a thread of its own.
///
/// ```
/// use std::time::Duration;
/// use anyllm_gemini::{CommandTokenSource, TokenSource};
/// # #[cfg(unix)] {
/// let source = CommandTokenSource::new("echo", ["ya29.from-command"]).cache_for(Duration::from_secs(60));
/// assert_eq!(source.token().unwrap().expose(), "ya29.from-command");
/// # }
/// ```
pub struct CommandTokenSource {
    command: CommandToken,
    ttl: Duration,
    cached: Mutex<Option<(ApiKey, Instant)>>,
}

impl fmt::Debug for CommandTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandTokenSource")
            .field("command", &self.command)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl CommandTokenSource {
    /// `gcloud auth print-access-token`.
    pub fn gcloud() -> Self {
        Self::from_command(CommandToken::gcloud())
    }

    /// Any command whose standard output is the token.
    pub fn new<I, S>(program: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::from_command(CommandToken::new(program, args))
    }

    /// Wraps a seam [`CommandToken`].
    pub fn from_command(command: CommandToken) -> Self {
        Self {
            command,
            ttl: Duration::from_secs(45 * 60),
            cached: Mutex::new(None),
        }
    }

    /// How long a token is reused.
    pub fn cache_for(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long the command may run before it is killed and the call fails.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.command = self.command.timeout(timeout);
        self
    }
}

impl TokenSource for CommandTokenSource {
    fn token(&self) -> Result<ApiKey, Error> {
        let mut cached = self
            .cached
            .lock()
            .map_err(|_| Error::InvalidConfig("token cache poisoned".to_owned()))?;
        if let Some((token, at)) = cached.as_ref() {
            if at.elapsed() < self.ttl {
                return Ok(token.clone());
            }
        }
        let token = self.command.run_blocking()?;
        *cached = Some((token.clone(), Instant::now()));
        Ok(token)
    }
}
