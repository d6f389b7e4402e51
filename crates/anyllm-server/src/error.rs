//! Anthropic error bodies as HTTP responses, and the server's own errors.

use anyllm::{Error, ErrorKind, ErrorResponse};

/// A failure to configure or start the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Listening or serving failed.
    #[error("server I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// An error answer: HTTP status and Anthropic body.
#[derive(Debug, Clone)]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: u16,
    /// The Anthropic error body (boxed: errors stay off the hot path's stack).
    pub body: Box<ErrorResponse>,
    /// Seconds for a `retry-after` header.
    pub retry_after: Option<u64>,
}

impl ApiFailure {
    /// A failure of `kind` with its usual status.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            status: kind.status(),
            body: Box::new(ErrorResponse::new(kind, message.into())),
            retry_after: None,
        }
    }

    /// An upstream (or client-library) error, mapped through [`Error::kind`].
    /// Upstream credentials problems are the gateway's, not the client's
    /// (see [`ApiFailure::from_target`]; here without the provider's name).
    pub fn from_upstream(e: &Error) -> Self {
        Self::from_target(e, None)
    }

    /// Like [`ApiFailure::from_upstream`] for a call to `provider`, named in
    /// the message of a credentials failure.
    ///
    /// The rule: the client's own key is checked by the gateway (a bad one
    /// is the client's `401 authentication_error`); the upstream refusing
    /// the gateway's key (`401`/`403`, `authentication_error` or
    /// `permission_error`), or the gateway failing to obtain one (a token
    /// endpoint, a credentials file, nothing configured), is a fault of the
    /// gateway's configuration: a `500 api_error` naming the provider, never
    /// the upstream's text (which may quote the key).
    ///
    /// ```
    /// use anyllm::{Error, ErrorKind};
    /// let e = Error::Http(messages_http::Error::credentials("aws env", "nothing configured"));
    /// let f = anyllm_server::ApiFailure::from_target(&e, Some("bedrock"));
    /// assert_eq!((f.status, f.body.error.kind.clone()), (500, ErrorKind::Api));
    /// assert!(f.body.error.message.contains("`bedrock`"));
    /// ```
    pub fn from_target(e: &Error, provider: Option<&str>) -> Self {
        let named = |p: &str| format!(" for provider `{p}`");
        match e {
            Error::MissingApiKey { provider, .. } => Self::new(
                ErrorKind::Api,
                format!("the gateway has no credentials for provider `{provider}`"),
            ),
            Error::UnknownProvider { name, .. } => {
                Self::new(ErrorKind::NotFound, format!("unknown provider `{name}`"))
            }
            Error::Http(messages_http::Error::Credentials { source_name, .. }) => Self::new(
                ErrorKind::Api,
                format!(
                    "the gateway could not obtain upstream credentials{} ({source_name})",
                    provider.map(named).unwrap_or_default()
                ),
            ),
            Error::Http(h) if upstream_refused_credentials(h) => {
                let status = h
                    .status()
                    .map(|s| format!(" (HTTP {})", s.as_u16()))
                    .unwrap_or_default();
                let mut f = Self::new(
                    ErrorKind::Api,
                    format!(
                        "upstream credentials{} were rejected{status}",
                        provider.map(named).unwrap_or_default()
                    ),
                );
                if let Some(id) = e.request_id() {
                    f.body.request_id = messages_types::Nullable::Value(id.to_owned());
                }
                f
            }
            _ => {
                let body = Box::new(e.to_error_response());
                let kind = e.kind();
                Self {
                    status: kind.status(),
                    body,
                    retry_after: e.retry_after().map(|d| d.as_secs().max(1)),
                }
            }
        }
    }
}

/// The upstream answered 401/403 (or an error of that class): it refused
/// the gateway's credentials.
fn upstream_refused_credentials(h: &messages_http::Error) -> bool {
    matches!(h.status().map(|s| s.as_u16()), Some(401 | 403))
        || (matches!(h, messages_http::Error::Api(_))
            && matches!(h.kind(), ErrorKind::Authentication | ErrorKind::Permission))
}

/// The upstream credentials the gateway holds, to blank out of every error it
/// passes on: an upstream may echo the key it received in its error message
/// (e.g. "Incorrect API key provided: …"), and that text must never reach a
/// client.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    secrets: std::sync::Arc<[String]>,
}

