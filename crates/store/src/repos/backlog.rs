//! What the metrics gauges count: e-mails waiting in the outbox, orders
//! pending payment, notifications staff have not resolved.

use crate::Store;
use crate::schema::{email_outbox, notifications, orders};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::OrderStatus;

/// The three counts, read in one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Outbox e-mails neither sent nor given up on.
    pub outbox: i64,
    /// Orders in status `pending_payment`.
    pub pending_payments: i64,
    /// Notifications without `resolved_at`.
    pub unresolved_notifications: i64,
}

impl Store {
    /// The current [`Backlog`]. An e-mail sent whose mark waits for its
    /// batch (`outbox::sent_marks`) is not part of it.
    pub async fn backlog(&self) -> Result<Backlog, StoreError> {
        let marked = self.sent_marks.ids();
        self.read(move |c| {
            let outbox = email_outbox::table
                .filter(email_outbox::sent_at.is_null())
                .filter(email_outbox::failed_at.is_null())
                .filter(email_outbox::id.ne_all(marked))
                .count()
                .get_result::<i64>(c)?;
            let pending_payments = orders::table
                .filter(orders::status.eq(OrderStatus::PendingPayment.as_str()))
                .count()
                .get_result::<i64>(c)?;
            let unresolved_notifications = notifications::table
                .filter(notifications::resolved_at.is_null())
                .count()
                .get_result::<i64>(c)?;
            Ok(Backlog {
                outbox,
                pending_payments,
                unresolved_notifications,
            })
        })
        .await
    }
}
