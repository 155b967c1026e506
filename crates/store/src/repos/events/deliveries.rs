//! Claiming due deliveries: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, on
//! SQLite inside one `BEGIN IMMEDIATE` write transaction (SQLite has a
//! single writer); then loading their events and endpoints (secrets opened).

use super::webhooks::{EndpointRow, secret_aad};
use super::{EventRow, event_from_row};
use crate::db::{DbConnection, DbResult, backend_fail, from_micros_opt, write_tx};
use crate::schema::{events, webhook_deliveries, webhook_endpoints};
use crate::sealing::Sealer;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};
use ordercore_domain::model::{Secret, WebhookDeliveryId, WebhookEndpointId};
use ordercore_domain::ports::DueDelivery;
use std::collections::HashMap;

#[derive(Debug, QueryableByName)]
pub(super) struct ClaimedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    endpoint_id: i64,
    #[diesel(sql_type = BigInt)]
    event_id: i64,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

/// Due, to a live endpoint, and the oldest undelivered event of its order
/// for that endpoint.
const DUE: &str = "FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
     WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= $2 \
     AND w.enabled AND w.removed_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p \
         WHERE p.endpoint_id = d.endpoint_id AND p.order_id = d.order_id \
         AND p.event_id < d.event_id AND p.delivered_at IS NULL AND p.failed_at IS NULL) \
     ORDER BY d.next_attempt_at, d.id LIMIT $3";

pub(super) fn claim(
    conn: &mut DbConnection,
    now: i64,
    lease: i64,
    limit: i64,
) -> DbResult<Vec<ClaimedRow>> {
    let mut rows = match conn {
        DbConnection::Pg(pg) => diesel::sql_query(format!(
            "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id IN \
             (SELECT d.id {DUE} FOR UPDATE OF d SKIP LOCKED) \
             RETURNING id, endpoint_id, event_id, attempts"
        ))
        .bind::<BigInt, _>(lease)
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<ClaimedRow>(pg)?,
        DbConnection::Sqlite(_) => write_tx(conn, |c| {
            let DbConnection::Sqlite(lite) = c else {
                return Err(backend_fail("not sqlite"));
            };
            let due = diesel::sql_query(format!(
                "SELECT d.id, d.endpoint_id, d.event_id, d.attempts {}",
                DUE.replace('$', "?")
            ))
            .bind::<BigInt, _>(0i64)
            .bind::<BigInt, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<ClaimedRow>(lite)?;
            let ids: Vec<i64> = due.iter().map(|r| r.id).collect();
            diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(ids)))
                .set(webhook_deliveries::next_attempt_at.eq(lease))
                .execute(c)?;
            Ok(due)
        })?,
    };
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

pub(super) fn load_due(
    conn: &mut DbConnection,
    sealer: &Sealer,
    rows: Vec<ClaimedRow>,
) -> DbResult<Vec<DueDelivery>> {
    let event_ids: Vec<i64> = rows.iter().map(|r| r.event_id).collect();
    let endpoint_ids: Vec<i64> = rows.iter().map(|r| r.endpoint_id).collect();
    let mut evs = HashMap::new();
    for row in events::table
        .filter(events::id.eq_any(event_ids))
        .select(EventRow::as_select())
        .load::<EventRow>(conn)?
    {
        let e = event_from_row(sealer, row)?;
        evs.insert(e.id.0, e);
    }
    let mut eps = HashMap::new();
    for row in webhook_endpoints::table
        .filter(webhook_endpoints::id.eq_any(endpoint_ids))
        .select(EndpointRow::as_select())
        .load::<EndpointRow>(conn)?
    {
        eps.insert(row.id, row);
    }
    rows.into_iter()
        .map(|r| {
            let event = evs
                .get(&r.event_id)
                .cloned()
                .ok_or_else(|| backend_fail("a delivery's event is missing"))?;
            let ep = eps
                .get(&r.endpoint_id)
                .ok_or_else(|| backend_fail("a delivery's endpoint is missing"))?;
            Ok(DueDelivery {
                id: WebhookDeliveryId(r.id),
                endpoint_id: WebhookEndpointId(ep.id),
                url: ep.url.clone(),
                secret: Secret::new(sealer.open(&ep.secret_sealed, &secret_aad(ep.id))?),
                failing_since: from_micros_opt(ep.failing_since)?,
                event,
                attempts: u32::try_from(r.attempts).unwrap_or(0),
            })
        })
        .collect()
}
