//! Gemini parts → Anthropic content blocks, one rule set for whole responses
//! and streams.
//!
//! A [`PartWalker`] decides the blocks and drives a [`BlockSink`]: the whole
//! response builds a `Vec<ContentBlock>` ([`BlockBuilder`]), the stream feeds
//! the event emitter. Because both go through the same walker, accumulating a
//! converted stream gives exactly the conversion of the merged response.

use messages_types::{
    Base64Source, ContentBlock, DocumentBlock, DocumentSource, Extra, ImageBlock, ImageSource,
    ServerToolResultBlock, ServerToolUseBlock, TextBlock, ThinkingBlock, ToolUseBlock, UrlSource,
};
use serde_json::{json, Value};

use super::wire::{GroundingMetadata, Part};
use super::{GENERATED_SERVER_TOOL_PREFIX, GENERATED_TOOL_PREFIX};
use crate::signature::{self, SignatureOrigin};
use crate::ConvertError;

/// Where the walker sends blocks. The semantics mirror the stream emitter:
/// `text`/`thinking` append to the open block of the same kind or open a new
/// one (closing any other); `signature` signs the open thinking block or
/// opens an empty one; `tool_use` and `whole` close the open block and add a
/// finished block.
pub(crate) trait BlockSink {
    /// Appends (non-empty) text.
    fn text(&mut self, text: &str) -> Result<(), ConvertError>;
    /// Appends (non-empty) thinking text.
    fn thinking(&mut self, thinking: &str) -> Result<(), ConvertError>;
    /// Sets the open thinking block's signature.
    fn signature(&mut self, signature: &str) -> Result<(), ConvertError>;
    /// A whole tool call.
    fn tool_use(&mut self, id: &str, name: &str, input: &Value) -> Result<(), ConvertError>;
    /// A whole block.
    fn whole(&mut self, block: ContentBlock) -> Result<(), ConvertError>;
    /// Stops the open block, so the next content starts a fresh one.
    fn close(&mut self) -> Result<(), ConvertError>;
    /// A finished signature-only thinking block (closing the open block first).
    fn signature_only(&mut self, signature: &str) -> Result<(), ConvertError> {
        self.close()?;
        self.signature(signature)?;
        self.close()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Open {
    None,
    /// A text block, with the signature of one of its parts waiting to be
    /// emitted (as a signature-only thinking block) when it closes.
    Text(Option<String>),
    /// A thinking block; `true` once signed.
    Thinking(bool),
}

/// A signature-only thinking block.
pub(crate) fn signature_block(signature: &str) -> ContentBlock {
    ContentBlock::Thinking(ThinkingBlock {
        thinking: String::new(),
        signature: signature.to_owned(),
        extra: Extra::new(),
    })
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// Keeps `[A-Za-z0-9_-]`, so generated ids stay valid Anthropic ids.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The part → block state machine.
#[derive(Debug, Clone)]
pub(crate) struct PartWalker {
    open: Open,
    id_stem: String,
    tool_calls: usize,
    server_calls: usize,
    last_code_id: Option<String>,
    searches: usize,
}

impl PartWalker {
    /// A walker for one response; `response_id` seeds generated tool ids.
    pub(crate) fn new(response_id: Option<&str>) -> Self {
        Self {
            open: Open::None,
            id_stem: response_id.map(sanitize).unwrap_or_else(|| "0".to_owned()),
            tool_calls: 0,
            server_calls: 0,
            last_code_id: None,
            searches: 0,
        }
    }

    /// `true` once a function call was seen.
    pub(crate) fn called_tool(&self) -> bool {
        self.tool_calls > 0
    }

    /// Emits the pending signature of the open text block, if any.
    fn flush(&mut self, sink: &mut dyn BlockSink) -> Result<(), ConvertError> {
        if let Open::Text(pending) = &mut self.open {
            if let Some(signature) = pending.take() {
                sink.signature_only(&signature)?;
                self.open = Open::None;
            }
        }
        Ok(())
    }

    /// A finished block, then its part's signature.
    fn whole_then_signature(
        &mut self,
        block: ContentBlock,
        signature: Option<&str>,
        sink: &mut dyn BlockSink,
    ) -> Result<(), ConvertError> {
        self.flush(sink)?;
        sink.whole(block)?;
        if let Some(s) = signature {
            sink.signature_only(s)?;
        }
        self.open = Open::None;
        Ok(())
    }

    /// Converts one part.
    pub(crate) fn part(&mut self, part: &Part, sink: &mut dyn BlockSink) -> Result<(), ConvertError> {
        // Every thought signature handed out carries Gemini's prefix (crate::signature).
        let minted = non_empty(&part.thought_signature).map(|s| signature::mint(SignatureOrigin::Gemini, s));
        let signature = minted.as_deref();
        if part.is_thought() {
            return self.thought(part.text.as_deref().unwrap_or(""), signature, sink);
        }
        if let Some(text) = &part.text {
            return self.text(text, signature, sink);
        }
        if let Some(call) = &part.function_call {
            self.flush(sink)?;
            let id = match non_empty(&call.id) {
                Some(id) => id.to_owned(),
                None => format!("{GENERATED_TOOL_PREFIX}{}_{}", self.id_stem, self.tool_calls),
            };
            self.tool_calls += 1;
            let empty = Value::Object(serde_json::Map::new());
            sink.tool_use(&id, &call.name, call.args.as_ref().unwrap_or(&empty))?;
            if let Some(s) = signature {
                sink.signature_only(s)?;
            }
            self.open = Open::None;
            return Ok(());
        }
        if let Some(code) = &part.executable_code {
            let id = match non_empty(&code.id) {
                Some(id) => id.to_owned(),
                None => format!(
                    "{GENERATED_SERVER_TOOL_PREFIX}{}_{}",
                    self.id_stem, self.server_calls
                ),
            };
            self.server_calls += 1;
            self.last_code_id = Some(id.clone());
            let mut input = serde_json::Map::new();
            input.insert("code".to_owned(), Value::String(code.code.clone()));
            if let Some(language) = &code.language {
                input.insert("language".to_owned(), Value::String(language.clone()));
            }
            let block = ContentBlock::ServerToolUse(ServerToolUseBlock {
                id,
                name: "code_execution".to_owned(),
                input: Value::Object(input),
                cache_control: None,
                extra: Extra::new(),
            });
            return self.whole_then_signature(block, signature, sink);
        }
        if let Some(result) = &part.code_execution_result {
            let tool_use_id = non_empty(&result.id)
                .map(str::to_owned)
                .or_else(|| self.last_code_id.clone())
                .unwrap_or_else(|| {
                    format!(
                        "{GENERATED_SERVER_TOOL_PREFIX}{}_{}",
                        self.id_stem, self.server_calls
                    )
                });
            let output = result.output.clone().unwrap_or_default();
            let content = match result.outcome.as_deref() {
                Some("OUTCOME_OK") | None => json!({
                    "type": "code_execution_result", "stdout": output, "stderr": "", "return_code": 0, "content": []
                }),
                Some("OUTCOME_DEADLINE_EXCEEDED") => json!({
                    "type": "code_execution_tool_result_error", "error_code": "execution_time_exceeded"
                }),
                Some(_) => json!({
                    "type": "code_execution_result", "stdout": "", "stderr": output, "return_code": 1, "content": []
                }),
            };
            let block = ContentBlock::CodeExecutionToolResult(ServerToolResultBlock {
                tool_use_id,
                content,
                cache_control: None,
                extra: Extra::new(),
            });
            return self.whole_then_signature(block, signature, sink);
        }
        if let Some(blob) = &part.inline_data {
            let source = Base64Source {
                media_type: blob.mime_type.clone(),
                data: blob.data.clone(),
                extra: Extra::new(),
            };
            let block = if blob.mime_type.starts_with("image/") {
                image_block(ImageSource::Base64(source))
            } else {
                document_block(DocumentSource::Base64(source))
            };
            return self.whole_then_signature(block, signature, sink);
        }
        if let Some(file) = &part.file_data {
            let source = UrlSource {
                url: file.file_uri.clone(),
                extra: Extra::new(),
            };
            let block = match file.mime_type.as_deref() {
                Some(m) if !m.starts_with("image/") => document_block(DocumentSource::Url(source)),
                _ => image_block(ImageSource::Url(source)),
            };
            return self.whole_then_signature(block, signature, sink);
        }
        // A part of a kind this crate does not know: keep its signature.
        if let Some(s) = signature {
            self.flush(sink)?;
            sink.signature_only(s)?;
            self.open = Open::None;
        }
        Ok(())
    }

    fn thought(
        &mut self,
        text: &str,
        signature: Option<&str>,
        sink: &mut dyn BlockSink,
    ) -> Result<(), ConvertError> {
        self.flush(sink)?;
        if matches!(self.open, Open::Thinking(true)) && signature.is_some() {
            // A second signature: this thought starts a thinking block of its own.
            sink.close()?;
            self.open = Open::None;
        }
        let was_signed = matches!(self.open, Open::Thinking(true));
        if !text.is_empty() {
            sink.thinking(text)?;
        } else if signature.is_none() {
            return Ok(());
        }
        if let Some(s) = signature {
            sink.signature(s)?;
        }
        self.open = Open::Thinking(was_signed || signature.is_some());
        Ok(())
    }

    fn text(
        &mut self,
        text: &str,
        signature: Option<&str>,
        sink: &mut dyn BlockSink,
    ) -> Result<(), ConvertError> {
        if matches!(self.open, Open::Text(Some(_))) && signature.is_some() {
            // Two signed parts in one text run: close the first with its signature.
            self.flush(sink)?;
        }
        if !text.is_empty() {
            sink.text(text)?;
            if !matches!(self.open, Open::Text(_)) {
                self.open = Open::Text(None);
            }
        }
        if let Some(s) = signature {
            match &mut self.open {
                Open::Text(pending) => *pending = Some(s.to_owned()),
                _ => {
                    sink.signature_only(s)?;
                    self.open = Open::None;
                }
            }
        }
        Ok(())
    }

    /// Ends the response: emits a pending signature, then the Google Search
    /// grounding (when there was some) as `server_tool_use` (`web_search`,
    /// one per query) and one `web_search_tool_result` listing the pages used.
    /// They come last because a stream delivers the grounding with its last chunk.
    pub(crate) fn finish(
        &mut self,
        grounding: Option<&GroundingMetadata>,
        sink: &mut dyn BlockSink,
    ) -> Result<(), ConvertError> {
        self.flush(sink)?;
        let Some(g) = grounding else { return Ok(()) };
        if g.web_search_queries.is_empty() && g.grounding_chunks.is_empty() {
            return Ok(());
        }
        let first_id = format!("{GENERATED_SERVER_TOOL_PREFIX}{}_search_0", self.id_stem);
        let queries: Vec<&str> = if g.web_search_queries.is_empty() {
            vec![""]
        } else {
            g.web_search_queries.iter().map(String::as_str).collect()
        };
        for (i, query) in queries.iter().enumerate() {
            sink.whole(ContentBlock::ServerToolUse(ServerToolUseBlock {
                id: format!("{GENERATED_SERVER_TOOL_PREFIX}{}_search_{i}", self.id_stem),
                name: "web_search".to_owned(),
                input: json!({ "query": query }),
                cache_control: None,
                extra: Extra::new(),
            }))?;
        }
        let results: Vec<Value> = g
            .grounding_chunks
            .iter()
            .filter_map(|c| c.web.as_ref())
            .map(|w| {
                json!({
                    "type": "web_search_result",
                    "url": w.uri.clone().unwrap_or_default(),
                    "title": w.title.clone().unwrap_or_default(),
                    "encrypted_content": "",
                    "page_age": null,
                })
            })
            .collect();
        sink.whole(ContentBlock::WebSearchToolResult(ServerToolResultBlock {
            tool_use_id: first_id,
            content: Value::Array(results),
            cache_control: None,
            extra: Extra::new(),
        }))?;
        self.searches = queries.len();
        Ok(())
    }

    /// How many web searches the grounding reported.
    pub(crate) fn searches(&self) -> usize {
        self.searches
    }
}

fn document_block(source: DocumentSource) -> ContentBlock {
    ContentBlock::Document(DocumentBlock {
        source,
        title: None,
        context: None,
        citations: None,
        cache_control: None,
        extra: Extra::new(),
    })
}

fn image_block(source: ImageSource) -> ContentBlock {
    ContentBlock::Image(ImageBlock {
        source,
        cache_control: None,
        extra: Extra::new(),
    })
}

/// Builds the block list of a whole response.
#[derive(Debug, Default)]
pub(crate) struct BlockBuilder {
    pub(crate) blocks: Vec<ContentBlock>,
    open: bool,
}

impl BlockSink for BlockBuilder {
    fn text(&mut self, text: &str) -> Result<(), ConvertError> {
        if let (true, Some(ContentBlock::Text(t))) = (self.open, self.blocks.last_mut()) {
            t.text.push_str(text);
        } else {
            self.blocks.push(ContentBlock::Text(TextBlock::new(text)));
            self.open = true;
        }
        Ok(())
    }

    fn thinking(&mut self, thinking: &str) -> Result<(), ConvertError> {
        if let (true, Some(ContentBlock::Thinking(t))) = (self.open, self.blocks.last_mut()) {
            t.thinking.push_str(thinking);
        } else {
            self.blocks.push(ContentBlock::Thinking(ThinkingBlock {
                thinking: thinking.to_owned(),
                signature: String::new(),
                extra: Extra::new(),
            }));
            self.open = true;
        }
        Ok(())
    }

    fn signature(&mut self, signature: &str) -> Result<(), ConvertError> {
        if let (true, Some(ContentBlock::Thinking(t))) = (self.open, self.blocks.last_mut()) {
            t.signature = signature.to_owned();
        } else {
            self.blocks.push(signature_block(signature));
            self.open = true;
        }
        Ok(())
    }

    fn tool_use(&mut self, id: &str, name: &str, input: &Value) -> Result<(), ConvertError> {
        self.blocks.push(ContentBlock::ToolUse(ToolUseBlock {
            id: id.to_owned(),
            name: name.to_owned(),
            input: input.clone(),
            cache_control: None,
            extra: Extra::new(),
        }));
        self.open = false;
        Ok(())
    }

    fn whole(&mut self, block: ContentBlock) -> Result<(), ConvertError> {
        self.blocks.push(block);
        self.open = false;
        Ok(())
    }

    fn close(&mut self) -> Result<(), ConvertError> {
        self.open = false;
        Ok(())
    }
}
