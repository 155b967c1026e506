//! Step 7 of order submission: send the confirmation e-mail; when that fails
//! the outbox retries it and staff are told.

use super::{SubmitOrder, SubmitOrderError};
use crate::model::{Email, NotificationContext, NotificationKind, Order, OutboxId, Severity};
use crate::ports::OrderConfirmation;

impl SubmitOrder {
    /// Sends `order`'s confirmation to `recipient`, then books the outcome on
    /// outbox row `outbox_id`. A failed send answers `MailFailed` with the
    /// order, which is saved either way.
    pub(super) async fn confirm(
        &self,
        order: Order,
        outbox_id: OutboxId,
        recipient: Email,
    ) -> Result<Order, SubmitOrderError> {
        let confirmation = OrderConfirmation::from_order(&order, recipient);
        match self.mailer.send_order_confirmation(&confirmation).await {
            Ok(()) => {
                // If this bookkeeping fails the worker sends the e-mail again
                // after the grace period: a duplicate beats a lost e-mail, and
                // the order itself is already complete.
                let _ = self.outbox.mark_sent(outbox_id, self.clock.now()).await;
                Ok(order)
            }
            Err(error) => {
                let retry_at = error
                    .is_retryable()
                    .then(|| self.clock.now() + self.retry.first_retry);
                let _ = self
                    .outbox
                    .mark_failed(outbox_id, &error.name(), retry_at, self.clock.now())
                    .await;
                self.notifier
                    .notify(
                        NotificationKind::MandrillEmailFailed,
                        Severity::Warning,
                        format!(
                            "The confirmation e-mail of order {} could not be sent.",
                            order.id
                        ),
                        NotificationContext {
                            error: Some(error.name()),
                            will_retry: Some(retry_at.is_some()),
                            ..NotificationContext::order(order.id)
                        },
                    )
                    .await;
                Err(SubmitOrderError::MailFailed {
                    order: Box::new(order),
                    error,
                })
            }
        }
    }
}
