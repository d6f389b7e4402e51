//! Stream conversion: how a provider's stream is framed, and the per-call
//! state machine that turns each framed payload into Anthropic stream events.

use messages_types::StreamEvent;

use crate::Error;

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
}

/// One framed unit of a streaming body, as handed to a [`StreamConverter`].
/// The shared I/O layer does the framing; converters only see payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The per-call state machine turning a provider's stream into Anthropic
/// [`StreamEvent`]s. Created by [`crate::Provider::stream_converter`] for one
/// call; fed every frame in order, then [`StreamConverter::finish`] once at
/// end of body.
///
/// Events are pushed into `out` (zero or more per frame), which lets a
/// converter emit `message_start` and a block start from one chunk without
/// allocating a new vector per frame.
pub trait StreamConverter: Send {
    /// Converts one frame. An error ends the stream with that error (after
    /// the events already pushed into `out` are delivered).
    fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), Error>;

    /// End of the body: close open blocks and emit `message_delta` /
    /// `message_stop` when the provider's stream did not carry them.
    /// A stream that produced nothing emits nothing.
    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), Error>;
}
