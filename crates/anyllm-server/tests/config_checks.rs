//! What `Gateway::new` and `Config::from_toml` refuse at start: a typo in a
//! provider name, an upstream key variable that is not set, a zero rate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm::MapEnv;
use anyllm_server::{Config, Gateway, ServerError};
use common::ENV;

fn gateway(toml: &str) -> Result<Gateway, ServerError> {
    Gateway::new(Config::from_toml(toml).unwrap(), MapEnv::new(ENV))
}

fn config_error(r: Result<Gateway, ServerError>) -> String {
    match r {
        Err(ServerError::Config(msg)) => msg,
        Err(other) => panic!("not a configuration error: {other}"),
        Ok(g) => panic!("accepted: {g:?}"),
    }
}

#[test]
fn an_unknown_provider_section_is_refused_naming_the_known_ones() {
    let msg = config_error(gateway("[providers.opnai]\napi_key_env = \"OPENAI_TEST_KEY\"\n"));
    assert!(msg.contains("opnai"), "{msg}");
    assert!(
        msg.contains("known providers:") && msg.contains("openai") && msg.contains("gemini"),
        "{msg}"
    );
    // Without a key variable too: the section would be ignored just the same.
    let msg = config_error(gateway("[providers.gemni]\napi_base = \"http://127.0.0.1:9\"\n"));
    assert!(msg.contains("gemni"), "{msg}");
    // Provider names are matched as the client matches them (any case).
    gateway("[providers.OpenAI]\napi_key_env = \"OPENAI_TEST_KEY\"\n").unwrap();
}

#[test]
fn an_unset_api_key_env_is_refused() {
    let msg = config_error(gateway(
        "[providers.openai]\napi_key_env = \"OPENAI_KEY_NOT_SET\"\n",
    ));
    assert!(
        msg.contains("OPENAI_KEY_NOT_SET") && msg.contains("not set") && msg.contains("openai"),
        "{msg}"
    );
    // The variable set: accepted.
    gateway("[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\n").unwrap();
}

#[test]
fn a_zero_rate_is_refused_at_load() {
    let toml = "[[keys]]\nname = \"a\"\nkey_env = \"TEAM_A_KEY\"\nrequests_per_minute = 0\n";
    match Config::from_toml(toml) {
        Err(ServerError::Config(msg)) => {
            assert!(
                msg.contains("requests_per_minute") && msg.contains("`a`"),
                "{msg}"
            )
        }
        other => panic!("{other:?}"),
    }
    // A configuration built in code is checked by the gateway.
    let mut config = Config::from_toml("[[keys]]\nname = \"a\"\nkey_env = \"TEAM_A_KEY\"\n").unwrap();
    config.keys[0].requests_per_minute = Some(0);
    let msg = config_error(Gateway::new(config, MapEnv::new(ENV)));
    assert!(msg.contains("requests_per_minute"), "{msg}");
    Config::from_toml("[[keys]]\nname = \"a\"\nkey_env = \"TEAM_A_KEY\"\nrequests_per_minute = 1\n").unwrap();
}
