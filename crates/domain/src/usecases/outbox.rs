//! The e-mail outbox worker: sends confirmations the request could not, with
//! exponential back-off (contract §10).

use crate::Unexpected;
use crate::crash_points::crash_point;
use crate::model::{
    NewNotification, NotificationContext, NotificationKind, OrderId, OutboxId, Severity,
};
use crate::ports::{
    Clock, EmailDelivery, Mailer, OrderConfirmation, OrderRepository, OutboxRepository,
};
use chrono::Duration;
use std::sync::Arc;

/// By default the first retry comes this long after a failure; each next one
/// doubles.
pub const FIRST_RETRY: Duration = Duration::minutes(1);

/// Back-off policy: `first_retry` doubling, at most `max_attempts` in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The delay after the first failure (default [`FIRST_RETRY`]).
    pub first_retry: Duration,
    pub max_attempts: u32,
    /// While a worker holds a message, others leave it alone this long.
    pub lease: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_retry: FIRST_RETRY,
            max_attempts: 8,
            lease: Duration::minutes(5),
        }
    }
}

impl RetryPolicy {
    /// The delay after the `attempts`-th failed attempt (1-based), or `None`
    /// when no attempt is left: 1, 2, 4, 8 … × `first_retry`.
    pub fn delay_after(&self, attempts: u32) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        Some(self.first_retry * 2i32.saturating_pow(attempts.saturating_sub(1)))
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: u32,
    pub retrying: u32,
    pub given_up: u32,
}

pub struct DeliverOutbox {
    outbox: Arc<dyn OutboxRepository>,
    orders: Arc<dyn OrderRepository>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    pub policy: RetryPolicy,
}

impl DeliverOutbox {
    pub fn new(
        outbox: Arc<dyn OutboxRepository>,
        orders: Arc<dyn OrderRepository>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            outbox,
            orders,
            mailer,
            clock,
            policy: RetryPolicy::default(),
        }
    }

    /// Claims up to `limit` due messages and tries each once. A permanent
    /// error, or the last attempt failing, gives up and records a
    /// notification.
    pub async fn run_once(&self, limit: u32) -> Result<DeliveryReport, Unexpected> {
        let now = self.clock.now();
        let mut report = DeliveryReport::default();
        for message in self
            .outbox
            .claim_due(now, now + self.policy.lease, limit)
            .await?
        {
            let Some(order) = self.orders.find(message.order_id).await? else {
                self.give_up(message.id, message.order_id, "order_missing", &mut report)
                    .await?;
                continue;
            };
            let confirmation = OrderConfirmation::from_order(&order, message.recipient.clone());
            match self.mailer.send_order_confirmation(&confirmation).await {
                Ok(()) => {
                    crash_point!("mail.after_send");
                    self.outbox.mark_sent(message.id, self.clock.now()).await?;
                    report.sent += 1;
                }
                Err(e) => {
                    let attempts = message.attempts + 1;
                    match self
                        .policy
                        .delay_after(attempts)
                        .filter(|_| e.is_retryable())
                    {
                        Some(delay) => {
                            self.outbox
                                .mark_failed(
                                    message.id,
                                    &e.name(),
                                    Some(self.clock.now() + delay),
                                    None,
                                    self.clock.now(),
                                )
                                .await?;
                            report.retrying += 1;
                        }
                        None => {
                            self.give_up(message.id, order.id, &e.name(), &mut report)
                                .await?
                        }
                    }
                }
            }
        }
        Ok(report)
    }

    async fn give_up(
        &self,
        id: OutboxId,
        order_id: crate::model::OrderId,
        error: &str,
        report: &mut DeliveryReport,
    ) -> Result<(), Unexpected> {
        let notification = NewNotification {
            kind: NotificationKind::MandrillEmailFailed,
            severity: Severity::Critical,
            message: format!(
                "The confirmation e-mail of order {order_id} could not be delivered; no more attempts will be made."
            ),
            context: NotificationContext {
                error: Some(error.to_string()),
                is_final: Some(true),
                ..NotificationContext::order(order_id)
            },
        };
        // Giving up and telling staff are one unit of work: when it fails,
        // the row stays due and a later run tries again.
        self.outbox
            .mark_failed(id, error, None, Some(&notification), self.clock.now())
            .await?;
        report.given_up += 1;
        Ok(())
    }
}

/// The confirmation e-mails of one order and where each stands (the staff
/// console's order page).
pub struct ListDeliveries {
    outbox: Arc<dyn OutboxRepository>,
}

impl ListDeliveries {
    pub fn new(outbox: Arc<dyn OutboxRepository>) -> Self {
        Self { outbox }
    }

    pub async fn run(&self, order: OrderId) -> Result<Vec<EmailDelivery>, Unexpected> {
        Ok(self.outbox.deliveries(order).await?)
    }
}
