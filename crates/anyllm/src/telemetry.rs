//! `tracing` spans of the client calls (cargo feature `tracing`), named
//! after the OpenTelemetry GenAI semantic conventions.
//!
//! One span per call: `chat` for [`Client::messages`](crate::Client::messages)
//! (whole, [`stream`](crate::MessagesRequest::stream)ed — the span then
//! lasts until the stream ends — and [`parse`](crate::MessagesRequest::parse)),
//! `count_tokens` for [`Client::count_tokens`](crate::Client::count_tokens).
//! Spans are `INFO`, target [`SPAN_TARGET`]; their fields are the
//! OpenTelemetry attributes (`gen_ai.operation.name`, `gen_ai.provider.name`,
//! `gen_ai.request.model`, `gen_ai.usage.input_tokens`, `error.type`, …) plus
//! `otel.name` (`"chat {model}"`, the span name the conventions ask for),
//! `otel.kind = "client"` and `otel.status_code = "error"` on failure, which
//! `tracing-opentelemetry` turns into the OpenTelemetry span's name, kind and
//! status. Each retry of a call is an event inside its span (target
//! `messages_http::retry`). The full list, and how to export the spans, is in
//! `docs/observability.md`.
//!
//! No prompt, completion, key, header or URL path is ever recorded, unless
//! [`ClientBuilder::capture_content`](crate::ClientBuilder::capture_content)
//! is switched on: then `gen_ai.system_instructions`, `gen_ai.input.messages`
//! and `gen_ai.output.messages` hold the messages as the conventions' JSON.
//!
//! Cost when nobody listens: the span is created disabled (one cached
//! interest check) and nothing else happens — no attribute is computed, no
//! message serialised, a stream keeps no extra state.
//!
//! Names checked against the conventions' registry
//! (`model/gen-ai/registry.yaml` of open-telemetry/semantic-conventions,
//! <https://opentelemetry.io/docs/specs/semconv/attributes-registry/gen-ai/>).

use anyllm_provider::Provider;
use messages_types::accumulate::MessageAccumulator;
use messages_types::{
    ContentBlock, CountTokensResponse, Message, MessageContent, MessageCreateParams, MessageParam,
    StreamEvent, SystemPrompt, Usage,
};
use serde_json::{json, Value};
use tracing::field::Empty;
use tracing::Span;

use crate::Error;

/// The `tracing` target of the client's spans.
pub const SPAN_TARGET: &str = "anyllm";

/// `gen_ai.operation.name` of a count-tokens call. The conventions have no
/// well-known value for it (their list: `chat`, `generate_content`,
/// `text_completion`, `embeddings`, `retrieval`, agents, tools, memory), so
/// the operation's own name is used, as they recommend for one they do not
/// list.
pub const COUNT_TOKENS_OPERATION: &str = "count_tokens";

/// The `gen_ai.provider.name` of an anyllm provider: the conventions'
/// well-known value where one exists (`anthropic`, `openai`, `gcp.gemini`,
/// `gcp.vertex_ai` — Gemini and Claude on Vertex AI —, `aws.bedrock`,
/// `cohere`, `azure.ai.openai`, `groq`, `deepseek`, `mistral_ai`, `x_ai`,
/// `perplexity`), otherwise the anyllm provider name itself.
///
/// ```
/// use anyllm::telemetry::gen_ai_provider_name;
/// assert_eq!(gen_ai_provider_name("gemini"), "gcp.gemini");
/// assert_eq!(gen_ai_provider_name("bedrock-anthropic"), "aws.bedrock");
/// assert_eq!(gen_ai_provider_name("ollama"), "ollama");
/// ```
pub fn gen_ai_provider_name(provider: &str) -> &str {
    match provider {
        "anthropic" => "anthropic",
        "openai" => "openai",
        "gemini" => "gcp.gemini",
        "vertexai" | "vertexaianthropic" => "gcp.vertex_ai",
        "bedrock" | "bedrock-anthropic" => "aws.bedrock",
        "cohere" => "cohere",
        "azureopenai" => "azure.ai.openai",
        "groq" => "groq",
        "deepseek" => "deepseek",
        "mistral" => "mistral_ai",
        "xai" => "x_ai",
        "perplexity" => "perplexity",
        other => other,
    }
}

