//! Folding a Chat Completions stream into the whole response it describes,
//! natively (no Anthropic conversion): what a non-streaming call would have
//! returned. Used to check that converting a stream and converting the folded
//! response agree, and handy for callers that must stream but want a response.

use std::borrow::Cow;

use super::wire::{
    Arguments, ChatChunk, ChatCompletion, Choice, ContentField, FunctionCall, NativeErrorField,
    ReasoningDetail, ResponsePart, ThinkingField, ToolCall,
};
use crate::ConvertError;

/// Accumulates chunks (first choice only) into a [`ChatCompletion`].
///
/// ```
/// use messages_convert::openai_chat::ChunkFolder;
/// let mut f = ChunkFolder::new();
/// for data in [
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":""}}]}}]}"#,
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1}"}}]},"finish_reason":"tool_calls"}]}"#,
///     "[DONE]",
/// ] {
///     f.push(data.as_bytes()).unwrap();
/// }
/// let c = f.into_completion().unwrap();
/// let call = &c.choices[0].message.tool_calls[0];
/// assert_eq!(call.function.arguments.as_ref().unwrap().as_str(), r#"{"a":1}"#);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChunkFolder {
    completion: ChatCompletion<'static>,
    choice: Choice<'static>,
    parts: Vec<ResponsePart>,
    has_parts: bool,
    slots: Vec<(u32, usize)>,
    error: Option<NativeErrorField>,
    started: bool,
}

fn append(field: &mut Option<Cow<'static, str>>, s: &str) {
    match field {
        Some(f) => f.to_mut().push_str(s),
        None => *field = Some(Cow::Owned(s.to_owned())),
    }
}

/// Merges a streamed `reasoning_details` fragment into the entry with the
/// same index and type (text and summary appended, the rest replaced).
fn merge_detail(details: &mut Vec<ReasoningDetail>, rd: ReasoningDetail) {
    let existing = details
        .iter_mut()
        .find(|d| d.index == rd.index && d.kind == rd.kind);
    let Some(d) = existing else {
        details.push(rd);
        return;
    };
    for (dst, src) in [(&mut d.text, rd.text), (&mut d.summary, rd.summary)] {
        if let Some(s) = src {
            dst.get_or_insert_with(String::new).push_str(&s);
        }
    }
    for (dst, src) in [
        (&mut d.signature, rd.signature),
        (&mut d.data, rd.data),
        (&mut d.id, rd.id),
        (&mut d.format, rd.format),
    ] {
        if src.is_some() {
            *dst = src;
        }
    }
}

impl ChunkFolder {
    /// An empty fold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one SSE `data` payload (`[DONE]` and blank payloads are ignored).
    pub fn push(&mut self, data: &[u8]) -> Result<(), ConvertError> {
        let data = data.trim_ascii();
        if data.is_empty() || data == b"[DONE]" {
            return Ok(());
        }
        let chunk: ChatChunk<'_> =
            serde_json::from_slice(data).map_err(|e| ConvertError::decode("stream chunk", &e, data))?;
        self.push_chunk(chunk);
        Ok(())
    }

    fn push_text_part(&mut self, t: &str) {
        match self.parts.last_mut() {
            Some(ResponsePart {
                kind,
                text: Some(prev),
                ..
            }) if kind == "text" => prev.push_str(t),
            _ => self.parts.push(ResponsePart {
                kind: "text".to_owned(),
                text: Some(t.to_owned()),
                thinking: None,
            }),
        }
    }

