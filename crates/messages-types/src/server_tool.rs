//! Typed views of server-tool results and constructors for Anthropic-defined tools.
//!
//! A `*_tool_result` block keeps its `content` as JSON (the shape depends on
//! the tool and changes with tool versions), so the block round-trips exactly
//! whatever the API sends. These views read it when you need the fields.
//!
//! ```
//! use messages_types::{ContentBlock, Message};
//! let json = r#"{"id":"msg_1","type":"message","role":"assistant","model":"m","stop_reason":"end_turn",
//!   "stop_sequence":null,"usage":{},"content":[
//!   {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[
//!     {"type":"web_search_result","url":"https://a.example","title":"A","encrypted_content":"x","page_age":null}]},
//!   {"type":"web_fetch_tool_result","tool_use_id":"srvtoolu_2","content":
//!     {"type":"web_fetch_tool_error","error_code":"url_not_accessible"}}]}"#;
//! let msg: Message = serde_json::from_str(json).unwrap();
//! let ContentBlock::WebSearchToolResult(search) = &msg.content[0] else { unreachable!() };
//! let results = search.web_search_results().unwrap();
//! assert_eq!(results[0].url, "https://a.example");
//! assert!(results[0].page_age.is_null());
//! let ContentBlock::WebFetchToolResult(fetch) = &msg.content[1] else { unreachable!() };
//! assert_eq!(fetch.error_code(), Some("url_not_accessible"));
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::Extra;
use crate::content::ServerToolResultBlock;
use crate::nullable::Nullable;
use crate::tool::BuiltinTool;

/// One `web_search_result` inside a `web_search_tool_result`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebSearchResult {
    /// Always `web_search_result`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Page URL.
    pub url: String,
    /// Page title.
    pub title: String,
    /// Opaque content, sent back unchanged in later turns.
    pub encrypted_content: String,
    /// How old the page is, when known (sometimes an explicit `null`).
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub page_age: Nullable<String>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ServerToolResultBlock {
    /// The `type` of the content object (`web_fetch_result`,
    /// `code_execution_tool_result_error`, …); `None` for list content.
    pub fn content_type(&self) -> Option<&str> {
        self.content.get("type").and_then(Value::as_str)
    }

    /// The `error_code` when the content is a tool error
    /// (`{"type": "…_error", "error_code": "…"}`).
    pub fn error_code(&self) -> Option<&str> {
        if self.content_type()?.ends_with("_error") {
            self.content.get("error_code").and_then(Value::as_str)
        } else {
            None
        }
    }

    /// The results of a web search (`content` as a list of `web_search_result`).
    pub fn web_search_results(&self) -> Result<Vec<WebSearchResult>, serde_json::Error> {
        Vec::<WebSearchResult>::deserialize(&self.content)
    }

    /// `stdout`, `stderr` and `return_code` of a code-execution or bash result.
    pub fn execution_output(&self) -> Option<(&str, &str, i64)> {
        let c = &self.content;
        Some((
            c.get("stdout")?.as_str()?,
            c.get("stderr")?.as_str()?,
            c.get("return_code")?.as_i64()?,
        ))
    }
}

impl BuiltinTool {
    /// An Anthropic-defined tool of a versioned `kind` with its `name`.
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            name: name.into(),
            cache_control: None,
            extra: Extra::new(),
        }
    }

    /// The web search server tool (`web_search_20250305`).
    pub fn web_search() -> Self {
        Self::new("web_search_20250305", "web_search")
    }

    /// The web fetch server tool (`web_fetch_20250910`).
    pub fn web_fetch() -> Self {
        Self::new("web_fetch_20250910", "web_fetch")
    }

    /// The code execution server tool (`code_execution_20250825`).
    pub fn code_execution() -> Self {
        Self::new("code_execution_20250825", "code_execution")
    }

    /// The client-run bash tool (`bash_20250124`).
    pub fn bash() -> Self {
        Self::new("bash_20250124", "bash")
    }

    /// The client-run text editor tool (`text_editor_20250728`).
    pub fn text_editor() -> Self {
        Self::new("text_editor_20250728", "str_replace_based_edit_tool")
    }

    /// The client-run memory tool (`memory_20250818`).
    pub fn memory() -> Self {
        Self::new("memory_20250818", "memory")
    }

    /// Sets one of the tool's options (`max_uses`, `allowed_domains`, `user_location`, …).
    pub fn with(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }
}
