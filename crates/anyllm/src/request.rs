//! One request builder per operation: [`MessagesRequest`] and
//! [`CountTokensRequest`].
//!
//! A builder holds the client, the params (borrowed) and the per-call
//! [`RequestOptions`]; nothing is sent until it is awaited (it implements
//! [`IntoFuture`]) or turned into one of its other futures
//! ([`MessagesRequest::raw`], [`MessagesRequest::stream`],
//! [`MessagesRequest::parse`]). Awaiting it directly boxes one future per
//! call (the type of an `async` body cannot be named otherwise); the other
//! futures are not boxed.

use std::borrow::Cow;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use messages_http::RawResponse;
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};
use serde::de::DeserializeOwned;

use crate::structured::{apply_output_format, ParsedMessage};
use crate::{Client, Error, MessageStream, RequestOptions};

/// The future of an awaited request builder.
pub type RequestFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// Generates the per-call option setters of a request builder; `$($field).+`
/// is the path of its [`RequestOptions`].
macro_rules! request_option_setters {
    ($($field:ident).+) => {
        /// Replaces the options set so far with `options` (anything unset
        /// falls back to the client's settings).
        pub fn options(mut self, options: $crate::RequestOptions) -> Self {
            self.$($field).+ = options;
            self
        }

        /// Routes to `provider` (the model string is then used as is; see
        /// [`Client::route`](crate::Client::route)).
        pub fn provider(mut self, provider: impl Into<String>) -> Self {
            self.$($field).+.provider = Some(provider.into());
            self
        }

        /// Uses this API key for this call.
        pub fn api_key(mut self, key: impl Into<String>) -> Self {
            self.$($field).+.api_key = Some(anyllm_provider::ApiKey::new(key));
            self
        }

        /// Uses this base URL for this call.
        pub fn api_base(mut self, url: impl Into<String>) -> Self {
            self.$($field).+.api_base = Some(url.into());
            self
        }

        /// The timeout of this call: the whole call, a stream's body included.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.$($field).+.timeout = Some(timeout);
            self
        }

        /// The number of retries of this call.
        pub fn max_retries(mut self, retries: u32) -> Self {
            self.$($field).+.max_retries = Some(retries);
            self
        }

        /// Adds a header (it overrides the client's header of that name).
        pub fn header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
            self.$($field).+.headers.insert(name, value);
            self
        }

        /// Adds a beta name (Anthropic: `anthropic-beta`).
        pub fn beta(mut self, beta: impl Into<String>) -> Self {
            self.$($field).+.betas.push(beta.into());
            self
        }

        /// Applies `key: value` to the provider's native request body (JSON
        /// Merge Patch; see [`RequestOptions::extra_body`](crate::RequestOptions::extra_body)).
        pub fn extra_body(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
            self.$($field).+.extra_body.insert(key.into(), value);
            self
        }
    };
}
pub(crate) use request_option_setters;

/// A Messages call being set up ([`Client::messages`]). `.await` it for the
/// [`Message`]; [`raw`](Self::raw), [`stream`](Self::stream) and
/// [`parse`](Self::parse) are the other ways to send it.
///
/// ```no_run
/// # async fn run(client: anyllm::Client, params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
/// use std::time::Duration;
/// let msg = client.messages(&params).await?;
/// let raw = client
///     .messages(&params)
///     .timeout(Duration::from_secs(20))
///     .beta("interleaved-thinking-2025-05-14")
///     .extra_body("service_tier", serde_json::json!("auto"))
///     .raw()
///     .await?;
/// println!("{:?} {:?}", raw.request_id, raw.rate_limits.requests_remaining());
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct MessagesRequest<'a> {
    /// The client and the params, or the error that setting up the call
    /// already met (the free functions build their client from the environment).
    target: Result<(Cow<'a, Client>, Cow<'a, MessageCreateParams>), Error>,
    pub(crate) options: RequestOptions,
}

