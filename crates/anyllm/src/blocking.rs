//! The same calls for non-async code.
//!
//! Each blocking client owns a small single-threaded tokio runtime. Calling
//! from inside an async runtime would deadlock, so it is refused with
//! [`Error::Runtime`] instead of panicking.
//!
//! ```no_run
//! # fn run() -> Result<(), anyllm::Error> {
//! use anyllm::MessageParam;
//! let client = anyllm::blocking::Client::from_env()?;
//! let params = anyllm::params("anthropic:claude-sonnet-4-5", 256, vec![MessageParam::user("Hi")]);
//! println!("{}", client.messages(&params).send()?.text());
//! for event in client.messages(&params).stream()? {
//!     println!("{:?}", event?);
//! }
//! # Ok(()) }
//! ```

use std::future::IntoFuture;
use std::sync::Arc;

use futures_util::StreamExt;
use messages_types::{
    CountTokensParams, CountTokensResponse, Message, MessageCreateParams, MessageParam, StreamEvent,
};
use serde::de::DeserializeOwned;
use tokio::runtime::Runtime;

use crate::{Error, Options, ParsedMessage, RawResponse};

/// The runtime of a blocking client. Dropped with `shutdown_background` when
/// inside async code, so a client (or stream) dropped there does not make
/// tokio panic ("Cannot drop a runtime in a context where blocking is not
/// allowed").
#[derive(Debug)]
struct OwnedRuntime(Option<Runtime>);

impl OwnedRuntime {
    fn block_on<F: std::future::Future>(&self, f: F) -> Result<F::Output, Error> {
        outside_async()?;
        match &self.0 {
            Some(rt) => Ok(rt.block_on(f)),
            None => Err(Error::Runtime("the blocking runtime was shut down".into())),
        }
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            if outside_async().is_err() {
                rt.shutdown_background();
            }
        }
    }
}

fn runtime() -> Result<Arc<OwnedRuntime>, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|rt| Arc::new(OwnedRuntime(Some(rt))))
        .map_err(|e| Error::Runtime(format!("starting the runtime: {e}")))
}

fn outside_async() -> Result<(), Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::Runtime(
            "anyllm::blocking called from inside an async runtime; use the async API (anyllm::Client) there"
                .into(),
        ));
    }
    Ok(())
}

/// A blocking [`crate::Client`].
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    rt: Arc<OwnedRuntime>,
}

impl Client {
    /// Wraps an async client.
    pub fn new(inner: crate::Client) -> Result<Self, Error> {
        Ok(Self {
            inner,
            rt: runtime()?,
        })
    }

    /// A client from the environment (see [`crate::Client::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        Self::new(crate::Client::from_env()?)
    }

    /// The async client inside.
    pub fn async_client(&self) -> &crate::Client {
        &self.inner
    }

    /// A Messages call (see [`crate::Client::messages`]): set options on it,
    /// then [`send`](MessagesRequest::send) it (or [`raw`](MessagesRequest::raw),
    /// [`stream`](MessagesRequest::stream), [`parse`](MessagesRequest::parse)).
    ///
    /// ```no_run
    /// # fn run(client: anyllm::blocking::Client, params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
    /// let msg = client.messages(&params).timeout(std::time::Duration::from_secs(30)).send()?;
    /// #[derive(schemars::JsonSchema, serde::Deserialize)]
    /// struct City { name: String }
    /// let city = client.messages(&params).parse::<City>()?.into_parsed_output();
    /// # Ok(()) }
    /// ```
    pub fn messages<'a>(&'a self, params: &'a MessageCreateParams) -> MessagesRequest<'a> {
        MessagesRequest {
            inner: self.inner.messages(params),
            rt: Ok(self.rt.clone()),
        }
    }

    /// A count-tokens call (see [`crate::Client::count_tokens`]): set options
    /// on it, then [`send`](CountTokensRequest::send) it (or
    /// [`raw`](CountTokensRequest::raw)).
    ///
    /// ```no_run
    /// # fn run(client: anyllm::blocking::Client, params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
    /// let n = client.count_tokens(&(&params).into()).send()?.input_tokens;
    /// # Ok(()) }
    /// ```
    pub fn count_tokens<'a>(&'a self, params: &'a CountTokensParams) -> CountTokensRequest<'a> {
        CountTokensRequest {
            inner: self.inner.count_tokens(params),
            rt: &self.rt,
        }
    }
}

