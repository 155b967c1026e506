//! Where an order's secrets meet its rows: opening the sealed property
//! access of rows read back, and the order id the sealed value is bound to.

use super::rows::OrderRow;
use crate::db::{DbConnection, DbResult};
use crate::sealing::Sealer;
use crate::stored_access::{StoredAccess, has_secrets};
use diesel::prelude::*;
use ordercore_domain::model::NewOrder;
use std::sync::Mutex;

/// `r` with its property access opened (secrets in clear, in memory only),
/// as [`order_from_row`](super::rows::order_from_row) reads it.
pub(super) fn open_row(sealer: &Sealer, mut r: OrderRow) -> DbResult<OrderRow> {
    r.property_access = StoredAccess::open(&r.property_access, sealer, r.id)?.clear_json()?;
    Ok(r)
}

/// [`open_row`] for each row.
pub(super) fn open_rows(sealer: &Sealer, rows: Vec<OrderRow>) -> DbResult<Vec<OrderRow>> {
    rows.into_iter().map(|r| open_row(sealer, r)).collect()
}

#[derive(QueryableByName)]
struct NextId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// How many ids one PostgreSQL round trip takes from the sequence.
const ID_BLOCK: i64 = 32;

/// Order ids taken ahead from the PostgreSQL sequence, shared by a store's
/// clones. The secrets are sealed bound to the order's id, so the id must be
/// known before the INSERT; taking ids [`ID_BLOCK`] at a time costs one
/// round trip per block instead of one per order. Ids of a block left unused
/// (the process stopped) are a gap, as a rolled-back INSERT leaves one; ids
/// stay increasing within one process, and orders are listed by creation
/// time anyway. The same is done for payments ([`OrderIds::payments`]): the
/// events of a finalize name the payment's id in their sealed payload.
#[derive(Debug)]
pub(crate) struct OrderIds {
    /// The table whose `id` sequence the ids come from.
    table: &'static str,
    /// Unused ids, the next one last.
    ahead: Mutex<Vec<i64>>,
}

impl Default for OrderIds {
    fn default() -> Self {
        OrderIds {
            table: "orders",
            ahead: Mutex::default(),
        }
    }
}

impl OrderIds {
    /// Ids of `payments` rows.
    pub(crate) fn payments() -> Self {
        OrderIds {
            table: "payments",
            ahead: Mutex::default(),
        }
    }

    /// PostgreSQL: the next id (`None` on SQLite, where the INSERT assigns
    /// it and an UPDATE in the same transaction seals the secrets).
    pub(super) fn next(&self, conn: &mut DbConnection) -> DbResult<Option<i64>> {
        let DbConnection::Pg(c) = conn else {
            return Ok(None);
        };
        if let Some(id) = self.lock().pop() {
            return Ok(Some(id));
        }
        let mut block: Vec<i64> = diesel::sql_query(
            "SELECT nextval(pg_get_serial_sequence($2, 'id')) AS id \
             FROM generate_series(1, $1)",
        )
        .bind::<diesel::sql_types::BigInt, _>(ID_BLOCK)
        .bind::<diesel::sql_types::Text, _>(self.table)
        .load::<NextId>(c)?
        .into_iter()
        .map(|n| n.id)
        .collect();
        block.sort_unstable_by(|a, b| b.cmp(a));
        let id = block.pop();
        let mut ahead = self.lock();
        // Another thread may have refilled meanwhile: keep every id, the
        // smallest next.
        ahead.extend(block);
        ahead.sort_unstable_by(|a, b| b.cmp(a));
        Ok(id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<i64>> {
        self.ahead.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether inserting `order` on SQLite writes more than one row or
/// statement: a promotion to redeem, or secrets to seal once the row has its
/// id. (PostgreSQL: [`insert_order`](super::rows::insert_order) opens the
/// one transaction it may need itself.)
pub(super) fn needs_transaction(conn: &DbConnection, order: &NewOrder) -> bool {
    matches!(conn, DbConnection::Sqlite(_))
        && (order.promotion.is_some() || has_secrets(&order.property_access))
}