/// The `error.type` of a failed call: the HTTP layer's class for transport
/// and API errors ([`messages_http::Error::otel_error_type`]: the Anthropic
/// error type such as `rate_limit_error`, or `timeout`, `connection`, …),
/// otherwise the client-side failure (`validation`, `unsupported`,
/// `convert`, `stream`, …). Never a message.
///
/// ```
/// let e = anyllm::Error::validation("max_tokens", "must be positive");
/// assert_eq!(anyllm::telemetry::error_type(&e), "validation");
/// ```
pub fn error_type(error: &Error) -> &str {
    match error {
        Error::Http(e) => e.otel_error_type(),
        Error::Convert(messages_convert::ConvertError::Unsupported { .. }) => "unsupported",
        Error::Convert(_) => "convert",
        Error::Validation { .. } => "validation",
        Error::MissingApiKey { .. } => "missing_api_key",
        Error::UnknownProvider { .. } => "unknown_provider",
        Error::Unsupported { .. } => "unsupported",
        Error::Stream(_) => "stream",
        Error::InvalidConfig(_) => "invalid_config",
        Error::Runtime(_) => "runtime",
        // The conventions' fallback value.
        #[allow(unreachable_patterns)]
        _ => "_OTHER",
    }
}

/// The span of one call and whether it records content.
///
/// It is opened before the call is routed and validated, so a failure
/// before anything is sent (validation, a missing key, an unknown provider)
/// has its span and `error.type` too: [`CallSpan::routed`] records where a
/// routed call goes, [`CallSpan::fail_unsent`] a failure before that.
pub(crate) struct CallSpan {
    span: Span,
    capture: bool,
    operation: &'static str,
}

impl CallSpan {
    /// The `chat` span of a Messages call (`params` as the caller gave them;
    /// the model is recorded once routed).
    pub(crate) fn chat(params: &MessageCreateParams, capture: bool) -> Self {
        let span = tracing::info_span!(
            target: SPAN_TARGET,
            "chat",
            otel.name = Empty,
            otel.kind = "client",
            otel.status_code = Empty,
            gen_ai.operation.name = "chat",
            gen_ai.provider.name = Empty,
            gen_ai.request.model = Empty,
            gen_ai.request.max_tokens = Empty,
            gen_ai.request.temperature = Empty,
            gen_ai.request.top_p = Empty,
            gen_ai.request.top_k = Empty,
            gen_ai.response.id = Empty,
            gen_ai.response.model = Empty,
            gen_ai.response.finish_reasons = Empty,
            gen_ai.usage.input_tokens = Empty,
            gen_ai.usage.output_tokens = Empty,
            gen_ai.usage.cache_read.input_tokens = Empty,
            gen_ai.usage.cache_creation.input_tokens = Empty,
            error.type = Empty,
            server.address = Empty,
            server.port = Empty,
            anyllm.provider = Empty,
            gen_ai.system_instructions = Empty,
            gen_ai.input.messages = Empty,
            gen_ai.output.messages = Empty,
        );
        if span.is_disabled() {
            return Self {
                span,
                capture: false,
                operation: "chat",
            };
        }
        span.record("gen_ai.request.max_tokens", i64::from(params.max_tokens));
        if let Some(t) = params.temperature {
            span.record("gen_ai.request.temperature", t);
        }
        if let Some(p) = params.top_p {
            span.record("gen_ai.request.top_p", p);
        }
        if let Some(k) = params.top_k {
            span.record("gen_ai.request.top_k", f64::from(k));
        }
        if capture {
            if let Some(system) = &params.system {
                span.record("gen_ai.system_instructions", system_json(system).to_string());
            }
            span.record("gen_ai.input.messages", input_json(&params.messages).to_string());
        }
        Self {
            span,
            capture,
            operation: "chat",
        }
    }

