//! AWS credentials and region for SigV4: explicit keys, the environment,
//! and the shared config / credentials files.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use messages_http::{BoxFuture, Error, SecretString};
use tokio::time::Instant;

use super::aws_profile::{parse_profiles, Profile};
use super::{Identity, ResolveContext, ResolveIdentity};
use crate::Env;

/// AWS credentials: an access key id, its secret key and, for temporary
/// credentials, a session token. `Debug` shows the key id only.
#[derive(Clone)]
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: SecretString,
    session_token: Option<SecretString>,
    expires_at: Option<Instant>,
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl AwsCredentials {
    /// Long-term (or, with a session token, temporary) credentials.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<SecretString>,
        session_token: Option<SecretString>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expires_at: None,
        }
    }

    /// Marks them as expiring at `at`.
    pub fn expiring_at(mut self, at: Instant) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key (never print it).
    pub fn secret_access_key(&self) -> &SecretString {
        &self.secret_access_key
    }

    /// The session token of temporary credentials (never print it).
    pub fn session_token(&self) -> Option<&SecretString> {
        self.session_token.as_ref()
    }
}

impl Identity for AwsCredentials {
    fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }
}

const SOURCE: &str = "aws";

/// Where AWS credentials come from, first match wins, as the AWS SDKs do for
/// the sources they share:
///
/// 1. explicit keys ([`AwsCredentialsChain::explicit`]);
/// 2. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`);
/// 3. the profile `AWS_PROFILE` (default `default`) in the credentials file
///    (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`, sections
///    `[name]`), then in the config file (`AWS_CONFIG_FILE`, default
///    `~/.aws/config`, sections `[profile name]` / `[default]`).
///
/// Profiles that need another service to produce keys (`role_arn`,
/// `sso_session`, `credential_process`, …) are reported as unsupported,
/// naming the setting, rather than silently skipped. Nothing found: an error
/// naming what to set. The files are read on every resolve; cache with an
/// [`IdentityCache`](crate::credentials::IdentityCache).
///
/// ```
/// use std::sync::Arc;
/// use anyllm_provider::credentials::AwsCredentialsChain;
/// use anyllm_provider::MapEnv;
/// let env = MapEnv::new([("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")]);
/// let creds = AwsCredentialsChain::from_env(Arc::new(env)).resolve_now().unwrap();
/// assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
/// assert!(!format!("{creds:?}").contains("wJalr"));
/// ```
#[derive(Debug, Clone)]
pub struct AwsCredentialsChain {
    explicit: Option<AwsCredentials>,
    env: Arc<dyn Env>,
}

impl AwsCredentialsChain {
    /// The chain reading `env` (and the files it points to).
    pub fn from_env(env: Arc<dyn Env>) -> Self {
        Self { explicit: None, env }
    }

    /// Uses these keys before anything else.
    pub fn explicit(mut self, credentials: AwsCredentials) -> Self {
        self.explicit = Some(credentials);
        self
    }

    /// The profile used: `AWS_PROFILE`, else `default`.
    pub fn profile_name(&self) -> String {
        self.env
            .var("AWS_PROFILE")
            .unwrap_or_else(|| "default".to_owned())
    }

    /// Resolves now, synchronously (it reads only the environment and two small files).
    pub fn resolve_now(&self) -> Result<AwsCredentials, Error> {
        if let Some(c) = &self.explicit {
            return Ok(c.clone());
        }
        if let Some(c) = self.env_keys()? {
            return Ok(c);
        }
        self.profile_keys()
    }

    fn env_keys(&self) -> Result<Option<AwsCredentials>, Error> {
        let id = self.env.var("AWS_ACCESS_KEY_ID");
        let secret = self.env.var("AWS_SECRET_ACCESS_KEY");
        match (id, secret) {
            (Some(id), Some(secret)) => Ok(Some(AwsCredentials::new(
                id,
                secret,
                self.env.var("AWS_SESSION_TOKEN").map(SecretString::new),
            ))),
            (Some(_), None) => Err(Error::credentials(
                "aws env",
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both",
            )),
            (None, Some(_)) => Err(Error::credentials(
                "aws env",
                "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both",
            )),
            (None, None) => Ok(None),
        }
    }

