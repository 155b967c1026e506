//! Idempotency: stored first answers for `Idempotency-Key` (contract §7).

use crate::StoreError;
use crate::model::OrderId;
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
    /// The first request recorded this order and may have reached the
    /// processor, but left no answer to replay (it crashed, its process
    /// died, or storing the answer failed): the retry is answered from the
    /// order's state, and nothing runs again.
    Bound { order_id: OrderId },
    /// Same key with different params.
    Mismatch,
    /// The first request with this key is still running.
    InFlight,
}

/// A key claimed by a request (`IdempotencyBegin::Started`): what the use
/// case binds to the order it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedKey {
    /// The caller's principal and the route.
    pub scope: String,
    pub key: String,
}

/// Stored first responses for `Idempotency-Key` (contract §7), kept 24 hours.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Atomically claims `key` within `scope` (the caller's principal and the
    /// route) for a request whose params hash to `fingerprint`. Records older
    /// than 24 hours at `now` count as absent, and so do records still running
    /// after 10 minutes (their process died) unless they are bound to an
    /// order: those answer `Bound`. Two concurrent calls with one key:
    /// exactly one gets `Started`.
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError>;
    /// Binds a running key to the order its request recorded, before the
    /// processor is called. From then on the key is never freed for a
    /// re-run: without a stored answer, `begin` answers `Bound`. False when
    /// no running record of the key exists (the caller must then not call
    /// the processor).
    async fn bind_order(&self, scope: &str, key: &str, order: OrderId) -> Result<bool, StoreError>;
    /// Stores the answer of a `Started` request: its status slug and body,
    /// both replayed verbatim by later `begin` calls.
    async fn complete(
        &self,
        scope: &str,
        key: &str,
        status: &str,
        body: &str,
    ) -> Result<(), StoreError>;
    /// Ends a `Started` request that produced no answer to keep: an unbound
    /// record is forgotten (the key is free again); a bound one is kept,
    /// finished without an answer, so later `begin` calls answer `Bound`.
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError>;
}
