//! The `o200k_base` token counts behind the estimate (feature `token-estimate`).

use std::sync::OnceLock;

use anyllm::types::{ContentBlock, CountTokensParams, DocumentSource, MessageContent, SystemPrompt, Tool};
use tiktoken_rs::CoreBPE;

/// Tokens charged for an image, or a PDF/URL/file document, that is not decoded.
pub const IMAGE_TOKENS: u64 = 1_600;

/// Framing tokens per message (and for a system prompt).
pub const MESSAGE_OVERHEAD: u64 = 3;

/// Framing tokens once per request (the assistant reply's priming).
pub const REPLY_PRIMING: u64 = 3;

/// The longest piece of text tokenized at once.
pub const MAX_PIECE_BYTES: usize = 1_024;

/// The tokenizer failed to load (its embedded vocabulary did not parse).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the local tokenizer (o200k_base) failed to load: {0}")]
pub struct TokenizerError(String);

static TOKENIZER: OnceLock<Result<CoreBPE, TokenizerError>> = OnceLock::new();

/// The `o200k_base` tokenizer, built on first use (≈0.2 s: it parses a
/// 3.6 MB vocabulary). [`warm_up`] builds it ahead of the first request.
fn tokenizer() -> Result<&'static CoreBPE, TokenizerError> {
    TOKENIZER
        .get_or_init(|| tiktoken_rs::o200k_base().map_err(|e| TokenizerError(e.to_string())))
        .as_ref()
        .map_err(Clone::clone)
}

/// Builds the tokenizer now (blocking; run it off the async workers).
pub fn warm_up() -> Result<(), TokenizerError> {
    tokenizer().map(|_| ())
}

/// The number of `o200k_base` tokens of `text` (special-token strings count
/// as ordinary text, as a chat API treats user input).
///
/// ```
/// assert_eq!(anyllm_server::estimate::text_tokens("Hello, world!").unwrap(), 4);
/// ```
pub fn text_tokens(text: &str) -> Result<u64, TokenizerError> {
    let bpe = tokenizer()?;
    Ok(pieces(text).map(|p| bpe.encode_ordinary(p).len() as u64).sum())
}

/// `text` cut into pieces of at most [`MAX_PIECE_BYTES`], preferably just before a whitespace.
fn pieces(mut text: &str) -> impl Iterator<Item = &str> {
    std::iter::from_fn(move || {
        if text.is_empty() {
            return None;
        }
        if text.len() <= MAX_PIECE_BYTES {
            return Some(std::mem::take(&mut text));
        }
        let mut cut = MAX_PIECE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(ws) = text[..cut].rfind(char::is_whitespace) {
            if ws > 0 {
                cut = ws;
            }
        }
        let (piece, rest) = text.split_at(cut);
        text = rest;
        Some(piece)
    })
}

/// The estimated input tokens of a `count_tokens` request (see the module docs).
pub fn estimate(params: &CountTokensParams) -> Result<u64, TokenizerError> {
    let mut n = Counter::default();
    if let Some(system) = &params.system {
        n.fixed(MESSAGE_OVERHEAD);
        match system {
            SystemPrompt::Text(t) => n.text(t),
            SystemPrompt::Blocks(blocks) => blocks.iter().for_each(|b| n.block(b)),
        }
    }
    for m in &params.messages {
        n.fixed(MESSAGE_OVERHEAD);
        n.content(&m.content);
    }
    for tool in params.tools.iter().flatten() {
        match tool {
            Tool::Custom(t) => {
                n.text(&t.name);
                if let Some(d) = &t.description {
                    n.text(d);
                }
                n.json(&t.input_schema);
            }
            Tool::Builtin(_) => n.json(tool),
        }
    }
    n.fixed(REPLY_PRIMING);
    n.finish()
}

/// Sums tokens; keeps the first tokenizer error.
#[derive(Default)]
struct Counter {
    total: u64,
    error: Option<TokenizerError>,
}

impl Counter {
    fn fixed(&mut self, n: u64) {
        self.total = self.total.saturating_add(n);
    }

    fn text(&mut self, text: &str) {
        if self.error.is_some() {
            return;
        }
        match text_tokens(text) {
            Ok(n) => self.fixed(n),
            Err(e) => self.error = Some(e),
        }
    }

    fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        // Serializing a parsed request value cannot fail; an empty string counts 0.
        let text = serde_json::to_string(value).unwrap_or_default();
        self.text(&text);
    }

    fn content(&mut self, content: &MessageContent) {
        match content {
            MessageContent::Text(t) => self.text(t),
            MessageContent::Blocks(blocks) => blocks.iter().for_each(|b| self.block(b)),
        }
    }

    fn block(&mut self, block: &ContentBlock) {
        match block {
            ContentBlock::Text(t) => self.text(&t.text),
            ContentBlock::Image(_) => self.fixed(IMAGE_TOKENS),
            ContentBlock::Document(d) => {
                for t in [&d.title, &d.context].into_iter().flatten() {
                    self.text(t);
                }
                match &d.source {
                    DocumentSource::Text(s) => self.text(&s.data),
                    DocumentSource::Content(c) => self.content(&c.content),
                    _ => self.fixed(IMAGE_TOKENS),
                }
            }
            ContentBlock::SearchResult(r) => {
                self.text(&r.source);
                self.text(&r.title);
                r.content.iter().for_each(|t| self.text(&t.text));
            }
            ContentBlock::ToolUse(u) => {
                self.text(&u.name);
                self.json(&u.input);
            }
            ContentBlock::ToolResult(r) => {
                if let Some(c) = &r.content {
                    self.content(c);
                }
            }
            ContentBlock::Thinking(t) => self.text(&t.thinking),
            ContentBlock::RedactedThinking(t) => self.text(&t.data),
            other => self.json(other),
        }
    }

    fn finish(self) -> Result<u64, TokenizerError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.total),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn params(v: serde_json::Value) -> CountTokensParams {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn known_counts_of_fixed_strings() {
        // o200k_base, as OpenAI's `tiktoken` counts them.
        assert_eq!(text_tokens("").unwrap(), 0);
        assert_eq!(text_tokens("Hello, world!").unwrap(), 4);
        assert_eq!(text_tokens("hello world").unwrap(), 2);
        assert_eq!(
            text_tokens("The quick brown fox jumps over the lazy dog.").unwrap(),
            10
        );
        // Special-token text is ordinary text (several tokens, not one).
        assert!(text_tokens("<|endoftext|>").unwrap() > 1);
    }

    #[test]
    fn pieces_cut_long_text_at_whitespace_and_char_boundaries() {
        let words = "word ".repeat(1_000);
        let cut: Vec<&str> = pieces(&words).collect();
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), words);
        assert!(cut.iter().all(|p| p.len() <= MAX_PIECE_BYTES));
        assert!(cut[1].starts_with(' '), "cut before a space: {:?}", &cut[1][..5]);
        let wide = "é".repeat(3_000);
        let cut: Vec<&str> = pieces(&wide).collect();
        assert_eq!(cut.concat(), wide);
        assert!(cut.iter().all(|p| p.len() <= MAX_PIECE_BYTES));
    }

    #[test]
    fn a_long_unbroken_run_is_counted_in_bounded_pieces() {
        let run = "a".repeat(200_000);
        let n = text_tokens(&run).unwrap();
        // o200k merges long runs of `a` into multi-letter tokens; cuts add at most one each.
        assert!(n > 200_000 / 16 && n < 200_000 / 2, "{n}");
    }

    #[test]
    fn framing_text_and_system_are_summed() {
        let p = params(serde_json::json!({
            "model": "m", "system": "hello world",
            "messages": [{"role": "user", "content": "Hello, world!"}]
        }));
        // system 3 + 2, message 3 + 4, priming 3.
        assert_eq!(estimate(&p).unwrap(), 15);
    }

    #[test]
    fn images_tools_tool_calls_results_and_thinking_are_counted_by_their_rules() {
        let p = params(serde_json::json!({
            "model": "m",
            "tools": [{"name": "get_weather", "description": "hello world",
                       "input_schema": {"type": "object"}}],
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "hello world"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
                ]},
                {"role": "assistant", "content": [
                    {"type": "thinking", "thinking": "hello world", "signature": "sig"},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "Hello, world!"}
                ]}
            ]
        }));
        let t = |s: &str| text_tokens(s).unwrap();
        let want = 3 * MESSAGE_OVERHEAD
            + REPLY_PRIMING
            + t("hello world")
            + IMAGE_TOKENS
            + t("hello world")
            + t("get_weather")
            + t(r#"{"city":"Paris"}"#)
            + t("Hello, world!")
            + t("get_weather")
            + t("hello world")
            + t(r#"{"type":"object"}"#);
        assert_eq!(estimate(&p).unwrap(), want);
    }
}
