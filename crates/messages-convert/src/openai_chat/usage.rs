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
/// `output_tokens_details.thinking_tokens`. Servers that count reasoning
/// apart from the completion (xAI: `total_tokens` = prompt + completion +
/// reasoning) are recognised by their total, and their reasoning is added to
/// `output_tokens`.
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
///
/// // xAI: 32 + 9 + 94 = 135, the reasoning is not part of the 9.
/// let u: ChatUsage = serde_json::from_str(r#"{"prompt_tokens":32,"completion_tokens":9,"total_tokens":135,
///   "completion_tokens_details":{"reasoning_tokens":94}}"#).unwrap();
/// assert_eq!(to_anthropic_usage(&u).output_tokens, Some(103));
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
    let completion = u.completion_tokens.unwrap_or(0);
    let reasoning_apart = match (reasoning, u.total_tokens) {
        (Some(r), Some(total)) if r > 0 => {
            let counted = prompt.saturating_add(completion);
            counted != total && counted.saturating_add(r) == total
        }
        _ => false,
    };
    let output = if reasoning_apart {
        completion.saturating_add(reasoning.unwrap_or(0))
    } else {
        completion
    };
    Usage {
        input_tokens: Some(prompt.saturating_sub(cached).saturating_sub(written)),
        output_tokens: Some(output),
        cache_creation_input_tokens: Some(written),
        cache_read_input_tokens: Some(cached),
        output_tokens_details: reasoning.map(|r| OutputTokensDetails {
            thinking_tokens: Some(r),
            ..OutputTokensDetails::default()
        }),
        ..Usage::default()
    }
}

/// Anthropic's name for a Chat Completions service tier
/// ([`crate::vocabulary::service_tier`]): `default` → `standard`,
/// `priority` stays; `flex`, `scale`, Groq's `on_demand`, `""` and any
/// other value have no Anthropic meaning and are omitted.
///
/// ```
/// use messages_convert::openai_chat::usage::service_tier;
/// assert_eq!(service_tier("default"), Some("standard"));
/// assert_eq!(service_tier("flex"), None);
/// assert_eq!(service_tier(""), None);
/// ```
pub fn service_tier(tier: &str) -> Option<&'static str> {
    crate::vocabulary::service_tier(tier)
}
