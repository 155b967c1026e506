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
use crate::schema::sessions;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt};
use ordercore_domain::StoreError;
use std::collections::HashMap;
use std::sync::Mutex;

/// Session id → the latest pending `last_used_at`.
#[derive(Debug, Default)]
pub(crate) struct PendingTouches {
    pending: Mutex<HashMap<i64, DateTime<Utc>>>,
}

impl PendingTouches {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, DateTime<Utc>>> {
        // A panic while holding this lock cannot leave the map half updated
        // (every operation is one insert or remove), so a poisoned lock is
        // still good to use.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a use of session `id` at `at`; an earlier instant than one
    /// already pending changes nothing.
    pub(crate) fn record(&self, id: i64, at: DateTime<Utc>) {
        let mut pending = self.lock();
        let latest = pending.entry(id).or_insert(at);
        *latest = (*latest).max(at);
    }

    /// `stored` (a session's `last_used_at` as read) or its pending use,
    /// whichever is later.
    pub(crate) fn latest(&self, id: i64, stored: DateTime<Utc>) -> DateTime<Utc> {
        self.lock().get(&id).map_or(stored, |&at| at.max(stored))
    }

    /// What is pending now, to be written.
    fn snapshot(&self) -> Vec<(i64, DateTime<Utc>)> {
        self.lock().iter().map(|(&id, &at)| (id, at)).collect()
    }

    /// Forgets the entries that were written, unless a later use of the same
    /// session came in meanwhile (that one is written next time).
    fn forget(&self, written: &[(i64, DateTime<Utc>)]) {
        let mut pending = self.lock();
        for (id, at) in written {
            if pending.get(id) == Some(at) {
                pending.remove(id);
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
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
            let (ids, ats): (Vec<i64>, Vec<i64>) =
                touches.iter().map(|&(id, at)| (id, micros(at))).unzip();
            diesel::sql_query(FLUSH_PG)
                .bind::<Array<BigInt>, _>(ids)
                .bind::<Array<BigInt>, _>(ats)
                .execute(pg)?;
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
        let touches = self.touches.snapshot();
        if touches.is_empty() {
            return Ok(0);
        }
        let written = touches.clone();
        self.run(move |c| write(c, &touches)).await?;
        self.touches.forget(&written);
        Ok(written.len())
    }

    /// How many session touches wait for [`Store::flush_touches`].
    pub fn pending_touches(&self) -> usize {
        self.touches.len()
    }
}

#[cfg(test)]
mod tests {
    use super::PendingTouches;
    use chrono::{DateTime, Utc};

    /// The instant `n` microseconds after the epoch.
    fn t(n: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(n).unwrap()
    }

    #[test]
    fn the_latest_use_wins_and_a_written_entry_is_forgotten_unless_used_again() {
        let pending = PendingTouches::default();
        pending.record(1, t(100));
        pending.record(1, t(90));
        pending.record(2, t(50));
        assert_eq!(
            pending.latest(1, t(95)),
            t(100),
            "pending is later than stored"
        );
        assert_eq!(
            pending.latest(1, t(120)),
            t(120),
            "stored is later than pending"
        );
        assert_eq!(pending.latest(3, t(7)), t(7), "nothing pending");

        let mut written = pending.snapshot();
        written.sort();
        assert_eq!(written, vec![(1, t(100)), (2, t(50))]);
        pending.record(2, t(60)); // used again while the batch was being written
        pending.forget(&written);
        assert_eq!(pending.snapshot(), vec![(2, t(60))]);
        assert_eq!(pending.len(), 1);
    }
}
