//! Authentication and routing through the real `anyllm` client, with a
//! capturing transport (no network): SigV4 equal to botocore's, a retried
//! request signed again, the Bedrock API key as bearer, credential and
//! region resolution, and what a missing credential says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyllm::{Client, MapEnv, MessageCreateParams};
use anyllm_bedrock::{BedrockAnthropicProvider, BedrockProvider};
use anyllm_provider::credentials::{AwsCredentials, AwsCredentialsChain, SigningClock};
use anyllm_provider::{Env, Provider};
use bytes::Bytes;
use messages_http::{transport_fn, ResponseBody, SecretString};

const KEY_ID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEXAMPLETOKEN";

/// The Converse body the provider sends for [`params`] (asserted below, so
/// the signature constants stay tied to it).
const BODY: &str =
    r#"{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"maxTokens":64}}"#;

/// The `Authorization` botocore 1.44.8 computes for `POST
/// https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1%3A0/converse`
/// with header `content-type: application/json`, body [`BODY`], keys
/// [`KEY_ID`] / [`SECRET`], at 2023-11-14T22:13:20Z (1_700_000_000 s):
/// `botocore.auth.SigV4Auth(Credentials(KEY_ID, SECRET), "bedrock",
/// "us-east-1").add_auth(AWSRequest(method="POST", url=…, data=BODY,
/// headers={"content-type": "application/json"}))` with
/// `botocore.auth.get_current_datetime` patched to return that time
/// (`unittest.mock.patch`), in a throwaway venv (`pip install botocore`).
const BOTOCORE_AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=eb707cabb1e5f7ba79e675ebeb0b936a13e46f53929a1fde9f633f163b7a612c";

/// The same computation with `Credentials(KEY_ID, SECRET, SESSION_TOKEN)`
/// (botocore adds and signs `X-Amz-Security-Token`).
const BOTOCORE_AUTHORIZATION_WITH_TOKEN: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=ca20fba603718a9e780409ebc0eac88c1da35a4c479b42cb9d39ad6b8e072a7a";

const REPLY: &str = r#"{"output":{"message":{"role":"assistant","content":[{"text":"Hello"}]}},"stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4},"metrics":{"latencyMs":5}}"#;

fn params(model: &str) -> MessageCreateParams {
    serde_json::from_value(serde_json::json!({
        "model": model, "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
    }))
    .unwrap()
}

/// A clock starting at 1_700_000_000 s that moves one second per reading.
fn ticking_clock() -> SigningClock {
    let tick = Arc::new(AtomicU64::new(0));
    Arc::new(move || {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + tick.fetch_add(1, Ordering::SeqCst))
    })
}

type Seen = Arc<Mutex<Vec<http::Request<Bytes>>>>;

/// A client whose transport records each request and answers with
/// `statuses` in turn (then 200), the body `reply`.
fn capturing_client(
    provider: Arc<dyn Provider>,
    env: MapEnv,
    statuses: Vec<u16>,
    retries: u32,
) -> (Client, Seen) {
    let seen: Seen = Arc::default();
    let statuses = Arc::new(Mutex::new(statuses));
    let log = seen.clone();
    let transport = transport_fn(move |req: http::Request<Bytes>| {
        log.lock().unwrap().push(req);
        let status = {
            let mut s = statuses.lock().unwrap();
            if s.is_empty() {
                200
            } else {
                s.remove(0)
            }
        };
        async move {
            let body = if status == 200 {
                REPLY.to_owned()
            } else {
                r#"{"message":"Service unavailable"}"#.to_owned()
            };
            let mut resp = http::Response::new(ResponseBody::from_bytes(body));
            *resp.status_mut() = http::StatusCode::from_u16(status).unwrap();
            resp.headers_mut()
                .insert("content-type", http::HeaderValue::from_static("application/json"));
            resp.headers_mut()
                .insert("x-amzn-requestid", http::HeaderValue::from_static("req-123"));
            Ok(resp)
        }
    });
    let client = Client::builder()
        .env(env)
        .register(provider)
        .transport(Arc::new(transport))
        .max_retries(retries)
        .build()
        .unwrap();
    (client, seen)
}

fn explicit(token: Option<&str>) -> Arc<AwsCredentialsChain> {
    Arc::new(
        AwsCredentialsChain::from_env(Arc::new(MapEnv::empty())).explicit(AwsCredentials::new(
            KEY_ID,
            SECRET,
            token.map(SecretString::from),
        )),
    )
}

fn header<'a>(req: &'a http::Request<Bytes>, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_else(|| panic!("no {name} header"))
}

