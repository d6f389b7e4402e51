//! Anthropic Messages ⇄ Google Gemini `generateContent` (also Vertex AI,
//! which speaks the same body).
//!
//! * [`to_gemini_request`] — an Anthropic request → the Gemini body
//!   ([`wire::GenerateContentRequest`]); [`to_gemini_count_tokens_request`]
//!   for `countTokens`.
//! * [`to_anthropic_message`] / [`message_from_slice`] — a whole response → [`messages_types::Message`].
//! * [`GeminiStream`] — `streamGenerateContent?alt=sse` events → a valid
//!   Anthropic event sequence.
//! * [`error::classify_error`] — Google's error body → Anthropic error kinds,
//!   with the retry delay from `RetryInfo`.
//!
//! The family convention, as in every family module: [`fn@request`],
//! [`fn@response`], [`fn@stream`] (a [`StreamConverter`](crate::StreamConverter)),
//! [`FRAMING`] and [`CAPABILITIES`].
//!
//! ```
//! use messages_convert::{gemini, Frame, StreamConverter};
//! let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "gemini-2.5-flash", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let body = gemini::request(&params).unwrap();
//! assert_eq!(body.contents.len(), 1);
//! let mut converter: Box<dyn StreamConverter> = Box::new(gemini::stream("gemini-2.5-flash"));
//! let mut out = Vec::new();
//! let chunk = br#"{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP"}]}"#;
//! converter.on_frame(Frame::Sse { event: None, data: chunk }, &mut out).unwrap();
//! converter.finish(&mut out).unwrap();
//! assert_eq!(out.last().unwrap().type_name(), "message_stop");
//! ```
//!
//! # Request mapping
//!
//! | Anthropic | Gemini |
//! |---|---|
//! | `system` (string or text blocks) | `systemInstruction.parts[].text` (one part per block) |
//! | `user` / `assistant` | `contents[].role` `user` / `model` |
//! | `text` | `{text}` |
//! | `image` base64 / url | `{inlineData: {mimeType, data}}` / `{fileData: {mimeType?, fileUri}}` |
//! | `image`/`document` `file` source | `fileData` when the id is a Gemini file URI (`https://…`, `gs://…`), else `Unsupported` |
//! | `document` base64 (PDF, or any media type Gemini reads: audio, video, text) | `inlineData` |
//! | `document` text / content / url | `{text}` / its text and image parts / `fileData` (`application/pdf` unless the extension says otherwise) |
//! | `document` `title`, `context` | a text part before the document |
//! | `tool_use` | `{functionCall: {id?, name, args}}` |
//! | `tool_result` | `{functionResponse: {id?, name, response: {"result": …} or {"error": …}, parts?}}` |
//! | `thinking` with text | `{text, thought: true, thoughtSignature?}` |
//! | `thinking` with only a signature | the signature of the part before it (see below) |
//! | `server_tool_use` `code_execution` / `code_execution_tool_result` | `executableCode` / `codeExecutionResult` |
//! | custom tools | one `tools[]` entry with `functionDeclarations[{name, description, parametersJsonSchema}]` |
//! | `code_execution_*` tool | `{codeExecution: {}}` |
//! | `web_search_*` tool (no domain or location filters) | `{googleSearch: {}}` |
//! | `tool_choice` auto / any / tool / none | `functionCallingConfig.mode` `AUTO` / `ANY` / `ANY` + `allowedFunctionNames: [name]` / `NONE` |
//! | `max_tokens`, `temperature`, `top_p`, `top_k`, `stop_sequences` | `generationConfig.maxOutputTokens`, `temperature`, `topP`, `topK`, `stopSequences` |
//! | `thinking` enabled (`budget_tokens`, `display`) | `thinkingConfig {thinkingBudget, includeThoughts: display != omitted}` |
//! | `thinking` disabled / adaptive | `thinkingBudget: 0` / `thinkingBudget: -1` (dynamic) with `includeThoughts` |
//! | `output_config.effort` (thinking absent or adaptive) | `thinkingConfig.thinkingLevel` (`low`, `medium`, `high`; xhigh and max → `high`) |
//! | `output_config.format` / `output_format` json_schema | `responseMimeType: application/json` + `responseJsonSchema` |
//!
//! **Tool names.** An Anthropic `tool_result` carries only `tool_use_id`;
//! Gemini needs the function name, recovered from the `tool_use` with that
//! id earlier in the conversation (a missing one is [`ConvertError::Invalid`](crate::ConvertError::Invalid)).
//!
//! **Tool ids.** Gemini 2.x sends function calls without ids; the response
//! conversion then generates `toolu_gemini_<responseId>_<n>` (server tools:
//! `srvtoolu_gemini_…`). Generated ids are not sent back to Gemini (the
//! request omits `functionCall.id` / `functionResponse.id` for them, so
//! replayed requests look exactly like Gemini's own); any other id, Gemini's
//! or a client's, is sent on both parts.
//!
//! **Tool results.** Text content that parses as JSON is sent as that JSON
//! value, other text as a string, under `"result"` (`"error"` when
//! `is_error`); image and document blocks become `functionResponse.parts`
//! (multimodal function responses, Gemini 3).
//!
//! **Dropped on purpose** (hints and limits with no Gemini counterpart):
//! `cache_control` (Gemini caches implicitly), `metadata.user_id`,
//! `service_tier` (see [`CAPABILITIES`]), tool `strict`,
//! `disable_parallel_tool_use`, document `citations`, web search
//! `max_uses`. `output_config.effort` is not sent when `thinking` is enabled
//! or disabled (Gemini rejects a level and a budget together). **Refused**
//! with [`ConvertError::Unsupported`](crate::ConvertError::Unsupported): `max_tokens: 0`, `inference_geo`, `container`,
//! `mcp_servers`, `context_management`, Anthropic server and client tools
//! other than code execution and web search (bash, text editor, web fetch,
//! …), web search domain and location filters,
//! `search_result` blocks, Anthropic Files API ids, unknown top-level
//! request fields (Gemini has nowhere to put them).
//!
//! # Thought signatures
//!
//! Gemini returns an opaque `thoughtSignature` on some parts — a thought
//! part, a `functionCall` (the first of a parallel step), a text part, or a
//! trailing empty text part — and Gemini 3 requires each one back **on the
//! part it came with**. The mapping, in both directions:
//!
//! * A **thought part** becomes a `thinking` block carrying the part's text
//!   and its signature in `signature` (adjacent thought parts merge, as stream
//!   chunks do; a second signature starts a new block).
//! * A signature on **any other part** becomes a *signature-only* `thinking`
//!   block (`thinking: ""`, `signature: <sig>`) placed **right after** the
//!   block made from that part: `[tool_use, thinking("", S)]`,
//!   `[text, thinking("", S)]`. A trailing empty text part with a signature
//!   becomes just the signature-only block.
//! * Going back, a signature-only `thinking` block signs the part made from
//!   the block just before it (when that part is not thought text and not
//!   already signed); otherwise it becomes an empty text part carrying the
//!   signature, exactly Gemini's trailing form.
//!
//! "After" rather than "before" because a stream delivers a text part's
//! signature with its last chunk, after the text was already sent: with one
//! rule for whole and streamed responses, accumulating a stream gives the
//! same blocks as converting the merged response, and either replays the
//! signature where Gemini put it. Signature-only thinking blocks are plain
//! Anthropic data, so every client keeps and returns them.
//!
//! Signatures only mean something to the provider that made them. Every
//! signature handed out carries Gemini's prefix (`anyllm.gemini.<sig>`), and
//! going back only those are sent, without the prefix: a thinking block
//! another family signed goes as unsigned thought text, a `redacted_thinking`
//! block is left out (the one rule of [`crate::signature`]). The Anthropic
//! pass-through in turn leaves Gemini's thinking blocks out.
//!
//! # Response mapping
//!
//! Parts → blocks in order (adjacent text parts merge); `functionCall` →
//! `tool_use` (`input` = `args`); `executableCode` / `codeExecutionResult` →
//! `server_tool_use` (`code_execution`) / `code_execution_tool_result`;
//! `inlineData` / `fileData` → `image` (`document` for media that are not
//! images, e.g. generated audio; sent back as they came). Google Search grounding
//! (`groundingMetadata`) becomes, after the content, one `server_tool_use`
//! (`web_search`, `{query}`) per query and one `web_search_tool_result`
//! listing the pages used (`url`, `title`; no `encrypted_content`, no
//! citations on the text), and `usage.server_tool_use.web_search_requests`;
//! these blocks are not sent back on later turns (Gemini has no part for
//! them). Stop reasons: see
//! [`finish::stop_reason`]; usage: see [`finish::usage`]. The message id is
//! `msg_` + `responseId`, the model `modelVersion`.
//!
//! **Not converted** (no Anthropic counterpart): candidates other than
//! index 0 (the request never asks for more), `safetyRatings`,
//! `citationMetadata`, `groundingSupports` and the search entry point,
//! log probabilities, per-modality token details, a `finishMessage` that
//! does not explain a refusal, and parts of a kind this crate does not know
//! (only their `thoughtSignature` is kept, as a signature-only `thinking`
//! block, so the next turn still sends it back).

