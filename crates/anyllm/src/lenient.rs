//! Choosing what happens to fields a target cannot express: the strict
//! default or the lenient policy ([`ConversionPolicy`]), per call.
//!
//! The client's ordinary calls ([`Client::messages`]) are strict: a field
//! the target cannot express is `ConvertError::Unsupported` naming it.
//! [`Client::apply_policy`] fits a request to the provider its model routes
//! to before it is sent:
//!
//! - [`ConversionPolicy::Strict`] also refuses the betas a target cannot
//!   honour (`Unsupported { field: "anthropic-beta: <name>" }`) — an
//!   ordinary call to a non-Anthropic target leaves them out unsent;
//! - [`ConversionPolicy::Lenient`] drops what the target cannot express and
//!   the policy allows (the rule and its reasons:
//!   [`messages_convert::lenient`]), and returns the structured report
//!   ([`DroppedField`]s) with the request to send.
//!
//! ```
//! use anyllm::{Client, ConversionPolicy, MapEnv, RequestOptions};
//! let client = Client::builder().env(MapEnv::new([("OPENAI_API_KEY", "k")])).build().unwrap();
//! let params: anyllm::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "openai:gpt-4.1-mini", "max_tokens": 64, "top_k": 5,
//!     "context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]},
//!     "messages": [{"role": "user", "content": "Hi"}]
//! })).unwrap();
//! let opts = RequestOptions::new().beta("interleaved-thinking-2025-05-14");
//!
//! let strict = client.apply_policy(&params, &opts, false, ConversionPolicy::Strict);
//! assert!(strict.unwrap_err().to_string().contains("anthropic-beta: interleaved-thinking-2025-05-14"));
//!
//! let fitted = client.apply_policy(&params, &opts, false, ConversionPolicy::Lenient).unwrap();
//! let paths: Vec<&str> = fitted.dropped.iter().map(|d| d.path.as_str()).collect();
//! assert_eq!(paths, ["anthropic-beta: interleaved-thinking-2025-05-14", "top_k", "context_management"]);
//! assert!(fitted.params.top_k.is_none() && fitted.options.betas.is_empty());
//! // then: client.messages(&fitted.params).options(fitted.options.into_owned())
//! ```
//!
//! The lenient path converts the request once to find what to drop (the
//! conversion is pure); the call converts it again when it is sent.
//! Betas and an `anthropic-beta` header set on the client itself
//! ([`ClientBuilder::beta`](crate::ClientBuilder::beta)) are reported but
//! cannot be taken out of the returned options; per-call ones are.

use std::borrow::Cow;

pub use anyllm_provider::lenient::betas_from_headers;
use anyllm_provider::lenient::{check_betas, relax, relax_count, ANTHROPIC_BETA};
use messages_convert::lenient::DropKind;
pub use messages_convert::lenient::{ConversionPolicy, DroppedField};
use messages_types::{CountTokensParams, MessageCreateParams};

use crate::{Client, Error, RequestOptions};

/// A request fitted to its target by [`Client::apply_policy`] (or a
/// count-tokens request by [`Client::apply_count_policy`]): what to send
/// and what was dropped. Borrows the caller's request when nothing changed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Fitted<'a, P: Clone = MessageCreateParams> {
    /// The request to send (the model string as given).
    pub params: Cow<'a, P>,
    /// The per-call options to send it with.
    pub options: Cow<'a, RequestOptions>,
    /// What was dropped, in the order it was found (empty when strict).
    pub dropped: Vec<DroppedField>,
}

