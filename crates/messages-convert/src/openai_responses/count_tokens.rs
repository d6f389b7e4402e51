//! `POST /responses/input_tokens` → Anthropic count_tokens response. The
//! request body is [`input_tokens_body`](super::input_tokens_body).

use messages_types::CountTokensResponse;

use super::wire::InputTokensResponse;
use crate::ConvertError;

/// Converts an input-token count body (`{"object": "response.input_tokens",
/// "input_tokens": N}`) into an Anthropic count_tokens response.
///
/// ```
/// use messages_convert::openai_responses::parse_input_tokens;
/// let r = parse_input_tokens(br#"{"object":"response.input_tokens","input_tokens":42}"#).unwrap();
/// assert_eq!(r.input_tokens, 42);
/// ```
pub fn parse_input_tokens(body: &[u8]) -> Result<CountTokensResponse, ConvertError> {
    let r: InputTokensResponse =
        serde_json::from_slice(body).map_err(|e| ConvertError::decode("input_tokens body", &e, body))?;
    Ok(CountTokensResponse {
        input_tokens: r.input_tokens,
        extra: messages_types::Extra::new(),
    })
}
