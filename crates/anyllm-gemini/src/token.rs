//! Where the Vertex AI provider gets its OAuth access token.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyllm_provider::{ApiKey, Error};

/// A source of OAuth access tokens for Vertex AI.
///
/// Called for every request that has no explicit key, so implementations
/// cache: Google access tokens last about an hour. Called from
/// `build_request`, which is synchronous: a slow refresh blocks that call.
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
/// ```
/// use std::time::Duration;
/// use anyllm_gemini::{CommandTokenSource, TokenSource};
/// # #[cfg(unix)] {
/// let source = CommandTokenSource::new("echo", ["ya29.from-command"]).cache_for(Duration::from_secs(60));
/// assert_eq!(source.token().unwrap().expose(), "ya29.from-command");
/// # }
/// ```
pub struct CommandTokenSource {
    program: String,
    args: Vec<String>,
    ttl: Duration,
    cached: Mutex<Option<(ApiKey, Instant)>>,
}

impl fmt::Debug for CommandTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandTokenSource")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl CommandTokenSource {
    /// `gcloud auth print-access-token`.
    pub fn gcloud() -> Self {
        Self::new("gcloud", ["auth", "print-access-token"])
    }

    /// Any command whose standard output is the token.
    pub fn new<I, S>(program: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            ttl: Duration::from_secs(45 * 60),
            cached: Mutex::new(None),
        }
    }

    /// How long a token is reused.
    pub fn cache_for(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    fn run(&self) -> Result<ApiKey, Error> {
        let output = std::process::Command::new(&self.program)
            .args(&self.args)
            .output()
            .map_err(|e| {
                Error::InvalidConfig(format!("running `{}` for a Vertex AI token: {e}", self.program))
            })?;
        if !output.status.success() {
            // stderr may help (e.g. "not logged in"); stdout may hold a token and is not shown.
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(Error::InvalidConfig(format!(
                "`{}` failed ({}): {}",
                self.program,
                output.status,
                stderr.trim()
            )));
        }
        let token = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if token.is_empty() {
            return Err(Error::InvalidConfig(format!(
                "`{}` printed no token",
                self.program
            )));
        }
        Ok(ApiKey::new(token))
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
        let token = self.run()?;
        *cached = Some((token.clone(), Instant::now()));
        Ok(token)
    }
}
