//! Client keys (constant-time comparison) and per-key token buckets.

use std::num::NonZeroU32;
use std::sync::Mutex;

use subtle::ConstantTimeEq;
use tokio::time::Instant;

/// One configured client key.
pub(crate) struct ClientKey {
    pub(crate) name: String,
    secret: Vec<u8>,
    bucket: Option<Mutex<Bucket>>,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

struct Bucket {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    last: Instant,
}

impl ClientKey {
    pub(crate) fn new(name: String, secret: String, requests_per_minute: Option<NonZeroU32>) -> Self {
        let bucket = requests_per_minute.map(|rpm| {
            let capacity = f64::from(rpm.get());
            Mutex::new(Bucket {
                tokens: capacity,
                capacity,
                per_second: capacity / 60.0,
                last: Instant::now(),
            })
        });
        Self {
            name,
            secret: secret.into_bytes(),
            bucket,
        }
    }

    /// Takes one request from the bucket; `Err(seconds)` to wait when empty.
    pub(crate) fn take(&self) -> Result<(), u64> {
        let Some(bucket) = &self.bucket else { return Ok(()) };
        let mut b = match bucket.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        let elapsed = now.duration_since(b.last).as_secs_f64();
        b.last = now;
        b.tokens = (b.tokens + elapsed * b.per_second).min(b.capacity);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - b.tokens) / b.per_second;
            // Bounded: at most 60 s for any rate of at least one per minute.
            Err(wait.ceil().clamp(1.0, 60.0) as u64)
        }
    }
}

/// The key a request presents: `x-api-key`, else `Authorization: Bearer`.
pub(crate) fn presented_key(headers: &http::HeaderMap) -> Option<&[u8]> {
    if let Some(v) = headers.get("x-api-key") {
        return Some(v.as_bytes());
    }
    let auth = headers.get(http::header::AUTHORIZATION)?.as_bytes();
    auth.strip_prefix(b"Bearer ")
        .or_else(|| auth.strip_prefix(b"bearer "))
}

/// The configured key equal to `presented`, compared in constant time
/// against every key (no early exit).
pub(crate) fn find_key<'a>(keys: &'a [ClientKey], presented: &[u8]) -> Option<&'a ClientKey> {
    let mut found = None;
    for k in keys {
        if bool::from(k.secret.as_slice().ct_eq(presented)) {
            found = Some(k);
        }
    }
    found
}
