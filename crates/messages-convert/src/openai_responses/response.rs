//! Whole Responses body → Anthropic [`Message`].
//!
//! Output items in order:
//!
//! * `reasoning` → a `thinking` block: the `summary_text` parts joined by a
//!   blank line (the `reasoning_text` content parts when there is no summary),
//!   signed with the item ([`signature`](super::signature)) so the next request
//!   sends it back; an item without an id gets an empty signature;
//! * `message` → one `text` block per non-empty `output_text` part;
//!   `url_citation` annotations become `web_search_result_location` citations
//!   (the cited span of the text, the URL and title; `encrypted_index` empty,
//!   OpenAI has none); other annotations (`file_citation`, `file_path`, …) have
//!   no Anthropic kind and are kept on the block as an `annotations` field;
//!   `refusal` parts → text, and the stop reason `refusal`;
//! * `function_call` → `tool_use` (id = `call_id`; arguments parsed, invalid
//!   JSON cut off by the token limit repaired as in the Chat family,
//!   [`tool_input`](crate::openai_chat::response::tool_input); invalid
//!   arguments in a reply that was not cut off are a
//!   [`ConvertError::InvalidToolArguments`]);
//! * `web_search_call` → `server_tool_use` (`web_search`, `{query}`) and a
//!   `web_search_tool_result` listing the action's `sources` (a failed call →
//!   a `web_search_tool_result_error`), counted in `usage.server_tool_use`;
//! * other item types (file search, code interpreter, MCP, …) come only from
//!   tools the request conversion never sends, and are skipped.
//!
//! mistral.rs puts the reasoning text in a top-level `reasoning` string: it
//! becomes a leading thinking block (unsigned: nothing to send back).
//!
//! Stop reason ([`stop_reason`]): `completed` → `tool_use` when a function
//! call is in the output, `refusal` after a refusal part, else `end_turn`;
//! `incomplete` → `max_tokens` (`max_output_tokens`), `refusal`
//! (`content_filter`), `end_turn` for reasons not known yet. `failed` and
//! `cancelled` are a [`ResponsesError::Failed`]; `in_progress` / `queued` (a
//! background response) are not a reply yet ([`ConvertError::Invalid`]),
//! nor is a body with neither `status` nor `output` (e.g. a Chat Completions
//! body).
//! Usage: [`to_anthropic_usage`]; id `msg_` + the response id.

use messages_types::{
    Citation, ContentBlock, ErrorKind, ErrorObject, ErrorResponse, Extra, Message, Nullable,
    OutputTokensDetails, Role, ServerToolResultBlock, ServerToolUseBlock, StopReason, TextBlock,
    ThinkingBlock, ToolUseBlock, Usage, WebSearchResultLocation,
};
use serde_json::{json, Value};

use super::signature::{encode_reasoning_signature, ReasoningSignature};
use super::wire::{OutputItem, OutputPart, Response, ResponseUsage};
use crate::openai_chat::response::{message_id, tool_input};
use crate::ConvertError;

/// Why a Responses body gave no message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponsesError {
    /// The provider reports the response `failed` (or `cancelled`): its
    /// error as an Anthropic error body.
    #[error("the response failed: {}", .0.error.message)]
    Failed(Box<ErrorResponse>),
    /// The body could not be converted.
    #[error(transparent)]
    Convert(#[from] ConvertError),
}

/// Decodes and converts a whole response body. `model` is the requested
/// model, used when the body names none.
///
/// ```
/// use messages_convert::openai_responses::parse_response;
/// use messages_types::{ContentBlock, StopReason};
/// let body = br#"{"id":"resp_1","status":"completed","model":"gpt-5-mini","output":[
///   {"type":"message","id":"msg_1","role":"assistant","status":"completed",
///    "content":[{"type":"output_text","text":"Hi!","annotations":[]}]}],
///   "usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":3,
///            "output_tokens_details":{"reasoning_tokens":0}}}"#;
/// let msg = parse_response(body, "gpt-5-mini").unwrap();
/// assert_eq!(msg.id, "msg_resp_1");
/// assert!(matches!(&msg.content[0], ContentBlock::Text(t) if t.text == "Hi!"));
/// assert_eq!(msg.stop_reason, Some(StopReason::EndTurn));
/// assert_eq!((msg.usage.input_tokens, msg.usage.cache_read_input_tokens), (Some(6), Some(4)));
/// ```
pub fn parse_response(body: &[u8], model: &str) -> Result<Message, ResponsesError> {
    let response: Response =
        serde_json::from_slice(body).map_err(|e| ConvertError::decode("responses body", &e, body))?;
    from_response(&response, model)
}

