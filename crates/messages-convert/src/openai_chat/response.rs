//! Whole Chat Completions response → Anthropic [`Message`].
//!
//! Blocks come in the order thinking (`reasoning_content` / `reasoning`,
//! Mistral thinking parts, `<think>` tags where the dialect says; OpenRouter
//! signatures and encrypted reasoning from `reasoning_details`), text
//! (content, then a `refusal`), tool_use (id — `call_{n}` when missing or
//! empty, as in the stream conversion —, name, parsed arguments; empty or
//! `null` → `{}`). A message with nothing in it has no blocks. The id is
//! `msg_` + the provider's id; the model is the provider's, else the
//! requested one; the service tier goes to `usage.service_tier`.
//!
//! Not carried over (no Anthropic equivalent): choices after the first
//! (`n` > 1), `logprobs`, OpenAI `annotations` and Perplexity `citations` /
//! `search_results` (their URLs are not cited spans), `audio`, `system_fingerprint`
//! and provider cost fields.

use messages_types::partial_json::repair_cut_off;
use messages_types::{
    ContentBlock, Extra, Message, Nullable, RedactedThinkingBlock, Role, TextBlock, ThinkingBlock,
    ToolUseBlock, Usage,
};
use serde_json::Value;

use super::dialect::Dialect;
use super::stop::{stop_reason, stopped_at_token_limit, StopFacts};
use super::think_tags::{Segment, ThinkTagSplitter};
use super::usage::{service_tier, to_anthropic_usage};
use super::wire::{ChatCompletion, ContentField, ReasoningDetail, ResponseMessage};
use crate::signature::{self, SignatureOrigin};
use crate::vocabulary::present;
use crate::ConvertError;

/// What the response conversion needs to know about the call.
#[derive(Debug, Clone, Copy)]
pub struct ResponseContext<'a> {
    /// The provider's quirks (`<think>` tags).
    pub dialect: &'a Dialect,
    /// The request's stop sequences (to report which one matched, where the
    /// server says).
    pub stop_sequences: &'a [String],
    /// The requested model, used when the response does not name one.
    pub model: &'a str,
}

impl<'a> ResponseContext<'a> {
    /// A context with no stop sequences.
    pub fn new(dialect: &'a Dialect, model: &'a str) -> Self {
        Self {
            dialect,
            stop_sequences: &[],
            model,
        }
    }
}

/// The Anthropic message id for a provider's response id: `msg_` + the id
/// (so it stays traceable), or a generated `msg_anyllm_…` id when the server
/// sent none or `""` ([`crate::vocabulary::message_id`]).
pub fn message_id(provider_id: Option<&str>) -> String {
    crate::vocabulary::message_id(provider_id)
}

/// Decodes and converts a whole response body.
///
/// ```
/// use messages_convert::openai_chat::{parse_response, Dialect, ResponseContext};
/// use messages_types::StopReason;
/// let body = br#"{"id":"chatcmpl-1","model":"gpt-4.1-mini","choices":[{"index":0,
///   "message":{"role":"assistant","content":"Hi!"},"finish_reason":"stop"}],
///   "usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#;
/// let msg = parse_response(body, &ResponseContext::new(&Dialect::OPENAI, "gpt-4.1-mini")).unwrap();
/// assert_eq!(msg.id, "msg_chatcmpl-1");
/// assert_eq!(msg.stop_reason, Some(StopReason::EndTurn));
/// assert_eq!(msg.usage.input_tokens, Some(9));
/// ```
pub fn parse_response(body: &[u8], ctx: &ResponseContext<'_>) -> Result<Message, ConvertError> {
    let completion: ChatCompletion<'_> =
        serde_json::from_slice(body).map_err(|e| ConvertError::decode("chat completion", &e, body))?;
    from_chat_completion(completion, ctx)
}

/// Builds content blocks in arrival order, merging runs of one kind.
#[derive(Debug, Default)]
pub(crate) struct BlockBuilder {
    pub(crate) blocks: Vec<ContentBlock>,
}

impl BlockBuilder {
    pub(crate) fn thinking(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(ContentBlock::Thinking(t)) = self.blocks.last_mut() {
            t.thinking.push_str(s);
        } else {
            self.blocks.push(ContentBlock::Thinking(ThinkingBlock {
                thinking: s.to_owned(),
                ..ThinkingBlock::default()
            }));
        }
    }

