//! Converse reply → Anthropic [`Message`].
//!
//! Blocks in order: `text` → `text`; `toolUse` → `tool_use` (a `toolUse`
//! of type `server_tool_use` → `server_tool_use`); `reasoningContent`
//! `reasoningText` → `thinking` with its signature (empty when there is
//! none); `redactedContent` → `redacted_thinking`; `citationsContent` → a
//! `text` block carrying its citations (see [`citation`]); `image` →
//! `image` with a base64 source. Any other block in a reply (`document`,
//! `video`, `toolResult`, `guardContent`, an unknown member) is
//! [`ConvertError::Invalid`] rather than dropped.
//!
//! Stop reasons ([`stop_reason`]): `end_turn`, `tool_use`, `max_tokens`,
//! `model_context_window_exceeded` as named; `stop_sequence` with the
//! sequence when `additionalModelResponseFields.stop_sequence` names it
//! (Claude returns it when the request asks for the path `/stop_sequence`);
//! `guardrail_intervened` and `content_filtered` → `refusal` with
//! `stop_details {type: refusal, category: null, explanation: "Bedrock stopped
//! the response: <the Bedrock reason>"}` (Anthropic's categories name its own
//! policies; [`crate::vocabulary::provider_refusal`]);
//! `malformed_model_output`, `malformed_tool_use` and unknown values →
//! `end_turn` (`tool_use` when the reply holds a tool call), so no value
//! outside Anthropic's vocabulary ever comes out.
//!
//! Usage ([`usage`]): `inputTokens` (Bedrock, like Anthropic, counts cached
//! tokens apart), `outputTokens`, `cacheReadInputTokens` →
//! `cache_read_input_tokens`, `cacheWriteInputTokens` →
//! `cache_creation_input_tokens`, `cacheDetails` → `cache_creation` by TTL.
//!
//! Converse replies carry no id: the message id is `msg_bdrk_` + the
//! `x-amzn-requestid` header when the caller passes it ([`ResponseMeta`]).

use crate::signature::{mint, SignatureOrigin};
use messages_types::{
    Base64Source, CacheCreation, CharLocation, Citation, ContentBlock, ContentBlockLocation, Extra,
    ImageBlock, ImageSource, Message, Nullable, PageLocation, RedactedThinkingBlock, Role,
    SearchResultLocation, ServerToolUseBlock, StopDetails, StopReason, TextBlock, ThinkingBlock,
    ToolUseBlock, Usage, WebSearchResultLocation,
};
use serde_json::Value;

use super::wire::{BedrockCitation, ConverseResponse, OutputBlock, TokenUsage};
use crate::ConvertError;

/// What the reply itself does not say: the model and the request id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseMeta<'a> {
    /// The model id the request named (reported as `model`).
    pub model: &'a str,
    /// The `x-amzn-requestid` response header.
    pub request_id: Option<&'a str>,
}

impl<'a> ResponseMeta<'a> {
    /// Meta for `model`, without a request id.
    pub fn new(model: &'a str) -> Self {
        Self {
            model,
            request_id: None,
        }
    }

    /// The Anthropic message id: `msg_bdrk_<request id>`, or `msg_bdrk` without one.
    pub fn message_id(&self) -> String {
        match self.request_id {
            Some(id) if !id.is_empty() => format!("msg_bdrk_{id}"),
            _ => "msg_bdrk".to_owned(),
        }
    }
}

/// Converts a whole Converse reply.
///
/// ```
/// use messages_convert::bedrock::{message_from_slice, ResponseMeta};
/// use messages_types::StopReason;
/// let body = br#"{"output":{"message":{"role":"assistant","content":[{"text":"Hi!"}]}},
///   "stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":2,"totalTokens":7},
///   "metrics":{"latencyMs":100}}"#;
/// let m = message_from_slice(body, ResponseMeta::new("amazon.nova-lite-v1:0")).unwrap();
/// assert_eq!(m.text(), "Hi!");
/// assert_eq!(m.stop_reason, Some(StopReason::EndTurn));
/// assert_eq!(m.usage.output_tokens, Some(2));
/// ```
pub fn from_converse_response(
    response: &ConverseResponse,
    meta: ResponseMeta<'_>,
) -> Result<Message, ConvertError> {
    let mut content = Vec::new();
    if let Some(message) = response.output.as_ref().and_then(|o| o.message.as_ref()) {
        for (i, b) in message.content.iter().enumerate() {
            content.push(block(b, i)?);
        }
    }
    let called_tool = content.iter().any(|b| matches!(b, ContentBlock::ToolUse(_)));
    let (stop, sequence, details) = stop_reason(
        response.stop_reason.as_deref(),
        response.additional_model_response_fields.as_ref(),
        called_tool,
    );
    Ok(Message {
        id: meta.message_id(),
        kind: "message".to_owned(),
        role: Role::Assistant,
        model: meta.model.to_owned(),
        content,
        stop_reason: Some(stop),
        stop_sequence: sequence,
        stop_details: details.map_or(Nullable::Absent, Nullable::Value),
        container: None,
        usage: response.usage.as_ref().map(usage).unwrap_or_default(),
        extra: Extra::new(),
    })
}

