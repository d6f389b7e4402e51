//! Chat Completions usage → Anthropic usage.

use messages_types::{OutputTokensDetails, Usage};

use super::wire::ChatUsage;

/// Converts usage. Anthropic counts are disjoint: `input_tokens` = prompt −
/// cache reads − cache writes, `cache_read_input_tokens` = cached prompt
/// tokens (`prompt_tokens_details.cached_tokens`, DeepSeek's
/// `prompt_cache_hit_tokens`, or a router's `cache_read_input_tokens`),
/// `cache_creation_input_tokens` = cache writes (OpenRouter's
/// `cache_write_tokens`), `output_tokens` = completion tokens (reasoning
/// included, as on Anthropic), and the reasoning count goes to
/// `output_tokens_details.thinking_tokens`.
///
/// The response's `service_tier` is reported in `usage.service_tier`
/// ([`service_tier`]).
///
/// ```
/// use messages_convert::openai_chat::usage::to_anthropic_usage;
/// use messages_convert::openai_chat::wire::ChatUsage;
/// let u: ChatUsage = serde_json::from_str(r#"{"prompt_tokens":100,"completion_tokens":7,
///   "prompt_tokens_details":{"cached_tokens":64}}"#).unwrap();
/// let a = to_anthropic_usage(&u);
/// assert_eq!((a.input_tokens, a.cache_read_input_tokens, a.output_tokens), (Some(36), Some(64), Some(7)));
/// ```
pub fn to_anthropic_usage(u: &ChatUsage) -> Usage {
    let details = u.prompt_tokens_details.as_ref();
    let cached = details
        .and_then(|d| d.cached_tokens)
        .or(u.prompt_cache_hit_tokens)
        .or(u.cache_read_input_tokens)
        .unwrap_or(0);
    let written = details
        .and_then(|d| d.cache_write_tokens)
        .or(u.cache_creation_input_tokens)
        .unwrap_or(0);
    let prompt = u.prompt_tokens.unwrap_or(0);
    let reasoning = u
        .completion_tokens_details
        .as_ref()
        .and_then(|d| d.reasoning_tokens)
        .or(u.reasoning_tokens);
    Usage {
        input_tokens: Some(prompt.saturating_sub(cached).saturating_sub(written)),
        output_tokens: Some(u.completion_tokens.unwrap_or(0)),
        cache_creation_input_tokens: Some(written),
        cache_read_input_tokens: Some(cached),
        output_tokens_details: reasoning.map(|r| OutputTokensDetails {
            thinking_tokens: Some(r),
            ..OutputTokensDetails::default()
        }),
        ..Usage::default()
    }
}

/// Anthropic's name for a Chat Completions service tier: `default`,
/// `auto` and Groq's `on_demand` are `standard`; `priority` stays; any other
/// value (`flex`, `scale`, …) is kept as given.
///
/// ```
/// use messages_convert::openai_chat::usage::service_tier;
/// assert_eq!(service_tier("default"), "standard");
/// assert_eq!(service_tier("flex"), "flex");
/// ```
pub fn service_tier(tier: &str) -> &str {
    match tier {
        "default" | "auto" | "on_demand" | "standard" => "standard",
        other => other,
    }
}
