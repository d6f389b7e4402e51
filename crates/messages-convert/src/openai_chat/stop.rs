//! `finish_reason` → Anthropic `stop_reason`.

use messages_types::StopReason;

use super::wire::{FinishReason, StopMatch};

/// What decides the stop reason of one choice.
#[derive(Debug, Clone, Copy, Default)]
pub struct StopFacts<'a> {
    /// The choice's `finish_reason`.
    pub finish_reason: Option<&'a FinishReason>,
    /// OpenRouter's `native_finish_reason` (the upstream provider's own value).
    pub native_finish_reason: Option<&'a str>,
    /// vLLM's `stop_reason`: the stop string that matched.
    pub matched: Option<&'a StopMatch>,
    /// The request's stop sequences.
    pub stop_sequences: &'a [String],
    /// The answer has tool calls.
    pub has_tool_calls: bool,
    /// A tool call's arguments were cut off by the token limit (see
    /// [`stopped_at_token_limit`]; invalid arguments otherwise are an error).
    pub incomplete_tool_call: bool,
    /// The answer carried a `refusal`.
    pub refusal: bool,
}

/// `true` when the reply stopped at the token limit: `finish_reason`
/// `length` (also `model_length`, `max_tokens`) or a native reason of
/// `max_output_tokens` / `max_tokens` (routers send `tool_calls` with it).
/// Only then are cut-off tool arguments repaired.
///
/// ```
/// use messages_convert::openai_chat::stop::stopped_at_token_limit;
/// use messages_convert::openai_chat::wire::FinishReason;
/// assert!(stopped_at_token_limit(Some(&FinishReason::Length), None));
/// assert!(stopped_at_token_limit(Some(&FinishReason::ToolCalls), Some("max_output_tokens")));
/// assert!(!stopped_at_token_limit(Some(&FinishReason::ToolCalls), None));
/// ```
pub fn stopped_at_token_limit(finish_reason: Option<&FinishReason>, native: Option<&str>) -> bool {
    matches!(native, Some("max_output_tokens" | "max_tokens"))
        || match finish_reason {
            Some(FinishReason::Length) => true,
            Some(FinishReason::Other(o)) => matches!(o.as_str(), "model_length" | "max_tokens"),
            _ => false,
        }
}

/// The Anthropic stop reason and matched stop sequence.
///
/// * a tool call whose arguments were cut off → `max_tokens`, whatever
///   `finish_reason` says (routers send `tool_calls` with a native
///   `max_output_tokens`), as does a native reason of `max_output_tokens`;
/// * a refusal or `content_filter` → `refusal`;
/// * `stop` → `stop_sequence` when the server names a matched stop string that
///   is one of the request's, `tool_use` when there are tool calls, else `end_turn`;
/// * `length` (also `model_length`, `max_tokens`) → `max_tokens`;
/// * `tool_calls`, `function_call` (also `tool_use`) → `tool_use`;
/// * `eos`, `end_turn` → `end_turn`; no reason at all, an empty one (`""`,
///   servers that send every field's zero value) or one with no Anthropic
///   counterpart → `tool_use` when there are tool calls, else `end_turn`
///   (a converted reply never carries a stop reason outside Anthropic's
///   vocabulary, see [`crate::vocabulary`]).
///
/// ```
/// use messages_convert::openai_chat::stop::{stop_reason, StopFacts};
/// use messages_convert::openai_chat::wire::FinishReason;
/// use messages_types::StopReason;
/// let facts = StopFacts { finish_reason: Some(&FinishReason::ToolCalls), incomplete_tool_call: true, ..Default::default() };
/// assert_eq!(stop_reason(&facts).0, StopReason::MaxTokens);
/// ```
pub fn stop_reason(f: &StopFacts<'_>) -> (StopReason, Option<String>) {
    if f.incomplete_tool_call || matches!(f.native_finish_reason, Some("max_output_tokens" | "max_tokens")) {
        return (StopReason::MaxTokens, None);
    }
    if f.refusal {
        return (StopReason::Refusal, None);
    }
    let natural = || {
        if f.has_tool_calls {
            StopReason::ToolUse
        } else {
            StopReason::EndTurn
        }
    };
    let reason = match f.finish_reason {
        None => natural(),
        Some(FinishReason::Stop) => {
            if let Some(StopMatch::Text(s)) = f.matched {
                if f.stop_sequences.iter().any(|q| q == s) {
                    return (StopReason::StopSequence, Some(s.clone()));
                }
            }
            natural()
        }
        Some(FinishReason::Length) => StopReason::MaxTokens,
        Some(FinishReason::ToolCalls | FinishReason::FunctionCall) => StopReason::ToolUse,
        Some(FinishReason::ContentFilter) => StopReason::Refusal,
        Some(FinishReason::Other(o)) => match o.as_str() {
            "eos" | "end_turn" | "eos_token" => natural(),
            "model_length" | "max_tokens" => StopReason::MaxTokens,
            "tool_use" => StopReason::ToolUse,
            "refusal" => StopReason::Refusal,
            "stop_sequence" => StopReason::StopSequence,
            _ => natural(),
        },
    };
    (reason, None)
}