impl Client {
    /// Fits `params` (sent with `opts`, streamed or not) to the provider its
    /// model routes to, under `policy` — see the [module docs](crate::lenient).
    /// Errors are the typed ones the call would give: `Unsupported` naming
    /// the field, a validation error, a missing key, an unknown provider.
    pub fn apply_policy<'a>(
        &self,
        params: &'a MessageCreateParams,
        opts: &'a RequestOptions,
        stream: bool,
        policy: ConversionPolicy,
    ) -> Result<Fitted<'a>, Error> {
        let (provider, model) = self.route(&params.model, opts.provider.as_deref())?;
        let mut ctx = self.context(provider.as_ref(), opts, stream)?;
        let unchanged = |dropped| Fitted {
            params: Cow::Borrowed(params),
            options: Cow::Borrowed(opts),
            dropped,
        };
        if policy == ConversionPolicy::Strict {
            check_betas(provider.as_ref(), &ctx)?;
            return Ok(unchanged(Vec::new()));
        }
        let mut relaxed = params.clone();
        relaxed.model = model;
        let dropped = relax(provider.as_ref(), &mut relaxed, &mut ctx)?;
        if dropped.is_empty() {
            return Ok(unchanged(dropped));
        }
        relaxed.model.clone_from(&params.model);
        Ok(Fitted {
            params: Cow::Owned(relaxed),
            options: without_betas(opts, &dropped),
            dropped,
        })
    }

    /// [`apply_policy`](Client::apply_policy) for a count-tokens request:
    /// the same rule, tried against the provider's count-tokens conversion
    /// (some convert it to a Messages-shaped request of their own). A
    /// provider without a count-tokens endpoint converts nothing, so only
    /// the betas it cannot honour are dropped. Strict checks only the betas
    /// here; the call refuses any other field the target cannot express.
    ///
    /// ```
    /// use anyllm::{Client, ConversionPolicy, MapEnv, RequestOptions};
    /// let client = Client::builder().env(MapEnv::new([("GEMINI_API_KEY", "k")])).build().unwrap();
    /// let params: anyllm::CountTokensParams = serde_json::from_value(serde_json::json!({
    ///     "model": "gemini:gemini-2.5-flash", "context_management": {"edits": []},
    ///     "messages": [{"role": "user", "content": "Hi"}]
    /// })).unwrap();
    /// let opts = RequestOptions::new().beta("context-1m-2025-08-07");
    /// let strict = client.apply_count_policy(&params, &opts, ConversionPolicy::Strict);
    /// assert!(strict.unwrap_err().to_string().contains("anthropic-beta: context-1m-2025-08-07"));
    /// let fitted = client.apply_count_policy(&params, &opts, ConversionPolicy::Lenient).unwrap();
    /// let paths: Vec<&str> = fitted.dropped.iter().map(|d| d.path.as_str()).collect();
    /// assert_eq!(paths, ["anthropic-beta: context-1m-2025-08-07", "context_management"]);
    /// assert!(fitted.params.extra.is_empty() && fitted.options.betas.is_empty());
    /// ```
    pub fn apply_count_policy<'a>(
        &self,
        params: &'a CountTokensParams,
        opts: &'a RequestOptions,
        policy: ConversionPolicy,
    ) -> Result<Fitted<'a, CountTokensParams>, Error> {
        let (provider, model) = self.route(&params.model, opts.provider.as_deref())?;
        let mut ctx = self.context(provider.as_ref(), opts, false)?;
        if policy == ConversionPolicy::Strict {
            // The call itself refuses what the target cannot express.
            check_betas(provider.as_ref(), &ctx)?;
            return Ok(Fitted {
                params: Cow::Borrowed(params),
                options: Cow::Borrowed(opts),
                dropped: Vec::new(),
            });
        }
        let mut relaxed = params.clone();
        relaxed.model = model;
        let dropped = relax_count(provider.as_ref(), &mut relaxed, &mut ctx)?;
        if dropped.is_empty() {
            return Ok(Fitted {
                params: Cow::Borrowed(params),
                options: Cow::Borrowed(opts),
                dropped,
            });
        }
        relaxed.model.clone_from(&params.model);
        Ok(Fitted {
            params: Cow::Owned(relaxed),
            options: without_betas(opts, &dropped),
            dropped,
        })
    }
}

/// The options without their betas when some were dropped.
fn without_betas<'a>(opts: &'a RequestOptions, dropped: &[DroppedField]) -> Cow<'a, RequestOptions> {
    if dropped.iter().any(|d| d.kind == DropKind::Beta) {
        let mut o = opts.clone();
        o.betas.clear();
        o.headers.remove(ANTHROPIC_BETA);
        Cow::Owned(o)
    } else {
        Cow::Borrowed(opts)
    }
}
