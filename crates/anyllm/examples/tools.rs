//! A tool-use loop against any provider:
//! `cargo run -p anyllm --example tools -- openai:gpt-4.1-mini` (needs that provider's key).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::{Client, ContentBlock, Conversation, CustomTool, MessageParam};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), anyllm::Error> {
    let model = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "anthropic:claude-sonnet-4-5".into());
    let client = Client::from_env()?;
    let mut params = anyllm::params(
        model,
        512,
        vec![MessageParam::user("What is 17 * 23? Use the multiply tool.")],
    );
    params.tools = Some(vec![CustomTool::new(
        "multiply",
        "Multiplies two integers.",
        json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
               "required": ["a", "b"]}),
    )
    .into()]);

    let mut message = client.messages(&params).await?;
    while message.wants_tool_results() {
        let results: Vec<(String, Vec<ContentBlock>)> = message
            .tool_uses()
            .map(|call| {
                let a = call.input["a"].as_i64().unwrap_or(0);
                let b = call.input["b"].as_i64().unwrap_or(0);
                (call.id.clone(), vec![ContentBlock::text((a * b).to_string())])
            })
            .collect();
        params.push_response(&message).push_tool_results(results);
        message = client.messages(&params).await?;
    }
    println!("{}", message.text());
    Ok(())
}
