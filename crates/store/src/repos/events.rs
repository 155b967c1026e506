//! Events: the one place they are written. [`record_in`] runs inside the
//! caller's transaction, so an event is stored with the change it reports or
//! not at all, and fans it out to a delivery per endpoint that wants it
//! (docs/webhooks.md). On PostgreSQL the events of a change and their
//! deliveries are one statement; on SQLite two.

mod deliveries;
mod webhooks;

pub(crate) use webhooks::reseal_secrets;

use crate::Store;
use crate::db::{DbConnection, DbResult, from_micros, micros, parse_enum, to_json, write_tx};
use crate::schema::events;
use crate::sealing::Sealer;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use ordercore_domain::StoreError;
use ordercore_domain::model::{Event, EventId, EventKind, NewEvent, OrderId};
use ordercore_domain::ports::EventRepository;

#[derive(Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = events)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct EventRow {
    id: i64,
    kind: String,
    order_id: Option<i64>,
    data: String,
    created_at: i64,
}

/// The associated data of `events.data`: the event's kind, order and time,
/// so a sealed payload copied into another event does not open. (The id is
/// not known before the insert that seals it.)
fn data_aad(kind: &str, order: Option<i64>, created_at: i64) -> String {
    format!(
        "ordercore:events.data:{kind}:{}:{created_at}",
        order.unwrap_or(0)
    )
}

/// An event row, its payload opened: it holds on-site contact details,
/// which are secrets at rest (docs/security.md).
pub(crate) fn event_from_row(sealer: &Sealer, r: EventRow) -> DbResult<Event> {
    let data = sealer.open(&r.data, &data_aad(&r.kind, r.order_id, r.created_at))?;
    Ok(Event {
        id: EventId(r.id),
        kind: parse_enum("event kind", &r.kind, EventKind::parse)?,
        order_id: r.order_id.map(OrderId),
        data,
        created_at: from_micros(r.created_at)?,
    })
}