    pub(crate) fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(ContentBlock::Text(t)) = self.blocks.last_mut() {
            t.text.push_str(s);
        } else {
            self.blocks.push(ContentBlock::Text(TextBlock::new(s)));
        }
    }

    /// Sets the signature of the last thinking block (opening an empty one
    /// when the last block is not thinking), as a `signature_delta` does.
    pub(crate) fn signature(&mut self, sig: &str) {
        if let Some(ContentBlock::Thinking(t)) = self.blocks.last_mut() {
            t.signature = sig.to_owned();
        } else {
            self.blocks.push(ContentBlock::Thinking(ThinkingBlock {
                signature: sig.to_owned(),
                ..ThinkingBlock::default()
            }));
        }
    }

    pub(crate) fn block(&mut self, block: ContentBlock) {
        self.blocks.push(block);
    }

    pub(crate) fn segment(&mut self, seg: Segment<'_>) {
        match seg {
            Segment::Text(t) => self.text(t),
            Segment::Thinking(t) => self.thinking(t),
        }
    }
}

/// A tool call's `input`: its arguments parsed; empty or `null` → `{}`.
/// Arguments that are not valid JSON are repaired only when the reply was
/// cut off by the token limit (`cut_by_limit`): the complete values kept,
/// the cut one dropped, never completed
/// ([`messages_types::partial_json::repair_cut_off`], the same repair a
/// streamed reply gets when accumulated). Returns the input and whether it
/// was repaired; `Err` with the parser's message for arguments that are
/// invalid in a complete reply, or not JSON at all.
///
/// ```
/// use messages_convert::openai_chat::response::tool_input;
/// use serde_json::json;
/// assert_eq!(tool_input(r#"{"a": 1, "b": tru"#, true).unwrap(), (json!({"a": 1}), true));
/// assert!(tool_input(r#"{"a": 1, "b": tru"#, false).is_err());
/// assert!(tool_input("NOTJSON{", true).is_err());
/// assert_eq!(tool_input("", false).unwrap(), (json!({}), false));
/// ```
pub fn tool_input(arguments: &str, cut_by_limit: bool) -> Result<(Value, bool), String> {
    let trimmed = arguments.trim();
    if trimmed.is_empty() || trimmed == "null" {
        // `null`: Groq's spelling of "no arguments".
        return Ok((Value::Object(serde_json::Map::new()), false));
    }
    let strict = match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => return Ok((v, false)),
        Err(e) => e.to_string(),
    };
    if !cut_by_limit {
        return Err(strict);
    }
    match repair_cut_off(trimmed) {
        Ok(v) => Ok((v.unwrap_or_else(|| Value::Object(serde_json::Map::new())), true)),
        Err(_) => Err(strict),
    }
}

/// What an OpenRouter `reasoning_details` entry contributes: a thinking
/// signature (`reasoning.text` with `signature`), or a `redacted_thinking`
/// block (`reasoning.encrypted`, its upstream id kept as the block's `id`).
/// Reasoning text itself also arrives in `reasoning`, so it is not repeated.
/// Both carry the dialect family's prefix (`origin`, see [`crate::signature`]).
pub(crate) enum DetailEvent {
    Signature(String),
    Redacted(RedactedThinkingBlock),
}

pub(crate) fn detail_event(d: &ReasoningDetail, origin: SignatureOrigin) -> Option<DetailEvent> {
    match (d.kind.as_str(), &d.signature, &d.data) {
        ("reasoning.text", Some(sig), _) if !sig.is_empty() => {
            Some(DetailEvent::Signature(signature::mint(origin, sig)))
        }
        ("reasoning.encrypted", _, Some(data)) if !data.is_empty() => {
            let mut extra = Extra::new();
            if let Some(id) = d.id.as_ref().filter(|id| !id.is_empty()) {
                extra.insert("id".to_owned(), Value::String(id.clone()));
            }
            Some(DetailEvent::Redacted(RedactedThinkingBlock {
                data: signature::mint(origin, data),
                extra,
            }))
        }
        _ => None,
    }
}

