//! The background loops of `serve`: the e-mail outbox worker, the webhook
//! delivery worker, the reconcile worker (unknown payment outcomes), the
//! pending-payment sweeper, the authorization-expiry watch, the purge of
//! expired Idempotency-Key records and the writers of batched writes
//! (session touches, the outbox's sent marks). Each
//! runs one pass, sleeps its interval, and stops between passes when shutdown
//! is signalled. Several instances may run them at once: the store hands each
//! due row to exactly one caller.

use ordercore_domain::usecases::{
    DeliverOutbox, DeliverWebhooks, ReconcilePayments, SweepPendingPayments,
    WatchAuthorizationExpiry,
};
use ordercore_store::Store;
use std::time::Duration;
use tokio::sync::watch;

/// Delivers due confirmation e-mails every `interval`, `batch` at a time.
pub async fn run_outbox(
    outbox: DeliverOutbox,
    interval: Duration,
    batch: u32,
    mut shutdown: watch::Receiver<bool>,
) {
    tracing::info!(
        worker = "outbox",
        interval_ms = interval.as_millis() as u64,
        "worker started"
    );
    loop {
        match outbox.run_once(batch).await {
            Ok(r) if r.sent + r.retrying + r.given_up > 0 => tracing::info!(
                worker = "outbox",
                outbox.sent = r.sent,
                outbox.retrying = r.retrying,
                outbox.given_up = r.given_up,
                "outbox pass delivered e-mails"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(worker = "outbox", error = %e, "outbox pass failed"),
        }
        if wait_or_shutdown(interval, &mut shutdown).await {
            break;
        }
    }
    tracing::info!(worker = "outbox", "worker stopped");
}

/// Delivers due webhook deliveries: `lanes` loops, each claiming its own
/// `batch` every `interval` (the store hands each delivery to one claimer),
/// so one slow receiver holds one lane, not the others.
pub async fn run_webhooks(
    webhooks: DeliverWebhooks,
    interval: Duration,
    batch: u32,
    lanes: u32,
    shutdown: watch::Receiver<bool>,
) {
    tracing::info!(
        worker = "webhooks",
        interval_ms = interval.as_millis() as u64,
        lanes,
        "worker started"
    );
    let webhooks = std::sync::Arc::new(webhooks);
    let mut running = Vec::new();
    for _ in 0..lanes.max(1) {
        running.push(tokio::spawn(webhook_lane(
            webhooks.clone(),
            interval,
            batch,
            shutdown.clone(),
        )));
    }
    for lane in running {
        let _ = lane.await;
    }
    tracing::info!(worker = "webhooks", "worker stopped");
}

async fn webhook_lane(
    webhooks: std::sync::Arc<DeliverWebhooks>,
    interval: Duration,
    batch: u32,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        match webhooks.run_once(batch).await {
            Ok(r) if r.delivered + r.retrying + r.given_up > 0 => tracing::info!(
                worker = "webhooks",
                webhooks.delivered = r.delivered,
                webhooks.retrying = r.retrying,
                webhooks.given_up = r.given_up,
                webhooks.endpoints_disabled = r.endpoints_disabled,
                "webhook pass made deliveries"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(worker = "webhooks", error = %e, "webhook pass failed"),
        }
        if wait_or_shutdown(interval, &mut shutdown).await {
            break;
        }
    }
}

/// Hands orders abandoned in `pending_payment` to the reconcile worker,
/// every `interval`.
pub async fn run_sweeper(
    sweeper: SweepPendingPayments,
    interval: Duration,
    batch: u32,
    mut shutdown: watch::Receiver<bool>,
) {
    tracing::info!(
        worker = "sweeper",
        interval_ms = interval.as_millis() as u64,
        "worker started"
    );
    loop {
        match sweeper.run_once(batch).await {
            Ok(r) if r.handed_to_reconcile > 0 => tracing::warn!(
                worker = "sweeper",
                sweep.handed_to_reconcile = r.handed_to_reconcile,
                sweep.skipped = r.skipped,
                "sweeper handed abandoned payments to the reconcile worker"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(worker = "sweeper", error = %e, "sweeper pass failed"),
        }
        if wait_or_shutdown(interval, &mut shutdown).await {
            break;
        }
    }
    tracing::info!(worker = "sweeper", "worker stopped");
}

/// Looks up due unknown payment outcomes every `interval`, `batch` at a
/// time: voids what the processor holds and fails the orders.
pub async fn run_reconciler(
    reconciler: ReconcilePayments,
    interval: Duration,
    batch: u32,
    mut shutdown: watch::Receiver<bool>,
) {
    tracing::info!(
        worker = "reconcile",
        interval_ms = interval.as_millis() as u64,
        "worker started"
    );
    loop {
        match reconciler.run_once(batch).await {
            Ok(r) if r.failed + r.voided + r.retrying + r.given_up > 0 => tracing::warn!(
                worker = "reconcile",
                reconcile.failed = r.failed,
                reconcile.voided = r.voided,
                reconcile.retrying = r.retrying,
                reconcile.given_up = r.given_up,
                "reconcile pass settled unknown payment outcomes"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(worker = "reconcile", error = %e, "reconcile pass failed"),
        }
        if wait_or_shutdown(interval, &mut shutdown).await {
            break;
        }
    }
    tracing::info!(worker = "reconcile", "worker stopped");
}

/// Warns staff, once per payment, about authorizations nearing the
/// processor's 30-day limit uncaptured, every `interval`, `batch` at a time
/// (passes follow each other at once while they come back full).
pub async fn run_expiry_watch(
    expiry: WatchAuthorizationExpiry,
    interval: Duration,
    batch: u32,
    mut shutdown: watch::Receiver<bool>,
) {
    tracing::info!(
        worker = "expiry_watch",
        interval_ms = interval.as_millis() as u64,
        warn_after_days = expiry.warn_after().num_days(),
        "worker started"
    );
    loop {
        let full = match expiry.run_once(batch).await {
            Ok(r) => {
                if r.warned > 0 {
                    tracing::warn!(
                        worker = "expiry_watch",
                        expiry.warned = r.warned,
                        expiry.skipped = r.skipped,
                        "authorizations nearing expiry: staff notified"
                    );
                }
                r.warned + r.skipped >= batch
            }
            Err(e) => {
                tracing::error!(worker = "expiry_watch", error = %e, "expiry watch pass failed");
                false
            }
        };
        // A full pass may have left more behind (a backlog after downtime):
        // the next pass starts at once, rather than an interval later.
        if full && !*shutdown.borrow() {
            continue;
        }
        if wait_or_shutdown(interval, &mut shutdown).await {
            break;
        }
    }
    tracing::info!(worker = "expiry_watch", "worker stopped");
}

/// Deletes expired Idempotency-Key records (their stored answers with them),
/// `batch` rows per statement, every `interval`.
pub async fn run_idempotency_purge(
    store: Store,
    interval: Duration,
    batch: u32,
    mut shutdown: watch::Receiver<bool>,
) {
    tracing::info!(
        worker = "idempotency_purge",
        interval_ms = interval.as_millis() as u64,
        "worker started"
    );
    loop {
        match store
            .purge_expired_idempotency(chrono::Utc::now(), batch)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                worker = "idempotency_purge",
                purged = n,
                "expired Idempotency-Key records deleted"
            ),
            Err(e) => {
                tracing::error!(worker = "idempotency_purge", error = %e, "purge pass failed")
            }
        }
        if wait_or_shutdown(interval, &mut shutdown).await {
            break;
        }
    }
    tracing::info!(worker = "idempotency_purge", "worker stopped");
}

/// Writes kept in memory by the store and written in batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batched {
    /// The sessions' `last_used_at` (see `Store::flush_touches`).
    SessionTouches,
    /// The outbox's sent marks (see `Store::flush_sent_marks`).
    SentMarks,
}

