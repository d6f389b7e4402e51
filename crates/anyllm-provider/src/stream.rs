//! Stream conversion in the seam: the framing types and converter trait
//! (defined in `messages-convert`, re-exported here), the decoder that frames
//! a body as a provider's [`Framing`] says and feeds a [`StreamConverter`]
//! ([`StreamDecoder`]), and the body-driven stream of Anthropic events
//! ([`EventStream`]) — so a user of one provider crate plus `messages-http`
//! gets Anthropic stream events without the `anyllm` client.

use std::collections::VecDeque;
use std::task::{Context, Poll};

use bytes::Bytes;
pub use messages_convert::stream::{Frame, Framing, StreamConverter};
use messages_http::{EventStreamParser, FrameDecoder, NdjsonParser, ResponseBody, SseParser};
use messages_types::{ErrorKind, MessageCreateParams, StreamEvent};

use crate::{Error, Provider};

/// The framing decoder matching a [`Framing`].
enum Framer {
    Sse(Box<SseParser>),
    Ndjson(NdjsonParser),
    EventStream(EventStreamParser),
    EventStreamSse(Box<NestedSse>),
}

/// [`Framing::AwsEventStreamSse`]: an AWS event stream whose `PayloadPart`
/// payloads, concatenated, are an SSE body (cut anywhere).
struct NestedSse {
    outer: EventStreamParser,
    inner: SseParser,
    /// The body ended ([`StreamDecoder::end_of_body`]).
    outer_done: bool,
    /// The inner SSE parser was told its input ended.
    inner_done: bool,
    /// An exception message ended the stream: nothing after it is read.
    failed: bool,
}

impl NestedSse {
    fn new() -> Self {
        Self {
            outer: EventStreamParser::default(),
            inner: SseParser::new().flush_on_eof(true),
            outer_done: false,
            inner_done: false,
            failed: false,
        }
    }

    /// The next inner SSE event, converted; outer messages are unwrapped as
    /// needed. An `exception` message (SageMaker `ModelStreamError`,
    /// `InternalStreamFailure`) becomes an Anthropic `error` event.
    fn convert_next(
        &mut self,
        converter: &mut dyn StreamConverter,
        out: &mut Vec<StreamEvent>,
    ) -> Result<bool, Error> {
        let framing = |e| Error::Http(messages_http::Error::Framing(e));
        // Bounded: every pass consumes one outer message or ends the input.
        loop {
            if self.failed {
                return Ok(false);
            }
            if let Some(ev) = self.inner.next_event_ref().map_err(framing)? {
                converter.on_frame(
                    Frame::Sse {
                        event: ev.event,
                        data: ev.data,
                    },
                    out,
                )?;
                return Ok(true);
            }
            match self.outer.next_frame().map_err(framing)? {
                Some(msg) => match msg.message_type().unwrap_or("event") {
                    "event" => {
                        // `PayloadPart` (and any future event) carries body bytes.
                        self.inner.feed_bytes(msg.payload);
                    }
                    _ => {
                        let kind = msg
                            .exception_type()
                            .or_else(|| msg.error_code())
                            .unwrap_or("exception")
                            .to_owned();
                        let message = serde_json::from_slice::<serde_json::Value>(&msg.payload)
                            .ok()
                            .and_then(|v| {
                                v.get("Message")
                                    .or_else(|| v.get("message"))
                                    .and_then(|m| m.as_str().map(str::to_owned))
                            })
                            .unwrap_or_default();
                        out.push(StreamEvent::error(
                            ErrorKind::Api,
                            format!("{kind}: {message}").trim_end_matches(": ").to_owned(),
                        ));
                        self.failed = true;
                        return Ok(true);
                    }
                },
                None if self.outer_done && !self.inner_done => {
                    self.inner.finish();
                    self.inner_done = true;
                }
                None => return Ok(false),
            }
        }
    }
}

/// Frames a streaming body as a provider's [`Framing`] says and hands each
/// frame, borrowed from the decoder's buffer, to the call's
/// [`StreamConverter`]. Synchronous and I/O-free: feed it chunks
/// ([`StreamDecoder::feed`]), pull converted events
/// ([`StreamDecoder::convert_next`]), and at end of body call
/// [`StreamDecoder::end_of_body`] then [`StreamDecoder::finish`]. Drive it
/// from any byte source; [`EventStream`] drives it from a
/// [`ResponseBody`].
///
/// ```
/// use anyllm_provider::{Framing, StreamDecoder};
/// let converter = Box::new(messages_convert::openai_chat::stream(
///     &messages_convert::openai_chat::ResponseContext::new(
///         &messages_convert::openai_chat::Dialect::OPENAI, "gpt-4.1-mini")));
/// let mut decoder = StreamDecoder::new(Framing::Sse, converter).unwrap();
/// decoder.feed(bytes::Bytes::from_static(
///     b"data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n\
///       data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
///       data: [DONE]\n\n"));
/// decoder.end_of_body();
/// let mut events = Vec::new();
/// while decoder.convert_next(&mut events).unwrap() {}
/// decoder.finish(&mut events).unwrap();
/// assert_eq!(events.last().unwrap().type_name(), "message_stop");
/// ```
pub struct StreamDecoder {
    framer: Framer,
    converter: Box<dyn StreamConverter>,
}