mod blocks;
pub mod error;
pub mod finish;
mod media;
mod request;
mod response;
mod stream;
mod turns;
pub mod wire;

pub use request::{to_gemini_count_tokens_request, to_gemini_request};
pub use response::{message_from_slice, to_anthropic_message};
pub use stream::GeminiStream;

use crate::capabilities::{Capabilities, Support};
use crate::{ConvertError, Framing};
use messages_types::{Message, MessageCreateParams};

/// How a Gemini stream is framed: server-sent events (`alt=sse`).
pub const FRAMING: Framing = Framing::Sse;

/// The family's request conversion: [`to_gemini_request`].
pub fn request(params: &MessageCreateParams) -> Result<wire::GenerateContentRequest, ConvertError> {
    to_gemini_request(params)
}

/// The family's response conversion: a whole `generateContent` body →
/// [`Message`] ([`message_from_slice`]).
pub fn response(body: &[u8]) -> Result<Message, ConvertError> {
    message_from_slice(body)
}

/// The family's stream converter for one call ([`GeminiStream`]); `model`
/// is reported when the chunks carry no `modelVersion`.
pub fn stream(model: &str) -> GeminiStream {
    GeminiStream::with_model(model)
}

/// The top-level Anthropic features Gemini carries: `top_k` natively;
/// `metadata.user_id` and `service_tier` are hints it has no field for
/// (ignored); `max_tokens: 0`, `inference_geo` (a residency constraint),
/// `container`, `mcp_servers` and `context_management` are refused.
pub const CAPABILITIES: Capabilities = Capabilities::NONE
    .top_k(Support::Native)
    .metadata_user_id(Support::Ignored)
    .service_tier(Support::Ignored);

/// Provider name used in conversion errors.
pub(crate) const PROVIDER: &str = "gemini";

/// Prefix of the `tool_use` ids generated for Gemini function calls that have none.
pub const GENERATED_TOOL_PREFIX: &str = "toolu_gemini_";

/// Prefix of the `server_tool_use` ids generated for code-execution parts that have none.
pub const GENERATED_SERVER_TOOL_PREFIX: &str = "srvtoolu_gemini_";

/// `true` for an id this module generated (and so does not send to Gemini).
pub fn is_generated_id(id: &str) -> bool {
    id.starts_with(GENERATED_TOOL_PREFIX) || id.starts_with(GENERATED_SERVER_TOOL_PREFIX)
}