    /// The `count_tokens` span of a count-tokens call (the model is
    /// recorded once routed).
    pub(crate) fn count_tokens() -> Self {
        let span = tracing::info_span!(
            target: SPAN_TARGET,
            "count_tokens",
            otel.name = Empty,
            otel.kind = "client",
            otel.status_code = Empty,
            gen_ai.operation.name = COUNT_TOKENS_OPERATION,
            gen_ai.provider.name = Empty,
            gen_ai.request.model = Empty,
            anyllm.count_tokens.input_tokens = Empty,
            error.type = Empty,
            server.address = Empty,
            server.port = Empty,
            anyllm.provider = Empty,
        );
        Self {
            span,
            capture: false,
            operation: COUNT_TOKENS_OPERATION,
        }
    }

    /// Records where a routed call goes: the provider, the bare model, the server.
    pub(crate) fn routed(&self, provider: &dyn Provider, model: &str, base_url: &str) {
        if !self.span.is_disabled() {
            record_request(&self.span, self.operation, Some(provider), model, base_url);
        }
    }

    /// Records a failure before anything was sent: the model as the caller
    /// gave it, the provider when the model routes to one, the error's type.
    pub(crate) fn fail_unsent(&self, provider: Option<&dyn Provider>, model: &str, error: &Error) {
        if !self.span.is_disabled() {
            record_request(&self.span, self.operation, provider, model, "");
            record_error(&self.span, error);
        }
    }

    /// The span, to instrument the call's future with.
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// Records a whole Messages call's outcome.
    pub(crate) fn finish_message<T>(&self, result: &Result<T, Error>, message: impl FnOnce(&T) -> &Message) {
        if self.span.is_disabled() {
            return;
        }
        match result {
            Ok(v) => {
                let message = message(v);
                record_response(&self.span, &message.id, &message.model);
                if let Some(reason) = &message.stop_reason {
                    self.span
                        .record("gen_ai.response.finish_reasons", finish_reasons(reason.as_str()));
                }
                let mut usage = UsageFields::default();
                usage.merge(&message.usage);
                usage.record(&self.span);
                if self.capture {
                    self.span
                        .record("gen_ai.output.messages", output_json(message).to_string());
                }
            }
            Err(e) => record_error(&self.span, e),
        }
    }

    /// Records a count-tokens call's outcome.
    pub(crate) fn finish_count<T>(
        &self,
        result: &Result<T, Error>,
        count: impl FnOnce(&T) -> &CountTokensResponse,
    ) {
        if self.span.is_disabled() {
            return;
        }
        match result {
            Ok(v) => {
                self.span
                    .record("anyllm.count_tokens.input_tokens", int(count(v).input_tokens));
            }
            Err(e) => record_error(&self.span, e),
        }
    }

    /// Records a failure to open a stream.
    pub(crate) fn fail(&self, error: &Error) {
        if !self.span.is_disabled() {
            record_error(&self.span, error);
        }
    }

    /// The tracker a stream carries to finish the span when it ends; `None`
    /// when nobody listens (the stream then keeps nothing).
    pub(crate) fn into_stream(self) -> Option<StreamTelemetry> {
        if self.span.is_disabled() {
            return None;
        }
        Some(StreamTelemetry {
            acc: self.capture.then(MessageAccumulator::new),
            span: self.span,
            response: None,
            finish_reason: None,
            usage: UsageFields::default(),
            finished: false,
        })
    }
}

