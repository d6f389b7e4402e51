//! [`MessageStream`]: a provider's stream as Anthropic stream events.

use std::pin::Pin;
use std::task::{Context, Poll};

use anyllm_provider::{EventStream, Framing, StreamConverter, StreamDecoder};
use futures_core::Stream;
use futures_util::StreamExt;
use http::{HeaderMap, StatusCode};
use messages_http::{RateLimits, RawResponse, ResponseBody};
use messages_types::accumulate::MessageAccumulator;
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
pub struct MessageStream {
    /// The body framed and converted by the seam (`anyllm_provider::EventStream`):
    /// mid-stream API errors and a body that ends before `message_stop` come
    /// out of it as typed errors.
    events: EventStream,
    acc: MessageAccumulator,
    meta: RawResponse<()>,
    done: bool,
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
            acc: MessageAccumulator::new(),
            meta,
            done: false,
        })
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

    /// The message accumulated so far (text and tool inputs as received;
    /// `None` before `message_start`).
    pub fn snapshot(&self) -> Option<&Message> {
        self.acc.snapshot()
    }

    /// The next event; `None` at the end of the stream.
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent, Error>> {
        self.next().await
    }

    /// Reads the rest of the stream and returns the accumulated message.
    pub async fn final_message(mut self) -> Result<Message, Error> {
        while let Some(ev) = self.next().await {
            ev?;
        }
        self.acc
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
    /// let parsed = client.messages_stream(&params).await?.final_parsed::<Answer>().await?;
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
    /// let mut text = client.messages_stream(&params).await?.text_stream();
    /// while let Some(piece) = text.next().await {
    ///     print!("{}", piece?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn text_stream(self) -> impl Stream<Item = Result<String, Error>> + Send + Unpin {
        self.filter_map(|ev| {
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
        if self.done {
            return Poll::Ready(None);
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
        self.acc.push(&ev).map_err(|e| Error::Stream(e.to_string()))?;
        Ok(ev)
    }
}

impl Stream for MessageStream {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.step(cx)
    }
}
