//! The confirmation e-mail outbox. Claiming is exclusive: on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, on SQLite inside one `BEGIN IMMEDIATE` write
//! transaction (SQLite has a single writer). Sent marks are written in
//! batches ([`sent_marks`]).

pub(crate) mod sent_marks;

use super::events::record_in;
use super::identity::parse_email;
use super::notifications::insert_notification;
use crate::Store;
use crate::db::{DbConnection, DbResult, from_micros, from_micros_opt, micros, write_tx};
use crate::schema::email_outbox;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use ordercore_domain::StoreError;
use ordercore_domain::model::{NewEvent, NewNotification, OrderId, OutboxId};
use ordercore_domain::ports::{EmailDelivery, NewOutboxEmail, OutboxMessage, OutboxRepository};

/// Longest `last_error` kept; provider error names are short anyway.
const MAX_ERROR_LEN: usize = 1000;

#[derive(Debug, QueryableByName, Queryable)]
#[diesel(table_name = email_outbox)]
struct ClaimedRow {
    id: i64,
    order_id: i64,
    recipient: String,
    attempts: i32,
}

fn to_message(r: ClaimedRow) -> DbResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: OutboxId(r.id),
        order_id: OrderId(r.order_id),
        recipient: parse_email(&r.recipient)?,
        attempts: u32::try_from(r.attempts).unwrap_or(0),
    })
}

const CLAIM_PG: &str = "UPDATE email_outbox SET next_attempt_at = $1 \
     WHERE id IN (SELECT id FROM email_outbox \
                  WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                  ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
     RETURNING id, order_id, recipient, attempts";

fn claim(conn: &mut DbConnection, now: i64, lease: i64, limit: i64) -> DbResult<Vec<ClaimedRow>> {
    let mut rows = match conn {
        DbConnection::Pg(pg) => diesel::sql_query(CLAIM_PG)
            .bind::<BigInt, _>(lease)
            .bind::<BigInt, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<ClaimedRow>(pg)?,
        DbConnection::Sqlite(_) => write_tx(conn, |c| {
            let due = email_outbox::table
                .filter(email_outbox::sent_at.is_null())
                .filter(email_outbox::failed_at.is_null())
                .filter(email_outbox::next_attempt_at.le(now))
                .order((email_outbox::next_attempt_at.asc(), email_outbox::id.asc()))
                .limit(limit)
                .select((
                    email_outbox::id,
                    email_outbox::order_id,
                    email_outbox::recipient,
                    email_outbox::attempts,
                ))
                .load::<ClaimedRow>(c)?;
            let ids: Vec<i64> = due.iter().map(|r| r.id).collect();
            diesel::update(email_outbox::table.filter(email_outbox::id.eq_any(ids)))
                .set(email_outbox::next_attempt_at.eq(lease))
                .execute(c)?;
            Ok(due)
        })?,
    };
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Queues the confirmation e-mail of `order_id`, in the caller's transaction
/// (so an order and its e-mail are recorded together or not at all).
pub(super) fn enqueue_email(
    conn: &mut DbConnection,
    order_id: i64,
    email: &NewOutboxEmail,
    now: i64,
) -> DbResult<OutboxId> {
    let id = diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::order_id.eq(order_id),
            email_outbox::recipient.eq(email.recipient.as_str()),
            email_outbox::attempts.eq(0),
            email_outbox::next_attempt_at.eq(micros(email.next_attempt_at)),
            email_outbox::created_at.eq(now),
        ))
        .returning(email_outbox::id)
        .get_result::<i64>(conn)?;
    Ok(OutboxId(id))
}

/// One `email_outbox` row as the console shows it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct DeliveryRow {
    id: i64,
    recipient: String,
    attempts: i32,
    next_attempt_at: i64,
    last_error: Option<String>,
    sent_at: Option<i64>,
    failed_at: Option<i64>,
    created_at: i64,
}

