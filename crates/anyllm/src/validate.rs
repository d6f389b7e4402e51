//! Client-side validation: only what the API is certain to reject, checked
//! before anything is sent, each error naming the field.
//!
//! Deliberately narrow — it must never refuse a request the live API accepts
//! (every recorded request that got a 200 passes; a conversation may start
//! with an `assistant` turn). Checked for every provider ([`validate_portable`]):
//!
//! * `model` is not empty;
//! * `messages` is not empty;
//! * every `tool_result.tool_use_id` matches a `tool_use` of an earlier turn
//!   (every target needs the pairing: OpenAI's `tool_call_id`, Gemini's
//!   function name recovered from the call).
//!
//! Checked only when the target is the Anthropic Messages API itself
//! ([`validate`]), because they are that API's limits and other targets
//! accept what they forbid (a 512-token budget is OpenAI's `minimal`
//! effort; Gemini takes dots and colons in function names):
//!
//! * `thinking.budget_tokens` (type `enabled`) is at least 1024 and below
//!   `max_tokens` (the latter is skipped with the `interleaved-thinking-*`
//!   beta, under which the budget may exceed `max_tokens`);
//! * every custom tool name matches `^[a-zA-Z0-9_-]{1,128}$`.

use std::collections::HashSet;

use messages_types::{ContentBlock, MessageContent, MessageCreateParams, ThinkingConfig, Tool};

use crate::Error;

/// Smallest `thinking.budget_tokens` the API accepts.
pub const MIN_THINKING_BUDGET: u32 = 1024;

/// Validates `params` (see the module docs for the exact rules). `betas` are
/// the call's beta names.
///
/// ```
/// use anyllm::validate::validate;
/// let params: anyllm::MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "claude-sonnet-4-5", "max_tokens": 1000, "messages": [],
/// })).unwrap();
/// let err = validate(&params, &[]).unwrap_err();
/// assert!(err.to_string().contains("`messages`"));
/// ```
pub fn validate(params: &MessageCreateParams, betas: &[String]) -> Result<(), Error> {
    validate_portable(params)?;
    if let Some(ThinkingConfig::Enabled(t)) = &params.thinking {
        if t.budget_tokens < MIN_THINKING_BUDGET {
            return Err(Error::validation(
                "thinking.budget_tokens",
                format!("must be at least {MIN_THINKING_BUDGET} (got {})", t.budget_tokens),
            ));
        }
        let interleaved = betas.iter().any(|b| b.starts_with("interleaved-thinking"));
        if !interleaved && t.budget_tokens >= params.max_tokens {
            return Err(Error::validation(
                "thinking.budget_tokens",
                format!(
                    "must be less than max_tokens ({} is not below {})",
                    t.budget_tokens, params.max_tokens
                ),
            ));
        }
    }
    validate_tool_names(params.tools.as_deref().unwrap_or_default())
}

/// The checks that hold whatever the target provider (see the module docs).
///
/// ```
/// use anyllm::validate::{validate, validate_portable};
/// let params: anyllm::MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "gpt-4.1-mini", "max_tokens": 1000,
///     "thinking": {"type": "enabled", "budget_tokens": 512},
///     "messages": [{"role": "user", "content": "Hi"}],
/// })).unwrap();
/// validate_portable(&params).unwrap(); // fine for OpenAI (minimal effort)
/// assert!(validate(&params, &[]).is_err()); // the Anthropic API refuses it
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

/// `true` when `name` matches `^[a-zA-Z0-9_-]{1,128}$`.
pub fn is_valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn validate_tool_names(tools: &[Tool]) -> Result<(), Error> {
    for (i, t) in tools.iter().enumerate() {
        if let Tool::Custom(c) = t {
            if !is_valid_tool_name(&c.name) {
                return Err(Error::validation(
                    format!("tools[{i}].name"),
                    format!(
                        "`{}` is not a valid tool name (1-128 characters of a-z, A-Z, 0-9, `_`, `-`)",
                        c.name
                    ),
                ));
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
        validate(&p, &[]).unwrap();
    }

    #[test]
    fn rejects_empty_model_and_messages() {
        let p =
            params(json!({"model": " ", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}));
        assert_eq!(field(validate(&p, &[]).unwrap_err()), "model");
        let p = params(json!({"model": "m", "max_tokens": 5, "messages": []}));
        assert_eq!(field(validate(&p, &[]).unwrap_err()), "messages");
    }

    #[test]
    fn thinking_budget_bounds() {
        let mk = |budget: u32, max: u32| {
            params(
                json!({"model": "m", "max_tokens": max, "messages": [{"role": "user", "content": "x"}],
                "thinking": {"type": "enabled", "budget_tokens": budget}}),
            )
        };
        assert_eq!(
            field(validate(&mk(1023, 4000), &[]).unwrap_err()),
            "thinking.budget_tokens"
        );
        assert_eq!(
            field(validate(&mk(4000, 4000), &[]).unwrap_err()),
            "thinking.budget_tokens"
        );
        validate(&mk(1024, 4000), &[]).unwrap();
        validate(&mk(8000, 4000), &["interleaved-thinking-2025-05-14".to_owned()]).unwrap();
    }

    #[test]
    fn tool_result_must_answer_an_earlier_tool_use() {
        let ok = params(json!({"model": "m", "max_tokens": 5, "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}]}));
        validate(&ok, &[]).unwrap();
        let bad = params(json!({"model": "m", "max_tokens": 5, "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [{"type": "text", "text": "a"},
                {"type": "tool_result", "tool_use_id": "t2", "content": "ok"}]}]}));
        assert_eq!(
            field(validate(&bad, &[]).unwrap_err()),
            "messages[2].content[1].tool_use_id"
        );
    }

    #[test]
    fn tool_names() {
        assert!(is_valid_tool_name("get_weather-2"));
        assert!(!is_valid_tool_name(""));
        assert!(!is_valid_tool_name("has space"));
        assert!(!is_valid_tool_name(&"a".repeat(129)));
        let p = params(
            json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}],
            "tools": [{"name": "ok", "input_schema": {"type": "object"}},
                      {"name": "not ok!", "input_schema": {"type": "object"}},
                      {"type": "web_search_20250305", "name": "web_search"}]}),
        );
        assert_eq!(field(validate(&p, &[]).unwrap_err()), "tools[1].name");
    }
}
