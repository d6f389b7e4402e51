//! Where a thinking signature came from, and the one rule for replaying it.
//!
//! A conversation can move from one provider to another mid-way (a user
//! switches model, a gateway falls back). Its assistant turns then carry
//! thinking blocks signed by the first provider, which the second one cannot
//! verify (Anthropic refuses the request; others ignore or reject it).
//!
//! **Minting.** Every signature this project creates from a provider's own
//! reasoning token gets a short prefix naming the family that minted it
//! ([`mint`]): Gemini thought signatures, OpenAI-compatible encrypted
//! reasoning, OpenRouter `reasoning_details`, OpenAI Responses encrypted
//! reasoning and Bedrock reasoning signatures. Signatures from Anthropic
//! itself are never touched. Anthropic signatures are base64, which has no
//! `.`, so a prefix of the form `anyllm.<family>.` can never be mistaken for
//! one.
//!
//! | origin | prefix |
//! |---|---|
//! | [`SignatureOrigin::Anthropic`] | none (anything not starting with `anyllm.`) |
//! | [`SignatureOrigin::Gemini`] | `anyllm.gemini.` |
//! | [`SignatureOrigin::OpenAiChat`] | `anyllm.oaic.` |
//! | [`SignatureOrigin::OpenRouter`] | `anyllm.openrouter.` |
//! | [`SignatureOrigin::OpenAiResponses`] | `anyllm.oair.` |
//! | [`SignatureOrigin::Bedrock`] | `anyllm.bedrock.` |
//! | [`SignatureOrigin::Other`] | any other `anyllm.` prefix |
//!
//! **Replaying (the rule).** On every request, a thinking block keeps its
//! signature only when the target family minted it (the prefix is removed,
//! so the provider gets its own token back); anywhere else the signature is
//! dropped. Targets that require a valid signature on every thinking block
//! (Anthropic, Claude on Bedrock) get no foreign thinking block at all: the
//! whole block is dropped, as is an unsigned one (Anthropic never produces
//! those). A `redacted_thinking` block is encrypted reasoning: it is kept
//! only for the family that minted its `data`, dropped elsewhere.
//!
//! Each family's request conversion calls [`thinking`] and [`redacted`] for
//! every such block of an assistant turn (or [`retain_for`] on the whole
//! request, as the Anthropic pass-through does), and each family's response
//! and stream conversion calls [`mint`] on every signature it creates.
//!
//! ```
//! use messages_convert::signature::{self, Replay, SignatureOrigin};
//! let sig = signature::mint(SignatureOrigin::Gemini, "CiQBVKhc7");
//! assert_eq!(sig, "anyllm.gemini.CiQBVKhc7");
//! assert_eq!(signature::origin(&sig), SignatureOrigin::Gemini);
//! // Back to Gemini: its own token.
//! assert_eq!(signature::thinking(SignatureOrigin::Gemini, &sig), Replay::Signed("CiQBVKhc7"));
//! // To an OpenAI-compatible server: the text without the signature.
//! assert_eq!(signature::thinking(SignatureOrigin::OpenAiChat, &sig), Replay::Unsigned);
//! // To Anthropic: the block is dropped; Anthropic's own signatures are kept unchanged.
//! assert_eq!(signature::thinking(SignatureOrigin::Anthropic, &sig), Replay::Drop);
//! assert_eq!(signature::thinking(SignatureOrigin::Anthropic, "EqQBCkYIBxgC"), Replay::Signed("EqQBCkYIBxgC"));
//! ```

use std::borrow::Cow;

use messages_types::{ContentBlock, MessageContent, MessageCreateParams};

/// The prefix every signature this project mints starts with.
pub const MINTED_PREFIX: &str = "anyllm.";

