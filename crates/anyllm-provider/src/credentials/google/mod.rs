//! Google Application Default Credentials: [`GoogleCredentials`] and the
//! resolvers of its chain.

mod authorized_user;
mod metadata;
#[cfg(feature = "google-auth")]
mod service_account;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use messages_http::{BoxFuture, Error};

pub use authorized_user::{GoogleAuthorizedUser, GOOGLE_TOKEN_URL};
pub use metadata::{GceMetadata, DEFAULT_METADATA_HOST};
#[cfg(feature = "google-auth")]
pub use service_account::GoogleServiceAccount;

use super::{AccessToken, CommandToken, ResolveContext, ResolveIdentity, SharedTokenResolver};
use crate::Env;

/// The OAuth scope of Google Cloud APIs (Vertex AI among them).
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

const SOURCE: &str = "google application default credentials";

/// Google Application Default Credentials, tried in the order Google's
/// client libraries use, the first that applies being kept for later calls:
///
/// 1. `GOOGLE_APPLICATION_CREDENTIALS`: a key file — `service_account`
///    ([`GoogleServiceAccount`], feature `google-auth`) or `authorized_user`
///    ([`GoogleAuthorizedUser`]); an unreadable file is an error, not a
///    fall-through;
/// 2. the well-known file `gcloud auth application-default login` writes:
///    `$CLOUDSDK_CONFIG/application_default_credentials.json`, else
///    `~/.config/gcloud/…` (`%APPDATA%\gcloud\…` on Windows);
/// 3. the metadata server ([`GceMetadata`]) at `GCE_METADATA_HOST` when set,
///    else at [`DEFAULT_METADATA_HOST`], when it answers the first time
///    within the probe time (3 s by default);
/// 4. as a last resort the bounded `gcloud auth print-access-token`
///    ([`CommandToken::gcloud`]), run on a thread of its own.
///
/// It resolves uncached tokens: wrap it in a
/// [`BearerAuth`](crate::credentials::BearerAuth) (one per provider) to
/// cache them and refresh them 5 minutes before they expire.
///
/// ```
/// use anyllm_provider::credentials::GoogleCredentials;
/// use anyllm_provider::MapEnv;
/// let env = MapEnv::new([("HOME", "/home/me"), ("GCE_METADATA_HOST", "127.0.0.1:9")]);
/// let adc = GoogleCredentials::from_env(&env);
/// assert_eq!(adc.well_known_file().unwrap(),
///     std::path::Path::new("/home/me/.config/gcloud/application_default_credentials.json"));
/// ```
pub struct GoogleCredentials {
    application_credentials: Option<PathBuf>,
    well_known_file: Option<PathBuf>,
    metadata_host: Option<String>,
    metadata_probe: Duration,
    command: Option<CommandToken>,
    oauth_token_url: Option<String>,
    chosen: Mutex<Option<SharedTokenResolver>>,
}

impl fmt::Debug for GoogleCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleCredentials")
            .field("application_credentials", &self.application_credentials)
            .field("well_known_file", &self.well_known_file)
            .field("metadata_host", &self.metadata_host)
            .field("command", &self.command)
            .field("chosen", &*self.slot())
            .finish_non_exhaustive()
    }
}

impl GoogleCredentials {
    /// The chain as `env` configures it (nothing is read until the first token is needed).
    pub fn from_env(env: &dyn Env) -> Self {
        let well_known_file = env
            .var("CLOUDSDK_CONFIG")
            .map(PathBuf::from)
            .or_else(|| {
                env.var("HOME")
                    .map(|h| Path::new(&h).join(".config").join("gcloud"))
            })
            .or_else(|| env.var("APPDATA").map(|a| Path::new(&a).join("gcloud")))
            .map(|dir| dir.join("application_default_credentials.json"));
        Self {
            application_credentials: env.var("GOOGLE_APPLICATION_CREDENTIALS").map(PathBuf::from),
            well_known_file,
            metadata_host: env.var("GCE_METADATA_HOST"),
            metadata_probe: Duration::from_secs(3),
            command: Some(CommandToken::gcloud()),
            oauth_token_url: None,
            chosen: Mutex::new(None),
        }
    }

    /// The well-known ADC file looked for.
    pub fn well_known_file(&self) -> Option<&Path> {
        self.well_known_file.as_deref()
    }

    /// Replaces the last-resort command (`None`: no command at all).
    pub fn command(mut self, command: Option<CommandToken>) -> Self {
        self.command = command;
        self
    }

    /// Sets the metadata server (`host[:port]`), as `GCE_METADATA_HOST` does.
    pub fn metadata_host(mut self, host: impl Into<String>) -> Self {
        self.metadata_host = Some(host.into());
        self
    }

