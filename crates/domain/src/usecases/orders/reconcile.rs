//! The reconcile worker's use case: orders whose processor outcome is
//! unknown (contract §7 step 5) are looked up in the background, any hold
//! or unsettled charge is voided, then the order becomes `payment_failed`
//! and its promotion use is released — what the client was told.

use super::undo::{ProcessorUndo, Undone};
use crate::Unexpected;
use crate::model::{NotificationContext, NotificationKind, Order, Severity};
use crate::ports::{Clock, OrderRepository, PaymentGateway, PaymentMethodRepository};
use crate::usecases::notifications::Notifier;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// When look-ups happen: the first soon after the unknown outcome, then
/// with a doubling back-off up to a cap, at most `max_attempts` failed
/// look-ups before the order is left to the sweeper (which schedules a new
/// round of look-ups once the order is old enough).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconcilePolicy {
    /// Delay between the unknown outcome and the first look-up.
    pub first_look_up: Duration,
    /// The longest delay between two look-ups.
    pub max_delay: Duration,
    /// Failed look-ups (or voids) before giving up.
    pub max_attempts: u32,
    /// How long a claimed order is left to the worker that claimed it; far
    /// longer than a look-up and its voids take.
    pub lease: Duration,
}

impl Default for ReconcilePolicy {
    fn default() -> Self {
        ReconcilePolicy {
            first_look_up: Duration::seconds(2),
            max_delay: Duration::minutes(5),
            max_attempts: 8,
            lease: Duration::minutes(5),
        }
    }
}

impl ReconcilePolicy {
    /// The delay after the `attempts`-th failed look-up: the first delay
    /// doubled once per failure, capped.
    pub fn delay_after(&self, attempts: u32) -> Duration {
        let factor = 1i32.checked_shl(attempts.min(30)).unwrap_or(i32::MAX);
        self.first_look_up
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Orders marked `payment_failed` (promotion released).
    pub failed: u32,
    /// Holds and unsettled charges voided.
    pub voided: u32,
    /// Orders whose look-up failed and is scheduled again.
    pub retrying: u32,
    /// Orders whose look-up failed for the last time: left to the sweeper,
    /// staff notified.
    pub given_up: u32,
}

pub struct ReconcilePayments {
    orders: Arc<dyn OrderRepository>,
    undo: ProcessorUndo,
    notifier: Notifier,
    clock: Arc<dyn Clock>,
    pub policy: ReconcilePolicy,
}

impl ReconcilePayments {
    pub fn new(
        orders: Arc<dyn OrderRepository>,
        gateway: Arc<dyn PaymentGateway>,
        methods: Arc<dyn PaymentMethodRepository>,
        notifier: Notifier,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            orders,
            undo: ProcessorUndo { gateway, methods },
            notifier,
            clock,
            policy: ReconcilePolicy::default(),
        }
    }

    /// One pass over up to `limit` due orders, each claimed for this caller.
    pub async fn run_once(&self, limit: u32) -> Result<ReconcileReport, Unexpected> {
        let now = self.clock.now();
        let mut report = ReconcileReport::default();
        let due = self
            .orders
            .claim_due_reconciliations(now, now + self.policy.lease, limit)
            .await?;
        for d in due {
            match self.undo.undo(&d.order).await {
                Ok(undone) => self.conclude(&d.order, undone, now, &mut report).await?,
                Err(e) => {
                    let attempts = d.attempts.saturating_add(1);
                    if attempts >= self.policy.max_attempts {
                        self.orders
                            .reschedule_reconciliation(d.order.id, attempts, None, now)
                            .await?;
                        report.given_up += 1;
                        self.notifier
                            .notify(
                                NotificationKind::PendingPaymentUnresolved,
                                Severity::Critical,
                                format!(
                                    "The processor's outcome for order {} could not be looked up or undone after {attempts} attempts: reconcile it at the processor; the order stays pending and the sweeper schedules its look-ups again.",
                                    d.order.id
                                ),
                                NotificationContext {
                                    error: Some(e.to_string()),
                                    is_final: Some(true),
                                    ..NotificationContext::order(d.order.id)
                                },
                            )
                            .await;
                    } else {
                        let next = now + self.policy.delay_after(attempts);
                        self.orders
                            .reschedule_reconciliation(d.order.id, attempts, Some(next), now)
                            .await?;
                        report.retrying += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    /// Everything live was voided: the order fails and its promotion use is
    /// released (one transaction); staff hear of what a void cannot undo.
    async fn conclude(
        &self,
        order: &Order,
        undone: Undone,
        now: DateTime<Utc>,
        report: &mut ReconcileReport,
    ) -> Result<(), Unexpected> {
        if self.orders.mark_payment_failed(order.id, now).await? {
            report.failed += 1;
        }
        report.voided += u32::try_from(undone.voided.len()).unwrap_or(u32::MAX);
        notify_undone(
            &self.notifier,
            order,
            &undone,
            "its payment outcome was unknown",
        )
        .await;
        Ok(())
    }
}

/// Tells staff what undoing an order did: an Info per voided transaction,
/// a Critical per transaction that needs a refund or a look.
async fn notify_undone(notifier: &Notifier, order: &Order, undone: &Undone, why: &str) {
    for tx in &undone.voided {
        notifier
            .notify(
                NotificationKind::PendingPaymentVoided,
                Severity::Info,
                format!(
                    "Order {} was not submitted ({why}); its hold or charge was voided.",
                    order.id
                ),
                NotificationContext {
                    transaction_id: Some(tx.clone()),
                    ..NotificationContext::order(order.id)
                },
            )
            .await;
    }
    for tx in &undone.needs_person {
        notifier
            .notify(
                NotificationKind::PendingPaymentUnresolved,
                Severity::Critical,
                format!(
                    "Order {} was not submitted ({why}) but the processor lists transaction {} as {}: refund it at the processor.",
                    order.id, tx.transaction_id, tx.status
                ),
                NotificationContext {
                    transaction_id: Some(tx.transaction_id.clone()),
                    is_final: Some(true),
                    ..NotificationContext::order(order.id)
                },
            )
            .await;
    }
}
