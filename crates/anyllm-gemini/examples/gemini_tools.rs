//! A tool-using conversation with Gemini through the Anthropic format, with
//! thinking: the thought signatures Gemini returns ride along in the
//! assistant turns (as signature-only `thinking` blocks) and go back on the
//! parts they came with.
//!
//! Run with a key: `GEMINI_API_KEY=… cargo run -p anyllm-gemini --example gemini_tools`
//! (or `vertexai:gemini-2.5-flash` with `GOOGLE_CLOUD_PROJECT` and
//! `VERTEXAI_ACCESS_TOKEN=$(gcloud auth print-access-token)`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::{Client, Conversation, MessageParam, ProcessEnv};
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "gemini:gemini-2.5-flash".to_owned());
    let mut builder = Client::builder();
    for provider in anyllm_gemini::providers_with_env(&ProcessEnv) {
        builder = builder.register(provider);
    }
    let client = builder.build()?;

    let mut params = anyllm::params(
        &model,
        1024,
        vec![MessageParam::user("What is 1234 * 5678? Use the tool.")],
    );
    params.tools = Some(vec![serde_json::from_value(json!({
        "name": "multiply",
        "description": "Multiply two integers",
        "input_schema": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}
    }))?]);
    params.thinking = Some(serde_json::from_value(
        json!({"type": "enabled", "budget_tokens": 1024}),
    )?);

    for _ in 0..4 {
        let answer = client.messages(&params).await?;
        for block in &answer.content {
            println!("{}", serde_json::to_string(block)?);
        }
        if !answer.wants_tool_results() {
            println!("\n{}", answer.text());
            break;
        }
        let results: Vec<(String, String)> = answer
            .tool_uses()
            .map(|call| {
                let a = call.input["a"].as_i64().unwrap_or(0);
                let b = call.input["b"].as_i64().unwrap_or(0);
                (call.id.clone(), (a * b).to_string())
            })
            .collect();
        params.push_response(&answer).push_tool_results(results);
    }
    Ok(())
}
