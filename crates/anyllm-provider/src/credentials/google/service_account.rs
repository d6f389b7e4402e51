//! [`GoogleServiceAccount`]: a service-account key file, exchanged for an
//! access token with an RS256-signed JWT (RFC 7523).
//!
//! Signing uses RustCrypto's `rsa` (PKCS#1 v1.5) and `sha2`: pure Rust, so
//! the seam pulls neither ring nor aws-lc (and no C toolchain); `jsonwebtoken`
//! would bring one of those or the same `rsa` behind it, for three lines of
//! JSON and base64 we write here.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use messages_http::{BoxFuture, Error};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use sha2::Sha256;

use super::authorized_user::GOOGLE_TOKEN_URL;
use super::CLOUD_PLATFORM_SCOPE;
use crate::credentials::token_http::{access_token_from, fetch_json, form_post, DEFAULT_TOKEN_TIMEOUT};
use crate::credentials::{AccessToken, ResolveContext, ResolveIdentity};

const SOURCE: &str = "google service account";

/// How long a signed assertion is valid (Google's maximum: one hour).
const ASSERTION_LIFETIME: Duration = Duration::from_secs(3600);

/// A `service_account` key file (`GOOGLE_APPLICATION_CREDENTIALS`): a JWT
/// `{iss: client_email, scope, aud: token_uri, iat, exp}` signed RS256 with
/// the file's private key (header `kid` = `private_key_id`), posted as
/// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…` to
/// the file's `token_uri`. `Debug` never shows the key.
#[derive(Clone)]
pub struct GoogleServiceAccount {
    client_email: String,
    private_key_id: Option<String>,
    key: SigningKey<Sha256>,
    token_url: String,
    scope: String,
    timeout: Duration,
}

impl fmt::Debug for GoogleServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleServiceAccount")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("token_url", &self.token_url)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl GoogleServiceAccount {
    /// From the JSON of a `service_account` file (`client_email`,
    /// `private_key` as PKCS#8 PEM, optional `private_key_id` and `token_uri`).
    /// Errors name the missing field, never the key.
    pub fn from_json(json: &serde_json::Value) -> Result<Self, Error> {
        let field = |k: &str| {
            json.get(k)
                .and_then(serde_json::Value::as_str)
                .filter(|v| !v.is_empty())
        };
        let missing = |k: &str| Error::credentials(SOURCE, format!("the key file has no `{k}`"));
        let client_email = field("client_email").ok_or_else(|| missing("client_email"))?;
        let pem = field("private_key").ok_or_else(|| missing("private_key"))?;
        let key = RsaPrivateKey::from_pkcs8_pem(pem)
            .map_err(|_| Error::credentials(SOURCE, "`private_key` is not a PKCS#8 PEM RSA private key"))?;
        Ok(Self {
            client_email: client_email.to_owned(),
            private_key_id: field("private_key_id").map(str::to_owned),
            key: SigningKey::new(key),
            token_url: field("token_uri").unwrap_or(GOOGLE_TOKEN_URL).to_owned(),
            scope: CLOUD_PLATFORM_SCOPE.to_owned(),
            timeout: DEFAULT_TOKEN_TIMEOUT,
        })
    }

    /// Asks for `scope` (space-separated) instead of cloud-platform.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Uses another token URL than the file's `token_uri`.
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// How long the exchange may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The service account's e-mail.
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// The signed JWT assertion issued at `issued_at` (`header.claims.signature`, base64url).
    pub fn assertion(&self, issued_at: SystemTime) -> Result<String, Error> {
        let iat = issued_at
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::credentials(SOURCE, "the clock is before 1970"))?
            .as_secs();
        let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
        if let Some(kid) = &self.private_key_id {
            header["kid"] = serde_json::Value::String(kid.clone());
        }
        let claims = serde_json::json!({
            "iss": self.client_email,
            "scope": self.scope,
            "aud": self.token_url,
            "iat": iat,
            "exp": iat + ASSERTION_LIFETIME.as_secs(),
        });
        let mut jwt = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .try_sign(jwt.as_bytes())
            .map_err(|_| Error::credentials(SOURCE, "signing the JWT failed"))?;
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        Ok(jwt)
    }
}

impl ResolveIdentity for GoogleServiceAccount {
    type Identity = AccessToken;

    fn resolve<'a>(&'a self, cx: &'a ResolveContext) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let assertion = self.assertion(SystemTime::now())?;
            let request = form_post(
                SOURCE,
                &self.token_url,
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("assertion", &assertion),
                ],
            )?;
            let reply = fetch_json(SOURCE, cx, request, self.timeout).await?;
            access_token_from(SOURCE, &reply)
        })
    }
}
