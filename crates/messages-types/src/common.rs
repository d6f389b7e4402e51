//! Small shared pieces: unknown-field maps, cache control, roles.

use serde::{Deserialize, Serialize};

use crate::macros::open_enum;

/// Fields of a known object that this crate does not model (yet).
///
/// Every struct that mirrors a wire object carries one of these, flattened,
/// so that new fields the API adds (for example `caller` on `tool_use`)
/// survive a parse/serialize round trip untouched.
pub type Extra = serde_json::Map<String, serde_json::Value>;

open_enum! {
    /// Who wrote a message.
    pub enum Role {
        /// The human / calling program.
        User = "user",
        /// The model.
        Assistant = "assistant",
    }
}

open_enum! {
    /// Time-to-live of a prompt-cache breakpoint.
    pub enum CacheTtl {
        /// Five minutes (the default).
        FiveMinutes = "5m",
        /// One hour.
        OneHour = "1h",
    }
}

open_enum! {
    /// The kind of a cache-control marker; only `ephemeral` exists today.
    pub enum CacheControlType {
        /// An ephemeral prompt-cache breakpoint.
        Ephemeral = "ephemeral",
    }
}

/// A prompt-cache breakpoint: `{"type": "ephemeral", "ttl": "5m" | "1h"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheControl {
    /// Always `ephemeral` today.
    #[serde(rename = "type")]
    pub kind: CacheControlType,
    /// Optional time-to-live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<CacheTtl>,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CacheControl {
    /// An ephemeral breakpoint with the default TTL.
    pub fn ephemeral() -> Self {
        Self {
            kind: CacheControlType::Ephemeral,
            ttl: None,
            extra: Extra::new(),
        }
    }

    /// An ephemeral breakpoint with an explicit TTL.
    pub fn ephemeral_with_ttl(ttl: CacheTtl) -> Self {
        Self {
            kind: CacheControlType::Ephemeral,
            ttl: Some(ttl),
            extra: Extra::new(),
        }
    }
}
