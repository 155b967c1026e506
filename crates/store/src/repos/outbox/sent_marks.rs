//! The outbox's sent marks written in batches, off the request path.
//!
//! A submission sends its confirmation before it answers, and recording
//! that the e-mail went out used to cost the request one more statement,
//! round trip and commit. The mark is bookkeeping (the answer does not
//! depend on it), so the store records it in memory and
//! [`Store::flush_sent_marks`] writes every pending mark in one statement;
//! `serve` calls it every `ORDERCORE_OUTBOX_MARK_INTERVAL_MS` (100 ms) and
//! once more as it stops.
//!
//! Until then this process sees the mark: [`OutboxRepository::deliveries`]
//! shows the e-mail sent, a claim of due e-mails leaves it out, and the
//! outbox backlog does not count it. Another instance could only send it
//! again once the request's grace or a pass's lease is over, both longer
//! than the interval (the configuration refuses anything else). A process
//! that dies loses the marks of the last interval: the outbox worker then
//! sends those e-mails again after the grace, the at-least-once delivery a
//! crash between the send and the mark always gave (docs/storage.md,
//! "Durability").
//!
//! [`OutboxRepository::deliveries`]: ordercore_domain::ports::OutboxRepository::deliveries

use crate::Store;
use crate::db::{DbConnection, DbResult, micros, write_tx};
use crate::repos::pending::{Keep, PendingInstants, execute_unnest_pg};
use crate::schema::email_outbox;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;

/// Outbox row id → when its e-mail was first sent.
pub(crate) fn pending() -> PendingInstants {
    PendingInstants::new(Keep::First)
}

/// PostgreSQL: every pending mark in one statement, through the primary key
/// (`= ANY($1)`, as the session touches); a row already marked keeps its
/// first time. Public for the plan test (`ordercore_store::hot_sql`).
pub const FLUSH_PG: &str = "UPDATE email_outbox SET sent_at = t.at, attempts = attempts + 1 \
     FROM unnest($1::bigint[], $2::bigint[]) AS t(id, at) \
     WHERE email_outbox.id = ANY($1::bigint[]) AND email_outbox.id = t.id \
       AND email_outbox.sent_at IS NULL";

fn write(conn: &mut DbConnection, marks: &[(i64, DateTime<Utc>)]) -> DbResult<()> {
    match conn {
        DbConnection::Pg(pg) => {
            execute_unnest_pg(pg, FLUSH_PG, marks)?;
        }
        // Embedded: no round trips to save; one transaction, one commit.
        DbConnection::Sqlite(_) => write_tx(conn, |c| {
            for &(id, at) in marks {
                diesel::update(
                    email_outbox::table
                        .filter(email_outbox::id.eq(id))
                        .filter(email_outbox::sent_at.is_null()),
                )
                .set((
                    email_outbox::sent_at.eq(micros(at)),
                    email_outbox::attempts.eq(email_outbox::attempts + 1),
                ))
                .execute(c)?;
            }
            Ok(())
        })?,
    }
    Ok(())
}

impl Store {
    /// Writes the pending sent marks (see this module); returns how many. On
    /// an error they stay pending for the next call.
    pub async fn flush_sent_marks(&self) -> Result<usize, StoreError> {
        self.flush_pending(&self.sent_marks, write).await
    }

    /// How many sent marks wait for [`Store::flush_sent_marks`].
    pub fn pending_sent_marks(&self) -> usize {
        self.sent_marks.len()
    }
}
