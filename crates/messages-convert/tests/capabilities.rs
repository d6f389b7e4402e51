//! One capability check for every family: the same request gets the same
//! answer from every family that declares the same support, and each
//! family's answer follows its declared capabilities.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::capabilities::{Capabilities, Support};
use messages_convert::openai_chat::Dialect;
use messages_convert::{check_capabilities, gemini, openai_chat, ConvertError};
use messages_types::MessageCreateParams;
use serde_json::{json, Value};

fn params(extra: Value) -> MessageCreateParams {
    let mut v = json!({"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

/// A family's request conversion, reduced to its verdict.
type Convert = Box<dyn Fn(&MessageCreateParams) -> Result<(), ConvertError>>;

/// Reads one capability out of a family's declaration.
type Capability = fn(&Capabilities) -> Support;

/// Every family's request conversion, by name, with its declared capabilities.
fn families() -> Vec<(&'static str, Capabilities, Convert)> {
    let chat = |d: Dialect| -> Convert { Box::new(move |p| openai_chat::request(p, &d, false).map(|_| ())) };
    vec![
        ("openai", Dialect::OPENAI.capabilities(), chat(Dialect::OPENAI)),
        (
            "openai-compatible",
            Dialect::GENERIC.capabilities(),
            chat(Dialect::GENERIC),
        ),
        (
            "gemini",
            gemini::CAPABILITIES,
            Box::new(|p| gemini::request(p).map(|_| ())),
        ),
        #[cfg(feature = "openai-responses")]
        (
            "openai-responses",
            messages_convert::openai_responses::CAPABILITIES,
            Box::new(|p| messages_convert::openai_responses::request(p, false).map(|_| ())),
        ),
    ]
}

/// One request per capability, with the field its refusal names.
fn feature_requests() -> Vec<(Value, &'static str, Capability)> {
    vec![
        (json!({"max_tokens": 0}), "max_tokens", |c| c.zero_max_tokens),
        (json!({"top_k": 5}), "top_k", |c| c.top_k),
        (json!({"metadata": {"user_id": "u"}}), "metadata.user_id", |c| {
            c.metadata_user_id
        }),
        (json!({"service_tier": "standard_only"}), "service_tier", |c| {
            c.service_tier
        }),
        (json!({"inference_geo": "us"}), "inference_geo", |c| {
            c.inference_geo
        }),
        (json!({"container": "cntr_1"}), "container", |c| c.container),
        (json!({"mcp_servers": []}), "mcp_servers", |c| c.mcp_servers),
        (
            json!({"context_management": {"edits": []}}),
            "context_management",
            |c| c.context_management,
        ),
    ]
}

fn refused_field(r: Result<(), ConvertError>) -> Option<String> {
    match r {
        Err(ConvertError::Unsupported { field, .. }) => Some(field),
        Ok(()) => None,
        Err(other) => panic!("expected Ok or Unsupported, got {other:?}"),
    }
}

#[test]
fn each_family_answers_as_its_capabilities_declare() {
    for (name, caps, convert) in families() {
        for (extra, field, support) in feature_requests() {
            let p = params(extra.clone());
            let got = refused_field(convert(&p));
            let declared = support(&caps) == Support::Unsupported;
            assert_eq!(
                got.is_some(),
                declared,
                "{name}: {extra} (declared {:?})",
                support(&caps)
            );
            if declared {
                assert_eq!(got.as_deref(), Some(field), "{name}: {extra}");
            }
            // The shared check alone gives the same answer.
            let shared = refused_field(check_capabilities(name, &caps, &p));
            assert_eq!(shared, got, "{name}: {extra}");
        }
    }
}

/// Anthropic platform features and the residency constraint have no
/// counterpart in any converted family: every family refuses them, naming
/// the same field (the per-family lists used to disagree).
#[test]
fn every_family_refuses_anthropic_only_features_the_same_way() {
    for (extra, field) in [
        (json!({"inference_geo": "eu"}), "inference_geo"),
        (json!({"container": "cntr_1"}), "container"),
        (
            json!({"mcp_servers": [{"type": "url", "url": "https://x", "name": "x"}]}),
            "mcp_servers",
        ),
        (json!({"mcp_servers": []}), "mcp_servers"),
        (json!({"context_management": {}}), "context_management"),
    ] {
        for (name, _, convert) in families() {
            assert_eq!(
                refused_field(convert(&params(extra.clone()))).as_deref(),
                Some(field),
                "{name}: {extra}"
            );
        }
    }
    // `service_tier: auto` is the default everywhere: never refused.
    for (name, _, convert) in families() {
        assert_eq!(
            refused_field(convert(&params(json!({"service_tier": "auto"})))),
            None,
            "{name}"
        );
    }
}
