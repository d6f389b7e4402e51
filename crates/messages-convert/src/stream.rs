//! The stream half of the conversion convention: how a provider frames its
//! streaming body ([`Framing`]), one framed payload ([`Frame`]), and the one
//! trait every family's stream converter implements ([`StreamConverter`]).
//!
//! The framing itself (splitting bytes into SSE events, NDJSON lines or AWS
//! event-stream messages) is I/O-side work done by `messages-http`'s
//! decoders; a converter only sees payloads, so it stays pure and testable
//! with byte strings.

use messages_types::StreamEvent;

use crate::ConvertError;

/// How a provider frames its streaming response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Framing {
    /// Server-sent events (`text/event-stream`).
    Sse,
    /// One JSON object per line (`application/x-ndjson`).
    Ndjson,
    /// The binary AWS event-stream framing (Bedrock `ConverseStream`).
    AwsEventStream,
    /// Server-sent events carried inside AWS event-stream messages: the
    /// bytes of the `PayloadPart` events, concatenated, are an SSE body cut
    /// at arbitrary places (SageMaker `InvokeEndpointWithResponseStream`
    /// with a container that streams SSE). The converter sees
    /// [`Frame::Sse`]; an `exception` message becomes an Anthropic `error`
    /// event.
    AwsEventStreamSse,
}

/// One framed unit of a streaming body, as handed to a [`StreamConverter`].
/// The shared I/O layer does the framing; converters only see payloads
/// (borrowed from the decoder's buffer: nothing is allocated per frame).
///
/// New framings may add variants: a converter answers a frame kind it does
/// not read with [`unexpected_frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame<'a> {
    /// One server-sent event (comments and empty events are dropped by the decoder).
    Sse {
        /// The `event:` field, when present.
        event: Option<&'a str>,
        /// The `data:` lines joined with `\n` (UTF-8 as sent; OpenAI's end
        /// marker arrives as `b"[DONE]"`).
        data: &'a [u8],
    },
    /// One non-empty NDJSON line (without the line ending).
    Line(&'a [u8]),
    /// One AWS event-stream message.
    AwsEvent {
        /// The `:message-type` header (`event` or `exception`).
        message_type: &'a str,
        /// The `:event-type` (or `:exception-type`) header.
        event_type: &'a str,
        /// The message payload (JSON).
        payload: &'a [u8],
    },
}

impl<'a> Frame<'a> {
    /// The JSON payload of a frame that carries one: an SSE event's `data`
    /// or an NDJSON line (the two framings a JSON-chunk family may be served
    /// with); `None` for an AWS event-stream message.
    ///
    /// ```
    /// use messages_convert::Frame;
    /// assert_eq!(Frame::Line(b"{}").json_payload(), Some(&b"{}"[..]));
    /// assert_eq!(Frame::Sse { event: None, data: b"[DONE]" }.json_payload(), Some(&b"[DONE]"[..]));
    /// ```
    pub fn json_payload(&self) -> Option<&'a [u8]> {
        match *self {
            Self::Sse { data, .. } => Some(data),
            Self::Line(line) => Some(line),
            Self::AwsEvent { .. } => None,
        }
    }

    /// The frame kind's name, for error messages (`sse`, `ndjson`, `aws-event-stream`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sse { .. } => "sse",
            Self::Line(_) => "ndjson",
            Self::AwsEvent { .. } => "aws-event-stream",
        }
    }
}

/// The error for a frame kind a family's stream never carries (e.g. an AWS
/// event-stream message handed to the Gemini converter).
///
/// ```
/// use messages_convert::{stream::unexpected_frame, ConvertError, Frame};
/// let frame = Frame::AwsEvent { message_type: "event", event_type: "x", payload: b"{}" };
/// assert!(matches!(unexpected_frame("gemini", &frame), ConvertError::Invalid { .. }));
/// ```
pub fn unexpected_frame(provider: &str, frame: &Frame<'_>) -> ConvertError {
    ConvertError::Invalid {
        what: "stream frame",
        message: format!("a {provider} stream does not carry {} frames", frame.kind()),
    }
}

/// The per-call state machine turning a provider's stream into Anthropic
/// [`StreamEvent`]s: every family's `stream` converter implements it, and a
/// provider hands it out boxed (`Box<dyn StreamConverter>`). Fed every frame
/// in order, then [`StreamConverter::finish`] once at end of body.
///
/// Events are pushed into `out` (zero or more per frame), which lets a
/// converter emit `message_start` and a block start from one chunk without
/// allocating a new vector per frame.
///
/// Errors: a provider's own mid-stream error (OpenAI's `{"error": …}`
/// payload, a Bedrock `exception` message, an Ollama `{"error": …}` line)
/// is not an `Err` — push an Anthropic `error` event
/// ([`StreamEvent::error`]) with its kind and message; the stream delivers
/// the events before it and ends with it as a typed API error. `Err` is for
/// a payload that cannot be converted (undecodable JSON, a frame kind the
/// family never receives).
///
/// ```
/// use messages_convert::{ConvertError, Frame, StreamConverter};
/// use messages_types::StreamEvent;
///
/// /// An Anthropic-format stream: each payload already is an event.
/// struct Passthrough;
/// impl StreamConverter for Passthrough {
///     fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
///         let Some(data) = frame.json_payload() else {
///             return Err(messages_convert::stream::unexpected_frame("echo", &frame));
///         };
///         out.push(serde_json::from_slice(data).map_err(|e| ConvertError::decode("event", &e, data))?);
///         Ok(())
///     }
///     fn finish(&mut self, _out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> { Ok(()) }
/// }
///
/// let mut events = Vec::new();
/// let mut c: Box<dyn StreamConverter> = Box::new(Passthrough);
/// c.on_frame(Frame::Sse { event: Some("ping"), data: br#"{"type":"ping"}"# }, &mut events).unwrap();
/// c.finish(&mut events).unwrap();
/// assert_eq!(events[0].type_name(), "ping");
/// ```
pub trait StreamConverter: Send {
    /// Converts one frame. An error ends the stream with that error (after
    /// the events already pushed into `out` are delivered).
    fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError>;

    /// End of the body: close open blocks and emit `message_delta` /
    /// `message_stop` when the provider's stream did not carry them.
    /// A stream that produced nothing emits nothing.
    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError>;
}