fn to_delivery(r: DeliveryRow) -> DbResult<EmailDelivery> {
    Ok(EmailDelivery {
        id: OutboxId(r.id),
        recipient: parse_email(&r.recipient)?,
        attempts: u32::try_from(r.attempts).unwrap_or(0),
        last_error: r.last_error,
        sent_at: from_micros_opt(r.sent_at)?,
        failed_at: from_micros_opt(r.failed_at)?,
        next_attempt_at: from_micros(r.next_attempt_at)?,
        created_at: from_micros(r.created_at)?,
    })
}

impl Store {
    /// `d` as it will read once its pending sent mark is written.
    fn with_pending_mark(&self, mut d: EmailDelivery) -> EmailDelivery {
        if d.sent_at.is_none()
            && let Some(at) = self.sent_marks.get(d.id.0)
        {
            d.sent_at = Some(at);
            d.attempts += 1;
        }
        d
    }
}

#[async_trait]
impl OutboxRepository for Store {
    async fn deliveries(&self, order: OrderId) -> Result<Vec<EmailDelivery>, StoreError> {
        self.read(move |c| {
            email_outbox::table
                .filter(email_outbox::order_id.eq(order.0))
                .order(email_outbox::id.asc())
                .select(DeliveryRow::as_select())
                .load::<DeliveryRow>(c)?
                .into_iter()
                .map(to_delivery)
                .collect::<DbResult<Vec<_>>>()
        })
        .await
        .map(|found| {
            found
                .into_iter()
                .map(|d| self.with_pending_mark(d))
                .collect()
        })
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let claimed = self
            .run(move |c| {
                claim(c, micros(now), micros(lease_until), i64::from(limit))?
                    .into_iter()
                    .map(to_message)
                    .collect::<DbResult<Vec<_>>>()
            })
            .await?;
        // Sent, its mark not written yet: not to be sent again (the claim's
        // lease on it is harmless, the mark ends it).
        Ok(claimed
            .into_iter()
            .filter(|m| self.sent_marks.get(m.id.0).is_none())
            .collect())
    }

    /// Pending until the next [`Store::flush_sent_marks`]; this store's
    /// reads see it at once. A message already marked keeps its first time.
    async fn mark_sent(&self, id: OutboxId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.sent_marks.record(id.0, now);
        Ok(())
    }

    async fn mark_failed<'a>(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        notification: Option<&'a NewNotification>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let error: String = error.chars().take(MAX_ERROR_LEN).collect();
        let notification = notification.cloned();
        let sealer = self.sealer.clone();
        self.run(move |c| {
            write_tx(c, |c| {
                let target = email_outbox::table
                    .filter(email_outbox::id.eq(id.0))
                    .filter(email_outbox::sent_at.is_null());
                match retry_at {
                    Some(at) => diesel::update(target)
                        .set((
                            email_outbox::attempts.eq(email_outbox::attempts + 1),
                            email_outbox::last_error.eq(&error),
                            email_outbox::next_attempt_at.eq(micros(at)),
                        ))
                        .execute(c)?,
                    None => diesel::update(target)
                        .set((
                            email_outbox::attempts.eq(email_outbox::attempts + 1),
                            email_outbox::last_error.eq(&error),
                            email_outbox::failed_at.eq(micros(now)),
                        ))
                        .execute(c)?,
                };
                if let Some(n) = &notification {
                    insert_notification(c, n, now)?;
                }
                if retry_at.is_none() {
                    // Given up: `email.failed`, with the order it confirms.
                    let order = email_outbox::table
                        .filter(email_outbox::id.eq(id.0))
                        .select(email_outbox::order_id)
                        .first::<i64>(c)?;
                    record_in(
                        c,
                        &sealer,
                        &[NewEvent::email_failed(OrderId(order), &error)],
                        micros(now),
                    )?;
                }
                Ok(())
            })
        })
        .await
    }
}
