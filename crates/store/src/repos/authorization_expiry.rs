//! The authorization-expiry watch's reads and its once-only mark on
//! `payments.expiry_warned_at`. The list reads the partial index
//! `payments_expiry_unwarned` (open authorizations not warned yet, by
//! `created_at`); the mark is a conditional update, so of concurrent
//! watchers exactly one records the warning: the notification and the
//! `payment.authorization_expiring` event, in the mark's transaction.

use super::events::record_in;
use super::notifications::insert_notification;
use super::payments::{PAYMENT_COLUMNS, PaymentRow, payment_from_row};
use crate::Store;
use crate::db::{micros, write_tx};
use crate::schema::payments;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    EventKind, NewEvent, NewNotification, Payment, PaymentId, PaymentStatus,
};
use ordercore_domain::ports::AuthorizationExpiryRepository;

/// The predicate of `payments_expiry_unwarned` (see its migration).
const UNWARNED_AUTHORIZATION: &str = "status = 'authorized' AND expiry_warned_at IS NULL";

#[async_trait]
impl AuthorizationExpiryRepository for Store {
    async fn unwarned_authorizations(
        &self,
        authorized_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Payment>, StoreError> {
        self.read(move |c| {
            // The index's predicate, word for word and with the status as a
            // literal: a bound parameter would hide from SQLite's planner
            // (and from a PostgreSQL generic plan) that the partial index
            // covers the rows asked for.
            payments::table
                .filter(sql::<Bool>(UNWARNED_AUTHORIZATION))
                .filter(payments::created_at.le(micros(authorized_before)))
                .order((payments::created_at.asc(), payments::id.asc()))
                .limit(i64::from(limit))
                .select(PaymentRow::as_select())
                .load::<PaymentRow>(c)?
                .into_iter()
                .map(payment_from_row)
                .collect()
        })
        .await
    }

    async fn mark_expiry_warned(
        &self,
        id: PaymentId,
        notification: &NewNotification,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let notification = notification.clone();
        let sealer = self.sealer.clone();
        self.run(move |c| {
            write_tx(c, |c| {
                let at = micros(now);
                let marked = diesel::update(
                    payments::table
                        .filter(payments::id.eq(id.0))
                        .filter(payments::status.eq(PaymentStatus::Authorized.as_str()))
                        .filter(payments::expiry_warned_at.is_null()),
                )
                .set(payments::expiry_warned_at.eq(at))
                .returning(PAYMENT_COLUMNS)
                .get_result::<PaymentRow>(c)
                .optional()?;
                let Some(row) = marked else {
                    return Ok(false);
                };
                // Only the caller whose mark won records the warning, so the
                // event and the notification exist once per payment.
                let payment = payment_from_row(row)?;
                record_in(
                    c,
                    &sealer,
                    &[NewEvent::payment(
                        EventKind::PaymentAuthorizationExpiring,
                        &payment,
                    )],
                    at,
                )?;
                insert_notification(c, &notification, now)?;
                Ok(true)
            })
        })
        .await
    }
}