/// The provider family a thinking signature came from (read from its
/// prefix by [`origin`]), also used to name the family a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureOrigin {
    /// Anthropic's own signature (no prefix): valid for the Anthropic API.
    Anthropic,
    /// A Gemini thought signature (`anyllm.gemini.`).
    Gemini,
    /// Encrypted reasoning from an OpenAI-compatible Chat Completions server (`anyllm.oaic.`).
    OpenAiChat,
    /// OpenRouter `reasoning_details` (`anyllm.openrouter.`).
    OpenRouter,
    /// OpenAI Responses encrypted reasoning (`anyllm.oair.`).
    OpenAiResponses,
    /// A reasoning signature from Claude on Bedrock (`anyllm.bedrock.`):
    /// Anthropic-format, valid for Anthropic models on Bedrock.
    Bedrock,
    /// Minted by this project under a prefix this version does not know, or
    /// a family without reasoning tokens (as a target: keeps no signature).
    Other,
}

impl SignatureOrigin {
    /// The prefix this family's minted signatures carry (`""` for
    /// Anthropic, whose signatures are kept as they are).
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Anthropic => "",
            Self::Gemini => "anyllm.gemini.",
            Self::OpenAiChat => "anyllm.oaic.",
            Self::OpenRouter => "anyllm.openrouter.",
            Self::OpenAiResponses => "anyllm.oair.",
            Self::Bedrock => "anyllm.bedrock.",
            Self::Other => "anyllm.other.",
        }
    }

    /// `true` for targets that reject a thinking block without a valid
    /// signature of their own (Anthropic, Claude on Bedrock).
    pub const fn requires_valid_signature(self) -> bool {
        matches!(self, Self::Anthropic | Self::Bedrock)
    }
}

const KNOWN: [SignatureOrigin; 5] = [
    SignatureOrigin::Gemini,
    SignatureOrigin::OpenAiChat,
    SignatureOrigin::OpenRouter,
    SignatureOrigin::OpenAiResponses,
    SignatureOrigin::Bedrock,
];

/// The signature this project hands out for a provider's reasoning token
/// `native`: the family's prefix + the token. Anthropic's are returned as given.
pub fn mint(origin: SignatureOrigin, native: &str) -> String {
    let prefix = origin.prefix();
    let mut s = String::with_capacity(prefix.len() + native.len());
    s.push_str(prefix);
    s.push_str(native);
    s
}

/// The family that minted `signature`, read from its prefix.
///
/// ```
/// use messages_convert::signature::{origin, SignatureOrigin};
/// assert_eq!(origin("anyllm.oair.gAAAA"), SignatureOrigin::OpenAiResponses);
/// assert_eq!(origin("anyllm.future.x"), SignatureOrigin::Other);
/// assert_eq!(origin("ErUBCkYIBhgCIkD"), SignatureOrigin::Anthropic);
/// ```
pub fn origin(signature: &str) -> SignatureOrigin {
    if !signature.starts_with(MINTED_PREFIX) {
        return SignatureOrigin::Anthropic;
    }
    KNOWN
        .into_iter()
        .find(|o| signature.starts_with(o.prefix()))
        .unwrap_or(SignatureOrigin::Other)
}

/// The provider's own token inside a signature minted by `target`, or `None`
/// when another family minted it (or it is empty).
pub fn native_for(target: SignatureOrigin, signature: &str) -> Option<&str> {
    if signature.is_empty() || target == SignatureOrigin::Other || origin(signature) != target {
        return None;
    }
    signature.strip_prefix(target.prefix())
}

/// What a request to one family does with a thinking block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay<'a> {
    /// Send the block with this signature (the provider's own token, prefix removed).
    Signed(&'a str),
    /// Send the thinking text without a signature.
    Unsigned,
    /// Leave the block out: the target requires a valid signature of its own.
    Drop,
}

/// The rule for a `thinking` block with `signature` in a request to `target`
/// (see the module docs).
pub fn thinking(target: SignatureOrigin, signature: &str) -> Replay<'_> {
    match native_for(target, signature) {
        Some(native) => Replay::Signed(native),
        None if target.requires_valid_signature() => Replay::Drop,
        None => Replay::Unsigned,
    }
}

/// The rule for a `redacted_thinking` block: its `data` (prefix removed)
/// when `target` minted it, else `None` (the block is left out).
pub fn redacted(target: SignatureOrigin, data: &str) -> Option<&str> {
    native_for(target, data)
}

