//! Accessors on messages and blocks: text of a message, blocks by kind, and
//! turning a response into the next request's assistant turn.
//!
//! ```
//! use messages_types::{ContentBlock, Message, MessageParam, Role};
//! let json = r#"{"id":"msg_1","type":"message","role":"assistant","model":"m",
//!   "content":[{"type":"text","text":"Let me check. "},
//!              {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],
//!   "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":9}}"#;
//! let msg: Message = serde_json::from_str(json).unwrap();
//! assert_eq!(msg.text(), "Let me check. ");
//! let call = msg.tool_uses().next().unwrap();
//! assert_eq!((call.id.as_str(), call.name.as_str()), ("toolu_1", "get_weather"));
//!
//! // The next request: the assistant turn, then the tool results.
//! let assistant: MessageParam = msg.to_param();
//! assert_eq!(assistant.role, Role::Assistant);
//! let results = MessageParam::tool_results([("toolu_1", "18°C, sunny")]);
//! assert!(matches!(&results.content.to_blocks()[0], ContentBlock::ToolResult(r) if r.tool_use_id == "toolu_1"));
//! ```

use crate::common::{CacheControl, Extra, Role};
use crate::content::{
    Base64Source, ContentBlock, DocumentBlock, DocumentSource, ImageBlock, ImageSource, MessageContent,
    PlainTextSource, RedactedThinkingBlock, ServerToolUseBlock, TextBlock, ThinkingBlock, ToolResultBlock,
    ToolUseBlock, UrlSource,
};
use crate::request::MessageParam;
use crate::response::Message;

impl ContentBlock {
    /// The text block, if this is one.
    pub fn as_text(&self) -> Option<&TextBlock> {
        match self {
            Self::Text(b) => Some(b),
            _ => None,
        }
    }

    /// The tool-use block, if this is one.
    pub fn as_tool_use(&self) -> Option<&ToolUseBlock> {
        match self {
            Self::ToolUse(b) => Some(b),
            _ => None,
        }
    }

    /// The tool-result block, if this is one.
    pub fn as_tool_result(&self) -> Option<&ToolResultBlock> {
        match self {
            Self::ToolResult(b) => Some(b),
            _ => None,
        }
    }

    /// The thinking block, if this is one.
    pub fn as_thinking(&self) -> Option<&ThinkingBlock> {
        match self {
            Self::Thinking(b) => Some(b),
            _ => None,
        }
    }

    /// The redacted-thinking block, if this is one.
    pub fn as_redacted_thinking(&self) -> Option<&RedactedThinkingBlock> {
        match self {
            Self::RedactedThinking(b) => Some(b),
            _ => None,
        }
    }

    /// The server-tool-use block, if this is one.
    pub fn as_server_tool_use(&self) -> Option<&ServerToolUseBlock> {
        match self {
            Self::ServerToolUse(b) => Some(b),
            _ => None,
        }
    }

    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(TextBlock::new(text))
    }

    /// An image from base64 data (`media_type` e.g. `image/png`).
    pub fn image_base64(media_type: impl Into<String>, data: impl Into<String>) -> Self {
        Self::image(ImageSource::Base64(Base64Source {
            media_type: media_type.into(),
            data: data.into(),
            extra: Extra::new(),
        }))
    }

    /// An image the API fetches from a URL.
    pub fn image_url(url: impl Into<String>) -> Self {
        Self::image(ImageSource::Url(UrlSource {
            url: url.into(),
            extra: Extra::new(),
        }))
    }

    fn image(source: ImageSource) -> Self {
        Self::Image(ImageBlock {
            source,
            cache_control: None,
            extra: Extra::new(),
        })
    }

    /// A PDF document from base64 data.
    pub fn pdf_base64(data: impl Into<String>) -> Self {
        Self::document(DocumentSource::Base64(Base64Source {
            media_type: "application/pdf".to_owned(),
            data: data.into(),
            extra: Extra::new(),
        }))
    }

    /// A plain-text document.
    pub fn text_document(text: impl Into<String>) -> Self {
        Self::document(DocumentSource::Text(PlainTextSource {
            media_type: "text/plain".to_owned(),
            data: text.into(),
            extra: Extra::new(),
        }))
    }

    fn document(source: DocumentSource) -> Self {
        Self::Document(DocumentBlock {
            source,
            title: None,
            context: None,
            citations: None,
            cache_control: None,
            extra: Extra::new(),
        })
    }

    /// The block's `cache_control`, for the kinds that carry one.
    pub fn cache_control(&self) -> Option<&CacheControl> {
        match self {
            Self::Text(b) => b.cache_control.as_ref(),
            Self::Image(b) => b.cache_control.as_ref(),
            Self::Document(b) => b.cache_control.as_ref(),
            Self::SearchResult(b) => b.cache_control.as_ref(),
            Self::ToolUse(b) => b.cache_control.as_ref(),
            Self::ToolResult(b) => b.cache_control.as_ref(),
            Self::ServerToolUse(b) => b.cache_control.as_ref(),
            Self::WebSearchToolResult(b)
            | Self::WebFetchToolResult(b)
            | Self::CodeExecutionToolResult(b)
            | Self::BashCodeExecutionToolResult(b)
            | Self::TextEditorCodeExecutionToolResult(b)
            | Self::ToolSearchToolResult(b) => b.cache_control.as_ref(),
            Self::ContainerUpload(b) => b.cache_control.as_ref(),
            Self::Thinking(_) | Self::RedactedThinking(_) | Self::Unknown(_) => None,
        }
    }

    /// Sets a prompt-cache breakpoint on this block. Returns `false` (and
    /// changes nothing) for kinds that cannot carry one (`thinking`,
    /// `redacted_thinking`, unknown blocks).
    pub fn set_cache_control(&mut self, cc: CacheControl) -> bool {
        let slot = match self {
            Self::Text(b) => &mut b.cache_control,
            Self::Image(b) => &mut b.cache_control,
            Self::Document(b) => &mut b.cache_control,
            Self::SearchResult(b) => &mut b.cache_control,
            Self::ToolUse(b) => &mut b.cache_control,
            Self::ToolResult(b) => &mut b.cache_control,
            Self::ServerToolUse(b) => &mut b.cache_control,
            Self::WebSearchToolResult(b)
            | Self::WebFetchToolResult(b)
            | Self::CodeExecutionToolResult(b)
            | Self::BashCodeExecutionToolResult(b)
            | Self::TextEditorCodeExecutionToolResult(b)
            | Self::ToolSearchToolResult(b) => &mut b.cache_control,
            Self::ContainerUpload(b) => &mut b.cache_control,
            Self::Thinking(_) | Self::RedactedThinking(_) | Self::Unknown(_) => return false,
        };
        *slot = Some(cc);
        true
    }

    /// This block with a prompt-cache breakpoint (unchanged for kinds that
    /// cannot carry one, see [`ContentBlock::set_cache_control`]).
    pub fn cached(mut self, cc: CacheControl) -> Self {
        self.set_cache_control(cc);
        self
    }
}