impl Batched {
    /// Both kinds, in the order `serve` writes them as it stops.
    pub const ALL: [Batched; 2] = [Batched::SessionTouches, Batched::SentMarks];

    /// The worker's name in logs.
    pub fn name(self) -> &'static str {
        match self {
            Batched::SessionTouches => "session_touches",
            Batched::SentMarks => "sent_marks",
        }
    }

    /// Writes what is pending; returns how many rows.
    pub async fn flush(self, store: &Store) -> Result<usize, ordercore_domain::StoreError> {
        match self {
            Batched::SessionTouches => store.flush_touches().await,
            Batched::SentMarks => store.flush_sent_marks().await,
        }
    }

    fn pending(self, store: &Store) -> usize {
        match self {
            Batched::SessionTouches => store.pending_touches(),
            Batched::SentMarks => store.pending_sent_marks(),
        }
    }
}

/// Writes the pending writes of kind `what` every `interval`; `serve`
/// writes the last ones after the HTTP server has stopped.
pub async fn run_batched_writes(
    store: Store,
    what: Batched,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = what.flush(&store).await {
            tracing::error!(
                worker = what.name(),
                error = %e,
                pending = what.pending(&store),
                "batched writes not written; kept for the next pass"
            );
        }
        if wait_or_shutdown(interval, &mut shutdown).await {
            break;
        }
    }
}

/// Sleeps `interval`; true when shutdown was signalled (or its sender dropped).
async fn wait_or_shutdown(interval: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    if *shutdown.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(interval) => *shutdown.borrow(),
        changed = shutdown.changed() => changed.is_err() || *shutdown.borrow(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiting_ends_early_on_shutdown() {
        let (tx, mut rx) = watch::channel(false);
        let waiter =
            tokio::spawn(async move { wait_or_shutdown(Duration::from_secs(60), &mut rx).await });
        tx.send(true).unwrap();
        let stopped = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        assert!(stopped);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_purge_worker_deletes_expired_idempotency_records() {
        use diesel::prelude::*;
        use ordercore_domain::ports::IdempotencyStore;
        use ordercore_store::schema::idempotency_keys;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("p.db").display());
        let store = Store::connect(&url, 2).unwrap();
        store.migrate().await.unwrap();
        let now = chrono::Utc::now();
        for (key, age) in [("old", 25), ("older", 48), ("young", 1)] {
            store
                .begin("s", key, "fp", now - chrono::Duration::hours(age))
                .await
                .unwrap();
        }
        let left = |store: &Store| -> Vec<String> {
            let mut c = store.pool().get().unwrap();
            idempotency_keys::table
                .select(idempotency_keys::key)
                .load::<String>(&mut *c)
                .unwrap()
        };
        let (tx, rx) = watch::channel(false);
        let worker = tokio::spawn(run_idempotency_purge(
            store.clone(),
            Duration::from_millis(10),
            1,
            rx,
        ));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while left(&store).len() > 1 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tx.send(true).unwrap();
        worker.await.unwrap();
        assert_eq!(left(&store), ["young"]);
    }

    #[tokio::test]
    async fn waiting_runs_the_interval_otherwise() {
        let (_tx, mut rx) = watch::channel(false);
        assert!(!wait_or_shutdown(Duration::from_millis(10), &mut rx).await);
    }
}
