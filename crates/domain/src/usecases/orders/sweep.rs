//! Finds orders left in `pending_payment` too long with no look-up
//! scheduled (a crash between the processor call and finalizing, contract
//! §7 step 6, or an unknown outcome the reconcile worker gave up on) and
//! hands each one to the reconcile worker by scheduling a look-up now.
//!
//! The sweeper itself never calls the processor and never fails an order:
//! the reconcile worker claims the order under a lease, voids every live
//! transaction and only then marks the order `payment_failed`, so a crash
//! at any point leaves the order pending and claimable again.

use crate::Unexpected;
use crate::ports::{Clock, OrderRepository};
use chrono::Duration;
use std::sync::Arc;

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Abandoned orders whose look-up was scheduled now (the reconcile
    /// worker's from here on).
    pub handed_to_reconcile: u32,
    /// Orders listed but no longer pending when scheduled (finalized or
    /// failed meanwhile): left alone.
    pub skipped: u32,
}

pub struct SweepPendingPayments {
    orders: Arc<dyn OrderRepository>,
    clock: Arc<dyn Clock>,
    /// Orders pending longer than this are considered abandoned; far longer
    /// than any processor timeout.
    pub max_pending: Duration,
}

impl SweepPendingPayments {
    pub fn new(orders: Arc<dyn OrderRepository>, clock: Arc<dyn Clock>) -> Self {
        Self {
            orders,
            clock,
            max_pending: Duration::minutes(5),
        }
    }

    /// One pass over up to `limit` abandoned orders: each gets a look-up
    /// scheduled now, with the conditional update that only changes an
    /// order still pending (so a late finalize wins, and concurrent
    /// sweepers only schedule the same look-up twice).
    pub async fn run_once(&self, limit: u32) -> Result<SweepReport, Unexpected> {
        let now = self.clock.now();
        let mut report = SweepReport::default();
        for order in self
            .orders
            .stale_pending(now - self.max_pending, limit)
            .await?
        {
            if self
                .orders
                .schedule_reconciliation(order.id, now, now)
                .await?
            {
                report.handed_to_reconcile += 1;
            } else {
                report.skipped += 1;
            }
        }
        Ok(report)
    }
}
