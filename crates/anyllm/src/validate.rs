//! Client-side validation, kept here for compatibility: the checks now live
//! with the providers. Every call runs its provider's
//! [`Provider::validate`](anyllm_provider::Provider::validate): the portable
//! checks ([`validate_portable`], from `anyllm_provider::validate`) for
//! every target, plus the Anthropic API's own limits ([`validate`], from
//! `anyllm_anthropic::validate`) when the target is the Anthropic API.
//!
//! ```
//! # #[cfg(feature = "anthropic")] {
//! use anyllm::validate::{validate, validate_portable};
//! let params: anyllm::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "gpt-4.1-mini", "max_tokens": 1000,
//!     "thinking": {"type": "enabled", "budget_tokens": 512},
//!     "messages": [{"role": "user", "content": "Hi"}],
//! })).unwrap();
//! validate_portable(&params).unwrap(); // fine for OpenAI (minimal effort)
//! assert!(validate(&params, &[]).is_err()); // the Anthropic API refuses it
//! # }
//! ```

#[cfg(feature = "anthropic")]
pub use anyllm_anthropic::validate::{is_valid_tool_name, validate, MIN_THINKING_BUDGET};
pub use anyllm_provider::validate::validate_portable;
