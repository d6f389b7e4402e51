//! The Anthropic stream needs no conversion: each SSE `data:` payload is
//! already a stream event.

use messages_convert::{ConvertError, Frame, StreamConverter};
use messages_types::StreamEvent;

/// Parses each SSE payload as a [`StreamEvent`]. Unknown event types are kept
/// (`StreamEvent::Unknown`); a payload that is not JSON is a decode error.
///
/// ```
/// use anyllm_anthropic::AnthropicStreamConverter;
/// use messages_convert::{Frame, StreamConverter};
/// let mut c = AnthropicStreamConverter::new();
/// let mut out = Vec::new();
/// c.on_frame(Frame::Sse { event: Some("ping"), data: br#"{"type": "ping"}"# }, &mut out).unwrap();
/// assert_eq!(out.len(), 1);
/// ```
#[derive(Debug, Default)]
pub struct AnthropicStreamConverter {
    _priv: (),
}

impl AnthropicStreamConverter {
    /// A converter for one stream.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StreamConverter for AnthropicStreamConverter {
    fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let data = match frame {
            Frame::AwsEvent { payload, .. } => payload,
            other => other
                .json_payload()
                .ok_or_else(|| messages_convert::stream::unexpected_frame("anthropic", &other))?,
        };
        if data.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        // The fast path parses hot deltas without a generic detour.
        let event =
            StreamEvent::from_json_slice(data).map_err(|e| ConvertError::decode("stream event", &e, data))?;
        out.push(event);
        Ok(())
    }

    fn finish(&mut self, _out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        Ok(())
    }
}
