//! `finishReason` / `promptFeedback.blockReason` → stop reason, and
//! `usageMetadata` → usage.

use messages_types::{Extra, OutputTokensDetails, StopDetails, StopReason, Usage};

use crate::vocabulary::{self, provider_refusal};

use super::wire::{FinishReason, PromptFeedback, UsageMetadata};

/// The Anthropic stop reason (and refusal details) for a Gemini finish.
///
/// * `STOP` (and the reasons that end a turn without a verdict: `OTHER`,
///   `MALFORMED_FUNCTION_CALL`, `UNEXPECTED_TOOL_CALL`, `TOO_MANY_TOOL_CALLS`,
///   unknown values) → `tool_use` when a function call was made, else `end_turn`;
/// * `MAX_TOKENS` → `max_tokens`;
/// * the content filters (`SAFETY`, `RECITATION`, `LANGUAGE`, `BLOCKLIST`,
///   `PROHIBITED_CONTENT`, `SPII`, `IMAGE_*` except `IMAGE_OTHER`) → `refusal`,
///   with `stop_details {type: refusal, category: null, explanation: "Gemini stopped the
///   response: <REASON> (<finishMessage>)"}` — Gemini's reason is not one of
///   Anthropic's refusal categories, so it goes into words
///   ([`crate::vocabulary::provider_refusal`]);
/// * a prompt blocked by `promptFeedback.blockReason` → `refusal` likewise
///   (`"Gemini blocked the prompt: <REASON> (<blockReasonMessage>)"`).
///
/// ```
/// use messages_convert::gemini::finish::stop_reason;
/// use messages_convert::gemini::wire::FinishReason;
/// use messages_types::StopReason;
/// let (reason, _) = stop_reason(Some(&FinishReason::Stop), None, None, true);
/// assert_eq!(reason, StopReason::ToolUse);
/// let (reason, details) = stop_reason(Some(&FinishReason::from("SAFETY")), None, None, false);
/// assert_eq!(reason, StopReason::Refusal);
/// let details = details.unwrap();
/// assert_eq!(details.category, None);
/// assert_eq!(details.explanation.as_deref(), Some("Gemini stopped the response: SAFETY"));
/// ```
pub fn stop_reason(
    finish: Option<&FinishReason>,
    finish_message: Option<&str>,
    feedback: Option<&PromptFeedback>,
    called_tool: bool,
) -> (StopReason, Option<StopDetails>) {
    if let Some(reason) = feedback.and_then(|f| f.block_reason.as_ref()) {
        let explanation = feedback.and_then(|f| f.block_reason_message.as_deref());
        let reason = format!("Gemini blocked the prompt: {}", reason.as_str());
        return (StopReason::Refusal, Some(provider_refusal(&reason, explanation)));
    }
    let natural = if called_tool {
        StopReason::ToolUse
    } else {
        StopReason::EndTurn
    };
    match finish {
        Some(FinishReason::MaxTokens) => (StopReason::MaxTokens, None),
        Some(
            r @ (FinishReason::Safety
            | FinishReason::Recitation
            | FinishReason::Language
            | FinishReason::Blocklist
            | FinishReason::ProhibitedContent
            | FinishReason::Spii
            | FinishReason::ImageSafety
            | FinishReason::ImageProhibitedContent
            | FinishReason::ImageRecitation),
        ) => {
            let reason = format!("Gemini stopped the response: {}", r.as_str());
            (
                StopReason::Refusal,
                Some(provider_refusal(&reason, finish_message)),
            )
        }
        _ => (natural, None),
    }
}

/// Anthropic usage from Gemini's `usageMetadata`.
///
/// `input_tokens` = prompt + tool-use prompt − cached (so the input counts
/// are disjoint, as in Anthropic usage), `cache_read_input_tokens` = cached,
/// `output_tokens` = candidates + thoughts, with the thoughts also in
/// `output_tokens_details.thinking_tokens`; `service_tier` is kept only
/// where it is one of Anthropic's tiers ([`crate::vocabulary::service_tier`]).
///
/// ```
/// use messages_convert::gemini::{finish::usage, wire::UsageMetadata};
/// let u = usage(&UsageMetadata { prompt_token_count: Some(100), cached_content_token_count: Some(60),
///     candidates_token_count: Some(7), thoughts_token_count: Some(30), ..Default::default() });
/// assert_eq!((u.input_tokens, u.cache_read_input_tokens, u.output_tokens), (Some(40), Some(60), Some(37)));
/// ```
pub fn usage(u: &UsageMetadata) -> Usage {
    let cached = u.cached_content_token_count.unwrap_or(0);
    let prompt = u
        .prompt_token_count
        .unwrap_or(0)
        .saturating_add(u.tool_use_prompt_token_count.unwrap_or(0));
    let output = u
        .candidates_token_count
        .unwrap_or(0)
        .saturating_add(u.thoughts_token_count.unwrap_or(0));
    Usage {
        input_tokens: Some(prompt.saturating_sub(cached)),
        output_tokens: Some(output),
        cache_creation_input_tokens: Some(0),
        cache_read_input_tokens: Some(cached),
        output_tokens_details: u.thoughts_token_count.map(|t| OutputTokensDetails {
            thinking_tokens: Some(t),
            extra: Extra::new(),
        }),
        service_tier: u
            .service_tier
            .as_deref()
            .and_then(vocabulary::service_tier)
            .map(str::to_owned),
        ..Usage::default()
    }
}

/// `usage` with `server_tool_use` (`web_search_requests` = the searches,
/// `web_fetch_requests` = 0) when Google Search ran.
pub fn with_searches(mut usage: Usage, searches: usize) -> Usage {
    if searches > 0 {
        usage.server_tool_use = Some(vocabulary::server_tool_usage(searches as u64, 0));
    }
    usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_counts_saturate_instead_of_overflowing() {
        let u = usage(&UsageMetadata {
            prompt_token_count: Some(u64::MAX),
            tool_use_prompt_token_count: Some(5),
            candidates_token_count: Some(u64::MAX),
            thoughts_token_count: Some(7),
            cached_content_token_count: Some(u64::MAX),
            ..UsageMetadata::default()
        });
        assert_eq!(u.input_tokens, Some(0));
        assert_eq!(u.output_tokens, Some(u64::MAX));
    }
}
