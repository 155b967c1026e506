//! `ordercore keys rotate`: seals every stored secret under the current data
//! key — order access secrets, stored idempotent answers, event payloads and
//! webhook signing secrets (those few in one transaction) — in batches,
//! each batch one transaction. Rows already sealed under the current key are
//! left alone, so a second run changes nothing; rows an earlier version
//! stored in clear are sealed. A row changed in between by someone else is
//! skipped (its writer sealed it under the key it had).

use crate::Store;
use crate::db::{Backend, DbConnection, DbResult, write_tx};
use crate::schema::{idempotency_keys, orders};
use crate::sealing::{Sealer, idempotency_aad, open_body};
use crate::stored_access::StoredAccess;
use diesel::connection::SimpleConnection as _;
use diesel::prelude::*;
use ordercore_domain::StoreError;

/// What a rotation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RotationReport {
    pub orders_examined: u64,
    /// Orders whose secrets are now sealed under the current key.
    pub orders_resealed: u64,
    pub answers_examined: u64,
    /// Stored idempotent answers now sealed under the current key.
    pub answers_resealed: u64,
    pub events_examined: u64,
    /// Event payloads now sealed under the current key.
    pub events_resealed: u64,
    pub webhook_secrets_examined: u64,
    /// Webhook signing secrets now sealed under the current key.
    pub webhook_secrets_resealed: u64,
}

/// One batch: rows examined, rows re-sealed, last id seen.
type Batch = (u64, u64, i64);

impl Store {
    /// Re-seals every stored secret under the current key, `batch` rows per
    /// transaction. Fails (changing nothing further) on a value sealed under
    /// a key the cipher does not know. On SQLite, when anything was
    /// re-sealed, the file is then compacted (`VACUUM`) so the old values'
    /// pages do not linger in it.
    pub async fn rotate_secrets(&self, batch: u32) -> Result<RotationReport, StoreError> {
        let batch = i64::from(batch.max(1));
        let mut report = RotationReport::default();
        let mut after = 0;
        loop {
            let sealer = self.sealer.clone();
            let (examined, resealed, last) = self
                .run(move |c| write_tx(c, |c| reseal_orders(c, &sealer, after, batch)))
                .await?;
            report.orders_examined += examined;
            report.orders_resealed += resealed;
            if (examined as i64) < batch {
                break;
            }
            after = last;
        }
        after = 0;
        loop {
            let sealer = self.sealer.clone();
            let (examined, resealed, last) = self
                .run(move |c| write_tx(c, |c| reseal_answers(c, &sealer, after, batch)))
                .await?;
            report.answers_examined += examined;
            report.answers_resealed += resealed;
            if (examined as i64) < batch {
                break;
            }
            after = last;
        }
        after = 0;
        loop {
            let sealer = self.sealer.clone();
            let (examined, resealed, last) = self
                .run(move |c| {
                    write_tx(c, |c| crate::repos::reseal_events(c, &sealer, after, batch))
                })
                .await?;
            report.events_examined += examined;
            report.events_resealed += resealed;
            if (examined as i64) < batch {
                break;
            }
            after = last;
        }
        let sealer = self.sealer.clone();
        let (examined, resealed) = self
            .run(move |c| write_tx(c, |c| crate::repos::reseal_webhook_secrets(c, &sealer)))
            .await?;
        report.webhook_secrets_examined = examined;
        report.webhook_secrets_resealed = resealed;
        if self.backend() == Backend::Sqlite
            && report.orders_resealed + report.answers_resealed + report.events_resealed + resealed
                > 0
        {
            self.run(|c| {
                if let DbConnection::Sqlite(c) = c {
                    c.batch_execute("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(report)
    }
}

fn reseal_orders(
    conn: &mut DbConnection,
    sealer: &Sealer,
    after: i64,
    batch: i64,
) -> DbResult<Batch> {
    let rows: Vec<(i64, String)> = orders::table
        .filter(orders::id.gt(after))
        .order(orders::id.asc())
        .limit(batch)
        .select((orders::id, orders::property_access))
        .load(conn)?;
    let (mut resealed, mut last) = (0, after);
    for (id, stored) in &rows {
        last = *id;
        if !StoredAccess::needs_reseal(stored, sealer)? {
            continue;
        }
        let fresh = StoredAccess::open(stored, sealer, *id)?.sealed_json(sealer, *id)?;
        resealed += diesel::update(
            orders::table
                .filter(orders::id.eq(*id))
                .filter(orders::property_access.eq(stored)),
        )
        .set(orders::property_access.eq(fresh))
        .execute(conn)? as u64;
    }
    Ok((rows.len() as u64, resealed, last))
}

fn reseal_answers(
    conn: &mut DbConnection,
    sealer: &Sealer,
    after: i64,
    batch: i64,
) -> DbResult<Batch> {
    let rows: Vec<(i64, String, String, Option<String>)> = idempotency_keys::table
        .filter(idempotency_keys::id.gt(after))
        .order(idempotency_keys::id.asc())
        .limit(batch)
        .select((
            idempotency_keys::id,
            idempotency_keys::scope,
            idempotency_keys::key,
            idempotency_keys::body,
        ))
        .load(conn)?;
    let (mut resealed, mut last) = (0, after);
    for (id, scope, key, body) in &rows {
        last = *id;
        let Some(body) = body else { continue };
        if sealer.is_current(body) {
            continue;
        }
        let clear = open_body(sealer, scope, key, body.clone())?;
        let fresh = sealer.seal(&clear, &idempotency_aad(scope, key))?;
        resealed += diesel::update(
            idempotency_keys::table
                .filter(idempotency_keys::id.eq(*id))
                .filter(idempotency_keys::body.eq(body)),
        )
        .set(idempotency_keys::body.eq(fresh))
        .execute(conn)? as u64;
    }
    Ok((rows.len() as u64, resealed, last))
}
