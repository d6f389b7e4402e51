//! Per-provider quirks of the OpenAI-compatible family, as plain data.
//!
//! Every OpenAI-compatible server speaks Chat Completions with small
//! differences: which field carries the token limit, whether
//! `stream_options` is accepted, how reasoning is requested and sent back,
//! which `tool_choice` values work, … A [`Dialect`] lists them so the
//! conversion stays one code path, and adding a provider is one table row
//! (see the `anyllm-openai` crate).

use crate::capabilities::{Capabilities, Support};
use crate::signature::SignatureOrigin;

/// Which request field carries the output-token limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxTokensField {
    /// `max_tokens` (most servers).
    MaxTokens,
    /// `max_completion_tokens` (OpenAI, Azure OpenAI: reasoning models reject `max_tokens`).
    MaxCompletionTokens,
}

/// How a provider lets the caller ask for reasoning (Anthropic `thinking`,
/// `output_config.effort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasoningControl {
    /// `reasoning_effort: none|minimal|low|medium|high|xhigh`, from the
    /// thinking budget: ≤1024 minimal, ≤2048 low, ≤8192 medium, ≤24576 high,
    /// else xhigh; `disabled` → `none`; `adaptive` → the `output_config.effort`
    /// if given, else omitted (the model decides).
    Effort,
    /// DeepSeek's `thinking: {type: enabled|disabled}` (budgets are not
    /// expressible; `enabled`/`adaptive` → enabled). `output_config.effort`
    /// is sent as `reasoning_effort`.
    DeepSeekThinking,
    /// OpenRouter's `reasoning: {max_tokens: budget}` (lossless for budgets),
    /// `{effort}` for `output_config.effort`, `{enabled: false}` when disabled.
    OpenRouter,
    /// Qwen-style `enable_thinking: bool` with `thinking_budget: budget`
    /// (DashScope, Qwen on vLLM/SGLang); lossless for budgets.
    EnableThinking,
    /// No way to control reasoning: an enabled `thinking` or an `effort` is
    /// `Unsupported`; `thinking: disabled` is accepted (nothing to send).
    Unsupported,
}

/// Where assistant `thinking` blocks of earlier turns are sent back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasoningEcho {
    /// As the assistant message's `reasoning_content` (DeepSeek, llama.cpp, vLLM…).
    ReasoningContent,
    /// As the assistant message's `reasoning` (OpenRouter).
    Reasoning,
}