    /// How long the default metadata server may take to answer the first
    /// time before the chain moves on (default 3 s).
    pub fn metadata_probe(mut self, d: Duration) -> Self {
        self.metadata_probe = d;
        self
    }

    /// The token URL for `authorized_user` files that name none (default
    /// [`GOOGLE_TOKEN_URL`]).
    pub fn oauth_token_url(mut self, url: impl Into<String>) -> Self {
        self.oauth_token_url = Some(url.into());
        self
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<SharedTokenResolver>> {
        self.chosen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn keep(&self, resolver: SharedTokenResolver) -> SharedTokenResolver {
        *self.slot() = Some(Arc::clone(&resolver));
        resolver
    }

    /// The resolver for a credentials file's JSON.
    fn file_resolver(&self, path: &Path) -> Result<SharedTokenResolver, Error> {
        let shown = path.display();
        // A small local file: read synchronously, once (the choice is kept).
        let bytes =
            std::fs::read(path).map_err(|e| Error::credentials(SOURCE, format!("reading {shown}: {e}")))?;
        let json: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| Error::credentials(SOURCE, format!("{shown} is not JSON")))?;
        match json.get("type").and_then(serde_json::Value::as_str) {
            Some("authorized_user") => {
                let mut user = GoogleAuthorizedUser::from_json(&json)?;
                if let (Some(url), None) = (&self.oauth_token_url, json.get("token_uri")) {
                    user = user.with_token_url(url.clone());
                }
                Ok(Arc::new(user))
            }
            Some("service_account") => service_account(&json),
            Some(other) => Err(Error::credentials(
                SOURCE,
                format!("{shown}: credentials of type `{other}` are not supported (use a service-account key, `gcloud auth application-default login`, or an access token)"),
            )),
            None => Err(Error::credentials(SOURCE, format!("{shown} has no `type`"))),
        }
    }

    /// Picks the chain's first applicable source and resolves a token from it.
    async fn choose_and_resolve(&self, cx: &ResolveContext) -> Result<AccessToken, Error> {
        if let Some(path) = &self.application_credentials {
            let chosen = self.file_resolver(path)?;
            return self.keep(chosen).resolve(cx).await;
        }
        if let Some(path) = self.well_known_file.as_deref().filter(|p| p.is_file()) {
            let chosen = self.file_resolver(path)?;
            return self.keep(chosen).resolve(cx).await;
        }
        let host = self.metadata_host.as_deref().unwrap_or(DEFAULT_METADATA_HOST);
        let probe = GceMetadata::new(host).timeout(self.metadata_probe);
        let metadata_error = match probe.resolve(cx).await {
            Ok(token) => {
                self.keep(Arc::new(GceMetadata::new(host)));
                return Ok(token);
            }
            Err(e) => e,
        };
        let Some(command) = &self.command else {
            return Err(self.nothing_found(&metadata_error, None));
        };
        match command.resolve(cx).await {
            Ok(token) => {
                self.keep(Arc::new(command.clone()));
                Ok(token)
            }
            Err(e) => Err(self.nothing_found(&metadata_error, Some(&e))),
        }
    }

    fn nothing_found(&self, metadata: &Error, command: Option<&Error>) -> Error {
        let well_known = self.well_known_file.as_deref().map_or_else(
            || "the well-known file (HOME unset)".to_owned(),
            |p| p.display().to_string(),
        );
        let command = command.map_or_else(|| "not configured".to_owned(), Error::to_string);
        Error::credentials(
            SOURCE,
            format!(
                "no Google credentials found: set GOOGLE_APPLICATION_CREDENTIALS to a key file, \
                 run `gcloud auth application-default login`, or pass an access token \
                 (checked: GOOGLE_APPLICATION_CREDENTIALS unset; no {well_known}; \
                 metadata server: {metadata}; command: {command})"
            ),
        )
    }
}

#[cfg(feature = "google-auth")]
fn service_account(json: &serde_json::Value) -> Result<SharedTokenResolver, Error> {
    Ok(Arc::new(GoogleServiceAccount::from_json(json)?))
}

#[cfg(not(feature = "google-auth"))]
fn service_account(_json: &serde_json::Value) -> Result<SharedTokenResolver, Error> {
    Err(Error::credentials(
        SOURCE,
        "service-account key files need the `google-auth` feature of anyllm-provider",
    ))
}

impl ResolveIdentity for GoogleCredentials {
    type Identity = AccessToken;

    fn resolve<'a>(&'a self, cx: &'a ResolveContext) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let chosen = self.slot().clone();
            match chosen {
                Some(resolver) => resolver.resolve(cx).await,
                None => self.choose_and_resolve(cx).await,
            }
        })
    }
}
