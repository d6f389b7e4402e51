//! [`GoogleAuthorizedUser`]: the refresh token `gcloud auth application-default login` saves.

use std::fmt;
use std::time::Duration;

use messages_http::{BoxFuture, Error, SecretString};

use crate::credentials::token_http::{access_token_from, fetch_json, form_post, DEFAULT_TOKEN_TIMEOUT};
use crate::credentials::{AccessToken, ResolveContext, ResolveIdentity};

/// Google's OAuth 2.0 token endpoint.
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// An `authorized_user` credentials file: `client_id`, `client_secret` and
/// `refresh_token`, exchanged with `grant_type=refresh_token` at
/// [`GOOGLE_TOKEN_URL`] (or the file's `token_uri`, or
/// [`with_token_url`](Self::with_token_url)).
#[derive(Clone)]
pub struct GoogleAuthorizedUser {
    client_id: String,
    client_secret: SecretString,
    refresh_token: SecretString,
    token_url: String,
    timeout: Duration,
}

impl fmt::Debug for GoogleAuthorizedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleAuthorizedUser")
            .field("client_id", &self.client_id)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl GoogleAuthorizedUser {
    /// A refresh-token exchange at [`GOOGLE_TOKEN_URL`].
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        refresh_token: impl Into<SecretString>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            token_url: GOOGLE_TOKEN_URL.to_owned(),
            timeout: DEFAULT_TOKEN_TIMEOUT,
        }
    }

    /// From the JSON of an `authorized_user` file.
    pub fn from_json(json: &serde_json::Value) -> Result<Self, Error> {
        let field = |k: &str| {
            json.get(k)
                .and_then(serde_json::Value::as_str)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::credentials(SOURCE, format!("the file has no `{k}`")))
        };
        let mut user = Self::new(
            field("client_id")?,
            field("client_secret")?,
            field("refresh_token")?,
        );
        if let Ok(url) = field("token_uri") {
            user.token_url = url.to_owned();
        }
        Ok(user)
    }

    /// Uses another token URL.
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// How long the exchange may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

const SOURCE: &str = "google authorized user";

impl ResolveIdentity for GoogleAuthorizedUser {
    type Identity = AccessToken;

    fn resolve<'a>(&'a self, cx: &'a ResolveContext) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let request = form_post(
                SOURCE,
                &self.token_url,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &self.client_id),
                    ("client_secret", self.client_secret.expose()),
                    ("refresh_token", self.refresh_token.expose()),
                ],
            )?;
            let reply = fetch_json(SOURCE, cx, request, self.timeout).await?;
            access_token_from(SOURCE, &reply)
        })
    }
}
