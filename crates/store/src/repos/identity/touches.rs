//! Session touches (`last_used_at`) written in batches, off the request path.
//!
//! A request that finds its session last used more than a minute ago records
//! the use here instead of sending an `UPDATE` of its own: with many
//! clients, nearly every request would otherwise write (one more statement,
//! a commit and a WAL flush each). [`Store::flush_touches`] writes what is
//! pending in one statement; `serve` calls it every second and once more as
//! it stops.
//!
//! Until then the use is pending in this process, and its session look-ups
//! see it at once (the later of the stored and the pending instant). Other
//! instances see it after the flush. `last_used_at` only moves forward, in
//! memory and in the database, so a flush never undoes a later use recorded
//! by another instance. A process that dies loses at most one interval of
//! touches: the session then looks idle a second longer than it was, against
//! an idle limit of 72 hours.

use crate::Store;
use crate::db::{DbConnection, DbResult, micros, write_tx};
use crate::repos::pending::{Keep, PendingInstants, execute_unnest_pg};
use crate::schema::sessions;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;

/// Session id → the latest pending `last_used_at`.
pub(crate) fn pending() -> PendingInstants {
    PendingInstants::new(Keep::Latest)
}

/// `stored` (a session's `last_used_at` as read) or its pending use,
/// whichever is later.
pub(crate) fn latest(pending: &PendingInstants, id: i64, stored: DateTime<Utc>) -> DateTime<Utc> {
    pending.get(id).map_or(stored, |at| at.max(stored))
}

/// PostgreSQL: every pending touch in one statement; a row already used
/// later (by another instance) is left as it is. `sessions.id = ANY($1)`
/// lets the planner reach the rows through the primary key: with the join
/// condition alone it hashed the ids and scanned the whole table. Public
/// for the plan test (`ordercore_store::hot_sql`).
pub const FLUSH_PG: &str = "UPDATE sessions SET last_used_at = t.at \
     FROM unnest($1::bigint[], $2::bigint[]) AS t(id, at) \
     WHERE sessions.id = ANY($1::bigint[]) AND sessions.id = t.id \
       AND sessions.last_used_at < t.at";

fn write(conn: &mut DbConnection, touches: &[(i64, DateTime<Utc>)]) -> DbResult<()> {
    match conn {
        DbConnection::Pg(pg) => {
            execute_unnest_pg(pg, FLUSH_PG, touches)?;
        }
        // Embedded: no round trips to save; one transaction, one commit.
        DbConnection::Sqlite(_) => write_tx(conn, |c| {
            for &(id, at) in touches {
                diesel::update(
                    sessions::table
                        .filter(sessions::id.eq(id))
                        .filter(sessions::last_used_at.lt(micros(at))),
                )
                .set(sessions::last_used_at.eq(micros(at)))
                .execute(c)?;
            }
            Ok(())
        })?,
    }
    Ok(())
}

impl Store {
    /// Writes the pending session touches (see this module); returns how
    /// many. On an error they stay pending for the next call.
    pub async fn flush_touches(&self) -> Result<usize, StoreError> {
        self.flush_pending(&self.touches, write).await
    }

    /// How many session touches wait for [`Store::flush_touches`].
    pub fn pending_touches(&self) -> usize {
        self.touches.len()
    }
}

#[cfg(test)]
mod tests {
    use super::{latest, pending};
    use chrono::{DateTime, Utc};

    /// The instant `n` microseconds after the epoch.
    fn t(n: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(n).unwrap()
    }

    #[test]
    fn a_look_up_sees_the_later_of_the_stored_and_the_pending_use() {
        let pending = pending();
        pending.record(1, t(100));
        pending.record(1, t(90));
        assert_eq!(
            latest(&pending, 1, t(95)),
            t(100),
            "pending is later than stored"
        );
        assert_eq!(
            latest(&pending, 1, t(120)),
            t(120),
            "stored is later than pending"
        );
        assert_eq!(latest(&pending, 3, t(7)), t(7), "nothing pending");
    }
}
