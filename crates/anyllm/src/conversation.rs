//! Multi-turn helpers: a response becomes the next request's assistant turn
//! in one call.

use messages_types::{Message, MessageContent, MessageCreateParams, MessageParam};

/// Conversation building on [`MessageCreateParams`].
///
/// ```
/// use anyllm::{Conversation, MessageParam};
/// let mut params = anyllm::params("anthropic:claude-sonnet-4-5", 256, vec![MessageParam::user("Hi")]);
/// let answer: anyllm::Message = serde_json::from_value(serde_json::json!({
///   "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
///   "content": [{"type": "tool_use", "id": "toolu_1", "name": "clock", "input": {}}],
///   "stop_reason": "tool_use", "stop_sequence": null,
///   "usage": {"input_tokens": 1, "output_tokens": 1}})).unwrap();
/// params.push_response(&answer).push_tool_results([("toolu_1", "12:00")]);
/// assert_eq!(params.messages.len(), 3);
/// params.push_user("Thanks!");
/// assert_eq!(params.messages.len(), 4);
/// ```
pub trait Conversation {
    /// Appends `message` as the assistant turn (its content blocks unchanged:
    /// thinking signatures and tool calls are kept).
    fn push_response(&mut self, message: &Message) -> &mut Self;

    /// Appends a user turn.
    fn push_user(&mut self, content: impl Into<MessageContent>) -> &mut Self;

    /// Appends a user turn of `tool_result` blocks, one per `(tool_use_id, content)`.
    fn push_tool_results<I, S, C>(&mut self, results: I) -> &mut Self
    where
        I: IntoIterator<Item = (S, C)>,
        S: Into<String>,
        C: Into<MessageContent>;
}

impl Conversation for MessageCreateParams {
    fn push_response(&mut self, message: &Message) -> &mut Self {
        self.messages.push(message.to_param());
        self
    }

    fn push_user(&mut self, content: impl Into<MessageContent>) -> &mut Self {
        self.messages.push(MessageParam::user(content));
        self
    }

    fn push_tool_results<I, S, C>(&mut self, results: I) -> &mut Self
    where
        I: IntoIterator<Item = (S, C)>,
        S: Into<String>,
        C: Into<MessageContent>,
    {
        self.messages.push(MessageParam::tool_results(results));
        self
    }
}

/// A request with the given model, `max_tokens` and messages, every other
/// field unset.
///
/// ```
/// let p = anyllm::params("openai:gpt-4o-mini", 100, vec![anyllm::MessageParam::user("Hi")]);
/// assert_eq!(p.max_tokens, 100);
/// assert!(p.system.is_none());
/// ```
pub fn params(model: impl Into<String>, max_tokens: u32, messages: Vec<MessageParam>) -> MessageCreateParams {
    MessageCreateParams::new(model, max_tokens, messages)
}
