//! Building requests without spelling out every field.
//!
//! ```
//! use messages_types::{CustomTool, Effort, MessageCreateParams, ThinkingConfig, ToolChoice};
//! use serde_json::json;
//!
//! let params = MessageCreateParams::builder("claude-sonnet-4-5", 1024)
//!     .system("You are terse.")
//!     .user("What's the weather in Paris?")
//!     .assistant("Let me check.")
//!     .user("Go on.")
//!     .tool(CustomTool::new("get_weather", "Weather for a city", json!({
//!         "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]
//!     })))
//!     .tool_choice(ToolChoice::auto().with_disable_parallel_tool_use(true))
//!     .thinking(ThinkingConfig::enabled(2048))
//!     .effort(Effort::High)
//!     .temperature(0.5)
//!     .build();
//!
//! assert_eq!(params.messages.len(), 3);
//! let body = serde_json::to_value(&params).unwrap();
//! assert_eq!(body["system"], "You are terse.");
//! assert_eq!(body["tool_choice"], json!({"type": "auto", "disable_parallel_tool_use": true}));
//! assert_eq!(body["thinking"], json!({"type": "enabled", "budget_tokens": 2048}));
//! ```

use serde_json::Value;

use crate::common::{CacheControl, Extra};
use crate::content::MessageContent;
use crate::request::{
    Effort, JsonSchemaFormat, MessageCreateParams, MessageParam, Metadata, OutputConfig, OutputFormat,
    ServiceTierRequest, SystemPrompt, ThinkingAdaptive, ThinkingConfig, ThinkingDisabled, ThinkingDisplay,
    ThinkingEnabled,
};
use crate::tool::{Tool, ToolChoice, ToolChoiceAny, ToolChoiceAuto, ToolChoiceNone, ToolChoiceTool};

impl MessageCreateParams {
    /// A request with just the required fields.
    pub fn new(model: impl Into<String>, max_tokens: u32, messages: Vec<MessageParam>) -> Self {
        Self {
            model: model.into(),
            max_tokens,
            messages,
            system: None,
            stop_sequences: None,
            temperature: None,
            top_p: None,
            top_k: None,
            stream: None,
            metadata: None,
            tools: None,
            tool_choice: None,
            thinking: None,
            output_config: None,
            cache_control: None,
            service_tier: None,
            container: None,
            inference_geo: None,
            mcp_servers: None,
            context_management: None,
            output_format: None,
            extra: Extra::new(),
        }
    }

    /// Starts a [`MessageCreateParamsBuilder`].
    pub fn builder(model: impl Into<String>, max_tokens: u32) -> MessageCreateParamsBuilder {
        MessageCreateParamsBuilder {
            params: Self::new(model, max_tokens, Vec::new()),
        }
    }
}

/// Builds a [`MessageCreateParams`] step by step. See the [module docs](self).
#[derive(Debug, Clone)]
#[must_use = "call .build() to get the request"]
pub struct MessageCreateParamsBuilder {
    params: MessageCreateParams,
}

impl MessageCreateParamsBuilder {
    /// The system prompt (a string, or [`SystemPrompt::Blocks`] for cache control per block).
    pub fn system(mut self, system: impl Into<SystemPrompt>) -> Self {
        self.params.system = Some(system.into());
        self
    }

    /// Appends a user turn (a string or blocks).
    pub fn user(self, content: impl Into<MessageContent>) -> Self {
        self.message(MessageParam::user(content))
    }

    /// Appends an assistant turn (a string or blocks; also a prefill).
    pub fn assistant(self, content: impl Into<MessageContent>) -> Self {
        self.message(MessageParam::assistant(content))
    }

    /// Appends any turn, e.g. [`crate::Message::to_param`] or
    /// [`MessageParam::tool_results`].
    pub fn message(mut self, message: impl Into<MessageParam>) -> Self {
        self.params.messages.push(message.into());
        self
    }

    /// Appends turns.
    pub fn messages(mut self, messages: impl IntoIterator<Item = MessageParam>) -> Self {
        self.params.messages.extend(messages);
        self
    }

    /// Adds a tool (custom, server or Anthropic-defined).
    pub fn tool(mut self, tool: impl Into<Tool>) -> Self {
        self.params.tools.get_or_insert_with(Vec::new).push(tool.into());
        self
    }

    /// How the model should use the tools.
    pub fn tool_choice(mut self, choice: ToolChoice) -> Self {
        self.params.tool_choice = Some(choice);
        self
    }

    /// Sampling temperature.
    pub fn temperature(mut self, t: f64) -> Self {
        self.params.temperature = Some(t);
        self
    }

    /// Nucleus sampling.
    pub fn top_p(mut self, p: f64) -> Self {
        self.params.top_p = Some(p);
        self
    }

