//! The free-function form, close to the Python `any_llm.messages(...)`.

use std::borrow::Cow;

use messages_types::{
    MessageCreateParams, MessageParam, Metadata, OutputConfig, SystemPrompt, ThinkingConfig, Tool, ToolChoice,
};

use crate::{params, Client, MessagesRequest, RequestOptions};

/// The optional arguments of [`messages()`]: the
/// request fields of the Python signature plus the call options.
///
/// ```
/// let opts = anyllm::Options {
///     system: Some("Be brief.".into()),
///     temperature: Some(0.2),
///     ..Default::default()
/// };
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// System prompt.
    pub system: Option<SystemPrompt>,
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
    /// Top-k sampling.
    pub top_k: Option<u32>,
    /// Stop sequences.
    pub stop_sequences: Option<Vec<String>>,
    /// Tools.
    pub tools: Option<Vec<Tool>>,
    /// Tool choice.
    pub tool_choice: Option<ToolChoice>,
    /// Metadata.
    pub metadata: Option<Metadata>,
    /// Extended thinking.
    pub thinking: Option<ThinkingConfig>,
    /// Effort and structured output.
    pub output_config: Option<OutputConfig>,
    /// Provider, key, base URL, timeout, betas, headers and extra body fields.
    pub request: RequestOptions,
}

impl Options {
    /// The request these options describe.
    pub fn to_params(
        &self,
        model: &str,
        messages: Vec<MessageParam>,
        max_tokens: u32,
    ) -> MessageCreateParams {
        let mut p = params(model, max_tokens, messages);
        p.system = self.system.clone();
        p.temperature = self.temperature;
        p.top_p = self.top_p;
        p.top_k = self.top_k;
        p.stop_sequences = self.stop_sequences.clone();
        p.tools = self.tools.clone();
        p.tool_choice = self.tool_choice.clone();
        p.metadata = self.metadata.clone();
        p.thinking = self.thinking.clone();
        p.output_config = self.output_config.clone();
        p
    }
}

/// One Messages call with a client built from the environment: `model` is
/// `provider:model` (or set `options.request.provider`). `.await` it for the
/// answer, or `.stream()`, `.raw()`, `.parse::<T>()` it, as any
/// [`MessagesRequest`].
///
/// ```no_run
/// # async fn run() -> Result<(), anyllm::Error> {
/// use anyllm::MessageParam;
/// let msg = anyllm::messages("openai:gpt-4o-mini", vec![MessageParam::user("Hi")], 100,
///     anyllm::Options::default()).await?;
/// println!("{}", msg.text());
/// let stream = anyllm::messages("anthropic:claude-sonnet-4-5",
///     vec![anyllm::MessageParam::user("Hi")], 100, anyllm::Options::default()).stream().await?;
/// println!("{}", stream.final_text().await?);
/// # Ok(()) }
/// ```
pub fn messages(
    model: &str,
    messages: Vec<MessageParam>,
    max_tokens: u32,
    options: Options,
) -> MessagesRequest<'static> {
    let params = options.to_params(model, messages, max_tokens);
    let target = Client::from_env().map(|client| (Cow::Owned(client), Cow::Owned(params)));
    MessagesRequest::new(target).options(options.request)
}
