//! The stream side: SSE `data:` payloads through
//! [`messages_convert::openai_chat::ChunkConverter`].

use anyllm_provider::{Error, Frame, StreamConverter};
use messages_convert::openai_chat::{ChunkConverter, ResponseContext};
use messages_types::StreamEvent;

/// Converts one Chat Completions stream into Anthropic events. A mid-stream
/// `{"error": …}` payload becomes an Anthropic `error` event (the client
/// turns it into a typed error after the events before it).
///
/// ```
/// use anyllm_openai::ChatStreamConverter;
/// use anyllm_provider::{Frame, StreamConverter};
/// use messages_convert::openai_chat::{Dialect, ResponseContext};
/// let mut c = ChatStreamConverter::new(&ResponseContext::new(&Dialect::OPENAI, "gpt-4.1-mini"));
/// let mut out = Vec::new();
/// let chunk = br#"{"id":"c","model":"gpt-4.1-mini","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#;
/// c.on_frame(Frame::Sse { event: None, data: chunk }, &mut out).unwrap();
/// let last = br#"{"id":"c","model":"gpt-4.1-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#;
/// c.on_frame(Frame::Sse { event: None, data: last }, &mut out).unwrap();
/// c.on_frame(Frame::Sse { event: None, data: b"[DONE]" }, &mut out).unwrap();
/// assert_eq!(out.first().unwrap().type_name(), "message_start");
/// assert_eq!(out.last().unwrap().type_name(), "message_stop");
/// ```
#[derive(Debug, Clone)]
pub struct ChatStreamConverter {
    inner: ChunkConverter,
}

impl ChatStreamConverter {
    /// A converter for one stream.
    pub fn new(ctx: &ResponseContext<'_>) -> Self {
        Self {
            inner: ChunkConverter::new(ctx),
        }
    }
}

impl StreamConverter for ChatStreamConverter {
    fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), Error> {
        match frame {
            Frame::Sse { data, .. } | Frame::Line(data) => Ok(self.inner.push(data, out)?),
            Frame::AwsEvent { .. } => Err(Error::Stream(
                "an OpenAI-compatible stream carries server-sent events, not AWS event-stream messages"
                    .into(),
            )),
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), Error> {
        Ok(self.inner.finish(out)?)
    }
}
