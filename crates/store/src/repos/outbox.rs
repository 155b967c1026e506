//! The confirmation e-mail outbox. Claiming is exclusive: on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, on SQLite inside one `BEGIN IMMEDIATE` write
//! transaction (SQLite has a single writer).

use super::events::record_in;
use super::identity::parse_email;
use super::notifications::insert_notification;
use super::pg_statement::{Bind, PgStatement};
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

/// Marks a message sent, and commits without waiting for the write-ahead log
/// to reach the disk: `set_config(…, true)` turns `synchronous_commit` off
/// for this statement's own transaction only. A crash in the next few
/// hundred milliseconds can lose the mark (never the order nor its
/// payment, committed before the e-mail was sent), and the outbox worker
/// then sends the e-mail again: the at-least-once delivery a crash between
/// the send and the mark already gives, over a wider window, for one fewer
/// disk flush per submission (docs/storage.md, "Durability").
const MARK_SENT_PG: &str = "UPDATE email_outbox SET sent_at = $1, attempts = attempts + 1 \
     WHERE id = $2 AND sent_at IS NULL \
     AND set_config('synchronous_commit', 'off', true) = 'off'";

fn mark_sent_pg(pg: &mut diesel::PgConnection, id: OutboxId, now: i64) -> DbResult<usize> {
    // Prepared once per connection (Diesel's UPDATE is not).
    Ok(PgStatement {
        sql: MARK_SENT_PG,
        binds: vec![Bind::Int(now), Bind::Int(id.0)],
    }
    .execute(pg)?)
}

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
                .collect()
        })
        .await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.run(move |c| {
            claim(c, micros(now), micros(lease_until), i64::from(limit))?
                .into_iter()
                .map(to_message)
                .collect()
        })
        .await
    }

    async fn mark_sent(&self, id: OutboxId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.run(move |c| {
            if let DbConnection::Pg(pg) = c {
                mark_sent_pg(pg, id, micros(now))?;
                return Ok(());
            }
            diesel::update(
                email_outbox::table
                    .filter(email_outbox::id.eq(id.0))
                    .filter(email_outbox::sent_at.is_null()),
            )
            .set((
                email_outbox::sent_at.eq(micros(now)),
                email_outbox::attempts.eq(email_outbox::attempts + 1),
            ))
            .execute(c)?;
            Ok(())
        })
        .await
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

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::mark_sent_pg;
    use crate::testing::PgTestDatabase;
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use ordercore_domain::model::OutboxId;

    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Text)]
        synchronous_commit: String,
    }

    fn synchronous_commit(pg: &mut PgConnection) -> String {
        diesel::sql_query("SHOW synchronous_commit")
            .get_result::<Setting>(pg)
            .unwrap()
            .synchronous_commit
    }

    /// The statement itself, on a table of the columns it touches: the mark
    /// is written, and its transaction, only it, commits asynchronously.
    #[test]
    fn marking_sent_commits_its_own_transaction_without_waiting_for_the_flush() {
        let Some(db) = PgTestDatabase::create("outbox::marking_sent_commits_async") else {
            return;
        };
        let mut pg = PgConnection::establish(db.url().expose()).unwrap();
        diesel::sql_query(
            "CREATE TABLE email_outbox (id bigint PRIMARY KEY, sent_at bigint, attempts int)",
        )
        .execute(&mut pg)
        .unwrap();
        diesel::sql_query("INSERT INTO email_outbox VALUES (7, NULL, 0), (8, NULL, 0)")
            .execute(&mut pg)
            .unwrap();
        assert_eq!(synchronous_commit(&mut pg), "on");

        pg.transaction(|pg| {
            assert_eq!(mark_sent_pg(pg, OutboxId(7), 42).unwrap(), 1);
            assert_eq!(
                synchronous_commit(pg),
                "off",
                "within the mark's transaction"
            );
            diesel::result::QueryResult::Ok(())
        })
        .unwrap();
        assert_eq!(synchronous_commit(&mut pg), "on", "after it: local to it");

        // Already sent: nothing written, the first mark's time kept.
        assert_eq!(mark_sent_pg(&mut pg, OutboxId(7), 99).unwrap(), 0);
        let marked: Vec<(i64, Option<i64>, Option<i32>)> =
            diesel::sql_query("SELECT id, sent_at, attempts FROM email_outbox ORDER BY id")
                .load::<Row>(&mut pg)
                .unwrap()
                .into_iter()
                .map(|r| (r.id, r.sent_at, r.attempts))
                .collect();
        assert_eq!(marked, vec![(7, Some(42), Some(1)), (8, None, Some(0))]);
    }

    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        sent_at: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
        attempts: Option<i32>,
    }
}
