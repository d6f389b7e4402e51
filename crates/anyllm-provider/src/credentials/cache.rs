//! [`IdentityCache`]: reuse a credential until shortly before it expires.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use messages_http::Error;
use tokio::time::Instant;

use super::{Identity, ResolveContext, ResolveIdentity};

/// How long before its expiry a credential is refreshed by default: 5 minutes
/// (as the Google and AWS SDKs do).
pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);

/// After a refresh ahead of expiry failed, how long the still-valid
/// credential is used without trying again (so an unreachable token endpoint
/// does not slow every call down to its timeout).
const RETRY_EARLY_REFRESH_AFTER: Duration = Duration::from_secs(10);

/// The cached credential, and until when a failed early refresh is not retried.
struct Slot<I> {
    identity: Option<I>,
    hold_until: Option<Instant>,
}

/// Caches what a [`ResolveIdentity`] returns and refreshes it
/// [`refresh_ahead`](Self::refresh_ahead) before it expires.
///
/// Single flight: concurrent callers that find no fresh credential share one
/// refresh (a `tokio::sync::Mutex` held while resolving), the others wait
/// for it. When a refresh ahead of expiry fails while the cached credential
/// is still valid, the cached one is used (and the refresh tried again 10 s
/// later at the earliest).
/// [`invalidate`](Self::invalidate) drops the cached credential (after a 401).
pub struct IdentityCache<I: Identity> {
    resolver: Arc<dyn ResolveIdentity<Identity = I>>,
    refresh_ahead: Duration,
    cached: Mutex<Slot<I>>,
    flight: tokio::sync::Mutex<()>,
}

impl<I: Identity> fmt::Debug for IdentityCache<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityCache")
            .field("resolver", &self.resolver)
            .field("refresh_ahead", &self.refresh_ahead)
            .finish_non_exhaustive()
    }
}

impl<I: Identity> IdentityCache<I> {
    /// A cache in front of `resolver`, refreshing [`DEFAULT_REFRESH_AHEAD`] early.
    pub fn new(resolver: Arc<dyn ResolveIdentity<Identity = I>>) -> Self {
        Self {
            resolver,
            refresh_ahead: DEFAULT_REFRESH_AHEAD,
            cached: Mutex::new(Slot {
                identity: None,
                hold_until: None,
            }),
            flight: tokio::sync::Mutex::new(()),
        }
    }

    /// Refreshes this long before expiry instead.
    pub fn refresh_ahead(mut self, ahead: Duration) -> Self {
        self.refresh_ahead = ahead;
        self
    }

    /// The resolver behind the cache.
    pub fn resolver(&self) -> &Arc<dyn ResolveIdentity<Identity = I>> {
        &self.resolver
    }

    /// A credential that is not within `refresh_ahead` of its expiry,
    /// resolving one when needed.
    pub async fn get(&self, cx: &ResolveContext) -> Result<I, Error> {
        if let Some(fresh) = self.fresh() {
            return Ok(fresh);
        }
        let _flight = self.flight.lock().await;
        // Another caller may have refreshed while this one waited.
        if let Some(fresh) = self.fresh() {
            return Ok(fresh);
        }
        match self.resolver.resolve(cx).await {
            Ok(identity) => {
                *self.slot() = Slot {
                    identity: Some(identity.clone()),
                    hold_until: None,
                };
                Ok(identity)
            }
            Err(e) => {
                let now = Instant::now();
                let mut slot = self.slot();
                let still_valid = slot
                    .identity
                    .as_ref()
                    .filter(|id| id.expires_at().is_none_or(|at| now < at))
                    .cloned();
                if still_valid.is_some() {
                    slot.hold_until = Some(now + RETRY_EARLY_REFRESH_AFTER);
                }
                still_valid.ok_or(e)
            }
        }
    }

    /// Drops the cached credential; returns whether resolving again can give
    /// another one ([`ResolveIdentity::refreshable`]).
    pub fn invalidate(&self) -> bool {
        *self.slot() = Slot {
            identity: None,
            hold_until: None,
        };
        self.resolver.refreshable()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot<I>> {
        // The slot holds plain data: a panic elsewhere cannot leave it half-written.
        self.cached.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached credential when it needs no refresh now: outside the
    /// refresh margin, or inside it but valid while a failed refresh waits.
    fn fresh(&self) -> Option<I> {
        let now = Instant::now();
        let slot = self.slot();
        let held = slot.hold_until.is_some_and(|until| now < until);
        slot.identity
            .as_ref()
            .filter(|id| {
                id.expires_at()
                    .is_none_or(|at| now + self.refresh_ahead < at || (held && now < at))
            })
            .cloned()
    }
}