/// The quirks of one OpenAI-compatible provider.
///
/// ```
/// use messages_convert::openai_chat::{Dialect, MaxTokensField};
/// const GROQ: Dialect = Dialect { provider: "groq", top_k: false, ..Dialect::GENERIC };
/// assert_eq!(GROQ.max_tokens_field, MaxTokensField::MaxTokens);
/// assert_eq!(Dialect::OPENAI.max_tokens_field, MaxTokensField::MaxCompletionTokens);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// Provider name, used in `Unsupported` errors.
    pub provider: &'static str,
    /// Field for `max_tokens`.
    pub max_tokens_field: MaxTokensField,
    /// Accepts `stream_options: {include_usage: true}` (else usage is read
    /// from whatever chunk carries it).
    pub stream_usage: bool,
    /// How reasoning is requested.
    pub reasoning_control: ReasoningControl,
    /// Where earlier assistant `thinking` is sent back; `None` drops it
    /// (documented loss: the target has no field for it).
    pub reasoning_echo: Option<ReasoningEcho>,
    /// The model inlines its reasoning as `<think>…</think>` in the text;
    /// the response and stream conversions extract it into thinking blocks.
    pub think_tags: bool,
    /// The `tool_choice` value for Anthropic `any` (`required`, Mistral: `any`);
    /// `None` makes `any` `Unsupported`.
    pub tool_choice_required: Option<&'static str>,
    /// Accepts `tool_choice: {type: function, function: {name}}`.
    pub tool_choice_function: bool,
    /// Accepts `parallel_tool_calls` (for `disable_parallel_tool_use`).
    pub parallel_tool_calls: bool,
    /// Accepts `top_k` as an extension (vLLM, llama.cpp, Together, Fireworks, OpenRouter…).
    pub top_k: bool,
    /// The field for `metadata.user_id` (`user` or `safety_identifier`);
    /// `None` makes it `Unsupported`.
    pub user_field: Option<&'static str>,
    /// Accepts `response_format: {type: json_schema}` (for `output_config.format`).
    pub json_schema: bool,
    /// Accepts Anthropic-style `cache_control` on text parts (OpenRouter
    /// forwards it to Anthropic and Gemini models); otherwise block
    /// `cache_control` is dropped: the provider caches automatically.
    pub cache_control: bool,
    /// A trailing assistant message (Anthropic prefill) needs `prefix: true`
    /// (Mistral).
    pub assistant_prefix: bool,
    /// Accepts `service_tier` (Anthropic `standard_only` → `default`).
    pub service_tier: bool,
    /// Accepts function tools; `false` makes `tools` `Unsupported`.
    pub tools: bool,
    /// Accepts `image_url` parts; `false` makes image blocks `Unsupported`
    /// (DeepSeek answers 400 to them).
    pub images: bool,
    /// Accepts `file` parts (PDF documents); `false` makes PDF documents
    /// `Unsupported`.
    pub files: bool,
    /// The family the reasoning signatures of this server belong to: the
    /// prefix minted on them in replies, and the only signatures sent back
    /// (the rule in [`crate::signature`]). `OpenRouter` for OpenRouter,
    /// `OpenAiChat` for every other server.
    pub signature_origin: SignatureOrigin,
}

impl Dialect {
    /// The top-level Anthropic features this provider can carry, derived
    /// from the dialect's flags (`top_k`, `user_field`, `service_tier`) —
    /// the data [`crate::check_capabilities`] decides `Unsupported` from.
    /// `max_tokens: 0` is sent as is; Anthropic's platform features
    /// (`container`, `mcp_servers`, `context_management`) and
    /// `inference_geo` have no Chat Completions counterpart.
    ///
    /// ```
    /// use messages_convert::capabilities::Support;
    /// use messages_convert::openai_chat::Dialect;
    /// assert_eq!(Dialect::OPENAI.capabilities().top_k, Support::Unsupported);
    /// assert_eq!(Dialect::OPENAI.capabilities().service_tier, Support::Native);
    /// ```
    pub const fn capabilities(&self) -> Capabilities {
        Capabilities::NONE
            .zero_max_tokens(Support::Native)
            .top_k(on(self.top_k))
            .metadata_user_id(on(self.user_field.is_some()))
            .service_tier(on(self.service_tier))
    }

    /// A generic OpenAI-compatible server: `max_tokens`, `stream_options`,
    /// `reasoning_effort`, `reasoning_content` echo, `required`, named tool
    /// choice, `parallel_tool_calls`, `user`, `json_schema`; no `top_k`.
    pub const GENERIC: Dialect = Dialect {
        provider: "openai-compatible",
        max_tokens_field: MaxTokensField::MaxTokens,
        stream_usage: true,
        reasoning_control: ReasoningControl::Effort,
        reasoning_echo: Some(ReasoningEcho::ReasoningContent),
        think_tags: false,
        tool_choice_required: Some("required"),
        tool_choice_function: true,
        parallel_tool_calls: true,
        top_k: false,
        user_field: Some("user"),
        json_schema: true,
        cache_control: false,
        assistant_prefix: false,
        service_tier: false,
        tools: true,
        images: true,
        files: true,
        signature_origin: SignatureOrigin::OpenAiChat,
    };

