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
//! println!("{}", client.messages(&params)?.text());
//! for event in client.messages_stream(&params)? {
//!     println!("{:?}", event?);
//! }
//! # Ok(()) }
//! ```

use std::sync::Arc;

use futures_util::StreamExt;
use messages_types::{
    CountTokensParams, CountTokensResponse, Message, MessageCreateParams, MessageParam, StreamEvent,
};
use serde::de::DeserializeOwned;
use tokio::runtime::Runtime;

use crate::{Error, Options, ParsedMessage, RawResponse, RequestOptions};

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

    fn block_on<F: std::future::Future>(&self, f: F) -> Result<F::Output, Error> {
        self.rt.block_on(f)
    }

    /// See [`crate::Client::messages`].
    pub fn messages(&self, params: &MessageCreateParams) -> Result<Message, Error> {
        self.block_on(self.inner.messages(params))?
    }

    /// See [`crate::Client::messages_with`].
    pub fn messages_with(
        &self,
        params: &MessageCreateParams,
        opts: &RequestOptions,
    ) -> Result<Message, Error> {
        self.block_on(self.inner.messages_with(params, opts))?
    }

    /// See [`crate::Client::messages_raw`].
    pub fn messages_raw(
        &self,
        params: &MessageCreateParams,
        opts: &RequestOptions,
    ) -> Result<RawResponse<Message>, Error> {
        self.block_on(self.inner.messages_raw(params, opts))?
    }

    /// See [`crate::Client::messages_parse_with`].
    pub fn messages_parse_with<T>(
        &self,
        params: &MessageCreateParams,
        opts: &RequestOptions,
    ) -> Result<ParsedMessage<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        self.block_on(self.inner.messages_parse_with::<T>(params, opts))?
    }

    /// See [`crate::Client::count_tokens_raw`].
    pub fn count_tokens_raw(
        &self,
        params: &CountTokensParams,
        opts: &RequestOptions,
    ) -> Result<RawResponse<CountTokensResponse>, Error> {
        self.block_on(self.inner.count_tokens_raw(params, opts))?
    }

    /// See [`crate::Client::messages_parse`].
    ///
    /// ```no_run
    /// # fn run(client: anyllm::blocking::Client, params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
    /// #[derive(schemars::JsonSchema, serde::Deserialize)]
    /// struct City { name: String }
    /// let city = client.messages_parse::<City>(&params)?.into_parsed_output();
    /// # Ok(()) }
    /// ```
    pub fn messages_parse<T>(&self, params: &MessageCreateParams) -> Result<ParsedMessage<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        self.block_on(self.inner.messages_parse::<T>(params))?
    }

    /// See [`crate::Client::count_tokens`].
    ///
    /// ```no_run
    /// # fn run(client: anyllm::blocking::Client, params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
    /// let n = client.count_tokens(&(&params).into())?.input_tokens;
    /// # Ok(()) }
    /// ```
    pub fn count_tokens(&self, params: &CountTokensParams) -> Result<CountTokensResponse, Error> {
        self.block_on(self.inner.count_tokens(params))?
    }

    /// See [`crate::Client::messages_stream`]: an iterator of events.
    pub fn messages_stream(&self, params: &MessageCreateParams) -> Result<MessageStream, Error> {
        self.messages_stream_with(params, &RequestOptions::default())
    }

    /// See [`crate::Client::messages_stream_with`].
    pub fn messages_stream_with(
        &self,
        params: &MessageCreateParams,
        opts: &RequestOptions,
    ) -> Result<MessageStream, Error> {
        let inner = self.block_on(self.inner.messages_stream_with(params, opts))??;
        Ok(MessageStream {
            inner,
            rt: self.rt.clone(),
            ended: false,
        })
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

/// Blocking [`crate::messages()`].
///
/// ```no_run
/// # fn run() -> Result<(), anyllm::Error> {
/// let msg = anyllm::blocking::messages("groq:llama-3.3-70b-versatile",
///     vec![anyllm::MessageParam::user("Hi")], 100, anyllm::Options::default())?;
/// println!("{}", msg.text());
/// # Ok(()) }
/// ```
pub fn messages(
    model: &str,
    messages: Vec<MessageParam>,
    max_tokens: u32,
    options: Options,
) -> Result<Message, Error> {
    outside_async()?;
    runtime()?.block_on(crate::messages(model, messages, max_tokens, options))?
}
