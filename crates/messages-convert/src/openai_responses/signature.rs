//! The thinking-block signature this family mints for a Responses
//! `reasoning` output item — the one place it is encoded and decoded.
//!
//! A reasoning item (`{id, summary, encrypted_content}`) must go back to the
//! API unchanged in the next request so that a stateless (`store: false`)
//! tool loop keeps its reasoning. Anthropic carries opaque reasoning state in
//! a thinking block's `signature`, so the item is packed there:
//!
//! ```text
//! anyllm.oair.<base64url, no padding, of {"id":…,"encrypted_content":…,"summary":[…]}>
//! ```
//!
//! `summary` holds the item's `summary_text` parts, in order (the thinking
//! text shows them joined by a blank line, so the parts could not be
//! recovered from it); `encrypted_content` is absent when the server sent none.
//! The prefix is this family's in the one shared scheme
//! ([`crate::signature`]: minted with [`signature::mint`]`(SignatureOrigin::OpenAiResponses, …)`,
//! read back with [`signature::native_for`]), so it tells a signature this
//! family minted from one minted by another provider (an Anthropic
//! signature, an OpenRouter one…); the request conversion applies the shared
//! replay rule ([`signature::thinking`]) to every thinking block. base64url (the `base64` crate, the ecosystem's standard
//! implementation) keeps the signature free of characters that need escaping.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::signature::{self, SignatureOrigin};

/// The prefix of every signature this family mints.
pub const SIGNATURE_PREFIX: &str = SignatureOrigin::OpenAiResponses.prefix();

/// What a reasoning signature carries: the reasoning item's fields that are
/// sent back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReasoningSignature {
    /// The reasoning item's id (`rs_…`).
    pub id: String,
    /// The opaque encrypted reasoning, when the server returned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_content: Option<String>,
    /// The `summary_text` parts, in order.
    #[serde(default)]
    pub summary: Vec<String>,
}

/// Encodes a reasoning item as a thinking-block signature.
///
/// ```
/// use messages_convert::openai_responses::signature::{
///     decode_reasoning_signature, encode_reasoning_signature, ReasoningSignature,
/// };
/// let item = ReasoningSignature {
///     id: "rs_1".into(),
///     encrypted_content: Some("gAAA".into()),
///     summary: vec!["Thinking.".into()],
/// };
/// let sig = encode_reasoning_signature(&item);
/// assert!(sig.starts_with("anyllm.oair."));
/// assert_eq!(decode_reasoning_signature(&sig), Some(item));
/// assert_eq!(decode_reasoning_signature("EqQBCkgIARABGAIiQ…"), None);
/// ```
pub fn encode_reasoning_signature(item: &ReasoningSignature) -> String {
    // Serializing a struct of strings cannot fail; an empty payload would
    // only make the signature undecodable (then dropped), never wrong.
    let json = serde_json::to_vec(item).unwrap_or_default();
    signature::mint(SignatureOrigin::OpenAiResponses, &URL_SAFE_NO_PAD.encode(json))
}

/// Decodes a signature this family minted; `None` for any other signature
/// (another provider's, or a damaged one).
pub fn decode_reasoning_signature(signature: &str) -> Option<ReasoningSignature> {
    decode_native(signature::native_for(
        SignatureOrigin::OpenAiResponses,
        signature,
    )?)
}

/// Decodes this family's token (a signature with its prefix removed by the
/// replay rule, [`signature::thinking`]); `None` when it is damaged.
pub fn decode_native(native: &str) -> Option<ReasoningSignature> {
    let json = URL_SAFE_NO_PAD.decode(native).ok()?;
    serde_json::from_slice(&json).ok()
}
