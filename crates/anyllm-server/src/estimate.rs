//! The local `count_tokens` estimate, for routes whose provider has no
//! counter of its own (OpenAI Chat Completions, Cohere, Ollama, the
//! OpenAI-compatible family, …).
//!
//! The tokenizer is OpenAI's `o200k_base` (the vocabulary of GPT-4o, GPT-4.1,
//! o-series models) through `tiktoken-rs`, the maintained Rust port of
//! OpenAI's `tiktoken` that ships the vocabularies inside the crate (no
//! download at run time). `o200k_base` rather than `cl100k_base`: it is the
//! vocabulary of the models most OpenAI-shaped routes serve today, and its
//! larger vocabulary is closer to recent non-OpenAI tokenizers too.
//!
//! **Accuracy.** The count is exact only for text a model tokenizes with
//! `o200k_base`; other models' tokenizers (Llama, Mistral, Command, Gemma, …)
//! differ, typically by ±10–25 % on English prose and more on code or other
//! scripts. The reply carries [`TOKEN_COUNT_HEADER`]`: approximate` so a
//! client can tell; an exact count from the provider's own counter carries
//! `exact`.
//!
//! **What is counted** (what the model sees):
//! * the system prompt's text and each message's text blocks;
//! * `tool_use`: the tool name and the input as compact JSON;
//! * `tool_result`: its content (text, and images/documents by the rules below);
//! * `thinking`: the thinking text; `redacted_thinking`: its opaque data;
//! * tool definitions: name, description and the input schema as compact
//!   JSON; built-in (versioned) tools: their JSON;
//! * documents: a plain-text source's text, custom content's blocks, title
//!   and context; search results: source, title and text;
//! * images, and PDF/URL/file documents (whose pixels or pages are not
//!   decoded here): a fixed `IMAGE_TOKENS` each — Anthropic's cost of an
//!   image at its largest (≈1.15 megapixels, `width × height / 750`);
//! * any other block (server tool calls and results, unknown types): its JSON;
//! * framing: `MESSAGE_OVERHEAD` per message and for a system prompt,
//!   plus `REPLY_PRIMING` once (OpenAI's documented chat-format overhead).
//!
//! Text is cut into pieces of at most `MAX_PIECE_BYTES` (at a whitespace
//! or character boundary) before tokenizing: BPE merging costs the square of
//! a piece's length, so one long unbroken run (a 30 MB line of `a`) must not
//! hold a worker for minutes. A cut inside a word can add a token; that
//! error is far below the tokenizer mismatch above.

use anyllm::types::CountTokensResponse;
use anyllm::{CountTokensParams, Error};

#[cfg(feature = "token-estimate")]
mod tokenizer;
#[cfg(feature = "token-estimate")]
pub use tokenizer::{
    estimate, text_tokens, warm_up, TokenizerError, IMAGE_TOKENS, MAX_PIECE_BYTES, MESSAGE_OVERHEAD,
    REPLY_PRIMING,
};

/// The response header that says how a `count_tokens` answer was obtained:
/// `approximate` (the local estimate) or `exact` (the provider's counter).
pub const TOKEN_COUNT_HEADER: &str = "anyllm-token-count";

/// The provider's count (`exact`), else — when the provider has no counter
/// and the feature `token-estimate` is on — the local estimate
/// (`approximate`), computed off the async workers. Without the feature the
/// provider's typed `Unsupported` error stands.
pub(crate) async fn exact_or_estimate(
    counted: Result<CountTokensResponse, Error>,
    params: CountTokensParams,
) -> Result<(CountTokensResponse, &'static str), Error> {
    match counted {
        #[cfg(feature = "token-estimate")]
        Err(Error::Unsupported {
            operation: "count_tokens",
            ..
        }) => {
            let input_tokens = tokio::task::spawn_blocking(move || estimate(&params))
                .await
                .map_err(|e| Error::Runtime(format!("token estimate task: {e}")))?
                .map_err(|e| Error::Runtime(e.to_string()))?;
            Ok((
                CountTokensResponse {
                    input_tokens,
                    extra: Default::default(),
                },
                "approximate",
            ))
        }
        other => {
            drop(params);
            other.map(|c| (c, "exact"))
        }
    }
}
