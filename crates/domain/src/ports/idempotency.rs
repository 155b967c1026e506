//! Idempotency: stored first answers for `Idempotency-Key` (contract §7).

use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What `IdempotencyStore::begin` found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// No live record: one was created, marked running; the caller must
    /// `complete` (or `abandon`) it.
    Started,
    /// The first request finished with this answer: replay it as is.
    /// `status` is the answer's status slug (contract §4, e.g.
    /// `action-successful`); the HTTP layer derives its code from it, so this
    /// port carries nothing of HTTP.
    Replay { status: String, body: String },
    /// Same key with different params.
    Mismatch,
    /// The first request with this key is still running.
    InFlight,
}

/// Stored first responses for `Idempotency-Key` (contract §7), kept 24 hours.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Atomically claims `key` within `scope` (the caller's identity and the
    /// route) for a request whose params hash to `fingerprint`. Records older
    /// than 24 hours at `now` count as absent, and so do records still running
    /// after 10 minutes (their process died). Two concurrent calls with one
    /// key: exactly one gets `Started`.
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError>;
    /// Stores the answer of a `Started` request: its status slug and body,
    /// both replayed verbatim by later `begin` calls.
    async fn complete(
        &self,
        scope: &str,
        key: &str,
        status: &str,
        body: &str,
    ) -> Result<(), StoreError>;
    /// Forgets a `Started` record whose request produced no response to keep.
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError>;
}