#[tokio::test]
async fn sigv4_equals_botocore() {
    for (token, expected) in [
        (None, BOTOCORE_AUTHORIZATION),
        (Some(SESSION_TOKEN), BOTOCORE_AUTHORIZATION_WITH_TOKEN),
    ] {
        let provider = BedrockProvider::new("us-east-1", explicit(token)).with_clock(ticking_clock());
        let (client, seen) = capturing_client(Arc::new(provider), MapEnv::empty(), vec![], 0);
        let message = client
            .messages(&params("bedrock:amazon.nova-lite-v1:0"))
            .await
            .unwrap();
        assert_eq!(message.text(), "Hello");
        assert_eq!(message.id, "msg_bdrk_req-123", "x-amzn-requestid makes the id");
        let seen = seen.lock().unwrap();
        let req = &seen[0];
        assert_eq!(
            req.uri().to_string(),
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1%3A0/converse"
        );
        assert_eq!(std::str::from_utf8(req.body()).unwrap(), BODY);
        assert_eq!(header(req, "x-amz-date"), "20231114T221320Z");
        assert_eq!(header(req, "authorization"), expected);
        match token {
            Some(t) => assert_eq!(header(req, "x-amz-security-token"), t),
            None => assert!(req.headers().get("x-amz-security-token").is_none()),
        }
        // Credentials are hidden from the request's Debug.
        let debug = format!("{req:?}");
        assert!(
            !debug.contains("Signature=") && !debug.contains(SESSION_TOKEN),
            "{debug}"
        );
    }
}

#[tokio::test]
async fn a_retried_request_is_signed_again() {
    let provider = BedrockProvider::new("us-east-1", explicit(None)).with_clock(ticking_clock());
    let (client, seen) = capturing_client(Arc::new(provider), MapEnv::empty(), vec![503], 1);
    client
        .messages(&params("bedrock:amazon.nova-lite-v1:0"))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "one retry");
    let (first, second) = (&seen[0], &seen[1]);
    assert_eq!(header(first, "x-amz-date"), "20231114T221320Z");
    assert_eq!(header(second, "x-amz-date"), "20231114T221321Z");
    assert_eq!(header(first, "authorization"), BOTOCORE_AUTHORIZATION);
    assert_ne!(header(second, "authorization"), header(first, "authorization"));
    assert_eq!(header(second, "authorization").matches("Signature=").count(), 1);
}

#[tokio::test]
async fn bedrock_api_key_is_a_bearer_token_and_skips_sigv4() {
    // From AWS_BEARER_TOKEN_BEDROCK …
    let env = MapEnv::new([
        ("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-1"),
        ("AWS_REGION", "us-west-2"),
    ]);
    let provider = BedrockProvider::from_env(Arc::new(env.clone()));
    let (client, seen) = capturing_client(Arc::new(provider), env, vec![], 0);
    client
        .messages(&params("bedrock:amazon.nova-lite-v1:0"))
        .await
        .unwrap();
    {
        let seen = seen.lock().unwrap();
        assert_eq!(header(&seen[0], "authorization"), "Bearer bedrock-api-key-1");
        assert!(seen[0].headers().get("x-amz-date").is_none());
        assert_eq!(
            seen[0].uri().host(),
            Some("bedrock-runtime.us-west-2.amazonaws.com")
        );
    }
    // … or the call's explicit key (bedrock-anthropic too).
    let env = MapEnv::new([("AWS_REGION", "us-west-2")]);
    let provider = BedrockAnthropicProvider::from_env(Arc::new(env.clone()));
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let transport = transport_fn(move |req: http::Request<Bytes>| {
        log.lock().unwrap().push(req);
        async {
            let body = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}"#;
            Ok(http::Response::new(ResponseBody::from_bytes(body)))
        }
    });
    let client = Client::builder()
        .env(env)
        .register(Arc::new(provider))
        .transport(Arc::new(transport))
        .api_key("bedrock-anthropic", "explicit-key-2")
        .build()
        .unwrap();
    let m = client
        .messages(&params(
            "bedrock-anthropic:us.anthropic.claude-haiku-4-5-20251001-v1:0",
        ))
        .await
        .unwrap();
    assert_eq!(m.text(), "Hi");
    let seen = seen.lock().unwrap();
    assert_eq!(header(&seen[0], "authorization"), "Bearer explicit-key-2");
    assert_eq!(
        seen[0].uri().path(),
        "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke"
    );
}