    fn profile_keys(&self) -> Result<AwsCredentials, Error> {
        let name = self.profile_name();
        let files = SharedFiles::locate(self.env.as_ref());
        let sources = [
            (files.credentials.as_deref(), false),
            (files.config.as_deref(), true),
        ];
        for (path, config) in sources {
            let Some(profile) = path.and_then(|p| read_profile(p, config, &name)) else {
                continue;
            };
            if let Some(creds) = keys_of(&profile, &name)? {
                return Ok(creds);
            }
        }
        let shown = |p: &Option<PathBuf>| {
            p.as_deref()
                .map_or_else(|| "(HOME unset)".to_owned(), |p| p.display().to_string())
        };
        Err(Error::credentials(
            SOURCE,
            format!(
                "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                 (and AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE naming a profile with \
                 aws_access_key_id and aws_secret_access_key in {} or {} (profile `{name}` has none)",
                shown(&files.credentials),
                shown(&files.config)
            ),
        ))
    }
}

impl ResolveIdentity for AwsCredentialsChain {
    type Identity = AwsCredentials;

    fn resolve<'a>(&'a self, _cx: &'a ResolveContext) -> BoxFuture<'a, Result<AwsCredentials, Error>> {
        let result = self.resolve_now();
        Box::pin(async move { result })
    }
}

/// The keys of a profile; `None` when it has none; an error for a profile
/// that gets its keys some way this crate does not follow.
fn keys_of(profile: &Profile, name: &str) -> Result<Option<AwsCredentials>, Error> {
    let id = profile.get("aws_access_key_id").filter(|v| !v.is_empty());
    let secret = profile.get("aws_secret_access_key").filter(|v| !v.is_empty());
    if let (Some(id), Some(secret)) = (id, secret) {
        let token = profile
            .get("aws_session_token")
            .filter(|v| !v.is_empty())
            .map(|t| SecretString::new(t.clone()));
        return Ok(Some(AwsCredentials::new(id.clone(), secret.clone(), token)));
    }
    const INDIRECT: [&str; 5] = [
        "role_arn",
        "sso_session",
        "sso_start_url",
        "credential_process",
        "web_identity_token_file",
    ];
    if let Some(setting) = INDIRECT.iter().find(|k| profile.contains_key(**k)) {
        return Err(Error::credentials(
            "aws profile",
            format!(
                "profile `{name}` gets its keys through `{setting}`, which anyllm does not follow: \
                 export them (e.g. `aws configure export-credentials --profile {name} --format env`)"
            ),
        ));
    }
    Ok(None)
}

fn read_profile(path: &Path, config: bool, name: &str) -> Option<Profile> {
    let text = std::fs::read_to_string(path).ok()?;
    parse_profiles(&text, config).remove(name)
}

/// The shared files' locations.
struct SharedFiles {
    credentials: Option<PathBuf>,
    config: Option<PathBuf>,
}

impl SharedFiles {
    fn locate(env: &dyn Env) -> Self {
        let home = env
            .var("HOME")
            .or_else(|| env.var("USERPROFILE"))
            .map(PathBuf::from);
        let in_home = |file: &str| home.as_ref().map(|h| h.join(".aws").join(file));
        Self {
            credentials: env
                .var("AWS_SHARED_CREDENTIALS_FILE")
                .map(PathBuf::from)
                .or_else(|| in_home("credentials")),
            config: env
                .var("AWS_CONFIG_FILE")
                .map(PathBuf::from)
                .or_else(|| in_home("config")),
        }
    }
}

/// The AWS region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the
/// `region` of the profile `AWS_PROFILE` (default `default`) in the config file.
///
/// ```
/// use anyllm_provider::{credentials::aws_region, MapEnv};
/// let env = MapEnv::new([("AWS_DEFAULT_REGION", "eu-west-3")]);
/// assert_eq!(aws_region(&env).as_deref(), Some("eu-west-3"));
/// ```
pub fn aws_region(env: &dyn Env) -> Option<String> {
    if let Some(r) = env.var("AWS_REGION").or_else(|| env.var("AWS_DEFAULT_REGION")) {
        return Some(r);
    }
    let name = env.var("AWS_PROFILE").unwrap_or_else(|| "default".to_owned());
    let config = SharedFiles::locate(env).config?;
    read_profile(&config, true, &name)?
        .remove("region")
        .filter(|r| !r.is_empty())
}