impl From<TextBlock> for ContentBlock {
    fn from(b: TextBlock) -> Self {
        Self::Text(b)
    }
}

impl From<ToolUseBlock> for ContentBlock {
    fn from(b: ToolUseBlock) -> Self {
        Self::ToolUse(b)
    }
}

impl From<ToolResultBlock> for ContentBlock {
    fn from(b: ToolResultBlock) -> Self {
        Self::ToolResult(b)
    }
}

impl ToolResultBlock {
    /// A successful result with text content.
    pub fn new(tool_use_id: impl Into<String>, content: impl Into<MessageContent>) -> Self {
        Self {
            tool_use_id: tool_use_id.into(),
            content: Some(content.into()),
            is_error: None,
            cache_control: None,
            extra: Extra::new(),
        }
    }

    /// A failed result (`is_error: true`) with an error message.
    pub fn error(tool_use_id: impl Into<String>, message: impl Into<MessageContent>) -> Self {
        Self {
            is_error: Some(true),
            ..Self::new(tool_use_id, message)
        }
    }
}

impl ToolUseBlock {
    /// A tool call with an id, a name and a JSON input.
    pub fn new(id: impl Into<String>, name: impl Into<String>, input: serde_json::Value) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            input,
            cache_control: None,
            extra: Extra::new(),
        }
    }
}

impl Message {
    /// The text of every text block, concatenated.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|b| b.as_text().map(|t| t.text.as_str()))
            .collect()
    }

    /// The client tool calls, in order.
    pub fn tool_uses(&self) -> impl Iterator<Item = &ToolUseBlock> {
        self.content.iter().filter_map(ContentBlock::as_tool_use)
    }

    /// The thinking blocks, in order.
    pub fn thinking(&self) -> impl Iterator<Item = &ThinkingBlock> {
        self.content.iter().filter_map(ContentBlock::as_thinking)
    }

    /// The blocks whose wire `type` is `kind` (e.g. `"web_search_tool_result"`).
    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a ContentBlock> + 'a {
        self.content.iter().filter(move |b| b.type_name() == kind)
    }

    /// `true` when the model stopped to call a client tool.
    pub fn wants_tool_results(&self) -> bool {
        self.stop_reason == Some(crate::response::StopReason::ToolUse)
    }

    /// This response as the assistant turn of the next request: the same
    /// blocks (thinking signatures, tool calls and citations included).
    pub fn to_param(&self) -> MessageParam {
        MessageParam {
            role: Role::Assistant,
            content: MessageContent::Blocks(self.content.clone()),
            extra: Extra::new(),
        }
    }

    /// Like [`Message::to_param`], by value (no copy of the blocks).
    pub fn into_param(self) -> MessageParam {
        MessageParam {
            role: Role::Assistant,
            content: MessageContent::Blocks(self.content),
            extra: Extra::new(),
        }
    }
}

impl From<Message> for MessageParam {
    fn from(m: Message) -> Self {
        m.into_param()
    }
}

impl MessageParam {
    /// A user turn made of `tool_result` blocks, one per `(tool_use_id, content)`.
    pub fn tool_results<I, S, C>(results: I) -> Self
    where
        I: IntoIterator<Item = (S, C)>,
        S: Into<String>,
        C: Into<MessageContent>,
    {
        Self::tool_result_blocks(
            results
                .into_iter()
                .map(|(id, content)| ToolResultBlock::new(id, content)),
        )
    }

    /// A user turn made of the given `tool_result` blocks (use this for
    /// `is_error` results or results with image/document content).
    pub fn tool_result_blocks(blocks: impl IntoIterator<Item = ToolResultBlock>) -> Self {
        Self {
            role: Role::User,
            content: MessageContent::Blocks(blocks.into_iter().map(ContentBlock::ToolResult).collect()),
            extra: Extra::new(),
        }
    }

    /// The content as blocks (a string becomes one text block).
    pub fn blocks(&self) -> Vec<ContentBlock> {
        self.content.to_blocks()
    }

    /// The text of every text block, concatenated.
    pub fn text(&self) -> String {
        self.content.text()
    }
}