impl<'a> MessagesRequest<'a> {
    pub(crate) fn new(target: Result<(Cow<'a, Client>, Cow<'a, MessageCreateParams>), Error>) -> Self {
        Self {
            target,
            options: RequestOptions::default(),
        }
    }

    request_option_setters!(options);

    /// Sends the call and returns the answer beside the response's status,
    /// headers, request id and rate-limit headers.
    pub async fn raw(self) -> Result<RawResponse<Message>, Error> {
        let (client, params) = self.target?;
        client.send_messages(&params, &self.options).await
    }

    /// Streams the call: a [`MessageStream`] of Anthropic stream events
    /// (whatever the provider), with the response metadata available before
    /// the first event. Dropping the stream cancels the request.
    ///
    /// ```no_run
    /// # async fn run(client: anyllm::Client, params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
    /// let mut stream = client.messages(&params).stream().await?;
    /// println!("request id: {:?}", stream.request_id());
    /// while let Some(event) = stream.next_event().await {
    ///     println!("{}", serde_json::to_string(&event?).unwrap_or_default());
    /// }
    /// let message = stream.final_message().await?;
    /// # Ok(()) }
    /// ```
    pub async fn stream(self) -> Result<MessageStream, Error> {
        let (client, params) = self.target?;
        client.stream_messages(&params, &self.options).await
    }

    /// Structured output: asks for JSON matching `T`'s schema (rewritten
    /// with the SDK's strict rules, sent as `output_config.format`) and parses
    /// each text block into `T`. An `output_config.format` already in the
    /// params is sent untouched.
    ///
    /// ```no_run
    /// # async fn run(client: anyllm::Client) -> Result<(), anyllm::Error> {
    /// #[derive(schemars::JsonSchema, serde::Deserialize, Debug)]
    /// struct Capital { country: String, city: String }
    /// let params = anyllm::params("anthropic:claude-sonnet-4-5", 256,
    ///     vec![anyllm::MessageParam::user("Capital of France?")]);
    /// let parsed = client.messages(&params).parse::<Capital>().await?;
    /// println!("{:?}", parsed.parsed_output());
    /// # Ok(()) }
    /// ```
    pub async fn parse<T>(self) -> Result<ParsedMessage<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        let (client, params) = self.target?;
        let mut params = params.into_owned();
        apply_output_format::<T>(&mut params);
        let message = client.send_messages(&params, &self.options).await?.body;
        ParsedMessage::parse(message)
    }
}

impl<'a> IntoFuture for MessagesRequest<'a> {
    type Output = Result<Message, Error>;
    type IntoFuture = RequestFuture<'a, Message>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { Ok(self.raw().await?.body) })
    }
}

/// A count-tokens call being set up ([`Client::count_tokens`]). `.await` it
/// for the [`CountTokensResponse`]; [`raw`](Self::raw) adds the response
/// metadata.
///
/// ```no_run
/// # async fn run(client: anyllm::Client, params: anyllm::MessageCreateParams) -> Result<(), anyllm::Error> {
/// let count = anyllm::CountTokensParams::from(&params);
/// let n = client.count_tokens(&count).await?.input_tokens;
/// let raw = client.count_tokens(&count).max_retries(0).raw().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CountTokensRequest<'a> {
    client: &'a Client,
    params: &'a CountTokensParams,
    pub(crate) options: RequestOptions,
}

impl<'a> CountTokensRequest<'a> {
    pub(crate) fn new(client: &'a Client, params: &'a CountTokensParams) -> Self {
        Self {
            client,
            params,
            options: RequestOptions::default(),
        }
    }

    request_option_setters!(options);

    /// Sends the call and returns the count beside the response metadata.
    pub async fn raw(self) -> Result<RawResponse<CountTokensResponse>, Error> {
        self.client.send_count_tokens(self.params, &self.options).await
    }
}

impl<'a> IntoFuture for CountTokensRequest<'a> {
    type Output = Result<CountTokensResponse, Error>;
    type IntoFuture = RequestFuture<'a, CountTokensResponse>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { Ok(self.raw().await?.body) })
    }
}
