//! Voids authorizations of orders left in `pending_payment` (a crash between
//! the processor call and finalizing, contract §7 step 6).

use crate::Unexpected;
use crate::model::{NotificationContext, NotificationKind, Severity};
use crate::ports::{Clock, OrderRepository, PaymentGateway};
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
    /// Orders that need a person (look-up or void failed).
    pub needs_attention: u32,
}

pub struct SweepPendingPayments {
    orders: Arc<dyn OrderRepository>,
    gateway: Arc<dyn PaymentGateway>,
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
        notifier: Notifier,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            orders,
            gateway,
            notifier,
            clock,
            max_pending: Duration::minutes(5),
        }
    }

    /// One pass over up to `limit` abandoned orders. Each order is claimed
    /// with the conditional `pending_payment → payment_failed` update first,
    /// so a late finalize cannot also win; then any hold is looked up and
    /// voided.
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
            let outcome = match self.gateway.find_unsettled_transaction(order.id).await {
                Ok(None) => continue,
                Ok(Some(tx)) => self.gateway.void(order.id, &tx).await.map(|()| tx),
                Err(e) => Err(e),
            };
            match outcome {
                Ok(tx) => {
                    report.voided += 1;
                    self.notifier
                        .notify(
                            NotificationKind::PendingPaymentVoided,
                            Severity::Info,
                            format!(
                                "Order {} was abandoned during payment; its hold was voided.",
                                order.id
                            ),
                            NotificationContext {
                                transaction_id: Some(tx),
                                ..NotificationContext::order(order.id)
                            },
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