/// A streamed call's span and what the stream told so far; it records the
/// response attributes and closes the span when the stream ends (at
/// `message_stop`, on an error, or — `error.type = "cancelled"` — when the
/// stream is dropped before).
pub(crate) struct StreamTelemetry {
    span: Span,
    /// The message as streamed (only with content capture).
    acc: Option<MessageAccumulator>,
    /// `(id, model)` from `message_start`.
    response: Option<(String, String)>,
    finish_reason: Option<String>,
    usage: UsageFields,
    finished: bool,
}

impl StreamTelemetry {
    /// Looks at one item the stream hands out (`None`: the stream ended).
    pub(crate) fn observe(&mut self, item: Option<&Result<StreamEvent, Error>>) {
        if self.finished {
            return;
        }
        match item {
            Some(Ok(ev)) => {
                if let Some(acc) = self.acc.as_mut() {
                    // Capture is best effort: a message it cannot fold is not recorded.
                    if acc.push(ev).is_err() {
                        self.acc = None;
                    }
                }
                match ev {
                    StreamEvent::MessageStart(start) => {
                        self.response = Some((start.message.id.clone(), start.message.model.clone()));
                        self.usage.merge(&start.message.usage);
                    }
                    StreamEvent::MessageDelta(delta) => {
                        if let Some(reason) = delta.delta.stop_reason.as_ref() {
                            self.finish_reason = Some(reason.as_str().to_owned());
                        }
                        self.usage.merge(&delta.usage);
                    }
                    StreamEvent::MessageStop(_) => self.finish(None),
                    _ => {}
                }
            }
            Some(Err(e)) => self.finish(Some(e)),
            // The end without `message_stop` comes out of the stream as an
            // error first; an end after it was already recorded.
            None => self.finish(None),
        }
    }

    fn finish(&mut self, error: Option<&Error>) {
        self.finished = true;
        if let Some((id, model)) = &self.response {
            record_response(&self.span, id, model);
        }
        if let Some(reason) = &self.finish_reason {
            self.span
                .record("gen_ai.response.finish_reasons", finish_reasons(reason.as_str()));
        }
        self.usage.record(&self.span);
        match error {
            Some(e) => record_error(&self.span, e),
            None => {
                if let Some(message) = self.acc.take().and_then(|acc| acc.finish().ok()) {
                    self.span
                        .record("gen_ai.output.messages", output_json(&message).to_string());
                }
            }
        }
        // The span ends with the stream, not when the caller drops it.
        self.span = Span::none();
    }
}

impl Drop for StreamTelemetry {
    fn drop(&mut self) {
        if !self.finished {
            self.finished = true;
            self.usage.record(&self.span);
            self.span.record("error.type", "cancelled");
            self.span.record("otel.status_code", "error");
        }
    }
}

/// Token counts seen so far (later values win: a stream's usage is cumulative).
#[derive(Default)]
struct UsageFields {
    input: Option<u64>,
    output: Option<u64>,
    cache_read: Option<u64>,
    cache_creation: Option<u64>,
}

impl UsageFields {
    fn merge(&mut self, usage: &Usage) {
        self.input = usage.input_tokens.or(self.input);
        self.output = usage.output_tokens.or(self.output);
        self.cache_read = usage.cache_read_input_tokens.or(self.cache_read);
        self.cache_creation = usage.cache_creation_input_tokens.or(self.cache_creation);
    }

    /// `gen_ai.usage.input_tokens` counts every input token, cached ones
    /// included (the conventions' rule); Anthropic's `input_tokens` does not,
    /// so the cache counts are added to it.
    fn record(&self, span: &Span) {
        if self.input.is_some() || self.cache_read.is_some() || self.cache_creation.is_some() {
            let total = self
                .input
                .unwrap_or(0)
                .saturating_add(self.cache_read.unwrap_or(0))
                .saturating_add(self.cache_creation.unwrap_or(0));
            span.record("gen_ai.usage.input_tokens", int(total));
        }
        if let Some(n) = self.output {
            span.record("gen_ai.usage.output_tokens", int(n));
        }
        if let Some(n) = self.cache_read {
            span.record("gen_ai.usage.cache_read.input_tokens", int(n));
        }
        if let Some(n) = self.cache_creation {
            span.record("gen_ai.usage.cache_creation.input_tokens", int(n));
        }
    }
}

