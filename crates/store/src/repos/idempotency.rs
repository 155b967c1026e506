//! Idempotency records (SPEC §7): the first request with a key runs, a
//! repeat replays its stored answer, a different request under the same key
//! is a mismatch. The unique (scope, key) constraint decides races.
//! Stored answers are sealed under the data key (a `full` order view holds
//! the access code), and expired records are purged in batches by a worker.

use crate::Store;
use crate::db::{DbConnection, DbResult, Fail, micros};
use crate::schema::idempotency_keys;
use crate::sealing::{idempotency_aad, open_body};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::OrderId;
use ordercore_domain::ports::{IdempotencyBegin, IdempotencyStore};

/// How long a stored first response is replayed (SPEC §7).
const IDEMPOTENCY_TTL_HOURS: i64 = 24;

/// What a later request needs of a stored record.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct IdempotencyRow {
    fingerprint: String,
    state: String,
    status: Option<String>,
    body: Option<String>,
    created_at: i64,
    order_id: Option<i64>,
}

/// How long a first request may run before its key counts as abandoned: far
/// longer than the processor and mailer timeouts together.
const IDEMPOTENCY_ABANDONED_AFTER: Duration = Duration::minutes(10);

fn begin(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> DbResult<IdempotencyBegin> {
    let expired_before = micros(now - Duration::hours(IDEMPOTENCY_TTL_HOURS));
    // A record past its lifetime counts as absent.
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::key.eq(key))
            .filter(idempotency_keys::created_at.lt(expired_before)),
    )
    .execute(conn)?;
    // A request still "running" long after any request could have finished
    // died with its process: its key is free again, unless it was bound to
    // an order (the processor may have acted; see `settled_state`).
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::key.eq(key))
            .filter(idempotency_keys::state.eq("running"))
            .filter(idempotency_keys::order_id.is_null())
            .filter(idempotency_keys::created_at.lt(micros(now - IDEMPOTENCY_ABANDONED_AFTER))),
    )
    .execute(conn)?;
    // The unique (scope, key) constraint decides between concurrent callers;
    // a loser reads the winner's record. A record abandoned in between makes
    // the loop try again.
    for _ in 0..3 {
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::scope.eq(scope),
                idempotency_keys::key.eq(key),
                idempotency_keys::fingerprint.eq(fingerprint),
                idempotency_keys::state.eq("running"),
                idempotency_keys::created_at.eq(micros(now)),
            ))
            .execute(conn);
        match inserted.map_err(Fail::from) {
            Ok(_) => return Ok(IdempotencyBegin::Started),
            Err(Fail(StoreError::Conflict(_))) => {}
            Err(other) => return Err(other),
        }
        let existing = idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::key.eq(key))
            .select(IdempotencyRow::as_select())
            .first::<IdempotencyRow>(conn)
            .optional()?;
        let Some(stored) = existing else {
            continue;
        };
        return Ok(if stored.fingerprint != fingerprint {
            IdempotencyBegin::Mismatch
        } else {
            settled_state(stored, now)
        });
    }
    Ok(IdempotencyBegin::InFlight)
}

/// What a repeat of a record's own request gets: its stored answer; for a
/// record bound to an order with no answer (the request ended without one,
/// or its process died), the order decides; otherwise it is still running.
fn settled_state(stored: IdempotencyRow, now: DateTime<Utc>) -> IdempotencyBegin {
    let abandoned = stored.created_at < micros(now - IDEMPOTENCY_ABANDONED_AFTER);
    match (stored.state.as_str(), stored.status, stored.order_id) {
        ("done", Some(status), _) => IdempotencyBegin::Replay {
            status,
            body: stored.body.unwrap_or_default(),
        },
        ("done", None, Some(order)) => IdempotencyBegin::Bound {
            order_id: OrderId(order),
        },
        (_, _, Some(order)) if abandoned => IdempotencyBegin::Bound {
            order_id: OrderId(order),
        },
        _ => IdempotencyBegin::InFlight,
    }
}