    /// OpenAI itself: `max_completion_tokens`, `safety_identifier`,
    /// `service_tier`, no reasoning echo (Chat Completions has no field for it).
    pub const OPENAI: Dialect = Dialect {
        provider: "openai",
        max_tokens_field: MaxTokensField::MaxCompletionTokens,
        reasoning_echo: None,
        user_field: Some("safety_identifier"),
        service_tier: true,
        ..Dialect::GENERIC
    };

    /// DeepSeek: `thinking: {type}` for reasoning; no `response_format`
    /// json_schema, no image or file parts (the API answers 400 to them).
    pub const DEEPSEEK: Dialect = Dialect {
        provider: "deepseek",
        reasoning_control: ReasoningControl::DeepSeekThinking,
        json_schema: false,
        images: false,
        files: false,
        ..Dialect::GENERIC
    };

    /// Mistral: `tool_choice: any`, `prefix: true` for a prefill, no
    /// `stream_options`, no reasoning control or echo, no end-user field.
    pub const MISTRAL: Dialect = Dialect {
        provider: "mistral",
        stream_usage: false,
        reasoning_control: ReasoningControl::Unsupported,
        reasoning_echo: None,
        tool_choice_required: Some("any"),
        user_field: None,
        assistant_prefix: true,
        ..Dialect::GENERIC
    };

    /// OpenRouter: `reasoning: {max_tokens | effort | enabled}`, reasoning
    /// sent back as `reasoning` + `reasoning_details`, `cache_control` on text
    /// parts, `top_k`.
    pub const OPENROUTER: Dialect = Dialect {
        provider: "openrouter",
        reasoning_control: ReasoningControl::OpenRouter,
        reasoning_echo: Some(ReasoningEcho::Reasoning),
        signature_origin: SignatureOrigin::OpenRouter,
        cache_control: true,
        top_k: true,
        ..Dialect::GENERIC
    };

    /// IBM watsonx.ai chat (`/ml/v1/text/chat`, `/ml/v1/text/chat_stream`),
    /// from IBM's watsonx.ai API reference ("Infer text chat") and the
    /// `ibm-watsonx-ai` Python SDK (`ModelInference.chat`). The messages,
    /// tools (`{type: function, function: {name, description, parameters}}`),
    /// tool calls, `response_format`, replies, stream chunks and usage
    /// (`prompt_tokens`, `completion_tokens`, `total_tokens`) are Chat
    /// Completions' own. What differs, and where it is handled:
    /// - the model is `model_id`, and the body names `project_id` or
    ///   `space_id` (the `watsonx` provider renames / adds them; replies
    ///   name `model_id` too, the requested model is used);
    /// - `tool_choice: auto|none|required` is `tool_choice_option` (renamed
    ///   by the provider); a named tool stays `tool_choice: {type: function,
    ///   function: {name}}`;
    /// - streaming is its own endpoint (`chat_stream`): no `stream` flag, no
    ///   `stream_options` (usage arrives on the last chunk);
    /// - `max_tokens` is the chat limit (`max_new_tokens` belongs to the older
    ///   `text/generation` API, not used here);
    /// - `time_limit` (milliseconds) has no Anthropic counterpart: pass it in
    ///   `extra_body`;
    /// - no `parallel_tool_calls`, `top_k`, `user`, `service_tier`,
    ///   reasoning control or echo, and no `file` parts.
    pub const WATSONX: Dialect = Dialect {
        provider: "watsonx",
        stream_usage: false,
        reasoning_control: ReasoningControl::Unsupported,
        reasoning_echo: None,
        parallel_tool_calls: false,
        user_field: None,
        files: false,
        ..Dialect::GENERIC
    };

    /// The same dialect under another provider name.
    pub const fn named(self, provider: &'static str) -> Dialect {
        Dialect { provider, ..self }
    }
}

/// `Native` when the dialect has the feature, else `Unsupported`.
const fn on(yes: bool) -> Support {
    if yes {
        Support::Native
    } else {
        Support::Unsupported
    }
}

impl Default for Dialect {
    fn default() -> Self {
        Self::GENERIC
    }
}
