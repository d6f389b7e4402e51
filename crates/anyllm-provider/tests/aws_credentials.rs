//! AWS credentials and region: explicit keys, the environment, the shared
//! credentials and config files (paths from env), and a missing credential
//! naming what to set. Secrets never in Debug or errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use anyllm_provider::credentials::{
    aws_region, AwsCredentials, AwsCredentialsChain, ResolveContext, ResolveIdentity,
};
use anyllm_provider::messages_http::Error;
use anyllm_provider::MapEnv;
use common::temp_dir;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET";
const SESSION: &str = "IQoJb3JpZ2luX2VjSESSIONTOKEN";

fn chain(vars: &[(&str, &str)]) -> AwsCredentialsChain {
    AwsCredentialsChain::from_env(Arc::new(MapEnv::new(vars.iter().copied())))
}

fn assert_hidden(text: &str) {
    assert!(!text.contains(SECRET) && !text.contains(SESSION), "{text}");
}

#[tokio::test]
async fn explicit_keys_come_first() {
    let c = chain(&[
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "other"),
    ])
    .explicit(AwsCredentials::new("AKIDEXPLICIT", SECRET, None));
    let creds = c.resolve(&ResolveContext::new()).await.unwrap();
    assert_eq!(creds.access_key_id(), "AKIDEXPLICIT");
    assert_eq!(creds.secret_access_key().expose(), SECRET);
    assert_hidden(&format!("{creds:?} {c:?}"));
}

#[test]
fn environment_keys_with_session_token() {
    let creds = chain(&[
        ("AWS_ACCESS_KEY_ID", "ASIAENV"),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", SESSION),
    ])
    .resolve_now()
    .unwrap();
    assert_eq!(creds.access_key_id(), "ASIAENV");
    assert_eq!(creds.session_token().unwrap().expose(), SESSION);
    let printed = format!("{creds:?}");
    assert!(printed.contains("ASIAENV"));
    assert_hidden(&printed);

    let err = chain(&[("AWS_ACCESS_KEY_ID", "AKID")]).resolve_now().unwrap_err();
    assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    let err = chain(&[("AWS_SECRET_ACCESS_KEY", SECRET)])
        .resolve_now()
        .unwrap_err();
    assert!(err.to_string().contains("AWS_ACCESS_KEY_ID"), "{err}");
    assert_hidden(&format!("{err} {err:?}"));
}

#[test]
fn profiles_from_the_shared_files() {
    let dir = temp_dir("aws");
    let credentials = dir.join("credentials");
    let config = dir.join("config");
    std::fs::write(
        &credentials,
        format!("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = {SECRET}\n\n[dev]\naws_access_key_id=AKIDDEV\naws_secret_access_key={SECRET}\naws_session_token={SESSION}\n"),
    )
    .unwrap();
    std::fs::write(
        &config,
        format!("[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n\n[profile cfgonly]\naws_access_key_id = AKIDCFG\naws_secret_access_key = {SECRET}\nregion = ap-south-1\n\n[profile sso]\nsso_session = corp\n"),
    )
    .unwrap();
    let (c, f) = (credentials.to_str().unwrap(), config.to_str().unwrap());
    let files = |profile: Option<&'static str>| {
        let mut vars = vec![("AWS_SHARED_CREDENTIALS_FILE", c), ("AWS_CONFIG_FILE", f)];
        if let Some(p) = profile {
            vars.push(("AWS_PROFILE", p));
        }
        vars
    };
    let default = chain(&files(None)).resolve_now().unwrap();
    assert_eq!(default.access_key_id(), "AKIDDEFAULT");
    assert!(default.session_token().is_none());
    let dev = chain(&files(Some("dev"))).resolve_now().unwrap();
    assert_eq!(
        (dev.access_key_id(), dev.session_token().unwrap().expose()),
        ("AKIDDEV", SESSION)
    );
    // Keys in `[profile x]` of the config file count too.
    assert_eq!(
        chain(&files(Some("cfgonly")))
            .resolve_now()
            .unwrap()
            .access_key_id(),
        "AKIDCFG"
    );
    // Environment keys win over the profile.
    let mut vars = files(Some("dev"));
    vars.extend([("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "x")]);
    assert_eq!(chain(&vars).resolve_now().unwrap().access_key_id(), "AKIDENV");

    // Regions: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's config.
    let region = |vars: &[(&str, &str)]| aws_region(&MapEnv::new(vars.iter().copied()));
    assert_eq!(region(&files(None)).as_deref(), Some("us-east-1"));
    assert_eq!(region(&files(Some("dev"))).as_deref(), Some("eu-west-1"));
    let mut vars = files(Some("dev"));
    vars.push(("AWS_DEFAULT_REGION", "us-west-2"));
    assert_eq!(region(&vars).as_deref(), Some("us-west-2"));
    vars.push(("AWS_REGION", "sa-east-1"));
    assert_eq!(region(&vars).as_deref(), Some("sa-east-1"));
    assert_eq!(region(&[]), None);

    // A profile that gets keys through SSO names the setting.
    let err = chain(&files(Some("sso"))).resolve_now().unwrap_err();
    assert!(err.to_string().contains("sso_session"), "{err}");
    // A missing profile names what to set.
    let err = chain(&files(Some("nope"))).resolve_now().unwrap_err();
    let message = err.to_string();
    assert!(message.contains("profile `nope`"), "{message}");
    assert_hidden(&message);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn default_file_locations_under_home() {
    let home = temp_dir("aws-home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(
        home.join(".aws").join("credentials"),
        format!("[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    std::fs::write(
        home.join(".aws").join("config"),
        "[default]\nregion = eu-north-1\n",
    )
    .unwrap();
    let h = home.to_str().unwrap();
    assert_eq!(
        chain(&[("HOME", h)]).resolve_now().unwrap().access_key_id(),
        "AKIDHOME"
    );
    assert_eq!(
        aws_region(&MapEnv::new([("HOME", h)])).as_deref(),
        Some("eu-north-1")
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn nothing_found_names_what_to_set() {
    let home = temp_dir("aws-empty");
    let err = chain(&[("HOME", home.to_str().unwrap())])
        .resolve_now()
        .unwrap_err();
    let Error::Credentials { message, .. } = &err else {
        panic!("{err:?}")
    };
    for needed in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        ".aws/credentials",
    ] {
        assert!(message.contains(needed), "{needed}: {message}");
    }
    let _ = std::fs::remove_dir_all(&home);
}