impl std::fmt::Debug for StreamDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let framing = match self.framer {
            Framer::Sse(_) => Framing::Sse,
            Framer::Ndjson(_) => Framing::Ndjson,
            Framer::EventStream(_) => Framing::AwsEventStream,
            Framer::EventStreamSse(_) => Framing::AwsEventStreamSse,
        };
        f.debug_struct("StreamDecoder")
            .field("framing", &framing)
            .finish_non_exhaustive()
    }
}

impl StreamDecoder {
    /// A decoder for `framing` feeding `converter`. A framing this version
    /// cannot decode is [`Error::InvalidConfig`].
    pub fn new(framing: Framing, converter: Box<dyn StreamConverter>) -> Result<Self, Error> {
        let framer = match framing {
            Framing::Sse => Framer::Sse(Box::new(SseParser::new().flush_on_eof(true))),
            Framing::Ndjson => Framer::Ndjson(NdjsonParser::default()),
            Framing::AwsEventStream => Framer::EventStream(EventStreamParser::default()),
            Framing::AwsEventStreamSse => Framer::EventStreamSse(Box::new(NestedSse::new())),
            other => {
                return Err(Error::InvalidConfig(format!(
                    "unsupported stream framing {other:?}"
                )))
            }
        };
        Ok(Self { framer, converter })
    }

    /// The decoder for `provider`'s framing with a fresh converter for the
    /// call answering `params`.
    pub fn for_provider(provider: &dyn Provider, params: &MessageCreateParams) -> Result<Self, Error> {
        Self::new(provider.framing(), provider.stream_converter(params))
    }

    /// Appends a body chunk (taken without copying where the framing allows).
    pub fn feed(&mut self, chunk: Bytes) {
        match &mut self.framer {
            Framer::Sse(d) => d.feed_bytes(chunk),
            Framer::Ndjson(d) => d.feed_bytes(chunk),
            Framer::EventStream(d) => d.feed_bytes(chunk),
            Framer::EventStreamSse(d) => d.outer.feed_bytes(chunk),
        }
    }

    /// Marks the end of the body: a last unterminated frame becomes
    /// available (or a framing error, for a truncated binary frame).
    pub fn end_of_body(&mut self) {
        match &mut self.framer {
            Framer::Sse(d) => d.finish(),
            Framer::Ndjson(d) => d.finish(),
            Framer::EventStream(d) => d.finish(),
            Framer::EventStreamSse(d) => {
                d.outer.finish();
                d.outer_done = true;
            }
        }
    }

    /// Decodes the next frame and converts it, pushing its events into
    /// `out`. `Ok(false)` when more input is needed (or, after
    /// [`StreamDecoder::end_of_body`], when the body is exhausted).
    pub fn convert_next(&mut self, out: &mut Vec<StreamEvent>) -> Result<bool, Error> {
        let framing = |e| Error::Http(messages_http::Error::Framing(e));
        let converter = self.converter.as_mut();
        match &mut self.framer {
            // Borrowed view: no String/Bytes allocated per event.
            Framer::Sse(d) => match d.next_event_ref().map_err(framing)? {
                Some(ev) => {
                    let frame = Frame::Sse {
                        event: ev.event,
                        data: ev.data,
                    };
                    converter.on_frame(frame, out)?;
                    Ok(true)
                }
                None => Ok(false),
            },
            Framer::Ndjson(d) => match d.next_frame().map_err(framing)? {
                Some(line) => {
                    converter.on_frame(Frame::Line(&line), out)?;
                    Ok(true)
                }
                None => Ok(false),
            },
            Framer::EventStream(d) => match d.next_frame().map_err(framing)? {
                Some(msg) => {
                    let message_type = msg.header_str(":message-type").unwrap_or("event");
                    let event_type = msg
                        .header_str(":event-type")
                        .or_else(|| msg.header_str(":exception-type"))
                        .unwrap_or("");
                    let frame = Frame::AwsEvent {
                        message_type,
                        event_type,
                        payload: &msg.payload,
                    };
                    converter.on_frame(frame, out)?;
                    Ok(true)
                }
                None => Ok(false),
            },
            Framer::EventStreamSse(d) => d.convert_next(converter, out),
        }
    }

    /// End of the stream for the converter ([`StreamConverter::finish`]):
    /// call once, after every frame was converted.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), Error> {
        Ok(self.converter.finish(out)?)
    }
}