/// A blocking Messages call being set up ([`Client::messages`]); the
/// blocking twin of [`crate::MessagesRequest`], sent with
/// [`send`](Self::send), [`raw`](Self::raw), [`stream`](Self::stream) or
/// [`parse`](Self::parse).
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct MessagesRequest<'a> {
    inner: crate::MessagesRequest<'a>,
    /// The runtime, or why none could be started (free function).
    rt: Result<Arc<OwnedRuntime>, Error>,
}

impl<'a> MessagesRequest<'a> {
    crate::request::request_option_setters!(inner.options);

    /// Sends the call and returns the answer.
    pub fn send(self) -> Result<Message, Error> {
        self.rt?.block_on(self.inner.into_future())?
    }

    /// Sends the call and returns the answer beside the response metadata.
    pub fn raw(self) -> Result<RawResponse<Message>, Error> {
        self.rt?.block_on(self.inner.raw())?
    }

    /// Sends the call and parses the answer into `T` (see
    /// [`crate::MessagesRequest::parse`]).
    pub fn parse<T>(self) -> Result<ParsedMessage<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        self.rt?.block_on(self.inner.parse::<T>())?
    }

    /// Streams the call: an iterator of Anthropic stream events.
    pub fn stream(self) -> Result<MessageStream, Error> {
        let rt = self.rt?;
        let inner = rt.block_on(self.inner.stream())??;
        Ok(MessageStream {
            inner,
            rt,
            ended: false,
        })
    }
}

/// A blocking count-tokens call being set up ([`Client::count_tokens`]),
/// sent with [`send`](Self::send) or [`raw`](Self::raw).
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CountTokensRequest<'a> {
    inner: crate::CountTokensRequest<'a>,
    rt: &'a OwnedRuntime,
}

impl CountTokensRequest<'_> {
    crate::request::request_option_setters!(inner.options);

    /// Sends the call and returns the count.
    pub fn send(self) -> Result<CountTokensResponse, Error> {
        Ok(self.raw()?.body)
    }

    /// Sends the call and returns the count beside the response metadata.
    pub fn raw(self) -> Result<RawResponse<CountTokensResponse>, Error> {
        self.rt.block_on(self.inner.raw())?
    }
}

/// A blocking stream: an iterator of Anthropic stream events.
#[derive(Debug)]
pub struct MessageStream {
    inner: crate::MessageStream,
    rt: Arc<OwnedRuntime>,
    /// Set after a runtime error, so the iterator ends instead of repeating it.
    ended: bool,
}

impl MessageStream {
    /// The async stream inside (for its metadata and snapshot).
    pub fn get_ref(&self) -> &crate::MessageStream {
        &self.inner
    }

    /// Reads the rest and returns the accumulated message.
    pub fn final_message(self) -> Result<Message, Error> {
        self.rt.block_on(self.inner.final_message())?
    }

    /// Reads the rest and returns the text.
    pub fn final_text(self) -> Result<String, Error> {
        Ok(self.final_message()?.text())
    }
}

impl Iterator for MessageStream {
    type Item = Result<StreamEvent, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        self.rt.block_on(self.inner.next()).unwrap_or_else(|e| {
            self.ended = true;
            Some(Err(e))
        })
    }
}

/// Blocking [`crate::messages()`]: a Messages call with a client built from
/// the environment, sent with [`send`](MessagesRequest::send) or
/// [`stream`](MessagesRequest::stream) (…).
///
/// ```no_run
/// # fn run() -> Result<(), anyllm::Error> {
/// let msg = anyllm::blocking::messages("groq:llama-3.3-70b-versatile",
///     vec![anyllm::MessageParam::user("Hi")], 100, anyllm::Options::default()).send()?;
/// println!("{}", msg.text());
/// # Ok(()) }
/// ```
pub fn messages(
    model: &str,
    messages: Vec<MessageParam>,
    max_tokens: u32,
    options: Options,
) -> MessagesRequest<'static> {
    MessagesRequest {
        inner: crate::messages(model, messages, max_tokens, options),
        rt: outside_async().and_then(|()| runtime()),
    }
}
