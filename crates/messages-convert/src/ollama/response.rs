//! Whole `/api/chat` response (`stream: false`) → Anthropic [`Message`].
//!
//! Blocks, in order: `message.thinking` → a thinking block (empty signature:
//! Ollama signs nothing), `message.content` → a text block, each tool call →
//! a `tool_use` block (its `id`, else `call_{n}` — `n` counts the reply's
//! calls, as in the stream conversion —; `arguments` as the input, absent or
//! `null` → `{}`). Empty text gives no block.
//!
//! | `done_reason` | Anthropic `stop_reason` |
//! |---|---|
//! | `stop` | `tool_use` when the reply has tool calls (Ollama has no tool-call reason), else `end_turn` (Ollama does not say whether a stop sequence matched, so `stop_sequence` is never reported) |
//! | `length` | `max_tokens` |
//! | `load`, `unload` | `end_turn` (replies to an empty load / `keep_alive: 0` request: no content) |
//! | absent (connection closed) or unknown | as `stop` |
//!
//! Usage: `prompt_eval_count` → `input_tokens`, `eval_count` →
//! `output_tokens` (0 when absent; Ollama reports no cache counts). The id is
//! `msg_ollama_` + the reply's `created_at` digits (Ollama sends no id; a
//! generated `msg_anyllm_…` id without `created_at`); the
//! model is the reply's, else the requested one. Not carried over: the
//! duration metrics, `logprobs`, `remote_model` / `remote_host`.

use messages_types::{
    ContentBlock, Extra, Message, StopReason, TextBlock, ThinkingBlock, ToolUseBlock, Usage,
};
use serde_json::Value;

use super::error::error_object;
use super::wire::{ChatResponse, DoneReason, ToolCallIn};
use crate::ConvertError;

/// Decodes and converts a whole response body. A body with an `error`
/// field fails with `ConvertError::Invalid` carrying its message (see
/// [`error_response`](super::error_response) for the typed error).
///
/// ```
/// use messages_convert::ollama::parse_response;
/// use messages_types::StopReason;
/// let body = br#"{"model":"qwen3:4b","created_at":"2026-08-05T08:10:56Z","done":true,"done_reason":"stop",
///   "message":{"role":"assistant","content":"Hi!","thinking":"Greet."},"prompt_eval_count":12,"eval_count":5}"#;
/// let msg = parse_response(body, "qwen3:4b").unwrap();
/// assert_eq!(msg.content.len(), 2);
/// assert_eq!(msg.stop_reason, Some(StopReason::EndTurn));
/// assert_eq!((msg.usage.input_tokens, msg.usage.output_tokens), (Some(12), Some(5)));
/// ```
pub fn parse_response(body: &[u8], model: &str) -> Result<Message, ConvertError> {
    let resp: ChatResponse<'_> =
        serde_json::from_slice(body).map_err(|e| ConvertError::decode("ollama chat response", &e, body))?;
    from_chat_response(resp, model)
}

/// The Anthropic message id for a reply created at `created_at` (a
/// generated `msg_anyllm_…` id when it has no digits).
pub fn message_id(created_at: Option<&str>) -> String {
    let digits: String = created_at
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        crate::vocabulary::generated_message_id()
    } else {
        format!("msg_ollama_{digits}")
    }
}

/// The id of the `n`th tool call of a reply: its own, else `call_{n}`.
pub fn tool_call_id(call: &ToolCallIn<'_>, n: usize) -> String {
    call.id
        .as_deref()
        .filter(|id| !id.is_empty())
        .map_or_else(|| format!("call_{n}"), str::to_owned)
}

/// A tool call's input: its arguments object (absent or `null` → `{}`).
pub fn tool_input(call: &ToolCallIn<'_>) -> Value {
    match call.function.as_ref().and_then(|f| f.arguments.clone()) {
        None | Some(Value::Null) => Value::Object(serde_json::Map::new()),
        Some(v) => v,
    }
}

/// The stop reason for a `done_reason` (table above).
pub fn stop_reason(reason: Option<&DoneReason>, has_tool_calls: bool) -> StopReason {
    match reason {
        Some(DoneReason::Length) => StopReason::MaxTokens,
        _ if has_tool_calls => StopReason::ToolUse,
        _ => StopReason::EndTurn,
    }
}

/// Usage from the final object's counts.
pub fn usage(prompt_eval_count: Option<u64>, eval_count: Option<u64>) -> Usage {
    Usage::new(prompt_eval_count.unwrap_or(0), eval_count.unwrap_or(0))
}

/// Converts a decoded whole response.
pub fn from_chat_response(resp: ChatResponse<'_>, model: &str) -> Result<Message, ConvertError> {
    if let Some(err) = &resp.error {
        return Err(ConvertError::Invalid {
            what: "ollama chat response",
            message: error_object(err, None).message,
        });
    }
    let msg = resp.message.unwrap_or_default();
    let mut blocks = Vec::new();
    if let Some(t) = msg.thinking.as_deref().filter(|t| !t.is_empty()) {
        blocks.push(ContentBlock::Thinking(ThinkingBlock {
            thinking: t.to_owned(),
            ..ThinkingBlock::default()
        }));
    }
    if let Some(t) = msg.content.as_deref().filter(|t| !t.is_empty()) {
        blocks.push(ContentBlock::Text(TextBlock::new(t)));
    }
    for (n, call) in msg.tool_calls.iter().enumerate() {
        blocks.push(ContentBlock::ToolUse(ToolUseBlock {
            id: tool_call_id(call, n),
            name: call
                .function
                .as_ref()
                .and_then(|f| f.name.as_deref())
                .unwrap_or_default()
                .to_owned(),
            input: tool_input(call),
            cache_control: None,
            extra: Extra::new(),
        }));
    }
    let mut message = Message::new(
        message_id(resp.created_at.as_deref()),
        resp.model.as_deref().unwrap_or(model),
        blocks,
    );
    message.stop_reason = Some(stop_reason(resp.done_reason.as_ref(), !msg.tool_calls.is_empty()));
    message.usage = usage(resp.prompt_eval_count, resp.eval_count);
    Ok(message)
}