/// Never the secrets themselves: only how many there are.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

/// Credential variables the providers' credential chains read that no
/// [`anyllm::ProviderInfo`] lists as a key: the AWS chain (Bedrock and
/// SageMaker sign with `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`;
/// `anyllm_provider::credentials::aws`), Bedrock's API key, Entra ID client
/// credentials (Azure OpenAI and Azure Anthropic) and the Vertex/Google
/// access tokens.
const CREDENTIAL_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AZURE_CLIENT_SECRET",
    "VERTEXAI_ACCESS_TOKEN",
    "GOOGLE_OAUTH_ACCESS_TOKEN",
];

/// Whether a provider's setting variable holds a credential (by its name:
/// `*SECRET*`, `*TOKEN*`, `*PASSWORD*`, `*_KEY`, `*_KEY_ID`), e.g.
/// `AZURE_CLIENT_SECRET` in Azure Anthropic's `settings_env`.
fn names_a_credential(var: &str) -> bool {
    ["SECRET", "TOKEN", "PASSWORD"].iter().any(|w| var.contains(w))
        || var.ends_with("_KEY")
        || var.ends_with("_KEY_ID")
}

/// The names of every variable holding a credential of `info`'s provider:
/// its key variables, the credential-like ones among its settings, and the
/// credential chains' own ([`CREDENTIAL_ENV`]).
///
/// Credentials that never pass through the environment — a token minted
/// from a service-account file or the instance metadata, keys in
/// `~/.aws/credentials` — are not known to the redactor; the providers keep
/// them out of their errors themselves.
pub(crate) fn credential_env<'a>(info: &'a anyllm::ProviderInfo) -> impl Iterator<Item = &'a str> + 'a {
    info.key_env
        .iter()
        .chain(info.settings_env.iter().filter(|v| names_a_credential(v)))
        .chain(CREDENTIAL_ENV)
        .copied()
}

/// What replaces a secret in an error text.
const REDACTED: &str = "[REDACTED]";

/// Shorter values are not treated as secrets (they would blank ordinary words).
const MIN_SECRET_LEN: usize = 8;

impl Redactor {
    /// A redactor of `secrets` (short or empty values are ignored).
    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut list: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.len() >= MIN_SECRET_LEN)
            .collect();
        // Longest first, so a key containing another is blanked whole.
        list.sort_by_key(|s| std::cmp::Reverse(s.len()));
        list.dedup();
        Self { secrets: list.into() }
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    pub(crate) fn redact(&self, text: String) -> String {
        if !self.secrets.iter().any(|s| text.contains(s.as_str())) {
            return text;
        }
        let mut out = text;
        for s in self.secrets.iter() {
            out = out.replace(s.as_str(), REDACTED);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{credential_env, Redactor};

    #[test]
    fn redacts_every_secret_and_never_debugs_one() {
        let r = Redactor::new([
            "sk-long-secret".to_owned(),
            "sk-long-secret-2".to_owned(),
            "short".to_owned(),
        ]);
        assert_eq!(
            r.redact("a sk-long-secret-2 b sk-long-secret c short".to_owned()),
            "a [REDACTED] b [REDACTED] c short"
        );
        assert_eq!(r.redact("nothing here".to_owned()), "nothing here");
        let debug = format!("{r:?}");
        assert!(!debug.contains("sk-long") && debug.contains('2'), "{debug}");
    }

    #[test]
    fn credential_env_covers_the_aws_chain_and_secret_settings() {
        let info = anyllm::ProviderInfo::new(
            "x",
            anyllm::ApiFamily::OpenAiChat,
            "http://x",
            &["X_API_KEY"],
            anyllm::KeyPolicy::Required,
        )
        .with_settings_env(&["X_CLIENT_SECRET", "X_REGION", "X_PROJECT_ID"]);
        let vars: Vec<&str> = credential_env(&info).collect();
        for v in [
            "X_API_KEY",
            "X_CLIENT_SECRET",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ] {
            assert!(vars.contains(&v), "{v}: {vars:?}");
        }
        assert!(
            !vars.contains(&"X_REGION") && !vars.contains(&"X_PROJECT_ID"),
            "{vars:?}"
        );
    }
}
