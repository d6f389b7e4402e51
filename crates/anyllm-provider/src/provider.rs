//! The [`Provider`] trait: a pure adapter between the Anthropic Messages
//! format and one provider's native HTTP API. No I/O happens here; the client
//! (`anyllm`) sends the request through its transport and hands the response
//! back.

use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;
use messages_types::{CountTokensParams, CountTokensResponse, Message, MessageCreateParams};

use crate::{ApiFamily, Authorize, CallContext, Error, Framing, ProviderInfo, StreamConverter};

/// One provider, as a set of pure conversions. Object safe: the client keeps
/// providers as `Arc<dyn Provider>` in its registry.
///
/// A call goes: [`Provider::build_request`] → transport → on a 2xx
/// [`Provider::parse_response`] (or, when streaming, the body framed as
/// [`Provider::framing`] says and fed to a fresh
/// [`Provider::stream_converter`]); on any other status
/// [`Provider::classify_error`].
///
/// The `params` a provider sees carry the bare model id (the client strips
/// the `provider:` prefix) and have already passed [`Provider::validate`].
pub trait Provider: Send + Sync + Debug {
    /// Name, API family, default base URL and env vars.
    fn info(&self) -> &ProviderInfo;

    /// Client-side checks run before anything is sent, each error naming the
    /// field ([`Error::Validation`]). The default runs the checks that hold
    /// for every target ([`crate::validate::validate_portable`]); a provider
    /// adds its API's own limits by overriding it (the Anthropic provider
    /// adds the thinking-budget bounds and the tool-name pattern). `ctx` is
    /// the call's context (its betas and headers may relax a limit).
    fn validate(&self, params: &MessageCreateParams, ctx: &CallContext) -> Result<(), Error> {
        let _ = ctx;
        crate::validate::validate_portable(params)
    }

    /// The native HTTP request for `params` (endpoint chosen by
    /// `ctx.stream`). Conversion failures are typed: a field the target cannot
    /// express is [`Error::Convert`] with `ConvertError::Unsupported` naming
    /// the field; a missing key is [`Error::MissingApiKey`].
    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error>;

    /// Whether the target carries Anthropic beta features (the call's
    /// [`CallContext::betas`] or an `anthropic-beta` header). Default: the
    /// Anthropic Messages family ([`ApiFamily::AnthropicMessages`]); a
    /// provider speaking the Anthropic body elsewhere (Claude on Bedrock's
    /// `InvokeModel`) overrides it. A target that does not carry them would
    /// drop them silently, so [`crate::lenient`] refuses or reports them.
    fn honours_betas(&self) -> bool {
        self.info().family == ApiFamily::AnthropicMessages
    }

    /// Converts a successful (2xx) non-streaming response into a [`Message`].
    /// `params` is the request it answers (some providers omit the model).
    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error>;

    /// How the streaming body is framed. Default: server-sent events.
    fn framing(&self) -> Framing {
        Framing::Sse
    }

    /// A fresh stream converter for one streaming call answering `params`.
    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter>;

    /// The typed error for a non-2xx response. The default reads the
    /// provider-agnostic shape (status → error type, the body's message,
    /// `request-id` / `x-request-id`, retry hints) via
    /// [`messages_http::Error::from_response`]. Override it to correct the
    /// class (e.g. Gemini's 400 `API_KEY_INVALID` is an authentication error).
    fn classify_error(&self, response: http::Response<Bytes>) -> Error {
        let (parts, body) = response.into_parts();
        Error::Http(messages_http::Error::from_response(
            parts.status,
            parts.headers,
            body,
        ))
    }

    /// The per-attempt authorization of a call built for `ctx`, if the
    /// provider needs one: the client runs it on every attempt, after the
    /// body is final (a fresh SigV4 signature, a current token), and on a
    /// 401 lets it refresh once (see [`Authorize`]). Default: `None` — the
    /// credentials `build_request` put in the request are all there is.
    ///
    /// Return a hook the provider holds (an `Arc` clone), so its cached
    /// credential lives across calls; [`credentials::BearerAuth`](crate::credentials::BearerAuth)
    /// is the one for token APIs.
    fn authorizer(&self, ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        let _ = ctx;
        Ok(None)
    }

    /// The native request for `POST /v1/messages/count_tokens` or the
    /// provider's equivalent. Default: [`Error::Unsupported`].
    fn build_count_tokens_request(
        &self,
        params: &CountTokensParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let _ = (params, ctx);
        Err(Error::Unsupported {
            provider: self.info().name.to_owned(),
            operation: "count_tokens",
        })
    }

    /// Parses a successful count-tokens response. Default: [`Error::Unsupported`].
    fn parse_count_tokens(&self, response: http::Response<Bytes>) -> Result<CountTokensResponse, Error> {
        let _ = response;
        Err(Error::Unsupported {
            provider: self.info().name.to_owned(),
            operation: "count_tokens",
        })
    }
}
