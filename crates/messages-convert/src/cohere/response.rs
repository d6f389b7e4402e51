//! Whole `/v2/chat` response → Anthropic [`Message`].
//!
//! Blocks, in order: one block per content part (`thinking` → a thinking
//! block with an empty signature — Cohere signs nothing —, `text` → a text
//! block; empty parts and parts of unknown kinds give none), then the
//! `tool_plan` as a text block, then each tool call as a `tool_use` block (id
//! `call_{n}` when missing, arguments parsed by
//! [`tool_input`]: repaired only when the reply stopped at `MAX_TOKENS`,
//! otherwise invalid arguments are [`ConvertError::InvalidToolArguments`]). This is
//! the order a stream delivers them, so both conversions agree. Citations:
//! see [`citations`](super::citations). Stop reason and usage: see
//! [`finish`](super::finish); `ERROR` / `TIMEOUT` make the conversion fail
//! (see [`from_chat_response`]). The id is `msg_` + Cohere's generation id;
//! the model is the requested one (Cohere's response does not name it).
//!
//! Not carried over: `logprobs`.

use messages_types::{ContentBlock, Message, Nullable, TextBlock, ThinkingBlock, ToolUseBlock};

use super::citations::{cites_plan, cites_thinking, to_anthropic};
use super::finish::{finish_error, stop_reason, to_anthropic_usage};
use super::wire::{ChatResponse, FinishReason};
use crate::openai_chat::response::{message_id, tool_input};
use crate::ConvertError;

/// What the response conversion needs to know about the call.
#[derive(Debug, Clone, Copy)]
pub struct ResponseContext<'a> {
    /// The requested model (Cohere responses do not name it).
    pub model: &'a str,
    /// The request's stop sequences (to name the one that matched when there
    /// was only one).
    pub stop_sequences: &'a [String],
}

impl<'a> ResponseContext<'a> {
    /// A context with no stop sequences.
    pub fn new(model: &'a str) -> Self {
        Self {
            model,
            stop_sequences: &[],
        }
    }
}

/// Decodes and converts a whole response body.
///
/// ```
/// use messages_convert::cohere::{parse_response, ResponseContext};
/// use messages_types::StopReason;
/// let body = br#"{"id":"g1","finish_reason":"COMPLETE","message":{"role":"assistant",
///   "content":[{"type":"text","text":"Hi!"}]},
///   "usage":{"billed_units":{"input_tokens":3,"output_tokens":2},"tokens":{"input_tokens":9,"output_tokens":2}}}"#;
/// let msg = parse_response(body, &ResponseContext::new("command-a-03-2025")).unwrap();
/// assert_eq!(msg.id, "msg_g1");
/// assert_eq!(msg.stop_reason, Some(StopReason::EndTurn));
/// assert_eq!(msg.usage.input_tokens, Some(9));
/// assert_eq!(msg.usage.extra["billed_units"]["input_tokens"], 3);
/// ```
pub fn parse_response(body: &[u8], ctx: &ResponseContext<'_>) -> Result<Message, ConvertError> {
    let resp: ChatResponse<'_> =
        serde_json::from_slice(body).map_err(|e| ConvertError::decode("cohere chat response", &e, body))?;
    from_chat_response(resp, ctx)
}

/// Converts a decoded response. A response that finished with `ERROR` or
/// `TIMEOUT` is not a message: it fails with `ConvertError::Invalid`
/// naming the finish reason; [`failed_generation`](super::error::failed_generation)
/// gives the typed Anthropic error body for it.
pub fn from_chat_response(
    resp: ChatResponse<'_>,
    ctx: &ResponseContext<'_>,
) -> Result<Message, ConvertError> {
    if let Some(err) = finish_error(resp.finish_reason.as_ref(), None) {
        return Err(ConvertError::Invalid {
            what: "cohere chat response",
            message: err.message,
        });
    }
    let msg = resp.message.unwrap_or_default();
    let mut blocks: Vec<ContentBlock> = Vec::new();
    // Content-part index → block position (text parts only).
    let mut text_block_of: Vec<Option<usize>> = Vec::with_capacity(msg.content.len());
    for part in &msg.content {
        let mut pos = None;
        if part.is_thinking() {
            if let Some(t) = part.thinking.as_deref().filter(|t| !t.is_empty()) {
                blocks.push(ContentBlock::Thinking(ThinkingBlock {
                    thinking: t.to_owned(),
                    ..ThinkingBlock::default()
                }));
            }
        } else if part.kind.as_deref().is_none_or(|k| k == "text") {
            if let Some(t) = part.text.as_deref().filter(|t| !t.is_empty()) {
                pos = Some(blocks.len());
                blocks.push(ContentBlock::Text(TextBlock::new(t)));
            }
        }
        text_block_of.push(pos);
    }
    let mut plan_block = None;
    if let Some(plan) = msg.tool_plan.as_deref().filter(|p| !p.is_empty()) {
        plan_block = Some(blocks.len());
        blocks.push(ContentBlock::Text(TextBlock::new(plan)));
    }
    for c in msg.citations.iter().filter(|c| !cites_thinking(c)) {
        let target = if cites_plan(c) {
            plan_block
        } else {
            text_block_of.get(c.content_index.unwrap_or(0)).copied().flatten()
        };
        let found = to_anthropic(c);
        if let (Some(pos), false) = (target, found.is_empty()) {
            if let Some(ContentBlock::Text(t)) = blocks.get_mut(pos) {
                match &mut t.citations {
                    Nullable::Value(v) => v.extend(found),
                    other => *other = Nullable::Value(found),
                }
            }
        }
    }
    let has_tool_calls = !msg.tool_calls.is_empty();
    let cut_by_limit = matches!(resp.finish_reason, Some(FinishReason::MaxTokens));
    for (n, call) in msg.tool_calls.iter().enumerate() {
        let function = call.function.as_ref();
        let id = call
            .id
            .as_deref()
            .filter(|id| !id.is_empty())
            .map_or_else(|| format!("call_{n}"), str::to_owned);
        let name = function
            .and_then(|f| f.name.as_deref())
            .unwrap_or_default()
            .to_owned();
        let arguments = function.and_then(|f| f.arguments.as_deref()).unwrap_or_default();
        let (input, _repaired) = tool_input(arguments, cut_by_limit)
            .map_err(|_| ConvertError::invalid_tool_arguments(&id, &name, arguments))?;
        blocks.push(ContentBlock::ToolUse(ToolUseBlock {
            id,
            name,
            input,
            cache_control: None,
            extra: messages_types::Extra::new(),
        }));
    }
    let (reason, stop_sequence) =
        stop_reason(resp.finish_reason.as_ref(), has_tool_calls, ctx.stop_sequences)
            .unwrap_or((messages_types::StopReason::EndTurn, None));
    let mut message = Message::new(message_id(resp.id.as_deref()), ctx.model, blocks);
    message.stop_reason = Some(reason);
    message.stop_sequence = stop_sequence;
    message.usage = to_anthropic_usage(resp.usage.as_ref());
    Ok(message)
}
