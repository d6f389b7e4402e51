//! Client-side validation that holds for every provider: only what any
//! target is certain to reject, checked before anything is sent, each error
//! naming the field. [`Provider::validate`](crate::Provider::validate) runs
//! [`validate_portable`] by default; a provider adds its API's own limits
//! by overriding it (the Anthropic provider does).
//!
//! Deliberately narrow — it must never refuse a request the live API accepts
//! (a conversation may start with an `assistant` turn):
//!
//! * `model` is not empty;
//! * `messages` is not empty;
//! * every `tool_result.tool_use_id` matches a `tool_use` of an earlier turn
//!   (every target needs the pairing: OpenAI's `tool_call_id`, Gemini's
//!   function name recovered from the call).

use std::collections::HashSet;

use messages_types::{ContentBlock, MessageContent, MessageCreateParams};

use crate::Error;

/// The checks that hold whatever the target provider (see the module docs).
///
/// ```
/// use anyllm_provider::validate::validate_portable;
/// let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "gpt-4.1-mini", "max_tokens": 1000,
///     "thinking": {"type": "enabled", "budget_tokens": 512},
///     "messages": [{"role": "user", "content": "Hi"}],
/// })).unwrap();
/// validate_portable(&params).unwrap(); // fine for OpenAI (minimal effort)
/// ```
pub fn validate_portable(params: &MessageCreateParams) -> Result<(), Error> {
    if params.model.trim().is_empty() {
        return Err(Error::validation("model", "a model is required"));
    }
    if params.messages.is_empty() {
        return Err(Error::validation("messages", "at least one message is required"));
    }
    validate_tool_results(params)
}

fn validate_tool_results(params: &MessageCreateParams) -> Result<(), Error> {
    let mut seen: HashSet<&str> = HashSet::new();
    for (i, m) in params.messages.iter().enumerate() {
        let MessageContent::Blocks(blocks) = &m.content else {
            continue;
        };
        // Results first: a tool_result answers a tool_use of an *earlier* turn.
        for (j, b) in blocks.iter().enumerate() {
            if let ContentBlock::ToolResult(r) = b {
                if !seen.contains(r.tool_use_id.as_str()) {
                    return Err(Error::validation(
                        format!("messages[{i}].content[{j}].tool_use_id"),
                        format!(
                            "`{}` matches no tool_use block in an earlier message",
                            r.tool_use_id
                        ),
                    ));
                }
            }
        }
        for b in blocks {
            if let ContentBlock::ToolUse(u) = b {
                seen.insert(u.id.as_str());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use serde_json::json;

    fn params(v: serde_json::Value) -> MessageCreateParams {
        serde_json::from_value(v).unwrap()
    }

    fn field(e: Error) -> String {
        match e {
            Error::Validation { field, .. } => field,
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn accepts_a_plain_request_and_an_assistant_first_conversation() {
        let p = params(json!({"model": "m", "max_tokens": 5, "messages": [
            {"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Hello"}]}));
        validate_portable(&p).unwrap();
    }

    #[test]
    fn rejects_empty_model_and_messages() {
        let p =
            params(json!({"model": " ", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}));
        assert_eq!(field(validate_portable(&p).unwrap_err()), "model");
        let p = params(json!({"model": "m", "max_tokens": 5, "messages": []}));
        assert_eq!(field(validate_portable(&p).unwrap_err()), "messages");
    }

    #[test]
    fn tool_result_must_answer_an_earlier_tool_use() {
        let ok = params(json!({"model": "m", "max_tokens": 5, "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}]}));
        validate_portable(&ok).unwrap();
        let bad = params(json!({"model": "m", "max_tokens": 5, "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [{"type": "text", "text": "a"},
                {"type": "tool_result", "tool_use_id": "t2", "content": "ok"}]}]}));
        assert_eq!(
            field(validate_portable(&bad).unwrap_err()),
            "messages[2].content[1].tool_use_id"
        );
    }
}
