//! Anthropic Messages ⇄ the OpenAI Responses API (`POST /v1/responses`), for
//! OpenAI and every server that speaks it (xAI, Azure OpenAI, OpenRouter,
//! GitHub Copilot, llama.cpp, mistral.rs).
//!
//! The Responses API is the one OpenAI API that hands reasoning back and
//! takes it again in the next request (`store: false` with encrypted
//! reasoning), so a tool loop with a reasoning model keeps its reasoning; a
//! thinking block carries the reasoning item in its signature
//! ([`signature`]).
//!
//! * [`to_responses_request`] / [`request_body`]: an Anthropic request as a
//!   Responses request (rules, documented drops and `Unsupported` cases in
//!   [`request`]);
//! * [`parse_response`] / [`from_response`]: a whole response as an Anthropic
//!   [`Message`](messages_types::Message) ([`response`]);
//! * [`ResponsesStreamConverter`]: a stream's SSE events as Anthropic stream
//!   events ([`stream`]);
//! * [`error_response`]: a native error body as an Anthropic error body;
//! * [`input_tokens_body`] / [`parse_input_tokens`]: token counting via
//!   `POST /v1/responses/input_tokens`.
//!
//! # The family convention
//!
//! Like every family module, this one exposes [`fn@request`] (Anthropic
//! params → native request, after the shared capability check against
//! [`CAPABILITIES`]), [`fn@response`] (native body → `Message`),
//! [`fn@stream`] (a [`StreamConverter`](crate::StreamConverter) for one
//! call; a mid-stream `error` or `response.failed` becomes an Anthropic
//! `error` event) and [`FRAMING`].
//!
//! ```
//! use messages_convert::openai_responses;
//! use messages_convert::{Frame, StreamConverter};
//! let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "gpt-5-mini", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let req = openai_responses::request(&params, true).unwrap();
//! assert_eq!(req.stream, Some(true));
//! let mut converter: Box<dyn StreamConverter> = Box::new(openai_responses::stream("gpt-5-mini"));
//! let mut out = Vec::new();
//! for data in [
//!     r#"{"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}"#,
//!     r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"Hi"}"#,
//!     r#"{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[]}}"#,
//! ] {
//!     converter.on_frame(Frame::Sse { event: None, data: data.as_bytes() }, &mut out).unwrap();
//! }
//! converter.finish(&mut out).unwrap();
//! assert_eq!(out.first().unwrap().type_name(), "message_start");
//! assert_eq!(out.last().unwrap().type_name(), "message_stop");
//! ```

pub mod count_tokens;
pub mod error;
pub mod request;
pub mod response;
pub mod signature;
pub mod stream;
pub mod wire;

pub use count_tokens::parse_input_tokens;
pub use error::error_response;
pub use request::{input_tokens_body, request_body, to_responses_request, PROVIDER};
pub use response::{
    failed_error, from_response, parse_response, service_tier, to_anthropic_usage, ResponsesError,
};
pub use signature::{decode_reasoning_signature, encode_reasoning_signature, ReasoningSignature};
pub use stream::ResponsesStreamConverter;

use messages_types::{Message, MessageCreateParams};

use crate::capabilities::{Capabilities, Support};
use crate::{ConvertError, Framing};

/// How a Responses stream is framed: server-sent events.
pub const FRAMING: Framing = Framing::Sse;

/// The top-level Anthropic features the Responses API carries:
/// `metadata.user_id` (→ `safety_identifier`), `service_tier`
/// (`standard_only` → `default`) and `max_tokens` as given (the server
/// decides about 0); no `top_k`, and none of Anthropic's platform features
/// (`container`, `mcp_servers` — refused when present, even empty —,
/// `context_management`) or `inference_geo`. `stop_sequences` (no
/// counterpart) and the per-block limits are refused by the conversion
/// itself ([`request`](mod@request)).
///
/// ```
/// use messages_convert::capabilities::Support;
/// use messages_convert::openai_responses::CAPABILITIES;
/// assert_eq!(CAPABILITIES.top_k, Support::Unsupported);
/// assert_eq!(CAPABILITIES.metadata_user_id, Support::Native);
/// ```
pub const CAPABILITIES: Capabilities = Capabilities::NONE
    .zero_max_tokens(Support::Native)
    .metadata_user_id(Support::Native)
    .service_tier(Support::Native);

/// The family's request conversion: [`to_responses_request`] (serialize it,
/// with extras, through [`request_body`]).
pub fn request(
    params: &MessageCreateParams,
    stream: bool,
) -> Result<wire::ResponsesRequest<'_>, ConvertError> {
    to_responses_request(params, stream)
}

/// The family's response conversion: a whole Responses body → [`Message`]
/// ([`parse_response`]); a `failed` response is [`ResponsesError::Failed`].
pub fn response(body: &[u8], model: &str) -> Result<Message, ResponsesError> {
    parse_response(body, model)
}

/// The family's stream converter for one call: a
/// [`ResponsesStreamConverter`], which implements
/// [`StreamConverter`](crate::StreamConverter).
pub fn stream(model: &str) -> ResponsesStreamConverter {
    ResponsesStreamConverter::new(model)
}
