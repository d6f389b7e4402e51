//! Helpers shared by the Cohere and Ollama conversion tests.
#![allow(dead_code, clippy::unwrap_used)]

use messages_types::accumulate::MessageAccumulator;
use messages_types::{ContentBlock, Message, StreamEvent, ToolUseBlock};
use serde_json::{json, Value};

/// The concatenated text blocks of a message.
pub fn text_of(m: &Message) -> String {
    m.content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

/// The concatenated thinking blocks of a message.
pub fn thinking_of(m: &Message) -> String {
    m.content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Thinking(t) => Some(t.thinking.as_str()),
            _ => None,
        })
        .collect()
}

/// The `tool_use` blocks of a message.
pub fn tool_uses(m: &Message) -> Vec<&ToolUseBlock> {
    m.content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::ToolUse(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// The message a converted stream accumulates to.
pub fn accumulate(events: &[StreamEvent]) -> Message {
    let mut acc = MessageAccumulator::new();
    for e in events {
        acc.push(e).unwrap();
    }
    acc.finish().unwrap()
}

/// `bytes` cut at `cuts` (taken modulo its length + 1, in order).
pub fn split_at<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::with_capacity(cuts.len() + 1);
    let mut prev = 0;
    for c in cuts {
        chunks.push(&bytes[prev..c]);
        prev = c;
    }
    chunks.push(&bytes[prev..]);
    chunks
}

/// The Anthropic tool a native `{type: function, function: {…}}` tool is the
/// conversion of.
pub fn anthropic_tool(native: &Value, strict: bool) -> Value {
    let f = &native["function"];
    let mut tool = json!({"name": f["name"], "input_schema": f["parameters"]});
    if let Some(d) = f.get("description") {
        tool["description"] = d.clone();
    }
    if strict {
        tool["strict"] = json!(true);
    }
    tool
}

/// Appends a `tool_result` block to the trailing user turn of tool results,
/// or opens one.
pub fn push_tool_result(messages: &mut Vec<Value>, block: Value) {
    match messages.last_mut() {
        Some(last) if last["role"] == "user" && last["content"][0]["type"] == "tool_result" => {
            last["content"].as_array_mut().unwrap().push(block);
        }
        _ => messages.push(json!({"role": "user", "content": [block]})),
    }
}
