//! Issue 11's replay rule (`messages_convert::signature`) in the request
//! conversions of the families that landed after it: an assistant turn
//! carrying thinking signed by Anthropic, by Gemini, by the Responses family
//! and by Bedrock, plus foreign `redacted_thinking`, goes to each target.
//!
//! * Cohere and Ollama take thinking without a signature: every thinking
//!   text is kept, no signature nor redacted data reaches the body;
//! * OpenAI Responses replays only its own reasoning item (byte for byte);
//! * Bedrock Converse replays only Bedrock-minted reasoning (prefix removed)
//!   and drops every other thinking and redacted block.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_convert::openai_responses::{encode_reasoning_signature, ReasoningSignature};
use messages_convert::{bedrock, cohere, ollama, openai_responses};
use messages_types::MessageCreateParams;
use serde_json::{json, Value};

const ANTHROPIC_SIG: &str = "EqQBCkYIBxgCKkBanthropic";
const GEMINI_SIG: &str = "anyllm.gemini.CiQBVKhc7gemini";
const BEDROCK_SIG: &str = "anyllm.bedrock.EqQBbedrocknative";

fn conversation(model: &str, responses_sig: &str) -> MessageCreateParams {
    serde_json::from_value(json!({
        "model": model, "max_tokens": 256,
        "messages": [
            {"role": "user", "content": "Add 2 and 3."},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "from anthropic", "signature": ANTHROPIC_SIG},
                {"type": "thinking", "thinking": "from gemini", "signature": GEMINI_SIG},
                {"type": "thinking", "thinking": "from responses", "signature": responses_sig},
                {"type": "thinking", "thinking": "from bedrock", "signature": BEDROCK_SIG},
                {"type": "redacted_thinking", "data": "EmwKAhgBEgyanthropicredacted"},
                {"type": "text", "text": "5"}
            ]},
            {"role": "user", "content": "Thanks."}
        ]
    }))
    .unwrap()
}

fn responses_sig() -> String {
    encode_reasoning_signature(&ReasoningSignature {
        id: "rs_1".into(),
        encrypted_content: Some("gAAAAencrypted".into()),
        summary: vec!["from responses".into()],
    })
}

/// No signature or redacted payload of any origin appears in `body`.
fn assert_no_signature(target: &str, body: &str) {
    for needle in [
        "EqQBCkYIBxgCKkBanthropic",
        "CiQBVKhc7gemini",
        "gAAAAencrypted",
        "EqQBbedrocknative",
        "anthropicredacted",
        "anyllm.",
    ] {
        assert!(!body.contains(needle), "{target}: {needle} in {body}");
    }
}

#[test]
fn cohere_keeps_every_thinking_text_and_no_signature() {
    let params = conversation("command-a-reasoning-08-2025", &responses_sig());
    let body = serde_json::to_string(&cohere::request(&params, false).unwrap()).unwrap();
    for t in ["from anthropic", "from gemini", "from responses", "from bedrock"] {
        assert!(body.contains(t), "cohere: {t} missing in {body}");
    }
    assert_no_signature("cohere", &body);
}

#[test]
fn ollama_keeps_every_thinking_text_and_no_signature() {
    let params = conversation("qwen3", &responses_sig());
    let body =
        serde_json::to_string(&ollama::request(&params, false, ollama::ThinkStyle::default()).unwrap())
            .unwrap();
    for t in ["from anthropic", "from gemini", "from responses", "from bedrock"] {
        assert!(body.contains(t), "ollama: {t} missing in {body}");
    }
    assert_no_signature("ollama", &body);
}

#[test]
fn responses_replays_only_its_own_reasoning_item() {
    let params = conversation("gpt-5", &responses_sig());
    let body: Value = serde_json::to_value(openai_responses::request(&params, false).unwrap()).unwrap();
    let reasoning: Vec<&Value> = body["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "reasoning")
        .collect();
    assert_eq!(reasoning.len(), 1, "{body}");
    assert_eq!(reasoning[0]["id"], "rs_1");
    assert_eq!(reasoning[0]["encrypted_content"], "gAAAAencrypted");
    let text = body.to_string();
    for foreign in [
        "EqQBCkYIBxgCKkBanthropic",
        "CiQBVKhc7gemini",
        "EqQBbedrocknative",
        "anthropicredacted",
        "anyllm.",
    ] {
        assert!(!text.contains(foreign), "responses: {foreign} in {text}");
    }
}

#[test]
fn bedrock_replays_only_bedrock_reasoning_without_its_prefix() {
    let params = conversation("us.anthropic.claude-sonnet-4-5-20250929-v1:0", &responses_sig());
    let body: Value = serde_json::to_value(bedrock::request(&params).unwrap()).unwrap();
    let assistant = &body["messages"][1]["content"];
    assert_eq!(
        assistant,
        &json!([
            {"reasoningContent": {"reasoningText": {"text": "from bedrock", "signature": "EqQBbedrocknative"}}},
            {"text": "5"}
        ]),
        "{body}"
    );
}