/// A provider's streaming [`ResponseBody`] as Anthropic [`StreamEvent`]s:
/// the body framed and converted by a [`StreamDecoder`]. Needs neither the
/// `anyllm` client nor a `futures` dependency: pull events with
/// [`EventStream::next_event`] (or [`EventStream::poll_next_event`]).
///
/// An Anthropic `error` event (a provider's mid-stream error) ends the
/// stream with a typed [`Error::Http`]; a body that ends before
/// `message_stop` ends it with [`Error::Stream`] (a truncated response is
/// never a silent end). After an error or the end, it yields `None`.
///
/// ```
/// use anyllm_provider::{EventStream, Provider};
/// # #[derive(Debug)] struct P;
/// # static INFO: anyllm_provider::ProviderInfo = anyllm_provider::ProviderInfo::new(
/// #     "p", anyllm_provider::ApiFamily::OpenAiChat, "http://127.0.0.1:9", &[], anyllm_provider::KeyPolicy::None);
/// # impl Provider for P {
/// #     fn info(&self) -> &anyllm_provider::ProviderInfo { &INFO }
/// #     fn build_request(&self, _: &messages_types::MessageCreateParams, _: &anyllm_provider::CallContext)
/// #         -> Result<http::Request<bytes::Bytes>, anyllm_provider::Error> { unimplemented!() }
/// #     fn parse_response(&self, _: &messages_types::MessageCreateParams, _: http::Response<bytes::Bytes>)
/// #         -> Result<messages_types::Message, anyllm_provider::Error> { unimplemented!() }
/// #     fn stream_converter(&self, p: &messages_types::MessageCreateParams) -> Box<dyn anyllm_provider::StreamConverter> {
/// #         Box::new(messages_convert::openai_chat::stream(&messages_convert::openai_chat::ResponseContext::new(
/// #             &messages_convert::openai_chat::Dialect::OPENAI, &p.model)))
/// #     }
/// # }
/// let params: messages_types::MessageCreateParams = serde_json::from_str(
///     r#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#).unwrap();
/// let body = messages_http::ResponseBody::from_chunks([
///     "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
///     "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
///     "data: [DONE]\n\n",
/// ]);
/// let mut events = EventStream::for_provider(&P, &params, body).unwrap();
/// // In async code: `while let Some(ev) = events.next_event().await { … }`.
/// // This in-memory body is always ready, so polling once per event suffices.
/// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// let mut names = Vec::new();
/// while let std::task::Poll::Ready(Some(ev)) = events.poll_next_event(&mut cx) {
///     names.push(ev.unwrap().type_name().to_owned());
/// }
/// assert_eq!(names.first().map(String::as_str), Some("message_start"));
/// assert_eq!(names.last().map(String::as_str), Some("message_stop"));
/// ```
#[derive(Debug)]
pub struct EventStream {
    body: ResponseBody,
    decoder: StreamDecoder,
    pending: VecDeque<StreamEvent>,
    scratch: Vec<StreamEvent>,
    error: Option<Error>,
    eof: bool,
    finished: bool,
    done: bool,
    saw_stop: bool,
    request_id: Option<String>,
}

impl EventStream {
    /// Events from `body`, decoded by `decoder`.
    pub fn new(body: ResponseBody, decoder: StreamDecoder) -> Self {
        Self {
            body,
            decoder,
            pending: VecDeque::new(),
            scratch: Vec::new(),
            error: None,
            eof: false,
            finished: false,
            done: false,
            saw_stop: false,
            request_id: None,
        }
    }

    /// The response's request id, given to a mid-stream API error whose
    /// payload names none.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// Events from `provider`'s streaming `body` answering `params`
    /// (its framing, a fresh converter).
    pub fn for_provider(
        provider: &dyn Provider,
        params: &MessageCreateParams,
        body: ResponseBody,
    ) -> Result<Self, Error> {
        Ok(Self::new(body, StreamDecoder::for_provider(provider, params)?))
    }

    /// The next event; `None` at the end of the stream.
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent, Error>> {
        std::future::poll_fn(|cx| self.poll_next_event(cx)).await
    }

    fn deliver(&mut self, ev: StreamEvent) -> Result<StreamEvent, Error> {
        match &ev {
            StreamEvent::Error(_) => {
                let payload = serde_json::to_vec(&ev).unwrap_or_default();
                let mut e = messages_http::Error::from_stream_error(&payload);
                if let Some(api) = e.api_error_mut() {
                    if api.request_id.is_none() {
                        api.request_id.clone_from(&self.request_id);
                    }
                }
                Err(Error::Http(e))
            }
            StreamEvent::MessageStop(_) => {
                self.saw_stop = true;
                Ok(ev)
            }
            _ => Ok(ev),
        }
    }

    /// Polls for the next event (the `Stream::poll_next` shape).
    pub fn poll_next_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<StreamEvent, Error>>> {
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
            match self.body.poll_chunk(cx) {
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
