//! Webhook endpoints and their deliveries (claiming: `deliveries.rs`). A
//! delivery is claimable only when no earlier event of the same order is
//! still undelivered to the same endpoint, so one order's events arrive in
//! order.

use super::deliveries::{claim, load_due};
use crate::Store;
use crate::db::{DbConnection, DbResult, from_micros, from_micros_opt, micros, write_tx};
use crate::repos::notifications::insert_notification;
use crate::schema::{webhook_deliveries, webhook_endpoints};
use crate::sealing::Sealer;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    EventId, EventKind, NewWebhookEndpoint, WebhookDeliveryId, WebhookEndpoint, WebhookEndpointId,
};
use ordercore_domain::ports::{DeliveryFailure, DueDelivery, WebhookRepository};

/// Longest `last_error` kept.
const MAX_ERROR_LEN: usize = 500;

/// The associated data of `webhook_endpoints.secret_sealed` of endpoint `id`.
pub(super) fn secret_aad(id: i64) -> String {
    format!("ordercore:webhook_endpoints.secret:{id}")
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct EndpointRow {
    pub(super) id: i64,
    pub(super) url: String,
    events: Option<String>,
    pub(super) secret_sealed: String,
    enabled: bool,
    pub(super) failing_since: Option<i64>,
    disabled_at: Option<i64>,
    created_at: i64,
}

fn encode_kinds(kinds: &Option<Vec<EventKind>>) -> Option<String> {
    kinds.as_ref().map(|k| {
        let names: Vec<&str> = k.iter().map(|k| k.as_str()).collect();
        format!(",{},", names.join(","))
    })
}

fn decode_kinds(raw: Option<&str>) -> Option<Vec<EventKind>> {
    raw.map(|r| r.split(',').filter_map(EventKind::parse).collect())
}

fn endpoint_from_row(r: &EndpointRow) -> DbResult<WebhookEndpoint> {
    Ok(WebhookEndpoint {
        id: WebhookEndpointId(r.id),
        url: r.url.clone(),
        events: decode_kinds(r.events.as_deref()),
        enabled: r.enabled,
        failing_since: from_micros_opt(r.failing_since)?,
        disabled_at: from_micros_opt(r.disabled_at)?,
        created_at: from_micros(r.created_at)?,
    })
}

/// `ordercore keys rotate`: re-seals every endpoint's signing secret not
/// sealed under the current key, in the caller's transaction. Returns
/// (examined, resealed).
pub(crate) fn reseal_secrets(conn: &mut DbConnection, sealer: &Sealer) -> DbResult<(u64, u64)> {
    let rows: Vec<(i64, String)> = webhook_endpoints::table
        .order(webhook_endpoints::id.asc())
        .select((webhook_endpoints::id, webhook_endpoints::secret_sealed))
        .load(conn)?;
    let mut resealed = 0;
    for (id, sealed) in &rows {
        if sealer.is_current(sealed) {
            continue;
        }
        let aad = secret_aad(*id);
        let fresh = sealer.seal(&sealer.open(sealed, &aad)?, &aad)?;
        resealed += diesel::update(
            webhook_endpoints::table
                .filter(webhook_endpoints::id.eq(*id))
                .filter(webhook_endpoints::secret_sealed.eq(sealed)),
        )
        .set(webhook_endpoints::secret_sealed.eq(fresh))
        .execute(conn)? as u64;
    }
    Ok((rows.len() as u64, resealed))
}

#[async_trait]
impl WebhookRepository for Store {
    async fn create_endpoint(
        &self,
        endpoint: &NewWebhookEndpoint,
        now: DateTime<Utc>,
    ) -> Result<WebhookEndpoint, StoreError> {
        let endpoint = endpoint.clone();
        let sealer = self.sealer.clone();
        self.run(move |c| {
            write_tx(c, |c| {
                // The secret is sealed bound to the row id, known after the insert.
                let id = diesel::insert_into(webhook_endpoints::table)
                    .values((
                        webhook_endpoints::url.eq(endpoint.url.as_str()),
                        webhook_endpoints::events.eq(encode_kinds(&endpoint.events)),
                        webhook_endpoints::secret_sealed.eq(""),
                        webhook_endpoints::enabled.eq(true),
                        webhook_endpoints::created_at.eq(micros(now)),
                    ))
                    .returning(webhook_endpoints::id)
                    .get_result::<i64>(c)?;
                let sealed = sealer.seal(endpoint.secret.expose(), &secret_aad(id))?;
                diesel::update(webhook_endpoints::table.filter(webhook_endpoints::id.eq(id)))
                    .set(webhook_endpoints::secret_sealed.eq(sealed))
                    .execute(c)?;
                Ok(WebhookEndpoint {
                    id: WebhookEndpointId(id),
                    url: endpoint.url.as_str().to_string(),
                    events: endpoint.events.clone(),
                    enabled: true,
                    failing_since: None,
                    disabled_at: None,
                    created_at: from_micros(micros(now))?,
                })
            })
        })
        .await
    }

    async fn list_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.read(move |c| {
            webhook_endpoints::table
                .filter(webhook_endpoints::removed_at.is_null())
                .order(webhook_endpoints::id.asc())
                .select(EndpointRow::as_select())
                .load::<EndpointRow>(c)?
                .iter()
                .map(endpoint_from_row)
                .collect()
        })
        .await
    }

    async fn remove_endpoint(
        &self,
        id: WebhookEndpointId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.run(move |c| {
            let n = diesel::update(
                webhook_endpoints::table
                    .filter(webhook_endpoints::id.eq(id.0))
                    .filter(webhook_endpoints::removed_at.is_null()),
            )
            .set((
                webhook_endpoints::removed_at.eq(micros(now)),
                webhook_endpoints::enabled.eq(false),
            ))
            .execute(c)?;
            Ok(n > 0)
        })
        .await
    }

    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let sealer = self.sealer.clone();
        self.run(move |c| {
            let rows = claim(c, micros(now), micros(lease_until), i64::from(limit))?;
            if rows.is_empty() {
                return Ok(Vec::new());
            }
            load_due(c, &sealer, rows)
        })
        .await
    }

    async fn mark_delivered(
        &self,
        id: WebhookDeliveryId,
        endpoint: WebhookEndpointId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.run(move |c| {
            write_tx(c, |c| {
                diesel::update(
                    webhook_deliveries::table
                        .filter(webhook_deliveries::id.eq(id.0))
                        .filter(webhook_deliveries::delivered_at.is_null()),
                )
                .set((
                    webhook_deliveries::delivered_at.eq(micros(now)),
                    webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                    webhook_deliveries::last_status.eq(None::<i32>),
                    webhook_deliveries::last_error.eq(None::<String>),
                ))
                .execute(c)?;
                diesel::update(
                    webhook_endpoints::table
                        .filter(webhook_endpoints::id.eq(endpoint.0))
                        .filter(webhook_endpoints::failing_since.is_not_null()),
                )
                .set(webhook_endpoints::failing_since.eq(None::<i64>))
                .execute(c)?;
                Ok(())
            })
        })
        .await
    }

    async fn mark_delivery_failed(
        &self,
        failure: &DeliveryFailure,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let f = failure.clone();
        let error: String = f.error.chars().take(MAX_ERROR_LEN).collect();
        self.run(move |c| {
            write_tx(c, |c| {
                let now = micros(now);
                let target = webhook_deliveries::table
                    .filter(webhook_deliveries::id.eq(f.id.0))
                    .filter(webhook_deliveries::delivered_at.is_null());
                let status = f.status.map(i32::from);
                match f.retry_at {
                    Some(at) => diesel::update(target)
                        .set((
                            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                            webhook_deliveries::last_status.eq(status),
                            webhook_deliveries::last_error.eq(&error),
                            webhook_deliveries::next_attempt_at.eq(micros(at)),
                        ))
                        .execute(c)?,
                    None => diesel::update(target)
                        .set((
                            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                            webhook_deliveries::last_status.eq(status),
                            webhook_deliveries::last_error.eq(&error),
                            webhook_deliveries::failed_at.eq(now),
                        ))
                        .execute(c)?,
                };
                let endpoint =
                    webhook_endpoints::table.filter(webhook_endpoints::id.eq(f.endpoint_id.0));
                diesel::update(endpoint.filter(webhook_endpoints::failing_since.is_null()))
                    .set(webhook_endpoints::failing_since.eq(now))
                    .execute(c)?;
                if let Some(n) = &f.disable {
                    let changed =
                        diesel::update(endpoint.filter(webhook_endpoints::enabled.eq(true)))
                            .set((
                                webhook_endpoints::enabled.eq(false),
                                webhook_endpoints::disabled_at.eq(now),
                            ))
                            .execute(c)?;
                    if changed > 0 {
                        insert_notification(c, n, from_micros(now)?)?;
                    }
                }
                Ok(())
            })
        })
        .await
    }

    async fn replay(
        &self,
        endpoint: WebhookEndpointId,
        since: EventId,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        self.run(move |c| {
            write_tx(c, |c| {
                let now = micros(now);
                let found = diesel::update(
                    webhook_endpoints::table
                        .filter(webhook_endpoints::id.eq(endpoint.0))
                        .filter(webhook_endpoints::removed_at.is_null()),
                )
                .set((
                    webhook_endpoints::enabled.eq(true),
                    webhook_endpoints::disabled_at.eq(None::<i64>),
                    webhook_endpoints::failing_since.eq(None::<i64>),
                ))
                .execute(c)?;
                if found == 0 {
                    return Ok(None);
                }
                let sql = "INSERT INTO webhook_deliveries \
                     (endpoint_id, event_id, order_id, attempts, next_attempt_at, created_at) \
                     SELECT w.id, e.id, e.order_id, 0, $2, $2 \
                     FROM events e JOIN webhook_endpoints w ON w.id = $1 \
                     WHERE e.id >= $3 \
                     AND (w.events IS NULL OR w.events LIKE '%,' || e.kind || ',%') \
                     ON CONFLICT (endpoint_id, event_id) DO UPDATE SET attempts = 0, \
                     next_attempt_at = excluded.next_attempt_at, delivered_at = NULL, \
                     failed_at = NULL, last_status = NULL, last_error = NULL";
                let n = match c {
                    DbConnection::Pg(pg) => diesel::sql_query(sql)
                        .bind::<BigInt, _>(endpoint.0)
                        .bind::<BigInt, _>(now)
                        .bind::<BigInt, _>(since.0)
                        .execute(pg)?,
                    DbConnection::Sqlite(lite) => diesel::sql_query(sql.replace('$', "?"))
                        .bind::<BigInt, _>(endpoint.0)
                        .bind::<BigInt, _>(now)
                        .bind::<BigInt, _>(since.0)
                        .execute(lite)?,
                };
                Ok(Some(n as u64))
            })
        })
        .await
    }
}