    /// Top-k sampling.
    pub fn top_k(mut self, k: u32) -> Self {
        self.params.top_k = Some(k);
        self
    }

    /// Adds a custom stop sequence.
    pub fn stop_sequence(mut self, s: impl Into<String>) -> Self {
        self.params
            .stop_sequences
            .get_or_insert_with(Vec::new)
            .push(s.into());
        self
    }

    /// Asks for a server-sent-event stream.
    pub fn stream(mut self, on: bool) -> Self {
        self.params.stream = Some(on);
        self
    }

    /// `metadata.user_id`.
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.params.metadata.get_or_insert_with(Metadata::default).user_id = Some(id.into());
        self
    }

    /// Extended thinking.
    pub fn thinking(mut self, thinking: ThinkingConfig) -> Self {
        self.params.thinking = Some(thinking);
        self
    }

    /// `output_config.effort`.
    pub fn effort(mut self, effort: Effort) -> Self {
        self.params
            .output_config
            .get_or_insert_with(OutputConfig::default)
            .effort = Some(effort);
        self
    }

    /// `output_config.format = {type: json_schema, schema}` (structured output).
    pub fn json_schema(mut self, schema: Value) -> Self {
        self.params
            .output_config
            .get_or_insert_with(OutputConfig::default)
            .format = Some(OutputFormat::JsonSchema(JsonSchemaFormat {
            schema,
            extra: Extra::new(),
        }));
        self
    }

    /// Top-level (automatic) prompt-cache breakpoint.
    pub fn cache_control(mut self, cc: CacheControl) -> Self {
        self.params.cache_control = Some(cc);
        self
    }

    /// Requested service tier.
    pub fn service_tier(mut self, tier: ServiceTierRequest) -> Self {
        self.params.service_tier = Some(tier);
        self
    }

    /// Any other top-level field, sent as given (a field of a newer API version).
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.params.extra.insert(key.into(), value);
        self
    }

    /// The request.
    pub fn build(self) -> MessageCreateParams {
        self.params
    }
}

impl ToolChoice {
    /// `{"type": "auto"}`.
    pub fn auto() -> Self {
        Self::Auto(ToolChoiceAuto::default())
    }

    /// `{"type": "any"}`: some tool must be used.
    pub fn any() -> Self {
        Self::Any(ToolChoiceAny::default())
    }

    /// `{"type": "tool", "name": …}`: this tool must be used.
    pub fn tool(name: impl Into<String>) -> Self {
        Self::Tool(ToolChoiceTool {
            name: name.into(),
            disable_parallel_tool_use: None,
            extra: Extra::new(),
        })
    }

    /// `{"type": "none"}`: no tool may be used.
    pub fn none() -> Self {
        Self::None(ToolChoiceNone::default())
    }

    /// Sets `disable_parallel_tool_use` (ignored by `none` and unknown kinds,
    /// which do not carry it).
    pub fn with_disable_parallel_tool_use(mut self, disable: bool) -> Self {
        match &mut self {
            Self::Auto(c) => c.disable_parallel_tool_use = Some(disable),
            Self::Any(c) => c.disable_parallel_tool_use = Some(disable),
            Self::Tool(c) => c.disable_parallel_tool_use = Some(disable),
            Self::None(_) | Self::Unknown(_) => {}
        }
        self
    }
}

impl ThinkingConfig {
    /// `{"type": "enabled", "budget_tokens": budget}`.
    pub fn enabled(budget_tokens: u32) -> Self {
        Self::Enabled(ThinkingEnabled {
            budget_tokens,
            display: None,
            extra: Extra::new(),
        })
    }

    /// `{"type": "adaptive"}`.
    pub fn adaptive() -> Self {
        Self::Adaptive(ThinkingAdaptive::default())
    }

    /// `{"type": "disabled"}`.
    pub fn disabled() -> Self {
        Self::Disabled(ThinkingDisabled::default())
    }

    /// Sets `display` on `enabled` and `adaptive` (others do not carry it).
    pub fn display(mut self, display: ThinkingDisplay) -> Self {
        match &mut self {
            Self::Enabled(t) => t.display = Some(display),
            Self::Adaptive(t) => t.display = Some(display),
            Self::Disabled(_) | Self::Unknown(_) => {}
        }
        self
    }

    /// The token budget of `enabled` thinking.
    pub fn budget_tokens(&self) -> Option<u32> {
        match self {
            Self::Enabled(t) => Some(t.budget_tokens),
            _ => None,
        }
    }
}

impl From<Vec<crate::content::ContentBlock>> for SystemPrompt {
    fn from(blocks: Vec<crate::content::ContentBlock>) -> Self {
        Self::Blocks(blocks)
    }
}

impl From<crate::tool::BuiltinTool> for Tool {
    fn from(t: crate::tool::BuiltinTool) -> Self {
        Self::Builtin(t)
    }
}
