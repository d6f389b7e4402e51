//! Cohere `finish_reason` and `usage` → Anthropic stop reason and usage.
//!
//! | Cohere | Anthropic |
//! |---|---|
//! | `COMPLETE` | `end_turn` (`tool_use` when the message has tool calls) |
//! | `STOP_SEQUENCE` | `stop_sequence`; `stop_sequence` is the requested one when exactly one was requested (Cohere does not say which matched), else `null` |
//! | `MAX_TOKENS` | `max_tokens` |
//! | `TOOL_CALL` | `tool_use` |
//! | `ERROR`, `TIMEOUT` | not a stop reason: a typed error ([`finish_error`]) |
//! | absent or unknown | `tool_use` when there are tool calls, else `end_turn` |
//!
//! Usage: `tokens.input_tokens` / `tokens.output_tokens` (rounded; the SDK
//! types them as floats) are `input_tokens` / `output_tokens` — or the billed
//! units when `tokens` is absent; `tokens.reasoning_tokens` is
//! `output_tokens_details.thinking_tokens`. Kept aside in `usage` (extra
//! fields, not Anthropic counts): `billed_units` as sent and `cached_tokens`
//! (Cohere does not document how it relates to `input_tokens`, so it is not
//! reported as `cache_read_input_tokens`).

use messages_types::{ErrorKind, ErrorObject, Extra, OutputTokensDetails, StopReason, Usage};
use serde_json::Value;

use super::wire::{CohereUsage, FinishReason};

/// The Anthropic stop reason and matched stop sequence for a finish reason,
/// or `None` for `ERROR` / `TIMEOUT` (see [`finish_error`]).
pub fn stop_reason(
    reason: Option<&FinishReason>,
    has_tool_calls: bool,
    stop_sequences: &[String],
) -> Option<(StopReason, Option<String>)> {
    let natural = if has_tool_calls {
        StopReason::ToolUse
    } else {
        StopReason::EndTurn
    };
    Some(match reason {
        Some(FinishReason::Error | FinishReason::Timeout) => return None,
        Some(FinishReason::MaxTokens) => (StopReason::MaxTokens, None),
        Some(FinishReason::ToolCall) => (StopReason::ToolUse, None),
        Some(FinishReason::StopSequence) => {
            let matched = match stop_sequences {
                [only] => Some(only.clone()),
                _ => None,
            };
            (StopReason::StopSequence, matched)
        }
        Some(FinishReason::Complete | FinishReason::Other(_)) | None => (natural, None),
    })
}

/// The Anthropic error for a generation that ended with `ERROR` or `TIMEOUT`
/// (`api_error` / `timeout_error`), with Cohere's message when it sent one;
/// `None` for every other finish reason.
///
/// ```
/// use messages_convert::cohere::finish::finish_error;
/// use messages_convert::cohere::wire::FinishReason;
/// use messages_types::ErrorKind;
/// let e = finish_error(Some(&FinishReason::Timeout), None).unwrap();
/// assert_eq!(e.kind, ErrorKind::Timeout);
/// assert!(finish_error(Some(&FinishReason::Complete), None).is_none());
/// ```
pub fn finish_error(reason: Option<&FinishReason>, message: Option<&str>) -> Option<ErrorObject> {
    let (kind, default) = match reason {
        Some(FinishReason::Error) => (ErrorKind::Api, "Cohere ended the generation with ERROR"),
        Some(FinishReason::Timeout) => (ErrorKind::Timeout, "Cohere ended the generation with TIMEOUT"),
        _ => return None,
    };
    let mut extra = Extra::new();
    if let Some(r) = reason {
        extra.insert("finish_reason".to_owned(), Value::String(r.as_str().to_owned()));
    }
    Some(ErrorObject {
        kind,
        message: message.filter(|m| !m.is_empty()).unwrap_or(default).to_owned(),
        extra,
    })
}

fn count(v: Option<f64>) -> Option<u64> {
    v.filter(|v| v.is_finite() && *v >= 0.0)
        // Rounded to the nearest integer; the range was checked above.
        .map(|v| v.round() as u64)
}

fn billed(u: &CohereUsage, key: &str) -> Option<u64> {
    u.billed_units
        .as_ref()?
        .get(key)?
        .as_f64()
        .and_then(|v| count(Some(v)))
}

/// Anthropic usage for Cohere's (zero counts when it sent none).
pub fn to_anthropic_usage(u: Option<&CohereUsage>) -> Usage {
    let mut usage = Usage {
        input_tokens: Some(0),
        output_tokens: Some(0),
        ..Usage::default()
    };
    let Some(u) = u else {
        return usage;
    };
    let tokens = u.tokens.as_ref();
    usage.input_tokens = Some(
        count(tokens.and_then(|t| t.input_tokens))
            .or_else(|| billed(u, "input_tokens"))
            .unwrap_or(0),
    );
    usage.output_tokens = Some(
        count(tokens.and_then(|t| t.output_tokens))
            .or_else(|| billed(u, "output_tokens"))
            .unwrap_or(0),
    );
    if let Some(r) = count(tokens.and_then(|t| t.reasoning_tokens)) {
        usage.output_tokens_details = Some(OutputTokensDetails {
            thinking_tokens: Some(r),
            extra: Extra::new(),
        });
    }
    if let Some(b) = &u.billed_units {
        usage
            .extra
            .insert("billed_units".to_owned(), Value::Object(b.clone()));
    }
    if let Some(c) = u.cached_tokens.and_then(|c| count(Some(c))) {
        usage.extra.insert("cached_tokens".to_owned(), Value::from(c));
    }
    usage
}