fn record_request(
    span: &Span,
    operation: &str,
    provider: Option<&dyn Provider>,
    model: &str,
    base_url: &str,
) {
    span.record("otel.name", format!("{operation} {model}"));
    if let Some(name) = provider.map(|p| p.info().name) {
        span.record("gen_ai.provider.name", gen_ai_provider_name(name));
        span.record("anyllm.provider", name);
    }
    span.record("gen_ai.request.model", model);
    // Host and port only: never the path or query (some carry a key).
    if let Ok(uri) = base_url.parse::<http::Uri>() {
        if let Some(host) = uri.host() {
            span.record("server.address", host);
        }
        let port = uri.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        if let Some(port) = port {
            span.record("server.port", i64::from(port));
        }
    }
}

/// Integers are recorded as `i64`: `tracing-opentelemetry` exports an `i64`
/// field as an OpenTelemetry integer but a `u64` one as a string.
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn record_response(span: &Span, id: &str, model: &str) {
    if !id.is_empty() {
        span.record("gen_ai.response.id", id);
    }
    if !model.is_empty() {
        span.record("gen_ai.response.model", model);
    }
}

/// `gen_ai.response.finish_reasons` (a `string[]` in the conventions): the
/// JSON array of the one reason, since a `tracing` field cannot hold an
/// array (`tracing-opentelemetry` exports strings, numbers and booleans).
fn finish_reasons(reason: &str) -> String {
    Value::from(vec![reason]).to_string()
}

fn record_error(span: &Span, error: &Error) {
    span.record("error.type", error_type(error));
    span.record("otel.status_code", "error");
}

/// `gen_ai.system_instructions`: a list of text parts.
fn system_json(system: &SystemPrompt) -> Value {
    match system {
        SystemPrompt::Text(text) => json!([{ "type": "text", "content": text }]),
        SystemPrompt::Blocks(blocks) => Value::Array(blocks.iter().map(part_json).collect()),
    }
}

/// `gen_ai.input.messages`: `[{"role", "parts": [...]}]`.
fn input_json(messages: &[MessageParam]) -> Value {
    Value::Array(
        messages
            .iter()
            .map(|m| {
                let parts = match &m.content {
                    MessageContent::Text(text) => vec![json!({ "type": "text", "content": text })],
                    MessageContent::Blocks(blocks) => blocks.iter().map(part_json).collect(),
                };
                json!({ "role": m.role.as_str(), "parts": parts })
            })
            .collect(),
    )
}

/// `gen_ai.output.messages`: one assistant message with its finish reason.
fn output_json(message: &Message) -> Value {
    json!([{
        "role": message.role.as_str(),
        "parts": message.content.iter().map(part_json).collect::<Vec<_>>(),
        "finish_reason": message.stop_reason.as_ref().map(|r| r.as_str()),
    }])
}

/// A content block as a part of the conventions' message schema: text,
/// `tool_call`, `tool_call_response` and `reasoning` parts; any other block
/// as a generic part (the block's own JSON, whose `type` names it).
fn part_json(block: &ContentBlock) -> Value {
    match block {
        ContentBlock::Text(t) => json!({ "type": "text", "content": t.text }),
        ContentBlock::ToolUse(t) => {
            json!({ "type": "tool_call", "id": t.id, "name": t.name, "arguments": t.input })
        }
        ContentBlock::ToolResult(r) => json!({
            "type": "tool_call_response",
            "id": r.tool_use_id,
            "result": r.content.as_ref().map(|c| serde_json::to_value(c).unwrap_or(Value::Null)),
        }),
        ContentBlock::Thinking(t) => json!({ "type": "reasoning", "content": t.thinking }),
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}
