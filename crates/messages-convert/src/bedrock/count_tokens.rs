//! Anthropic `count_tokens` → Bedrock `CountTokens`
//! (`POST /model/{modelId}/count-tokens`, body `{input: {converse: {...}}}`),
//! and its `{inputTokens}` reply back.
//!
//! The messages, system prompt and tools convert exactly as for
//! [`to_converse_request`](super::to_converse_request); `thinking` goes in
//! `additionalModelRequestFields` for Anthropic models. Converse's token
//! count has no field for `output_config` (a structured-output schema or an
//! effort), so those are not counted (documented); unknown top-level fields
//! are `Unsupported`.

use messages_types::{CountTokensParams, CountTokensResponse, Extra};
use serde_json::Map;

use super::content::{convert_messages, system_blocks};
use super::family::ModelFamily;
use super::request::{serialize_with, thinking_field, tool_config};
use super::wire::{self, ConverseTokensRequest, CountTokensInput, CountTokensRequest};
use super::PROVIDER;
use crate::ConvertError;

/// Converts an Anthropic count-tokens request into a CountTokens body.
///
/// ```
/// use messages_convert::bedrock::to_count_tokens_request;
/// use messages_types::CountTokensParams;
/// let params: CountTokensParams = serde_json::from_value(serde_json::json!({
///     "model": "anthropic.claude-3-haiku-20240307-v1:0",
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let req = to_count_tokens_request(&params).unwrap();
/// assert_eq!(serde_json::to_value(&req).unwrap(), serde_json::json!({
///     "input": {"converse": {"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}}
/// }));
/// ```
pub fn to_count_tokens_request(params: &CountTokensParams) -> Result<CountTokensRequest<'_>, ConvertError> {
    if let Some(key) = params.extra.keys().next() {
        return Err(ConvertError::unsupported_because(
            PROVIDER,
            key.as_str(),
            "unknown request field; CountTokens has nowhere to put it",
        ));
    }
    let family = ModelFamily::from_model_id(&params.model);
    let mut additional = Map::new();
    if let Some(thinking) = &params.thinking {
        thinking_field(family, thinking, &mut additional)?;
    }
    Ok(CountTokensRequest {
        input: CountTokensInput {
            converse: ConverseTokensRequest {
                messages: convert_messages(&params.messages)?,
                system: system_blocks(params.system.as_ref())?,
                tool_config: tool_config(
                    params.tools.as_deref(),
                    params.tool_choice.as_ref(),
                    &params.messages,
                )?,
                additional_model_request_fields: (!additional.is_empty()).then_some(additional),
            },
        },
    })
}

/// [`to_count_tokens_request`], serialized.
pub fn count_tokens_body(params: &CountTokensParams) -> Result<Vec<u8>, ConvertError> {
    serialize_with(&to_count_tokens_request(params)?, &Map::new())
}

/// Parses a CountTokens reply (`{"inputTokens": N}`) as Anthropic's.
///
/// ```
/// use messages_convert::bedrock::parse_count_tokens;
/// assert_eq!(parse_count_tokens(br#"{"inputTokens":42}"#).unwrap().input_tokens, 42);
/// ```
pub fn parse_count_tokens(body: &[u8]) -> Result<CountTokensResponse, ConvertError> {
    let r: wire::CountTokensResponse = serde_json::from_slice(body)
        .map_err(|e| ConvertError::decode("Bedrock CountTokens response", &e, body))?;
    Ok(CountTokensResponse {
        input_tokens: r.input_tokens,
        extra: Extra::new(),
    })
}
