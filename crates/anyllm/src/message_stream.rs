//! [`MessageStream`]: a provider's stream as Anthropic stream events.

use std::pin::Pin;
use std::task::{Context, Poll};

use anyllm_provider::{EventStream, Framing, StreamConverter, StreamDecoder};
use futures_core::Stream;
use futures_util::StreamExt;
use http::{HeaderMap, StatusCode};
use messages_http::{IdleTimer, RateLimits, RawResponse, ResponseBody};
use messages_types::accumulate::{AccumulateError, MessageAccumulator};
use messages_types::{ContentDelta, Message, StreamEvent};

use crate::Error;

/// A streaming Messages response as Anthropic [`StreamEvent`]s, whatever the
/// provider. Implements [`Stream`]; also offers [`MessageStream::next_event`],
/// the live [`MessageStream::snapshot`], [`MessageStream::final_message`],
/// [`MessageStream::final_text`] and [`MessageStream::text_stream`]. The
/// response metadata (status, headers, request id, rate limits) is available
/// before the first event. Dropping the stream closes the connection.
///
/// An `error` event in the stream (or a provider's mid-stream error) ends the
/// stream with an `Err` carrying the typed API error.
///
/// Limits: the client's request timeout covers the whole stream (the body
/// included); its idle timeout counts only data — an event other than `ping`
/// — as progress, so SSE comments and pings do not keep a stalled stream
/// alive. The accumulated message is capped at
/// [`MessageStream::max_message_bytes`] (64 MiB by default); a caller that
/// only reads events turns accumulation off with
/// [`MessageStream::without_accumulation`] and holds no message at all.
pub struct MessageStream {
    /// The body framed and converted by the seam (`anyllm_provider::EventStream`):
    /// mid-stream API errors and a body that ends before `message_stop` come
    /// out of it as typed errors.
    events: EventStream,
    /// `None` once accumulation was turned off.
    acc: Option<MessageAccumulator>,
    /// Events delivered so far (accumulation can only be turned back on
    /// before the first one).
    delivered: usize,
    /// The idle limit between data events.
    idle: Option<IdleTimer>,
    meta: RawResponse<()>,
    done: bool,
    /// The call's span, finished when the stream ends (feature `tracing`;
    /// `None` when no subscriber wants it).
    #[cfg(feature = "tracing")]
    telemetry: Option<crate::telemetry::StreamTelemetry>,
}

