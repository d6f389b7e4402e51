//! Google Application Default Credentials against loopback servers: a
//! service-account key (RS256 JWT verified with the public key), an
//! authorized-user file at the well-known location, the metadata server,
//! the gcloud-style command as a last resort, and what is said when nothing
//! is configured.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use anyllm_provider::credentials::{
    CommandToken, GoogleCredentials, ResolveContext, ResolveIdentity, CLOUD_PLATFORM_SCOPE,
};
use anyllm_provider::messages_http::Error;
use anyllm_provider::MapEnv;
use common::*;

fn cx() -> ResolveContext {
    ResolveContext::with_transport(transport())
}

fn no_command() -> Option<CommandToken> {
    None
}

#[cfg(feature = "google-auth")]
mod service_account {
    use super::*;
    use anyllm_provider::credentials::GoogleServiceAccount;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    use rsa::signature::Verifier;
    use rsa::{RsaPrivateKey, RsaPublicKey};
    use sha2::Sha256;

    /// A throwaway RSA key made for this test run (never a real credential).
    fn test_key() -> (String, RsaPublicKey) {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        (pem, key.to_public_key())
    }

    #[tokio::test]
    async fn service_account_jwt_is_signed_and_exchanged() {
        let server = serve(|_, _| token_reply("ya29.sa", 3599)).await;
        let (pem, public) = test_key();
        let dir = temp_dir("sa");
        let file = dir.join("key.json");
        let token_uri = server.url("/token");
        std::fs::write(
            &file,
            serde_json::json!({
                "type": "service_account", "project_id": "p",
                "private_key_id": "kid-1", "private_key": pem,
                "client_email": "bot@p.iam.gserviceaccount.com", "token_uri": token_uri,
            })
            .to_string(),
        )
        .unwrap();
        let env = MapEnv::new([("GOOGLE_APPLICATION_CREDENTIALS", file.to_str().unwrap())]);
        let adc = GoogleCredentials::from_env(&env).command(no_command());
        let token = adc.resolve(&cx()).await.unwrap();
        assert_eq!(token.token().expose(), "ya29.sa");
        let printed = format!("{adc:?}");
        assert!(!printed.contains("PRIVATE KEY"), "{printed}");

        let seen = &server.seen()[0];
        assert_eq!(
            seen.field("grant_type").as_deref(),
            Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
        );
        let jwt = seen.field("assertion").unwrap();
        let (signed, signature) = jwt.rsplit_once('.').unwrap();
        let signature = Signature::try_from(URL_SAFE_NO_PAD.decode(signature).unwrap().as_slice()).unwrap();
        VerifyingKey::<Sha256>::new(public)
            .verify(signed.as_bytes(), &signature)
            .expect("the JWT verifies with the key's public half");
        let (header, claims) = signed.split_once('.').unwrap();
        let decode = |s: &str| -> serde_json::Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap()
        };
        assert_eq!(
            decode(header),
            serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "kid-1"})
        );
        let claims = decode(claims);
        assert_eq!(claims["iss"], "bot@p.iam.gserviceaccount.com");
        assert_eq!(claims["aud"], token_uri.as_str());
        assert_eq!(claims["scope"], CLOUD_PLATFORM_SCOPE);
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            3600
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_bad_key_is_named_not_echoed() {
        let json = serde_json::json!({
            "type": "service_account", "client_email": "x@y",
            "private_key": "-----BEGIN PRIVATE KEY-----\nnotakeySECRETBYTES\n-----END PRIVATE KEY-----\n",
        });
        let err = GoogleServiceAccount::from_json(&json).unwrap_err();
        assert!(err.to_string().contains("private_key"), "{err}");
        assert!(!format!("{err} {err:?}").contains("SECRETBYTES"));
        let err =
            GoogleServiceAccount::from_json(&serde_json::json!({"type": "service_account"})).unwrap_err();
        assert!(err.to_string().contains("client_email"), "{err}");
    }
}

#[tokio::test]
async fn authorized_user_file_at_the_well_known_location() {
    let server = serve(|n, _| token_reply(&format!("ya29.user-{n}"), 3599)).await;
    let home = temp_dir("home");
    let gcloud = home.join(".config").join("gcloud");
    std::fs::create_dir_all(&gcloud).unwrap();
    std::fs::write(
        gcloud.join("application_default_credentials.json"),
        r#"{"type":"authorized_user","client_id":"cid.apps.googleusercontent.com",
            "client_secret":"d-SECRET-client","refresh_token":"1//refresh-SECRET","quota_project_id":"p"}"#,
    )
    .unwrap();
    let env = MapEnv::new([("HOME", home.to_str().unwrap())]);
    let adc = GoogleCredentials::from_env(&env)
        .command(no_command())
        .oauth_token_url(server.url("/token"));
    let cx = cx();
    assert_eq!(adc.resolve(&cx).await.unwrap().token().expose(), "ya29.user-0");
    let seen = &server.seen()[0];
    assert_eq!(seen.path, "/token");
    assert_eq!(seen.field("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(
        seen.field("client_id").as_deref(),
        Some("cid.apps.googleusercontent.com")
    );
    assert_eq!(seen.field("client_secret").as_deref(), Some("d-SECRET-client"));
    assert_eq!(seen.field("refresh_token").as_deref(), Some("1//refresh-SECRET"));
    // The chosen source is kept: the file is not read again.
    std::fs::remove_dir_all(&home).unwrap();
    assert_eq!(adc.resolve(&cx).await.unwrap().token().expose(), "ya29.user-1");
    let printed = format!("{adc:?}");
    assert!(!printed.contains("SECRET"), "{printed}");
}