/// `ordercore keys rotate`: re-seals, in the caller's transaction, the
/// payloads of up to `batch` events after `after` not sealed under the
/// current key. Returns (examined, resealed, last id).
pub(crate) fn reseal_events(
    conn: &mut DbConnection,
    sealer: &Sealer,
    after: i64,
    batch: i64,
) -> DbResult<(u64, u64, i64)> {
    let rows = events::table
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(batch)
        .select(EventRow::as_select())
        .load::<EventRow>(conn)?;
    let (mut resealed, mut last) = (0, after);
    for r in &rows {
        last = r.id;
        if sealer.is_current(&r.data) {
            continue;
        }
        let aad = data_aad(&r.kind, r.order_id, r.created_at);
        let fresh = sealer.seal(&sealer.open(&r.data, &aad)?, &aad)?;
        resealed += diesel::update(
            events::table
                .filter(events::id.eq(r.id))
                .filter(events::data.eq(&r.data)),
        )
        .set(events::data.eq(fresh))
        .execute(conn)? as u64;
    }
    Ok((rows.len() as u64, resealed, last))
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The endpoints (`w`) an event row named `$event` goes to (an endpoint's
/// kinds are stored as `,kind,kind,`; NULL is every kind). A macro so that
/// constant statement texts (`FINALIZE_PG`) can include it with `concat!`.
macro_rules! wants {
    ($event:literal) => {
        concat!(
            "w.enabled AND w.removed_at IS NULL AND (w.events IS NULL OR w.events LIKE '%,' || ",
            $event,
            ".kind || ',%')"
        )
    };
}
pub(crate) use wants;

/// [`wants!`] for an event row `e`.
pub(crate) const WANTS: &str = wants!("e");

/// Each event as stored: its kind, order and sealed payload, for an event
/// created at `now` (micros). For a statement that inserts the events
/// itself (the finalize on PostgreSQL, `repos::orders::finalize`).
pub(crate) fn seal_all(
    sealer: &Sealer,
    events: &[NewEvent],
    now: i64,
) -> DbResult<Vec<(&'static str, Option<i64>, String)>> {
    events
        .iter()
        .map(|e| {
            let (kind, order) = (e.kind.as_str(), e.order_id.map(|o| o.0));
            let data = to_json("event data", &e.data)?;
            Ok((
                kind,
                order,
                sealer.seal(&data, &data_aad(kind, order, now))?,
            ))
        })
        .collect()
}

/// Records `events` (in this order, so with increasing ids), created at
/// `now` (micros), and a delivery due at `now` to each enabled endpoint that
/// wants its kind. Call inside the transaction of the change the events
/// report. One statement on PostgreSQL, two on SQLite, however many events.
pub(crate) fn record_in(
    conn: &mut DbConnection,
    sealer: &Sealer,
    events: &[NewEvent],
    now: i64,
) -> DbResult<Vec<EventId>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let rows = seal_all(sealer, events, now)?;
    // $1 is `now`; each event takes three more.
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("(${}, ${}, ${}, $1)", 3 * i + 2, 3 * i + 3, 3 * i + 4))
        .collect();
    let insert = format!(
        "INSERT INTO events (kind, order_id, data, created_at) VALUES {} RETURNING id",
        values.join(", ")
    );
    let deliveries = "INSERT INTO webhook_deliveries \
         (endpoint_id, event_id, order_id, attempts, next_attempt_at, created_at) \
         SELECT w.id, e.id, e.order_id, 0, $1, $1";
    let mut ids = match conn {
        DbConnection::Pg(pg) => {
            let sql = format!(
                "WITH e AS ({insert}, kind, order_id), d AS ({deliveries} \
                 FROM e JOIN webhook_endpoints w ON {WANTS}) SELECT id FROM e"
            );
            let mut q = diesel::sql_query(sql)
                .into_boxed::<diesel::pg::Pg>()
                .bind::<BigInt, _>(now);
            for (kind, order, data) in rows {
                q = q
                    .bind::<Text, _>(kind)
                    .bind::<Nullable<BigInt>, _>(order)
                    .bind::<Text, _>(data);
            }
            q.load::<IdRow>(pg)?
        }
        DbConnection::Sqlite(lite) => {
            let mut q = diesel::sql_query(insert.replace('$', "?"))
                .into_boxed::<diesel::sqlite::Sqlite>()
                .bind::<BigInt, _>(now);
            for (kind, order, data) in rows {
                q = q
                    .bind::<Text, _>(kind)
                    .bind::<Nullable<BigInt>, _>(order)
                    .bind::<Text, _>(data);
            }
            let ids = q.load::<IdRow>(lite)?;
            let first = ids.iter().map(|r| r.id).min().unwrap_or(0);
            let last = ids.iter().map(|r| r.id).max().unwrap_or(0);
            diesel::sql_query(format!(
                "{} FROM events e JOIN webhook_endpoints w ON {WANTS} \
                 WHERE e.id BETWEEN ?2 AND ?3",
                deliveries.replace('$', "?")
            ))
            .bind::<BigInt, _>(now)
            .bind::<BigInt, _>(first)
            .bind::<BigInt, _>(last)
            .execute(lite)?;
            ids
        }
    };
    ids.sort_by_key(|r| r.id);
    Ok(ids.into_iter().map(|r| EventId(r.id)).collect())
}

#[async_trait]
impl EventRepository for Store {
    async fn record(&self, event: &NewEvent, now: DateTime<Utc>) -> Result<EventId, StoreError> {
        let event = event.clone();
        let sealer = self.sealer.clone();
        self.run(move |c| {
            let ids = write_tx(c, |c| {
                record_in(c, &sealer, std::slice::from_ref(&event), micros(now))
            })?;
            ids.first()
                .copied()
                .ok_or_else(|| crate::db::backend_fail("no event id returned"))
        })
        .await
    }

    async fn list_events(
        &self,
        after: Option<EventId>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let sealer = self.sealer.clone();
        self.read(move |c| {
            events::table
                .filter(events::id.gt(after.map_or(0, |a| a.0)))
                .order(events::id.asc())
                .limit(i64::from(limit))
                .select(EventRow::as_select())
                .load::<EventRow>(c)?
                .into_iter()
                .map(|r| event_from_row(&sealer, r))
                .collect()
        })
        .await
    }
}
