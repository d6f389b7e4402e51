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
