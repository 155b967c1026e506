//! Idempotency records (SPEC §7): the first request with a key runs, a
//! repeat replays its stored answer, a different request under the same key
//! is a mismatch. The unique (scope, key) constraint decides races.

use crate::Store;
use crate::db::{DbConnection, DbResult, Fail, micros};
use crate::schema::idempotency_keys;
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
        self.run(move |c| begin(c, &scope, &key, &fingerprint, now))
            .await
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        status: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        let (scope, key, status, body) = (
            scope.to_string(),
            key.to_string(),
            status.to_string(),
            body.to_string(),
        );
        self.run(move |c| {
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
