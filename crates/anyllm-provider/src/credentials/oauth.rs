//! [`OAuthTokenExchange`]: a form POST to a token endpoint for an access
//! token — IBM Cloud IAM (watsonx) and Microsoft Entra ID client credentials.

use std::fmt;
use std::time::Duration;

use messages_http::{BoxFuture, Error, SecretString};

use super::token_http::{access_token_from, fetch_json, form_post, DEFAULT_TOKEN_TIMEOUT};
use super::{AccessToken, ResolveContext, ResolveIdentity};

/// IBM Cloud IAM's token endpoint.
pub const IBM_IAM_TOKEN_URL: &str = "https://iam.cloud.ibm.com/identity/token";

/// A form field of the exchange; secrets are never printed.
#[derive(Clone)]
enum Field {
    Plain(String),
    Secret(SecretString),
}

impl Field {
    fn value(&self) -> &str {
        match self {
            Self::Plain(s) => s,
            Self::Secret(s) => s.expose(),
        }
    }
}

/// An OAuth 2.0 token request in the client-credentials style: a form POST
/// of fixed fields to a token URL, answered by `access_token` with
/// `expires_in` (or IBM's `expiration`). Wrap it in a
/// [`BearerAuth`](crate::credentials::BearerAuth) to cache and refresh.
///
/// ```
/// use anyllm_provider::credentials::OAuthTokenExchange;
/// let iam = OAuthTokenExchange::ibm_iam("my-ibm-api-key");
/// assert_eq!(iam.token_url(), "https://iam.cloud.ibm.com/identity/token");
/// assert!(!format!("{iam:?}").contains("my-ibm-api-key"));
/// let entra = OAuthTokenExchange::azure_client_credentials(
///     "my-tenant", "client-id", "client-secret", "https://cognitiveservices.azure.com/.default");
/// assert_eq!(entra.token_url(), "https://login.microsoftonline.com/my-tenant/oauth2/v2.0/token");
/// ```
#[derive(Clone)]
pub struct OAuthTokenExchange {
    source_name: String,
    token_url: String,
    fields: Vec<(String, Field)>,
    timeout: Duration,
}

impl fmt::Debug for OAuthTokenExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|(k, v)| match v {
                Field::Plain(p) => format!("{k}={p}"),
                Field::Secret(_) => format!("{k}=[REDACTED]"),
            })
            .collect();
        f.debug_struct("OAuthTokenExchange")
            .field("source_name", &self.source_name)
            .field("token_url", &self.token_url)
            .field("fields", &fields)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl OAuthTokenExchange {
    /// An exchange at `token_url`, its errors named `source_name`, with no fields yet.
    pub fn new(source_name: impl Into<String>, token_url: impl Into<String>) -> Self {
        Self {
            source_name: source_name.into(),
            token_url: token_url.into(),
            fields: Vec::new(),
            timeout: DEFAULT_TOKEN_TIMEOUT,
        }
    }

    /// IBM Cloud IAM (watsonx): `grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=…`
    /// at [`IBM_IAM_TOKEN_URL`].
    pub fn ibm_iam(api_key: impl Into<SecretString>) -> Self {
        Self::new("ibm iam", IBM_IAM_TOKEN_URL)
            .field("grant_type", "urn:ibm:params:oauth:grant-type:apikey")
            .secret_field("apikey", api_key)
    }

    /// Microsoft Entra ID client credentials: `grant_type=client_credentials`
    /// with `client_id`, `client_secret` and `scope` (e.g.
    /// `https://cognitiveservices.azure.com/.default`) at
    /// `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`.
    pub fn azure_client_credentials(
        tenant: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        scope: impl Into<String>,
    ) -> Self {
        Self::new(
            "azure entra id",
            format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"),
        )
        .field("grant_type", "client_credentials")
        .field("client_id", client_id)
        .secret_field("client_secret", client_secret)
        .field("scope", scope)
    }

    /// Adds a plain form field.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), Field::Plain(value.into())));
        self
    }

    /// Adds a secret form field (never printed).
    pub fn secret_field(mut self, name: impl Into<String>, value: impl Into<SecretString>) -> Self {
        self.fields.push((name.into(), Field::Secret(value.into())));
        self
    }

    /// Uses another token URL (a regional or test endpoint).
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// The token URL.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// How long the exchange may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl ResolveIdentity for OAuthTokenExchange {
    type Identity = AccessToken;

    fn resolve<'a>(&'a self, cx: &'a ResolveContext) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let fields: Vec<(&str, &str)> =
                self.fields.iter().map(|(k, v)| (k.as_str(), v.value())).collect();
            let request = form_post(&self.source_name, &self.token_url, &fields)?;
            let reply = fetch_json(&self.source_name, cx, request, self.timeout).await?;
            access_token_from(&self.source_name, &reply)
        })
    }
}