#[async_trait]
impl IdempotencyStore for Store {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError> {
        let (scope, key, fingerprint) =
            (scope.to_string(), key.to_string(), fingerprint.to_string());
        let sealer = self.sealer.clone();
        self.run(move |c| {
            // A stored answer is sealed: open it for the replay.
            match begin(c, &scope, &key, &fingerprint, now)? {
                IdempotencyBegin::Replay { status, body } => Ok(IdempotencyBegin::Replay {
                    status,
                    body: open_body(&sealer, &scope, &key, body)?,
                }),
                other => Ok(other),
            }
        })
        .await
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        status: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        let (scope, key, status) = (scope.to_string(), key.to_string(), status.to_string());
        let sealer = self.sealer.clone();
        let body = body.to_string();
        self.run(move |c| {
            // Never stored in clear: a `full` order view holds the access code.
            let body = sealer.seal(&body, &idempotency_aad(&scope, &key))?;
            diesel::update(
                idempotency_keys::table
                    .filter(idempotency_keys::scope.eq(scope))
                    .filter(idempotency_keys::key.eq(key)),
            )
            .set((
                idempotency_keys::state.eq("done"),
                idempotency_keys::status.eq(status),
                idempotency_keys::body.eq(body),
            ))
            .execute(c)?;
            Ok(())
        })
        .await
    }

    async fn bind_order(&self, scope: &str, key: &str, order: OrderId) -> Result<bool, StoreError> {
        let (scope, key) = (scope.to_string(), key.to_string());
        self.run(move |c| {
            let n = diesel::update(
                idempotency_keys::table
                    .filter(idempotency_keys::scope.eq(scope))
                    .filter(idempotency_keys::key.eq(key))
                    .filter(idempotency_keys::state.eq("running")),
            )
            .set(idempotency_keys::order_id.eq(Some(order.0)))
            .execute(c)?;
            Ok(n == 1)
        })
        .await
    }

    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        let (scope, key) = (scope.to_string(), key.to_string());
        self.run(move |c| {
            let running = || {
                idempotency_keys::table
                    .filter(idempotency_keys::scope.eq(scope.clone()))
                    .filter(idempotency_keys::key.eq(key.clone()))
                    .filter(idempotency_keys::state.eq("running"))
            };
            // Unbound: nothing reached the processor, the key is free again.
            diesel::delete(running().filter(idempotency_keys::order_id.is_null())).execute(c)?;
            // Bound: kept, finished without an answer; its order decides.
            diesel::update(running().filter(idempotency_keys::order_id.is_not_null()))
                .set(idempotency_keys::state.eq("done"))
                .execute(c)?;
            Ok(())
        })
        .await
    }
}

// ---- Purging expired records (the idempotency purge worker) ----

impl Store {
    /// Deletes records older than the replay lifetime (24 hours before
    /// `now`), at most `batch` rows per statement, until none is left;
    /// returns how many were deleted. Several instances may run it at once.
    pub async fn purge_expired_idempotency(
        &self,
        now: DateTime<Utc>,
        batch: u32,
    ) -> Result<u64, StoreError> {
        let expired_before = micros(now - Duration::hours(IDEMPOTENCY_TTL_HOURS));
        let batch = i64::from(batch.max(1));
        let mut total = 0u64;
        loop {
            let deleted = self
                .run(move |c| purge_batch(c, expired_before, batch))
                .await?;
            total += deleted as u64;
            if (deleted as i64) < batch {
                return Ok(total);
            }
        }
    }
}

/// One batch: the oldest `batch` expired ids, then their rows (still
/// expired: the condition is repeated, so a row written in between stays).
fn purge_batch(conn: &mut DbConnection, expired_before: i64, batch: i64) -> DbResult<usize> {
    let ids: Vec<i64> = idempotency_keys::table
        .filter(idempotency_keys::created_at.lt(expired_before))
        .order(idempotency_keys::id.asc())
        .limit(batch)
        .select(idempotency_keys::id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::id.eq_any(ids))
            .filter(idempotency_keys::created_at.lt(expired_before)),
    )
    .execute(conn)?)
}
