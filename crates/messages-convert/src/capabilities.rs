//! One capability check for every family: each family declares, as data,
//! which Anthropic request features it can carry ([`Capabilities`]), and
//! [`check_capabilities`] turns that declaration into the typed
//! `Unsupported { field }` errors. A family's request conversion calls it
//! first, so two families that declare the same support answer the same
//! request the same way.
//!
//! Covered here: the top-level request features that are all-or-nothing
//! for a target (sampling and limits with no counterpart, Anthropic-only
//! platform features). Per-block and per-tool limits stay with each
//! family's conversion, which names the exact path (`messages[2].content[0]`).

use messages_types::{MessageCreateParams, ServiceTierRequest};

use crate::ConvertError;

/// How a target handles one Anthropic request feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Carried to the target (converted or passed through).
    Native,
    /// A hint with no counterpart, accepted and not sent — a documented
    /// mapping (the answer does not depend on it, e.g. `metadata.user_id`).
    Ignored,
    /// Refused with [`ConvertError::Unsupported`] naming the field.
    Unsupported,
}

/// The Anthropic request features a family (or one provider of a family)
/// can carry. Built in `const` tables: start from [`Capabilities::NONE`] or
/// [`Capabilities::ALL`] and adjust with the `const` setters.
///
/// ```
/// use messages_convert::capabilities::{Capabilities, Support};
/// const MINE: Capabilities = Capabilities::NONE.top_k(Support::Native);
/// assert_eq!(MINE.top_k, Support::Native);
/// assert_eq!(MINE.container, Support::Unsupported);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// `max_tokens: 0` (Anthropic's cache pre-warm: no output).
    pub zero_max_tokens: Support,
    /// `top_k` sampling.
    pub top_k: Support,
    /// `metadata.user_id`.
    pub metadata_user_id: Support,
    /// `service_tier: "standard_only"`. `auto`, the default, is always
    /// accepted; a tier name this crate does not know is refused unless
    /// this is `Ignored` (there is no mapping for it).
    pub service_tier: Support,
    /// `inference_geo` (a data-residency constraint: never silently ignored
    /// by the families of this crate).
    pub inference_geo: Support,
    /// `container` (Anthropic code-execution container reuse).
    pub container: Support,
    /// `mcp_servers` (Anthropic's MCP connector; refused when present, even empty).
    pub mcp_servers: Support,
    /// `context_management` (Anthropic's context editing).
    pub context_management: Support,
}

impl Capabilities {
    /// Nothing beyond the core request is carried: every feature refused.
    pub const NONE: Self = Self {
        zero_max_tokens: Support::Unsupported,
        top_k: Support::Unsupported,
        metadata_user_id: Support::Unsupported,
        service_tier: Support::Unsupported,
        inference_geo: Support::Unsupported,
        container: Support::Unsupported,
        mcp_servers: Support::Unsupported,
        context_management: Support::Unsupported,
    };

    /// Every feature carried (the Anthropic Messages API itself).
    pub const ALL: Self = Self {
        zero_max_tokens: Support::Native,
        top_k: Support::Native,
        metadata_user_id: Support::Native,
        service_tier: Support::Native,
        inference_geo: Support::Native,
        container: Support::Native,
        mcp_servers: Support::Native,
        context_management: Support::Native,
    };

    /// Sets [`Capabilities::zero_max_tokens`].
    pub const fn zero_max_tokens(mut self, s: Support) -> Self {
        self.zero_max_tokens = s;
        self
    }
    /// Sets [`Capabilities::top_k`].
    pub const fn top_k(mut self, s: Support) -> Self {
        self.top_k = s;
        self
    }
    /// Sets [`Capabilities::metadata_user_id`].
    pub const fn metadata_user_id(mut self, s: Support) -> Self {
        self.metadata_user_id = s;
        self
    }
    /// Sets [`Capabilities::service_tier`].
    pub const fn service_tier(mut self, s: Support) -> Self {
        self.service_tier = s;
        self
    }
    /// Sets [`Capabilities::inference_geo`].
    pub const fn inference_geo(mut self, s: Support) -> Self {
        self.inference_geo = s;
        self
    }
    /// Sets [`Capabilities::container`].
    pub const fn container(mut self, s: Support) -> Self {
        self.container = s;
        self
    }
    /// Sets [`Capabilities::mcp_servers`].
    pub const fn mcp_servers(mut self, s: Support) -> Self {
        self.mcp_servers = s;
        self
    }
    /// Sets [`Capabilities::context_management`].
    pub const fn context_management(mut self, s: Support) -> Self {
        self.context_management = s;
        self
    }
}

/// Refuses the first feature of `params` that `caps` marks
/// [`Support::Unsupported`], as `Unsupported { provider, field }`; checks
/// in the order the fields are declared in [`Capabilities`].
///
/// ```
/// use messages_convert::{check_capabilities, Capabilities, ConvertError};
/// let params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "m", "max_tokens": 8, "inference_geo": "us",
///     "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let err = check_capabilities("mine", &Capabilities::NONE, &params).unwrap_err();
/// assert!(matches!(err, ConvertError::Unsupported { field, .. } if field == "inference_geo"));
/// assert!(check_capabilities("anthropic", &Capabilities::ALL, &params).is_ok());
/// ```
pub fn check_capabilities(
    provider: &str,
    caps: &Capabilities,
    params: &MessageCreateParams,
) -> Result<(), ConvertError> {
    let tier_needs_support = match &params.service_tier {
        None | Some(ServiceTierRequest::Auto) => false,
        Some(ServiceTierRequest::StandardOnly) => true,
        // A tier this crate does not know has no mapping: refused unless the
        // target ignores tiers altogether.
        Some(_) => caps.service_tier != Support::Ignored,
    };
    let checks: [(bool, Support, &str, Option<&str>); 8] = [
        (
            params.max_tokens == 0,
            caps.zero_max_tokens,
            "max_tokens",
            Some("the provider generates at least one token (max_tokens 0, a cache pre-warm, has no equivalent)"),
        ),
        (
            params.top_k.is_some(),
            caps.top_k,
            "top_k",
            Some("the provider has no top-k sampling parameter"),
        ),
        (
            params.metadata.as_ref().is_some_and(|m| m.user_id.is_some()),
            caps.metadata_user_id,
            "metadata.user_id",
            None,
        ),
        (tier_needs_support, caps.service_tier, "service_tier", None),
        (params.inference_geo.is_some(), caps.inference_geo, "inference_geo", None),
        (params.container.is_some(), caps.container, "container", None),
        (params.mcp_servers.is_some(), caps.mcp_servers, "mcp_servers", None),
        (
            params.context_management.is_some(),
            caps.context_management,
            "context_management",
            None,
        ),
    ];
    for (present, support, field, detail) in checks {
        if present && support == Support::Unsupported {
            return Err(match detail {
                Some(d) => ConvertError::unsupported_because(provider, field, d),
                None => ConvertError::unsupported(provider, field),
            });
        }
    }
    Ok(())
}