/// Decodes a Converse reply body and converts it.
pub fn message_from_slice(body: &[u8], meta: ResponseMeta<'_>) -> Result<Message, ConvertError> {
    let response: ConverseResponse = serde_json::from_slice(body)
        .map_err(|e| ConvertError::decode("Bedrock Converse response", &e, body))?;
    from_converse_response(&response, meta)
}

fn invalid(message: String) -> ConvertError {
    ConvertError::Invalid {
        what: "response",
        message,
    }
}

fn block(b: &OutputBlock, i: usize) -> Result<ContentBlock, ConvertError> {
    if let Some(text) = &b.text {
        return Ok(ContentBlock::Text(TextBlock::new(text.clone())));
    }
    if let Some(t) = &b.tool_use {
        return Ok(tool_use(
            &t.tool_use_id,
            &t.name,
            t.input.clone(),
            t.kind.as_deref(),
        ));
    }
    if let Some(r) = &b.reasoning_content {
        if let Some(t) = &r.reasoning_text {
            return Ok(ContentBlock::Thinking(ThinkingBlock {
                thinking: t.text.clone(),
                // Minted with this family's prefix (crate::signature).
                signature: t
                    .signature
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .map(|s| mint(SignatureOrigin::Bedrock, s))
                    .unwrap_or_default(),
                extra: Extra::new(),
            }));
        }
        if let Some(data) = &r.redacted_content {
            return Ok(redacted(data));
        }
        return Err(invalid(format!(
            "content[{i}]: reasoningContent with no known member"
        )));
    }
    if let Some(c) = &b.citations_content {
        let text: String = c.content.iter().filter_map(|t| t.text.as_deref()).collect();
        let citations: Vec<Citation> = c.citations.iter().filter_map(citation).collect();
        return Ok(ContentBlock::Text(TextBlock {
            text,
            citations: Nullable::Value(citations),
            ..TextBlock::default()
        }));
    }
    if let Some(img) = &b.image {
        let format = img.get("format").and_then(Value::as_str);
        let bytes = img.pointer("/source/bytes").and_then(Value::as_str);
        if let (Some(format), Some(bytes)) = (format, bytes) {
            return Ok(ContentBlock::Image(ImageBlock {
                source: ImageSource::Base64(Base64Source {
                    media_type: format!("image/{format}"),
                    data: bytes.to_owned(),
                    extra: Extra::new(),
                }),
                cache_control: None,
                extra: Extra::new(),
            }));
        }
        return Err(invalid(format!("content[{i}]: image without format and bytes")));
    }
    let member = b.extra.keys().next().map_or("(none)", String::as_str);
    Err(invalid(format!(
        "content[{i}]: a `{member}` block has no Anthropic equivalent in a reply"
    )))
}

/// A `toolUse` as `tool_use` (or `server_tool_use` for a server tool).
pub(crate) fn tool_use(id: &str, name: &str, input: Value, kind: Option<&str>) -> ContentBlock {
    if kind == Some("server_tool_use") {
        return ContentBlock::ServerToolUse(ServerToolUseBlock {
            id: id.to_owned(),
            name: name.to_owned(),
            input,
            cache_control: None,
            extra: Extra::new(),
        });
    }
    ContentBlock::ToolUse(ToolUseBlock {
        id: id.to_owned(),
        name: name.to_owned(),
        input,
        cache_control: None,
        extra: Extra::new(),
    })
}

/// A `redacted_thinking` block for Bedrock's encrypted reasoning, its data
/// minted with this family's prefix ([`crate::signature`]).
pub(crate) fn redacted(data: &str) -> ContentBlock {
    ContentBlock::RedactedThinking(RedactedThinkingBlock {
        data: mint(SignatureOrigin::Bedrock, data),
        extra: Extra::new(),
    })
}