/// Appends a message's reasoning and content, in order, to `b`.
fn push_content(msg: &ResponseMessage<'_>, dialect: &Dialect, b: &mut BlockBuilder) {
    let think_tags = dialect.think_tags;
    if let Some(r) = msg.reasoning_content.as_deref().or(msg.reasoning.as_deref()) {
        b.thinking(r);
    }
    for d in &msg.reasoning_details {
        match detail_event(d, dialect.signature_origin) {
            Some(DetailEvent::Signature(sig)) => b.signature(&sig),
            Some(DetailEvent::Redacted(r)) => b.block(ContentBlock::RedactedThinking(r)),
            None => {}
        }
    }
    // Text goes through the `<think>` splitter where the dialect says, as in
    // the stream conversion (Mistral-style text parts included).
    let mut splitter = think_tags.then(ThinkTagSplitter::new);
    let mut text = |b: &mut BlockBuilder, t: &str| match splitter.as_mut() {
        Some(s) => s.feed(t, |seg| b.segment(seg)),
        None => b.text(t),
    };
    match &msg.content {
        Some(ContentField::Text(t)) => text(b, t),
        Some(ContentField::Parts(parts)) => {
            for p in parts {
                match (p.thinking_text(), &p.text) {
                    (Some(th), _) => b.thinking(&th),
                    (None, Some(t)) => text(b, t),
                    (None, None) => {}
                }
            }
        }
        None => {}
    }
    if let Some(s) = splitter.as_mut() {
        s.finish(|seg| b.segment(seg));
    }
    if let Some(r) = present(msg.refusal.as_deref()) {
        b.text(r);
    }
}

/// Converts a decoded response: the first choice's reasoning (thinking
/// block), text and tool calls, in that order; the stop reason by
/// [`stop_reason`]; usage by
/// [`to_anthropic_usage`]. A response
/// without choices is [`ConvertError::Invalid`].
pub fn from_chat_completion(
    c: ChatCompletion<'_>,
    ctx: &ResponseContext<'_>,
) -> Result<Message, ConvertError> {
    let Some(choice) = c.choices.into_iter().next() else {
        return Err(ConvertError::Invalid {
            what: "response",
            message: "the response has no choices".to_owned(),
        });
    };
    let msg = &choice.message;
    let mut b = BlockBuilder::default();
    push_content(msg, ctx.dialect, &mut b);

    let mut incomplete = false;
    let at_limit = stopped_at_token_limit(
        choice.finish_reason.as_ref(),
        choice.native_finish_reason.as_deref(),
    );
    // A call with neither a name nor arguments is a zero-valued field
    // (`"function_call": {"name": "", "arguments": ""}`), not a call.
    let is_call = |f: &&super::wire::FunctionCall<'_>| {
        present(f.name.as_deref()).is_some() || present(f.arguments.as_ref().map(|a| a.as_str())).is_some()
    };
    let legacy = msg.function_call.iter().filter(is_call).map(|f| (None, f));
    let calls = msg
        .tool_calls
        .iter()
        .map(|t| (present(t.id.as_deref()), &t.function))
        .filter(|(_, f)| is_call(f))
        .chain(legacy);
    let mut has_tool_calls = false;
    for (n, (id, f)) in calls.enumerate() {
        has_tool_calls = true;
        let id = id.map_or_else(|| format!("call_{n}"), str::to_owned);
        let name = f.name.as_deref().unwrap_or_default().to_owned();
        let arguments = f.arguments.as_ref().map_or("", |a| a.as_str());
        let (input, cut) = tool_input(arguments, at_limit)
            .map_err(|_| ConvertError::invalid_tool_arguments(&id, &name, arguments))?;
        incomplete |= cut;
        b.blocks.push(ContentBlock::ToolUse(ToolUseBlock {
            id,
            name,
            input,
            cache_control: None,
            extra: Extra::new(),
        }));
    }

    let (reason, stop_sequence) = stop_reason(&StopFacts {
        finish_reason: choice.finish_reason.as_ref(),
        native_finish_reason: choice.native_finish_reason.as_deref(),
        matched: choice.stop_reason.as_ref(),
        stop_sequences: ctx.stop_sequences,
        has_tool_calls,
        incomplete_tool_call: incomplete,
        refusal: present(msg.refusal.as_deref()).is_some(),
    });
    let mut usage = c
        .usage
        .as_ref()
        .map(to_anthropic_usage)
        .unwrap_or_else(zero_usage);
    usage.service_tier = c
        .service_tier
        .as_deref()
        .and_then(service_tier)
        .map(str::to_owned);
    Ok(Message {
        id: message_id(c.id.as_deref()),
        kind: "message".to_owned(),
        role: Role::Assistant,
        model: c.model.as_deref().unwrap_or(ctx.model).to_owned(),
        content: b.blocks,
        stop_reason: Some(reason),
        stop_sequence,
        stop_details: Nullable::Absent,
        container: None,
        usage,
        extra: Extra::new(),
    })
}

/// Usage when the server reported none: zero input and output.
pub(crate) fn zero_usage() -> Usage {
    Usage {
        input_tokens: Some(0),
        output_tokens: Some(0),
        ..Usage::default()
    }
}
