//! Anthropic's reply vocabulary, in one place: the values a converted reply
//! may carry in its enum-valued fields, and the mappings that keep a
//! provider's own values out of them.
//!
//! Converting never *produces* a value outside Anthropic's vocabulary (typed
//! clients — the official SDKs' models, a TypeScript union — reject the whole
//! message otherwise). A provider's own value either maps to an Anthropic
//! one where it has the same meaning, or is left out (or put into words in a
//! free-text field such as `stop_details.explanation`).

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use messages_types::{Extra, ServerToolUsage, StopDetails};

/// `usage.service_tier` values an Anthropic reply can carry.
pub const SERVICE_TIERS: &[&str] = &["standard", "priority", "batch"];

/// `stop_details.category` values an Anthropic refusal can carry.
pub const REFUSAL_CATEGORIES: &[&str] = &[
    "cyber",
    "bio",
    "frontier_llm",
    "reasoning_extraction",
    "general_harms",
];

/// `stop_reason` values of an Anthropic reply.
pub const STOP_REASONS: &[&str] = &[
    "end_turn",
    "max_tokens",
    "stop_sequence",
    "tool_use",
    "pause_turn",
    "refusal",
    "model_context_window_exceeded",
];

/// A provider's service tier as Anthropic's `usage.service_tier`: OpenAI's
/// `default` (and `standard`) → `standard`, `priority` → `priority`,
/// `batch` → `batch`; anything else (`flex`, `scale`, `provisioned`,
/// `on_demand`, `auto`, an empty string, unknown values) has no Anthropic
/// meaning and is omitted.
///
/// ```
/// use messages_convert::vocabulary::service_tier;
/// assert_eq!(service_tier("default"), Some("standard"));
/// assert_eq!(service_tier("flex"), None);
/// assert_eq!(service_tier(""), None);
/// ```
pub fn service_tier(tier: &str) -> Option<&'static str> {
    match tier.trim().to_ascii_lowercase().as_str() {
        "default" | "standard" => Some("standard"),
        "priority" => Some("priority"),
        "batch" => Some("batch"),
        _ => None,
    }
}

/// `stop_details` for a refusal decided by a provider's own filter: no
/// `category` (Anthropic's categories name *its* policies, not a Gemini
/// safety block or a content filter), the provider's reason in words in
/// `explanation`.
///
/// ```
/// use messages_convert::vocabulary::provider_refusal;
/// let d = provider_refusal("Gemini stopped the response: SAFETY", Some("unsafe content"));
/// assert_eq!(d.category, None);
/// assert_eq!(d.explanation.as_deref(), Some("Gemini stopped the response: SAFETY (unsafe content)"));
/// ```
pub fn provider_refusal(reason: &str, message: Option<&str>) -> StopDetails {
    let explanation = match message.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => format!("{reason} ({m})"),
        None => reason.to_owned(),
    };
    StopDetails {
        kind: "refusal".to_owned(),
        category: None,
        explanation: Some(explanation),
        extra: Extra::new(),
    }
}

/// `usage.server_tool_use` with both counts present, as the SDK models
/// require (0 where none ran).
pub fn server_tool_usage(web_search_requests: u64, web_fetch_requests: u64) -> ServerToolUsage {
    ServerToolUsage {
        web_search_requests: Some(web_search_requests),
        web_fetch_requests: Some(web_fetch_requests),
        extra: Extra::new(),
    }
}

/// `Some(s)` unless `s` is absent or empty: servers that fill every optional
/// field with its zero value (`""`) mean "absent" by it.
pub fn present(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// The Anthropic message id for a provider's response id: `msg_` + the id
/// (so it stays traceable), or a generated `msg_anyllm_…` id, unique within
/// the process, when the server sent none or an empty one.
///
/// ```
/// use messages_convert::vocabulary::message_id;
/// assert_eq!(message_id(Some("chatcmpl-1")), "msg_chatcmpl-1");
/// let (a, b) = (message_id(Some("")), message_id(None));
/// assert!(a.starts_with("msg_anyllm_") && b.starts_with("msg_anyllm_") && a != b);
/// ```
pub fn message_id(provider_id: Option<&str>) -> String {
    match present(provider_id) {
        Some(id) => format!("msg_{id}"),
        None => generated_message_id(),
    }
}

/// A fresh `msg_anyllm_<24 hex>` id: a per-process random seed (the standard
/// library's `RandomState`, so no RNG crate is needed for an id) hashed with
/// a counter.
pub fn generated_message_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<std::collections::hash_map::RandomState> = std::sync::OnceLock::new();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let seed = SEED.get_or_init(std::collections::hash_map::RandomState::new);
    let mut h = seed.build_hasher();
    h.write_u64(n);
    let high = h.finish();
    format!("msg_anyllm_{high:016x}{:08x}", n & 0xffff_ffff)
}