/// A Bedrock citation as an Anthropic one: `documentChar` →
/// `char_location`, `documentPage` → `page_location`, `documentChunk` →
/// `content_block_location`, `searchResultLocation` →
/// `search_result_location`, `web` → `web_search_result_location` (with an
/// empty `encrypted_index`: Bedrock has none). `cited_text` is the joined
/// `sourceContent`, the document title `title`. A citation whose location
/// is missing or of a kind this crate does not know gives `None` (the text
/// it supported stays; documented loss).
pub fn citation(c: &BedrockCitation) -> Option<Citation> {
    let location = c.location.as_ref()?;
    let cited_text: String = c
        .source_content
        .iter()
        .filter_map(|t| t.text.as_deref())
        .collect();
    let title = || c.title.clone().map_or(Nullable::Absent, Nullable::Value);
    if let Some(r) = &location.document_char {
        return Some(Citation::CharLocation(CharLocation {
            cited_text,
            document_index: r.document_index,
            document_title: title(),
            start_char_index: r.start,
            end_char_index: r.end,
            extra: Extra::new(),
        }));
    }
    if let Some(r) = &location.document_page {
        return Some(Citation::PageLocation(PageLocation {
            cited_text,
            document_index: r.document_index,
            document_title: title(),
            start_page_number: r.start,
            end_page_number: r.end,
            extra: Extra::new(),
        }));
    }
    if let Some(r) = &location.document_chunk {
        return Some(Citation::ContentBlockLocation(ContentBlockLocation {
            cited_text,
            document_index: r.document_index,
            document_title: title(),
            start_block_index: r.start,
            end_block_index: r.end,
            extra: Extra::new(),
        }));
    }
    if let Some(r) = &location.search_result_location {
        return Some(Citation::SearchResultLocation(SearchResultLocation {
            cited_text,
            search_result_index: r.search_result_index,
            source: c.source.clone().unwrap_or_default(),
            title: title(),
            start_block_index: r.start,
            end_block_index: r.end,
            extra: Extra::new(),
        }));
    }
    if let Some(web) = &location.web {
        return Some(Citation::WebSearchResultLocation(WebSearchResultLocation {
            cited_text,
            encrypted_index: String::new(),
            title: title(),
            url: web.url.clone().or_else(|| c.source.clone()).unwrap_or_default(),
            extra: Extra::new(),
        }));
    }
    None
}

/// A Converse `stopReason` as an Anthropic stop reason, the stop sequence
/// (from `additionalModelResponseFields.stop_sequence`) and refusal details.
pub fn stop_reason(
    reason: Option<&str>,
    additional: Option<&Value>,
    called_tool: bool,
) -> (StopReason, Option<String>, Option<StopDetails>) {
    let natural = if called_tool {
        StopReason::ToolUse
    } else {
        StopReason::EndTurn
    };
    match reason {
        Some("end_turn") => (StopReason::EndTurn, None, None),
        Some("tool_use") => (StopReason::ToolUse, None, None),
        Some("max_tokens") => (StopReason::MaxTokens, None, None),
        Some("model_context_window_exceeded") => (StopReason::ModelContextWindowExceeded, None, None),
        Some("stop_sequence") => {
            let sequence = additional
                .and_then(|a| a.get("stop_sequence"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            (StopReason::StopSequence, sequence, None)
        }
        Some(r @ ("guardrail_intervened" | "content_filtered")) => (
            StopReason::Refusal,
            None,
            Some(crate::vocabulary::provider_refusal(
                &format!("Bedrock stopped the response: {r}"),
                None,
            )),
        ),
        _ => (natural, None, None),
    }
}

/// Converse `TokenUsage` as Anthropic usage.
pub fn usage(u: &TokenUsage) -> Usage {
    let mut five = 0u64;
    let mut hour = 0u64;
    for d in &u.cache_details {
        match d.ttl.as_str() {
            "1h" => hour = hour.saturating_add(d.input_tokens),
            _ => five = five.saturating_add(d.input_tokens),
        }
    }
    Usage {
        input_tokens: Some(u.input_tokens.unwrap_or(0)),
        output_tokens: Some(u.output_tokens.unwrap_or(0)),
        cache_creation_input_tokens: Some(u.cache_write_input_tokens.unwrap_or(0)),
        cache_read_input_tokens: Some(u.cache_read_input_tokens.unwrap_or(0)),
        cache_creation: (!u.cache_details.is_empty()).then(|| CacheCreation {
            ephemeral_5m_input_tokens: five,
            ephemeral_1h_input_tokens: hour,
            extra: Extra::new(),
        }),
        ..Usage::default()
    }
}