/// Converts a decoded response (rules in the [module docs](self)).
pub fn from_response(r: &Response, model: &str) -> Result<Message, ResponsesError> {
    match r.status.as_deref() {
        Some("failed" | "cancelled") => return Err(ResponsesError::Failed(Box::new(failed_error(r)))),
        Some(s @ ("in_progress" | "queued")) => {
            return Err(ConvertError::Invalid {
                what: "response",
                message: format!("the response is still `{s}`"),
            }
            .into())
        }
        None if r.output.is_empty() => {
            // E.g. a Chat Completions body: converting it would give an
            // empty message, silently.
            return Err(ConvertError::Invalid {
                what: "response",
                message: "the body has neither `status` nor `output`: not a Responses API response"
                    .to_owned(),
            }
            .into());
        }
        _ => {}
    }
    let mut content = Vec::new();
    if let Some(Value::String(text)) = &r.reasoning {
        if !text.is_empty() {
            content.push(ContentBlock::Thinking(ThinkingBlock {
                thinking: text.clone(),
                ..ThinkingBlock::default()
            }));
        }
    }
    let mut facts = StopFacts::default();
    let mut searches = 0u64;
    // Only a reply cut by the token limit may have its tool arguments repaired.
    let cut_by_limit =
        r.incomplete_details.as_ref().and_then(|d| d.reason.as_deref()) == Some("max_output_tokens");
    for item in &r.output {
        match item.kind.as_str() {
            "reasoning" => {
                let block = thinking_block(item);
                if !block.thinking.is_empty() || !block.signature.is_empty() {
                    content.push(ContentBlock::Thinking(block));
                }
            }
            "message" => {
                for part in &item.content {
                    match part.kind.as_str() {
                        "output_text" => {
                            if let Some(b) = text_block(part) {
                                content.push(ContentBlock::Text(b));
                            }
                        }
                        "refusal" => {
                            facts.refusal = true;
                            let text = part.refusal.as_deref().or(part.text.as_deref()).unwrap_or("");
                            if !text.is_empty() {
                                content.push(ContentBlock::Text(TextBlock::new(text)));
                            }
                        }
                        _ => {}
                    }
                }
            }
            "function_call" => {
                facts.tool_calls = true;
                content.push(ContentBlock::ToolUse(tool_use_block(item, cut_by_limit)?));
            }
            "web_search_call" => {
                searches += 1;
                let (call, result) = web_search_blocks(item);
                content.push(ContentBlock::ServerToolUse(call));
                content.push(ContentBlock::WebSearchToolResult(result));
            }
            _ => {}
        }
    }
    facts.incomplete_reason = r.incomplete_details.as_ref().and_then(|d| d.reason.clone());
    facts.status = r.status.clone();
    let usage = response_usage(r, searches);
    Ok(Message {
        id: message_id(r.id.as_deref()),
        kind: "message".to_owned(),
        role: Role::Assistant,
        model: r.model.as_deref().unwrap_or(model).to_owned(),
        content,
        stop_reason: Some(stop_reason(&facts)),
        stop_sequence: None,
        stop_details: Nullable::Absent,
        container: None,
        usage,
        extra: Extra::new(),
    })
}