#[tokio::test]
async fn metadata_server_with_its_flavor_header() {
    let server = serve(|_, req| {
        if req.headers.get("metadata-flavor").map(|v| v.as_bytes()) == Some(b"Google") {
            token_reply("ya29.gce", 3599)
        } else {
            (403, "{}".to_owned())
        }
    })
    .await;
    let home = temp_dir("gce-home");
    let env = MapEnv::new([
        ("HOME", home.to_str().unwrap()),
        ("GCE_METADATA_HOST", &server.addr.to_string()),
    ]);
    let adc = GoogleCredentials::from_env(&env).command(no_command());
    assert_eq!(adc.resolve(&cx()).await.unwrap().token().expose(), "ya29.gce");
    let seen = &server.seen()[0];
    assert_eq!(seen.method, http::Method::GET);
    assert_eq!(
        seen.path,
        "/computeMetadata/v1/instance/service-accounts/default/token"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[cfg(unix)]
#[tokio::test]
async fn the_command_is_the_last_resort() {
    let home = temp_dir("cmd-home");
    let closed = closed_port().await;
    let env = MapEnv::new([
        ("HOME", home.to_str().unwrap()),
        ("GCE_METADATA_HOST", &closed.to_string()),
    ]);
    let adc = GoogleCredentials::from_env(&env)
        .command(Some(CommandToken::new("sh", ["-c", "echo ya29.from-gcloud"])));
    let token = adc.resolve(&cx()).await.unwrap();
    assert_eq!(token.token().expose(), "ya29.from-gcloud");
    let _ = std::fs::remove_dir_all(&home);
}

/// A command that hangs is bounded by its timeout, off the runtime thread
/// (the current-thread runtime here keeps serving other tasks meanwhile).
#[cfg(unix)]
#[tokio::test]
async fn a_hanging_command_is_bounded_and_does_not_block_the_runtime() {
    let command = CommandToken::new("sh", ["-c", "exec sleep 30"]).timeout(Duration::from_millis(300));
    let ticker = tokio::spawn(async {
        let mut ticks = 0;
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            ticks += 1;
        }
        ticks
    });
    let err = command.resolve(&ResolveContext::new()).await.unwrap_err();
    assert!(err.to_string().contains("no answer within 300ms"), "{err}");
    assert_eq!(ticker.await.unwrap(), 3);
}

#[tokio::test]
async fn nothing_configured_says_what_to_set() {
    let home = temp_dir("empty-home");
    let closed = closed_port().await;
    let env = MapEnv::new([
        ("HOME", home.to_str().unwrap()),
        ("GCE_METADATA_HOST", &closed.to_string()),
    ]);
    let adc = GoogleCredentials::from_env(&env).command(Some(CommandToken::new(
        "/nonexistent/gcloud",
        Vec::<String>::new(),
    )));
    let err = adc.resolve(&cx()).await.unwrap_err();
    let Error::Credentials { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("GOOGLE_APPLICATION_CREDENTIALS"), "{message}");
    assert!(
        message.contains("gcloud auth application-default login"),
        "{message}"
    );
    assert!(message.contains("/nonexistent/gcloud"), "{message}");
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn unreadable_or_unsupported_files_are_errors() {
    let dir = temp_dir("bad-files");
    let missing = dir.join("missing.json");
    let env = MapEnv::new([("GOOGLE_APPLICATION_CREDENTIALS", missing.to_str().unwrap())]);
    let err = GoogleCredentials::from_env(&env)
        .resolve(&cx())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("missing.json"), "{err}");

    let external = dir.join("external.json");
    std::fs::write(&external, r#"{"type":"external_account","audience":"x"}"#).unwrap();
    let env = MapEnv::new([("GOOGLE_APPLICATION_CREDENTIALS", external.to_str().unwrap())]);
    let err = GoogleCredentials::from_env(&env)
        .resolve(&cx())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("external_account"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_refused_refresh_token_is_a_typed_error_without_secrets() {
    let server = serve(|_, _| {
        (
            400,
            r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#
                .to_owned(),
        )
    })
    .await;
    let dir = temp_dir("revoked");
    let file = dir.join("adc.json");
    std::fs::write(
        &file,
        r#"{"type":"authorized_user","client_id":"cid","client_secret":"d-SECRET-client","refresh_token":"1//refresh-SECRET"}"#,
    )
    .unwrap();
    let env = MapEnv::new([("GOOGLE_APPLICATION_CREDENTIALS", file.to_str().unwrap())]);
    let adc = GoogleCredentials::from_env(&env).oauth_token_url(server.url("/token"));
    let err = adc.resolve(&cx()).await.unwrap_err();
    let Error::Credentials { source_name, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source_name, "google authorized user");
    assert!(
        message.contains("400") && message.contains("invalid_grant"),
        "{message}"
    );
    assert!(!format!("{err} {err:?}").contains("SECRET"));
    let _ = std::fs::remove_dir_all(&dir);
}