    /// Adds one decoded chunk.
    pub fn push_chunk(&mut self, chunk: ChatChunk<'_>) {
        if let Some(e) = chunk.error {
            self.error = Some(*e);
            return;
        }
        if !self.started {
            self.started = true;
            self.completion.id = chunk.id.map(|s| Cow::Owned(s.into_owned()));
            self.completion.model = chunk.model.map(|s| Cow::Owned(s.into_owned()));
        }
        if let Some(u) = chunk.usage {
            self.completion.usage = Some(*u);
        }
        if let Some(t) = chunk.service_tier {
            self.completion.service_tier = Some(Cow::Owned(t.into_owned()));
        }
        for c in chunk.choices.into_iter().filter(|c| c.index == 0) {
            if let Some(r) = c.finish_reason {
                if !r.is_empty() || self.choice.finish_reason.is_none() {
                    self.choice.finish_reason = Some(r);
                }
            }
            if let Some(n) = c.native_finish_reason.filter(|n| !n.is_empty()) {
                self.choice.native_finish_reason = Some(Cow::Owned(n.into_owned()));
            }
            if c.stop_reason.is_some() {
                self.choice.stop_reason = c.stop_reason;
            }
            let Some(d) = c.delta else { continue };
            let m = &mut self.choice.message;
            if let Some(r) = &d.reasoning_content {
                append(&mut m.reasoning_content, r);
            }
            if let Some(r) = &d.reasoning {
                append(&mut m.reasoning, r);
            }
            if let Some(r) = &d.refusal {
                append(&mut m.refusal, r);
            }
            for rd in d.reasoning_details {
                merge_detail(&mut m.reasoning_details, rd);
            }
            match d.content {
                Some(ContentField::Text(t)) => self.push_text_part(&t),
                Some(ContentField::Parts(ps)) => {
                    self.has_parts = true;
                    for p in ps {
                        match (p.kind.as_str(), &p.thinking, self.parts.last_mut()) {
                            (
                                "thinking",
                                Some(th),
                                Some(ResponsePart {
                                    kind,
                                    thinking: Some(ThinkingField::Text(prev)),
                                    ..
                                }),
                            ) if kind == "thinking" => th.push_text(prev),
                            ("thinking", Some(th), _) => {
                                let mut s = String::new();
                                th.push_text(&mut s);
                                self.parts.push(ResponsePart {
                                    kind: "thinking".to_owned(),
                                    text: None,
                                    thinking: Some(ThinkingField::Text(s)),
                                });
                            }
                            (_, _, _) => {
                                if let Some(t) = &p.text {
                                    self.push_text_part(t);
                                }
                            }
                        }
                    }
                }
                None => {}
            }
            for (pos, tc) in d.tool_calls.into_iter().enumerate() {
                let index = tc.index.unwrap_or(u32::try_from(pos).unwrap_or(u32::MAX));
                let id = tc.id.filter(|id| !id.is_empty());
                let calls = &mut self.choice.message.tool_calls;
                let slot = self.slots.iter().position(|(i, _)| *i == index);
                let existing = slot.and_then(|s| self.slots.get(s)).map(|(_, at)| *at);
                let fresh = match (existing, &id) {
                    (None, _) => true,
                    (Some(at), Some(id)) => calls.get(at).and_then(|c| c.id.as_deref()) != Some(id.as_ref()),
                    (Some(_), None) => false,
                };
                let at = if fresh {
                    let at = calls.len();
                    calls.push(ToolCall {
                        id: id.map(|s| Cow::Owned(s.into_owned())),
                        function: FunctionCall {
                            name: None,
                            arguments: None,
                        },
                    });
                    match slot.and_then(|s| self.slots.get_mut(s)) {
                        Some(s) => s.1 = at,
                        None => self.slots.push((index, at)),
                    }
                    at
                } else {
                    existing.unwrap_or(0)
                };
                let Some(call) = calls.get_mut(at) else { continue };
                if let Some(f) = tc.function {
                    if let Some(n) = f.name {
                        if call.function.name.is_none() {
                            call.function.name = Some(Cow::Owned(n.into_owned()));
                        }
                    }
                    if let Some(a) = f.arguments {
                        match &mut call.function.arguments {
                            Some(Arguments(prev)) => prev.to_mut().push_str(a.as_str()),
                            None => call.function.arguments = Some(a.into_owned()),
                        }
                    }
                }
            }
        }
    }

    /// The error payload the stream carried, if any.
    pub fn error(&self) -> Option<&NativeErrorField> {
        self.error.as_ref()
    }

    /// The folded response; `None` when no chunk arrived.
    pub fn into_completion(mut self) -> Option<ChatCompletion<'static>> {
        if !self.started {
            return None;
        }
        let parts = std::mem::take(&mut self.parts);
        self.choice.message.content = if parts.is_empty() {
            None
        } else if self.has_parts {
            Some(ContentField::Parts(parts))
        } else {
            Some(ContentField::Text(Cow::Owned(
                parts.into_iter().filter_map(|p| p.text).collect(),
            )))
        };
        self.completion.choices = vec![self.choice];
        Some(self.completion)
    }
}