/// The thinking text of a reasoning item: the summary parts joined by a
/// blank line, else the reasoning content parts.
pub(crate) fn reasoning_text(item: &OutputItem) -> String {
    let join = |parts: &[OutputPart]| {
        parts
            .iter()
            .filter_map(|p| p.text.as_deref())
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let summary = join(&item.summary);
    if summary.is_empty() {
        join(&item.content)
    } else {
        summary
    }
}

/// The signature minted for a reasoning item (empty without an id).
pub(crate) fn reasoning_signature(item: &OutputItem) -> String {
    match item.id.as_deref() {
        Some(id) if !id.is_empty() => encode_reasoning_signature(&ReasoningSignature {
            id: id.to_owned(),
            encrypted_content: item.encrypted_content.clone(),
            summary: item.summary.iter().filter_map(|p| p.text.clone()).collect(),
        }),
        _ => String::new(),
    }
}

fn thinking_block(item: &OutputItem) -> ThinkingBlock {
    ThinkingBlock {
        thinking: reasoning_text(item),
        signature: reasoning_signature(item),
        extra: Extra::new(),
    }
}

/// The `tool_use` block of a function call item. Arguments that are not
/// valid JSON are repaired only when the reply was `cut_by_limit`
/// (`incomplete` with `max_output_tokens`); otherwise they are a
/// [`ConvertError::InvalidToolArguments`] naming the call.
pub(crate) fn tool_use_block(item: &OutputItem, cut_by_limit: bool) -> Result<ToolUseBlock, ConvertError> {
    let id = call_id(item);
    let name = item.name.clone().unwrap_or_default();
    let arguments = item.arguments_text();
    let (input, _cut) = tool_input(&arguments, cut_by_limit)
        .map_err(|_| ConvertError::invalid_tool_arguments(&id, &name, &arguments))?;
    Ok(ToolUseBlock {
        id,
        name,
        input,
        cache_control: None,
        extra: Extra::new(),
    })
}

/// A function call's id: `call_id`, else the item id.
pub(crate) fn call_id(item: &OutputItem) -> String {
    item.call_id
        .clone()
        .or_else(|| item.id.clone())
        .unwrap_or_default()
}

/// A text block for an `output_text` part; `None` when it is empty.
fn text_block(part: &OutputPart) -> Option<TextBlock> {
    let text = part.text.as_deref().unwrap_or("");
    if text.is_empty() {
        return None;
    }
    let mut block = TextBlock::new(text);
    let mut citations = Vec::new();
    let mut other = Vec::new();
    for a in &part.annotations {
        match url_citation(a, text) {
            Some(c) => citations.push(c),
            None => other.push(a.clone()),
        }
    }
    if !citations.is_empty() {
        block.citations = Nullable::Value(citations);
    }
    if !other.is_empty() {
        block.extra.insert("annotations".to_owned(), Value::Array(other));
    }
    Some(block)
}

/// A `url_citation` annotation as a `web_search_result_location` citation.
pub(crate) fn url_citation(a: &Value, text: &str) -> Option<Citation> {
    if a.get("type").and_then(Value::as_str) != Some("url_citation") {
        return None;
    }
    let url = a.get("url").and_then(Value::as_str)?;
    let index = |k: &str| {
        a.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    // Indexes count characters; anything out of range cites nothing.
    let cited_text = match (index("start_index"), index("end_index")) {
        (Some(s), Some(e)) if s <= e => text.chars().skip(s).take(e - s).collect(),
        _ => String::new(),
    };
    Some(Citation::WebSearchResultLocation(WebSearchResultLocation {
        cited_text,
        encrypted_index: String::new(),
        title: match a.get("title").and_then(Value::as_str) {
            Some(t) => Nullable::Value(t.to_owned()),
            None => Nullable::Null,
        },
        url: url.to_owned(),
        extra: Extra::new(),
    }))
}

/// The `server_tool_use` and `web_search_tool_result` of a web search call.
pub(crate) fn web_search_blocks(item: &OutputItem) -> (ServerToolUseBlock, ServerToolResultBlock) {
    let id = item.id.clone().unwrap_or_default();
    let action = item.action.as_ref();
    let query = action
        .and_then(|a| a.get("query").cloned())
        .or_else(|| action.and_then(|a| a.get("url").cloned()))
        .unwrap_or(Value::String(String::new()));
    let call = ServerToolUseBlock {
        id: id.clone(),
        name: "web_search".to_owned(),
        input: json!({ "query": query }),
        cache_control: None,
        extra: Extra::new(),
    };
    let content = if item.status.as_deref() == Some("failed") {
        json!({"type": "web_search_tool_result_error", "error_code": "unavailable"})
    } else {
        let sources = action
            .and_then(|a| a.get("sources"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        Value::Array(
            sources
                .iter()
                .filter_map(|s| s.get("url").and_then(Value::as_str))
                .map(|url| {
                    json!({"type": "web_search_result", "url": url, "title": url,
                           "encrypted_content": "", "page_age": null})
                })
                .collect(),
        )
    };
    let result = ServerToolResultBlock {
        tool_use_id: id,
        content,
        cache_control: None,
        extra: Extra::new(),
    };
    (call, result)
}

/// What decides the stop reason.
#[derive(Debug, Clone, Default)]
pub(crate) struct StopFacts {
    pub(crate) status: Option<String>,
    pub(crate) incomplete_reason: Option<String>,
    pub(crate) tool_calls: bool,
    pub(crate) refusal: bool,
}

/// The Anthropic stop reason (rules in the [module docs](self)).
pub(crate) fn stop_reason(f: &StopFacts) -> StopReason {
    if f.status.as_deref() == Some("incomplete") || f.incomplete_reason.is_some() {
        return match f.incomplete_reason.as_deref() {
            Some("max_output_tokens") => StopReason::MaxTokens,
            Some("content_filter") => StopReason::Refusal,
            _ if f.tool_calls => StopReason::ToolUse,
            _ => StopReason::EndTurn,
        };
    }
    if f.refusal {
        StopReason::Refusal
    } else if f.tool_calls {
        StopReason::ToolUse
    } else {
        StopReason::EndTurn
    }
}

/// Converts usage: `input_tokens` = input − cached − cache writes,
/// `cache_read_input_tokens` = `cached_tokens`, `cache_creation_input_tokens`
/// = `cache_write_tokens`, `output_tokens` as given (reasoning included, as on
/// Anthropic) and the reasoning count in `output_tokens_details.thinking_tokens`.
///
/// ```
/// use messages_convert::openai_responses::{to_anthropic_usage, wire::ResponseUsage};
/// let u: ResponseUsage = serde_json::from_str(r#"{"input_tokens":166,"output_tokens":255,
///   "input_tokens_details":{"cached_tokens":128},"output_tokens_details":{"reasoning_tokens":200}}"#).unwrap();
/// let a = to_anthropic_usage(&u);
/// assert_eq!((a.input_tokens, a.cache_read_input_tokens, a.output_tokens), (Some(38), Some(128), Some(255)));
/// assert_eq!(a.output_tokens_details.unwrap().thinking_tokens, Some(200));
/// ```
pub fn to_anthropic_usage(u: &ResponseUsage) -> Usage {
    let details = u.input_tokens_details.as_ref();
    let cached = details.and_then(|d| d.cached_tokens).unwrap_or(0);
    let written = details.and_then(|d| d.cache_write_tokens).unwrap_or(0);
    let input = u.input_tokens.unwrap_or(0);
    Usage {
        input_tokens: Some(input.saturating_sub(cached).saturating_sub(written)),
        output_tokens: Some(u.output_tokens.unwrap_or(0)),
        cache_creation_input_tokens: Some(written),
        cache_read_input_tokens: Some(cached),
        output_tokens_details: u
            .output_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens)
            .map(|r| OutputTokensDetails {
                thinking_tokens: Some(r),
                ..OutputTokensDetails::default()
            }),
        ..Usage::default()
    }
}

/// Anthropic's name for a Responses service tier, by the one rule of
/// [`crate::vocabulary::service_tier`]: `default` → `standard`, `priority` →
/// `priority`; any other tier (`flex`, `scale`, `auto`, `""`, …) has no
/// Anthropic value and is not reported.
///
/// ```
/// use messages_convert::openai_responses::service_tier;
/// assert_eq!(service_tier("default"), Some("standard"));
/// assert_eq!(service_tier("flex"), None);
/// ```
pub fn service_tier(tier: &str) -> Option<&'static str> {
    crate::vocabulary::service_tier(tier)
}

/// A response's usage ([`to_anthropic_usage`], zero when it has none) with
/// its service tier ([`service_tier`]) and the number of web searches.
pub(crate) fn response_usage(r: &Response, searches: u64) -> Usage {
    let mut usage = r
        .usage
        .as_ref()
        .map(to_anthropic_usage)
        .unwrap_or_else(zero_usage);
    usage.service_tier = r
        .service_tier
        .as_deref()
        .and_then(service_tier)
        .map(str::to_owned);
    if searches > 0 {
        usage.server_tool_use = Some(crate::vocabulary::server_tool_usage(searches, 0));
    }
    usage
}

/// Usage when the server reported none.
pub(crate) fn zero_usage() -> Usage {
    Usage {
        input_tokens: Some(0),
        output_tokens: Some(0),
        ..Usage::default()
    }
}

/// The Anthropic error kind of a failed response's `error.code`.
pub(crate) fn failed_kind(code: Option<&str>) -> ErrorKind {
    match code {
        Some("rate_limit_exceeded") => ErrorKind::RateLimit,
        Some("server_error" | "vector_store_timeout") | None => ErrorKind::Api,
        Some(_) => ErrorKind::InvalidRequest,
    }
}

/// A failed (or cancelled) response's error as an Anthropic error body: the
/// kind from `error.code` (`rate_limit_exceeded` → `rate_limit_error`,
/// `server_error` → `api_error`, prompt and image errors →
/// `invalid_request_error`), the native code kept as `code`.
pub fn failed_error(r: &Response) -> ErrorResponse {
    let code = r.error.as_ref().and_then(|e| e.code.as_deref());
    let message = r
        .error
        .as_ref()
        .and_then(|e| e.message.clone())
        .filter(|m| !m.is_empty())
        .or_else(|| code.map(str::to_owned))
        .unwrap_or_else(|| format!("the response is {}", r.status.as_deref().unwrap_or("failed")));
    let mut extra = Extra::new();
    if let Some(c) = code {
        extra.insert("code".to_owned(), Value::String(c.to_owned()));
    }
    ErrorResponse {
        kind: "error".to_owned(),
        error: ErrorObject {
            kind: failed_kind(code),
            message,
            extra,
        },
        request_id: Nullable::Absent,
        extra: Extra::new(),
    }
}
