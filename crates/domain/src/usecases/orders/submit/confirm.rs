//! Step 7 of order submission: send the confirmation e-mail; when that fails
//! the outbox retries it and staff are told.

use super::{SubmitOrder, SubmitOrderError};
use crate::crash_points::crash_point;
use crate::model::{
    Email, NewNotification, NotificationContext, NotificationKind, Order, OutboxId, Severity,
};
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
                crash_point!("mail.after_send");
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
                let notification = NewNotification {
                    kind: NotificationKind::MandrillEmailFailed,
                    severity: Severity::Warning,
                    message: format!(
                        "The confirmation e-mail of order {} could not be sent.",
                        order.id
                    ),
                    context: NotificationContext {
                        error: Some(error.name()),
                        will_retry: Some(retry_at.is_some()),
                        ..NotificationContext::order(order.id)
                    },
                };
                // The failure and its notification are one unit of work. If
                // that fails, the notification still goes through the
                // notifications store on its own; and the outbox row, left
                // unmarked, is retried by the worker after the grace period,
                // which notifies again when it finally gives up.
                let booked = self
                    .outbox
                    .mark_failed(
                        outbox_id,
                        &error.name(),
                        retry_at,
                        Some(&notification),
                        self.clock.now(),
                    )
                    .await;
                if booked.is_err() {
                    let n = notification;
                    self.notifier
                        .notify(n.kind, n.severity, n.message, n.context)
                        .await;
                }
                Err(SubmitOrderError::MailFailed {
                    order: Box::new(order),
                    error,
                })
            }
        }
    }
}
