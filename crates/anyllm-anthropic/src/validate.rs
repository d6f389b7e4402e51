//! The Anthropic Messages API's own request limits, checked before anything
//! is sent ([`AnthropicProvider`](crate::AnthropicProvider)'s
//! [`Provider::validate`](anyllm_provider::Provider::validate)), on top of
//! the portable checks of [`anyllm_provider::validate`]. They are that API's
//! limits and other targets accept what they forbid (a 512-token budget is
//! OpenAI's `minimal` effort; Gemini takes dots and colons in function
//! names), so only this provider applies them:
//!
//! * `thinking.budget_tokens` (type `enabled`) is at least 1024 and below
//!   `max_tokens` (the latter is skipped with the `interleaved-thinking-*`
//!   beta, under which the budget may exceed `max_tokens`; the call's betas
//!   are its `betas` plus any `anthropic-beta` header, see [`call_betas`]);
//! * every custom tool name matches `^[a-zA-Z0-9_-]{1,128}$`.

use std::borrow::Cow;

use anyllm_provider::validate::validate_portable;
use anyllm_provider::{CallContext, Error};
use messages_types::{MessageCreateParams, ThinkingConfig, Tool};

/// Smallest `thinking.budget_tokens` the API accepts.
pub const MIN_THINKING_BUDGET: u32 = 1024;

/// Validates `params` for the Anthropic API: the portable checks, then the
/// Anthropic limits (see the module docs). `betas` are the call's beta names.
///
/// ```
/// use anyllm_anthropic::validate::validate;
/// let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "claude-sonnet-4-5", "max_tokens": 1000, "messages": [],
/// })).unwrap();
/// let err = validate(&params, &[]).unwrap_err();
/// assert!(err.to_string().contains("`messages`"));
///
/// let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "claude-sonnet-4-5", "max_tokens": 1000,
///     "thinking": {"type": "enabled", "budget_tokens": 512},
///     "messages": [{"role": "user", "content": "Hi"}],
/// })).unwrap();
/// anyllm_provider::validate::validate_portable(&params).unwrap(); // fine for OpenAI (minimal effort)
/// assert!(validate(&params, &[]).is_err()); // the Anthropic API refuses it
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

/// The call's beta names: its betas, plus those of an `anthropic-beta` header
/// given directly (a default or per-call header), which the API honours too.
///
/// ```
/// let mut ctx = anyllm_provider::CallContext::new("https://api.anthropic.com");
/// ctx.betas.push("a".into());
/// ctx.headers.insert("anthropic-beta", "b, c".parse().unwrap());
/// assert_eq!(&*anyllm_anthropic::validate::call_betas(&ctx), ["a", "b", "c"]);
/// ```
pub fn call_betas(ctx: &CallContext) -> Cow<'_, [String]> {
    let mut from_headers = ctx
        .headers
        .get_all("anthropic-beta")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .peekable();
    if from_headers.peek().is_none() {
        return Cow::Borrowed(&ctx.betas);
    }
    let mut all = ctx.betas.clone();
    all.extend(from_headers.map(str::to_owned));
    Cow::Owned(all)
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
    //! The portable checks' tests live with them (`anyllm_provider::validate`).
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
