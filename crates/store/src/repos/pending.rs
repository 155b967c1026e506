//! Writes kept in memory and written in batches, off the request path: the
//! sessions' `last_used_at` touches (`identity::touches`) and the outbox's
//! sent marks (`outbox::sent_marks`). Each is a map from a row id to one
//! instant; `serve` writes what is pending every interval, in one
//! statement, and once more as it stops.

use crate::Store;
use crate::db::{DbConnection, DbResult, micros};
use chrono::{DateTime, Utc};
use ordercore_domain::StoreError;
use std::collections::HashMap;
use std::sync::Mutex;

/// Which instant a second record of the same row keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// The later one (a session's latest use).
    Latest,
    /// The one recorded first (when an e-mail was first sent).
    First,
}

/// Row id → the instant waiting to be written.
#[derive(Debug)]
pub(crate) struct PendingInstants {
    pending: Mutex<HashMap<i64, DateTime<Utc>>>,
    keep: Keep,
}

impl PendingInstants {
    pub(crate) fn new(keep: Keep) -> PendingInstants {
        PendingInstants {
            pending: Mutex::new(HashMap::new()),
            keep,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, DateTime<Utc>>> {
        // A panic while holding this lock cannot leave the map half updated
        // (every operation is one insert or remove), so a poisoned lock is
        // still good to use.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records `at` for row `id`; with one already pending, [`Keep`] decides.
    pub(crate) fn record(&self, id: i64, at: DateTime<Utc>) {
        let mut pending = self.lock();
        let kept = pending.entry(id).or_insert(at);
        if self.keep == Keep::Latest {
            *kept = (*kept).max(at);
        }
    }

    /// The instant pending for row `id`, if any.
    pub(crate) fn get(&self, id: i64) -> Option<DateTime<Utc>> {
        self.lock().get(&id).copied()
    }

    /// The ids of the rows with something pending.
    pub(crate) fn ids(&self) -> Vec<i64> {
        self.lock().keys().copied().collect()
    }

    /// What is pending now, to be written.
    fn snapshot(&self) -> Vec<(i64, DateTime<Utc>)> {
        self.lock().iter().map(|(&id, &at)| (id, at)).collect()
    }

    /// Forgets the entries that were written, unless another record of the
    /// same row changed the pending instant meanwhile (that one is written
    /// next time).
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

/// PostgreSQL: runs `sql` with the batch's ids as `$1::bigint[]` and their
/// instants (µs) as `$2::bigint[]`, for an `UPDATE … FROM unnest($1, $2)`.
pub(crate) fn execute_unnest_pg(
    pg: &mut diesel::PgConnection,
    sql: &str,
    batch: &[(i64, DateTime<Utc>)],
) -> DbResult<usize> {
    use diesel::RunQueryDsl;
    use diesel::sql_types::{Array, BigInt};
    let (ids, ats): (Vec<i64>, Vec<i64>) = batch.iter().map(|&(id, at)| (id, micros(at))).unzip();
    Ok(diesel::sql_query(sql)
        .bind::<Array<BigInt>, _>(ids)
        .bind::<Array<BigInt>, _>(ats)
        .execute(pg)?)
}

/// Writes one batch of pending instants; the statement must change nothing
/// that a newer write (of this or another instance) made.
pub(crate) type WriteBatch = fn(&mut DbConnection, &[(i64, DateTime<Utc>)]) -> DbResult<()>;

impl Store {
    /// Writes what `pending` holds with `write`, then forgets it; returns how
    /// many rows. On an error everything stays pending for the next call.
    pub(crate) async fn flush_pending(
        &self,
        pending: &PendingInstants,
        write: WriteBatch,
    ) -> Result<usize, StoreError> {
        let batch = pending.snapshot();
        if batch.is_empty() {
            return Ok(0);
        }
        let written = self
            .run(move |c| {
                write(c, &batch)?;
                Ok(batch)
            })
            .await?;
        pending.forget(&written);
        Ok(written.len())
    }
}

#[cfg(test)]
mod tests {
    use super::{Keep, PendingInstants};
    use chrono::{DateTime, Utc};

    /// The instant `n` microseconds after the epoch.
    fn t(n: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(n).unwrap()
    }

    #[test]
    fn the_latest_instant_wins_and_a_written_entry_is_forgotten_unless_recorded_again() {
        let pending = PendingInstants::new(Keep::Latest);
        pending.record(1, t(100));
        pending.record(1, t(90));
        pending.record(2, t(50));
        assert_eq!(pending.get(1), Some(t(100)));
        assert_eq!(pending.get(3), None, "nothing pending");

        let mut written = pending.snapshot();
        written.sort();
        assert_eq!(written, vec![(1, t(100)), (2, t(50))]);
        pending.record(2, t(60)); // recorded again while the batch was being written
        pending.forget(&written);
        assert_eq!(pending.snapshot(), vec![(2, t(60))]);
        assert_eq!(pending.len(), 1);
        assert_eq!(pending.ids(), vec![2]);
    }

    #[test]
    fn the_first_instant_is_kept_when_asked_to() {
        let pending = PendingInstants::new(Keep::First);
        pending.record(7, t(100));
        pending.record(7, t(200));
        pending.record(7, t(50));
        assert_eq!(pending.get(7), Some(t(100)));
        pending.forget(&[(7, t(100))]);
        assert_eq!(pending.len(), 0);
    }
}
