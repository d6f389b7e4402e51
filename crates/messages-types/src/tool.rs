//! Tools and tool choice.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::{CacheControl, Extra};
use crate::macros::tagged_union;

/// A tool the model may use: a custom (client) tool, a server tool or an
/// Anthropic-defined client-run tool.
///
/// Custom tools may omit `type` on the wire; any tool whose `type` is absent
/// or `custom` is [`Tool::Custom`]. Every other `type` (`web_search_20250305`,
/// `bash_20250124`, …) is [`Tool::Builtin`], kept with all its fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Tool {
    /// A tool the caller defines and runs.
    Custom(CustomTool),
    /// A versioned Anthropic-defined tool (server tool or client-run tool).
    Builtin(BuiltinTool),
}

/// A custom tool: `{name, description?, input_schema, cache_control?, strict?, type?: "custom"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomTool {
    /// `Some("custom")` when the wire had an explicit type; `None` when it was omitted.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Tool name (`^[a-zA-Z0-9_-]{1,128}$`).
    pub name: String,
    /// What the tool does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON schema of the tool's input.
    pub input_schema: Value,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Strict schema adherence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CustomTool {
    /// A custom tool with a name, description and input schema.
    pub fn new(name: impl Into<String>, description: impl Into<String>, input_schema: Value) -> Self {
        Self {
            kind: None,
            name: name.into(),
            description: Some(description.into()),
            input_schema,
            cache_control: None,
            strict: None,
            extra: Extra::new(),
        }
    }
}

/// An Anthropic-defined tool such as `{type: "web_search_20250305", name: "web_search", max_uses: 5}`.
///
/// ```
/// use messages_types::Tool;
/// let json = r#"{"type":"mcp_toolset","mcp_server_name":"example"}"#;
/// let tool: Tool = serde_json::from_str(json).unwrap();
/// assert!(matches!(&tool, Tool::Builtin(b) if b.kind == "mcp_toolset" && b.name.is_empty()));
/// assert_eq!(serde_json::to_string(&tool).unwrap(), json);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuiltinTool {
    /// The versioned tool type, e.g. `web_search_20250305`, `bash_20250124`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The tool name, e.g. `web_search`, `bash`, `str_replace_based_edit_tool`;
    /// empty for a tool without one (e.g. `mcp_toolset`, which names its
    /// server in `mcp_server_name`), and then not serialized.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Prompt-cache breakpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// The tool's other settings (`max_uses`, `allowed_domains`, `user_location`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl BuiltinTool {
    /// `true` for tools the API runs itself (web search, web fetch, code execution, tool search).
    pub fn is_server_tool(&self) -> bool {
        [
            "web_search_",
            "web_fetch_",
            "code_execution_",
            "tool_search_tool_",
        ]
        .iter()
        .any(|p| self.kind.starts_with(p))
    }
}

impl Tool {
    /// The tool's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Custom(t) => &t.name,
            Self::Builtin(t) => &t.name,
        }
    }
}

impl From<CustomTool> for Tool {
    fn from(t: CustomTool) -> Self {
        Self::Custom(t)
    }
}

impl Serialize for Tool {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Custom(t) => t.serialize(s),
            Self::Builtin(t) => t.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Tool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = Value::deserialize(d)?;
        let custom = match value.get("type") {
            None => true,
            Some(Value::String(t)) => t == "custom",
            Some(_) => return Err(D::Error::custom("Tool: `type` is not a string")),
        };
        if custom {
            CustomTool::deserialize(value)
                .map(Tool::Custom)
                .map_err(|e| D::Error::custom(format_args!("custom tool: {e}")))
        } else {
            BuiltinTool::deserialize(value)
                .map(Tool::Builtin)
                .map_err(|e| D::Error::custom(format_args!("tool: {e}")))
        }
    }
}

tagged_union! {
    /// How the model should use the tools.
    pub enum ToolChoice {
        /// The model decides.
        Auto(ToolChoiceAuto) = "auto",
        /// The model must use some tool.
        Any(ToolChoiceAny) = "any",
        /// The model must use the named tool.
        Tool(ToolChoiceTool) = "tool",
        /// The model must not use tools.
        None(ToolChoiceNone) = "none",
    }
}

/// `{"type": "auto", "disable_parallel_tool_use"?}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToolChoiceAuto {
    /// At most one tool call per turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_parallel_tool_use: Option<bool>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"type": "any", "disable_parallel_tool_use"?}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToolChoiceAny {
    /// At most one tool call per turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_parallel_tool_use: Option<bool>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"type": "tool", "name", "disable_parallel_tool_use"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolChoiceTool {
    /// The tool to use.
    pub name: String,
    /// At most one tool call per turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_parallel_tool_use: Option<bool>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"type": "none"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToolChoiceNone {
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ToolChoice {
    /// `disable_parallel_tool_use` for the kinds that carry it.
    pub fn disable_parallel_tool_use(&self) -> Option<bool> {
        match self {
            Self::Auto(c) => c.disable_parallel_tool_use,
            Self::Any(c) => c.disable_parallel_tool_use,
            Self::Tool(c) => c.disable_parallel_tool_use,
            Self::None(_) | Self::Unknown(_) => None,
        }
    }
}
