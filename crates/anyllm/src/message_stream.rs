//! [`MessageStream`]: a provider's stream as Anthropic stream events.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use anyllm_provider::{Framing, StreamConverter, StreamDecoder};
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
    body: ResponseBody,
    /// The provider's framing and stream converter (the seam's decoder).
    decoder: StreamDecoder,
    pending: VecDeque<StreamEvent>,
    scratch: Vec<StreamEvent>,
    acc: MessageAccumulator,
    meta: RawResponse<()>,
    error: Option<Error>,
    eof: bool,
    finished: bool,
    done: bool,
    /// Whether `message_stop` was delivered: a body that ends without it is
    /// a truncated response, reported as an error rather than a silent end.
    saw_stop: bool,
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
        Ok(Self {
            body: body.unwrap_or_else(ResponseBody::empty),
            decoder,
            pending: VecDeque::new(),
            scratch: Vec::new(),
            acc: MessageAccumulator::new(),
            meta,
            error: None,
            eof: false,
            finished: false,
            done: false,
            saw_stop: false,
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

    fn deliver(&mut self, ev: StreamEvent) -> Result<StreamEvent, Error> {
        if let StreamEvent::Error(_) = &ev {
            let payload = serde_json::to_vec(&ev).unwrap_or_default();
            let mut e = messages_http::Error::from_stream_error(&payload);
            if let Some(api) = e.api_error_mut() {
                if api.request_id.is_none() {
                    api.request_id = self.meta.request_id.clone();
                }
            }
            return Err(Error::Http(e));
        }
        self.acc.push(&ev).map_err(|e| Error::Stream(e.to_string()))?;
        if let StreamEvent::MessageStop(_) = &ev {
            self.saw_stop = true;
        }
        Ok(ev)
    }

    fn step(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<StreamEvent, Error>>> {
        loop {
            if let Some(ev) = self.pending.pop_front() {
                let r = self.deliver(ev);
                if r.is_err() {
                    self.done = true;
                    self.pending.clear();
                }
                return Poll::Ready(Some(r));
            }
            if let Some(e) = self.error.take() {
                self.done = true;
                return Poll::Ready(Some(Err(e)));
            }
            if self.done {
                return Poll::Ready(None);
            }
            let converted = self.decoder.convert_next(&mut self.scratch);
            self.pending.extend(self.scratch.drain(..));
            match converted {
                Ok(true) => continue,
                Err(e) => {
                    self.error = Some(e);
                    continue;
                }
                Ok(false) => {}
            }
            if self.eof {
                if !self.finished {
                    self.finished = true;
                    let r = self.decoder.finish(&mut self.scratch);
                    self.pending.extend(self.scratch.drain(..));
                    if let Err(e) = r {
                        self.error = Some(e);
                    }
                    continue;
                }
                self.done = true;
                if !self.saw_stop {
                    self.error = Some(Error::Stream(
                        "the stream ended before `message_stop`: the response is incomplete".to_owned(),
                    ));
                }
                continue;
            }
            match Pin::new(&mut self.body).poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => self.decoder.feed(chunk),
                Poll::Ready(Some(Err(e))) => {
                    self.error = Some(Error::Http(e));
                    self.eof = true;
                    self.finished = true;
                }
                Poll::Ready(None) => {
                    self.decoder.end_of_body();
                    self.eof = true;
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl Stream for MessageStream {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.step(cx)
    }
}