/// The request with the rule applied to every assistant turn, for targets
/// that take Anthropic blocks as they are (the Anthropic pass-through, Claude
/// on Bedrock): foreign or unsigned thinking blocks dropped (or unsigned,
/// for targets that accept that), foreign `redacted_thinking` blocks dropped,
/// kept signatures with their prefix removed. Borrowed when nothing changes.
///
/// ```
/// use messages_convert::signature::{retain_for, SignatureOrigin};
/// use messages_types::MessageCreateParams;
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///   "model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [
///     {"role": "user", "content": "hi"},
///     {"role": "assistant", "content": [
///       {"type": "thinking", "thinking": "hmm", "signature": "anyllm.gemini.Cg"},
///       {"type": "text", "text": "Hello"}]},
///     {"role": "user", "content": "again"}]})).unwrap();
/// let kept = retain_for(SignatureOrigin::Anthropic, &params);
/// let v = serde_json::to_value(&*kept).unwrap();
/// assert_eq!(v["messages"][1]["content"], serde_json::json!([{"type": "text", "text": "Hello"}]));
/// ```
pub fn retain_for(target: SignatureOrigin, params: &MessageCreateParams) -> Cow<'_, MessageCreateParams> {
    let changes = |b: &ContentBlock| match b {
        ContentBlock::Thinking(t) => thinking(target, &t.signature) != Replay::Signed(&t.signature),
        ContentBlock::RedactedThinking(r) => redacted(target, &r.data) != Some(r.data.as_str()),
        _ => false,
    };
    let any = params.messages.iter().any(|m| match &m.content {
        MessageContent::Blocks(blocks) => blocks.iter().any(changes),
        _ => false,
    });
    if !any {
        return Cow::Borrowed(params);
    }
    let mut owned = params.clone();
    for m in &mut owned.messages {
        let MessageContent::Blocks(blocks) = &mut m.content else {
            continue;
        };
        blocks.retain_mut(|b| match b {
            ContentBlock::Thinking(t) => match thinking(target, &t.signature) {
                Replay::Signed(native) => {
                    t.signature = native.to_owned();
                    true
                }
                Replay::Unsigned => {
                    t.signature.clear();
                    true
                }
                Replay::Drop => false,
            },
            ContentBlock::RedactedThinking(r) => match redacted(target, &r.data) {
                Some(native) => {
                    r.data = native.to_owned();
                    true
                }
                None => false,
            },
            _ => true,
        });
    }
    Cow::Owned(owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_round_trips_its_own_and_refuses_the_others() {
        let all = [
            SignatureOrigin::Anthropic,
            SignatureOrigin::Gemini,
            SignatureOrigin::OpenAiChat,
            SignatureOrigin::OpenRouter,
            SignatureOrigin::OpenAiResponses,
            SignatureOrigin::Bedrock,
        ];
        for minted_by in all {
            let sig = mint(minted_by, "TOKEN");
            assert_eq!(origin(&sig), minted_by);
            for target in all {
                let expected = if target == minted_by {
                    Replay::Signed("TOKEN")
                } else if target.requires_valid_signature() {
                    Replay::Drop
                } else {
                    Replay::Unsigned
                };
                assert_eq!(thinking(target, &sig), expected, "{minted_by:?} -> {target:?}");
            }
        }
    }

    #[test]
    fn unsigned_blocks_never_reach_anthropic_and_unknown_prefixes_are_foreign() {
        assert_eq!(thinking(SignatureOrigin::Anthropic, ""), Replay::Drop);
        assert_eq!(thinking(SignatureOrigin::Gemini, ""), Replay::Unsigned);
        assert_eq!(
            thinking(SignatureOrigin::Other, "anyllm.other.x"),
            Replay::Unsigned
        );
        assert_eq!(
            redacted(SignatureOrigin::Anthropic, "anyllm.openrouter.gAAA"),
            None
        );
        assert_eq!(redacted(SignatureOrigin::Anthropic, "EmwKAhgB"), Some("EmwKAhgB"));
    }
}