impl std::fmt::Debug for MessageStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageStream")
            .field("status", &self.meta.status)
            .field("request_id", &self.meta.request_id)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl MessageStream {
    pub(crate) fn new(
        raw: RawResponse<ResponseBody>,
        framing: Framing,
        converter: Box<dyn StreamConverter>,
    ) -> Result<Self, Error> {
        let decoder = StreamDecoder::new(framing, converter)?;
        let mut body = None;
        let meta = raw.map(|b| {
            body = Some(b);
        });
        let events = EventStream::new(body.unwrap_or_else(ResponseBody::empty), decoder)
            .with_request_id(meta.request_id.clone());
        Ok(Self {
            events,
            acc: Some(MessageAccumulator::new()),
            delivered: 0,
            idle: None,
            meta,
            done: false,
            #[cfg(feature = "tracing")]
            telemetry: None,
        })
    }

    /// Finishes the call's span when the stream ends.
    #[cfg(feature = "tracing")]
    pub(crate) fn with_telemetry(mut self, telemetry: Option<crate::telemetry::StreamTelemetry>) -> Self {
        self.telemetry = telemetry;
        self
    }

    /// Fails the stream with the idle [`messages_http::Error::Timeout`] when
    /// no data event (anything but `ping`) is produced for `idle`.
    pub(crate) fn with_idle_timeout(mut self, idle: Option<std::time::Duration>) -> Self {
        self.idle = idle.map(IdleTimer::new);
        self
    }

    /// Stops accumulating the message: events are handed over and nothing
    /// of them is kept (for callers that print or forward events). After
    /// this, [`MessageStream::snapshot`] is `None` and
    /// [`MessageStream::final_message`] is an error.
    pub fn without_accumulation(mut self) -> Self {
        self.acc = None;
        self
    }

    /// Whether the stream keeps the message it has seen (the default).
    pub fn is_accumulating(&self) -> bool {
        self.acc.is_some()
    }

    /// Caps the accumulated message (text, thinking, tool-input JSON, …) at
    /// `limit` bytes (default 64 MiB, like a whole response body); past it
    /// the stream ends with [`messages_http::Error::BodyTooLarge`].
    pub fn max_message_bytes(mut self, limit: usize) -> Self {
        self.acc = self.acc.map(|acc| acc.max_bytes(limit));
        self
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// The response's request id.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id.as_deref()
    }

    /// The rate-limit headers of the response.
    pub fn rate_limits(&self) -> &RateLimits {
        &self.meta.rate_limits
    }

    /// The message accumulated so far (text and tool inputs as received,
    /// tool inputs parsed from their partial JSON now; `None` before
    /// `message_start` or without accumulation).
    pub fn snapshot(&mut self) -> Option<&Message> {
        self.acc.as_mut()?.snapshot()
    }

    /// The next event; `None` at the end of the stream.
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent, Error>> {
        self.next().await
    }

    /// Reads the rest of the stream and returns the accumulated message.
    pub async fn final_message(mut self) -> Result<Message, Error> {
        if self.acc.is_none() {
            if self.delivered > 0 {
                return Err(Error::Stream(
                    "accumulation was turned off: the stream kept no message".to_owned(),
                ));
            }
            self.acc = Some(MessageAccumulator::new());
        }
        while let Some(ev) = self.next().await {
            ev?;
        }
        self.acc
            .take()
            .ok_or_else(|| Error::Stream("the stream kept no message".to_owned()))?
            .finish()
            .map_err(|e| Error::Stream(format!("the stream did not complete a message: {e}")))
    }

    /// Reads the rest of the stream and parses each text block of the
    /// message into `T` (structured output streamed; set the format first
    /// with [`crate::structured::apply_output_format`]).
    ///
    /// ```no_run
    /// # async fn run(client: anyllm::Client, mut params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
    /// #[derive(schemars::JsonSchema, serde::Deserialize)]
    /// struct Answer { value: i64 }
    /// anyllm::structured::apply_output_format::<Answer>(&mut params);
    /// let parsed = client.messages(&params).stream().await?.final_parsed::<Answer>().await?;
    /// # Ok(()) }
    /// ```
    pub async fn final_parsed<T: serde::de::DeserializeOwned>(
        self,
    ) -> Result<crate::ParsedMessage<T>, Error> {
        crate::ParsedMessage::parse(self.final_message().await?)
    }

    /// Reads the rest of the stream and returns the message's text.
    pub async fn final_text(self) -> Result<String, Error> {
        Ok(self.final_message().await?.text())
    }

    /// Only the text as it arrives (each `text_delta`).
    ///
    /// ```no_run
    /// # async fn run(client: anyllm::Client, params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
    /// use futures_util::StreamExt;
    /// let mut text = client.messages(&params).stream().await?.text_stream();
    /// while let Some(piece) = text.next().await {
    ///     print!("{}", piece?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn text_stream(self) -> impl Stream<Item = Result<String, Error>> + Send + Unpin {
        // Nobody can ask for the message any more: keep none.
        self.without_accumulation().filter_map(|ev| {
            std::future::ready(match ev {
                Ok(StreamEvent::ContentBlockDelta(d)) => match d.delta {
                    ContentDelta::TextDelta(t) => Some(Ok(t.text)),
                    _ => None,
                },
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
        })
    }

    fn step(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<StreamEvent, Error>>> {
        let polled = self.step_events(cx);
        #[cfg(feature = "tracing")]
        if let (Poll::Ready(item), Some(t)) = (&polled, self.telemetry.as_mut()) {
            t.observe(item.as_ref());
        }
        polled
    }

    fn step_events(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<StreamEvent, Error>>> {
        if self.done {
            return Poll::Ready(None);
        }
        // Checked before every read, not only when the body waits: only data
        // events restart it (see `deliver`).
        if let Some(idle) = self.idle.as_mut() {
            if let Poll::Ready(e) = idle.poll_expired(cx) {
                self.done = true;
                return Poll::Ready(Some(Err(Error::Http(e))));
            }
        }
        let item = match self.events.poll_next_event(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(item) => item,
        };
        let item = item.map(|r| r.and_then(|ev| self.deliver(ev)));
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        Poll::Ready(item)
    }

    fn deliver(&mut self, ev: StreamEvent) -> Result<StreamEvent, Error> {
        if let Some(acc) = self.acc.as_mut() {
            acc.push(&ev).map_err(|e| match e {
                AccumulateError::TooLarge { limit } => {
                    Error::Http(messages_http::Error::BodyTooLarge { limit })
                }
                other => Error::Stream(other.to_string()),
            })?;
        }
        self.delivered += 1;
        // Only data is progress: a ping does not restart the idle limit.
        if !matches!(ev, StreamEvent::Ping(_)) {
            if let Some(idle) = self.idle.as_mut() {
                idle.restart();
            }
        }
        Ok(ev)
    }
}

impl Stream for MessageStream {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.step(cx)
    }
}
