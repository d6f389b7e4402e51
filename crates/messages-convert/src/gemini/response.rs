//! Gemini `generateContent` response → Anthropic [`Message`].

use messages_types::{Extra, Message, Nullable, Role};

use super::blocks::{BlockBuilder, PartWalker};
use super::finish::{stop_reason, usage, with_searches};
use super::wire::{Candidate, GenerateContentResponse};
use crate::ConvertError;

/// The Anthropic message id for a Gemini response id (`msg_` + the id).
pub(crate) fn message_id(response_id: Option<&str>) -> String {
    crate::vocabulary::message_id(response_id)
}

/// The candidate this crate converts: index 0 (a candidate without an index
/// is index 0). A stream chunk holding only another candidate's parts gives
/// `None`, so candidates are never mixed.
pub(crate) fn first_candidate(response: &GenerateContentResponse) -> Option<&Candidate> {
    response.candidates.iter().find(|c| c.index.unwrap_or(0) == 0)
}

/// Converts a whole Gemini response.
///
/// Parts become blocks in order (see the module docs for thought signatures),
/// `finishReason` the stop reason, `usageMetadata` the usage. `model` is the
/// response's `modelVersion`; the id is `msg_` + `responseId`.
///
/// ```
/// use messages_convert::gemini::{to_anthropic_message, wire::GenerateContentResponse};
/// use messages_types::StopReason;
/// let body = br#"{"candidates":[{"content":{"parts":[{"text":"Hi!"}],"role":"model"},
///   "finishReason":"STOP","index":0}],"modelVersion":"gemini-2.5-flash","responseId":"r1",
///   "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7}}"#;
/// let response: GenerateContentResponse = serde_json::from_slice(body).unwrap();
/// let message = to_anthropic_message(&response).unwrap();
/// assert_eq!(message.text(), "Hi!");
/// assert_eq!(message.stop_reason, Some(StopReason::EndTurn));
/// assert_eq!(message.usage.output_tokens, Some(2));
/// ```
pub fn to_anthropic_message(response: &GenerateContentResponse) -> Result<Message, ConvertError> {
    if let Some(error) = &response.error {
        return Err(ConvertError::Invalid {
            what: "response",
            message: format!(
                "Gemini returned an error: {} {}",
                error.status.as_deref().unwrap_or(""),
                error.message
            ),
        });
    }
    let candidate = first_candidate(response);
    let mut walker = PartWalker::new(response.response_id.as_deref());
    let mut builder = BlockBuilder::default();
    if let Some(content) = candidate.and_then(|c| c.content.as_ref()) {
        for part in &content.parts {
            walker.part(part, &mut builder)?;
        }
    }
    walker.finish(
        candidate.and_then(|c| c.grounding_metadata.as_ref()),
        &mut builder,
    )?;
    let (stop, details) = stop_reason(
        candidate.and_then(|c| c.finish_reason.as_ref()),
        candidate.and_then(|c| c.finish_message.as_deref()),
        response.prompt_feedback.as_ref(),
        walker.called_tool(),
    );
    Ok(Message {
        id: message_id(response.response_id.as_deref()),
        kind: "message".to_owned(),
        role: Role::Assistant,
        model: response.model_version.clone().unwrap_or_default(),
        content: builder.blocks,
        stop_reason: Some(stop),
        stop_sequence: None,
        stop_details: details.map_or(Nullable::Absent, Nullable::Value),
        container: None,
        usage: with_searches(
            response.usage_metadata.as_ref().map(usage).unwrap_or_default(),
            walker.searches(),
        ),
        extra: Extra::new(),
    })
}

/// Decodes a `generateContent` body and converts it.
pub fn message_from_slice(body: &[u8]) -> Result<Message, ConvertError> {
    let response: GenerateContentResponse =
        serde_json::from_slice(body).map_err(|e| ConvertError::decode("Gemini response", &e, body))?;
    to_anthropic_message(&response)
}