#[tokio::test]
async fn a_missing_credential_names_what_to_set_and_never_echoes_secrets() {
    let env = MapEnv::new([("AWS_REGION", "us-east-1"), ("HOME", "/nonexistent-anyllm-home")]);
    let provider = BedrockProvider::from_env(Arc::new(env.clone()));
    let (client, seen) = capturing_client(Arc::new(provider), env, vec![], 0);
    let err = client
        .messages(&params("bedrock:amazon.nova-lite-v1:0"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing sent without credentials"
    );
    for needle in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "AWS_BEARER_TOKEN_BEDROCK",
    ] {
        assert!(err.contains(needle), "{needle} missing from: {err}");
    }

    // Half a key pair: says which half.
    let env = MapEnv::new([("AWS_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", KEY_ID)]);
    let provider = BedrockProvider::from_env(Arc::new(env.clone()));
    let (client, _) = capturing_client(Arc::new(provider), env, vec![], 0);
    let err = client
        .messages(&params("bedrock:m"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("AWS_SECRET_ACCESS_KEY is not"), "{err}");

    // A provider's Debug shows no key material.
    let env = MapEnv::new([
        ("AWS_ACCESS_KEY_ID", KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
    ]);
    let provider = BedrockProvider::from_env(Arc::new(env));
    let debug = format!("{provider:?}");
    assert!(
        !debug.contains(SECRET) && !debug.contains(SESSION_TOKEN),
        "{debug}"
    );
    let provider = BedrockProvider::new("us-east-1", explicit(Some(SESSION_TOKEN)));
    let debug = format!("{provider:?}");
    assert!(
        !debug.contains(SECRET) && !debug.contains(SESSION_TOKEN),
        "{debug}"
    );
}

#[tokio::test]
async fn a_missing_region_names_what_to_set() {
    let env = MapEnv::new([
        ("AWS_BEARER_TOKEN_BEDROCK", "k"),
        ("HOME", "/nonexistent-anyllm-home"),
    ]);
    let provider = BedrockProvider::from_env(Arc::new(env.clone()));
    assert_eq!(provider.region(), None);
    let (client, _) = capturing_client(Arc::new(provider), env, vec![], 0);
    let err = client
        .messages(&params("bedrock:m"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("AWS_REGION"), "{err}");
}

/// A throwaway directory under the target dir (removed at the end).
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("anyllm-bedrock-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn region_and_keys_from_the_shared_files_and_the_endpoint_override() {
    let dir = temp_dir("profile");
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config, "[profile work]\nregion = ap-northeast-1\n").unwrap();
    std::fs::write(
        &credentials,
        format!("[work]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    let env = MapEnv::new([
        ("AWS_PROFILE", "work"),
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
    ]);
    let provider = BedrockProvider::from_env(Arc::new(env.clone()));
    assert_eq!(provider.region(), Some("ap-northeast-1"));
    let (client, seen) = capturing_client(Arc::new(provider), env.clone(), vec![], 0);
    client
        .messages(&params("bedrock:arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.amazon.nova-lite-v1:0"))
        .await
        .unwrap();
    {
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen[0].uri().to_string(),
            "https://bedrock-runtime.ap-northeast-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aap-northeast-1%3A123456789012%3Ainference-profile%2Fapac.amazon.nova-lite-v1%3A0/converse"
        );
        assert!(header(&seen[0], "authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDPROFILE/20"));
        assert!(header(&seen[0], "authorization").contains("/ap-northeast-1/bedrock/aws4_request"));
    }
    // AWS_REGION wins over the profile; AWS_ENDPOINT_URL_BEDROCK_RUNTIME replaces the endpoint.
    let mut vars: Vec<(String, String)> = ["AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]
        .iter()
        .map(|k| (k.to_string(), env.var(k).unwrap()))
        .collect();
    vars.push(("AWS_REGION".into(), "eu-central-1".into()));
    vars.push((
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME".into(),
        "https://vpce-1.bedrock-runtime.eu-central-1.vpce.amazonaws.com".into(),
    ));
    let env = MapEnv::new(vars);
    let provider = BedrockProvider::from_env(Arc::new(env.clone()));
    let (client, seen) = capturing_client(Arc::new(provider), env, vec![], 0);
    client
        .messages(&params("bedrock:amazon.nova-lite-v1:0"))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].uri().host(),
        Some("vpce-1.bedrock-runtime.eu-central-1.vpce.amazonaws.com")
    );
    assert!(header(&seen[0], "authorization").contains("/eu-central-1/bedrock/aws4_request"));
    std::fs::remove_dir_all(dir).ok();
}
