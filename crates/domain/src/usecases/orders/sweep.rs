//! Fails orders left in `pending_payment` too long (a crash between the
//! processor call and finalizing, contract §7 step 6, or an unknown outcome
//! the reconcile worker gave up on) and undoes whatever the processor did
//! for them, with the reconcile worker's code ([`super::undo`]).

use super::reconcile::notify_undone;
use super::undo::ProcessorUndo;
use crate::Unexpected;
use crate::model::{NotificationContext, NotificationKind, Severity};
use crate::ports::{Clock, OrderRepository, PaymentGateway, PaymentMethodRepository};
use crate::usecases::notifications::Notifier;
use chrono::Duration;
use std::sync::Arc;

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Orders moved to `payment_failed` by this sweep.
    pub failed: u32,
    /// Holds found at the processor and voided.
    pub voided: u32,
    /// Orders that need a person (look-up or void failed, or a settled
    /// charge).
    pub needs_attention: u32,
}

pub struct SweepPendingPayments {
    orders: Arc<dyn OrderRepository>,
    undo: ProcessorUndo,
    notifier: Notifier,
    clock: Arc<dyn Clock>,
    /// Orders pending longer than this are considered abandoned; far longer
    /// than any processor timeout.
    pub max_pending: Duration,
}

impl SweepPendingPayments {
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
            max_pending: Duration::minutes(5),
        }
    }

    /// One pass over up to `limit` abandoned orders. Each order is claimed
    /// with the conditional `pending_payment → payment_failed` update first,
    /// so a late finalize cannot also win; then whatever the processor did
    /// for it is looked up and undone.
    pub async fn run_once(&self, limit: u32) -> Result<SweepReport, Unexpected> {
        let now = self.clock.now();
        let mut report = SweepReport::default();
        for order in self
            .orders
            .stale_pending(now - self.max_pending, limit)
            .await?
        {
            if !self.orders.mark_payment_failed(order.id, now).await? {
                continue;
            }
            report.failed += 1;
            match self.undo.undo(&order).await {
                Ok(undone) => {
                    report.voided += u32::try_from(undone.voided.len()).unwrap_or(u32::MAX);
                    if !undone.needs_person.is_empty() {
                        report.needs_attention += 1;
                    }
                    notify_undone(
                        &self.notifier,
                        &order,
                        &undone,
                        "it was abandoned during payment",
                    )
                    .await;
                }
                Err(e) => {
                    report.needs_attention += 1;
                    self.notifier
                        .notify(
                            NotificationKind::PendingPaymentUnresolved,
                            Severity::Critical,
                            format!("Order {} was abandoned during payment and any hold could not be voided: reconcile it at the processor.", order.id),
                            NotificationContext {
                                error: Some(e.to_string()),
                                ..NotificationContext::order(order.id)
                            },
                        )
                        .await;
                }
            }
        }
        Ok(report)
    }
}
