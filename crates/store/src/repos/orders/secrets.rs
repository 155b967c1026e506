//! Where an order's secrets meet its rows: opening the sealed property
//! access of rows read back, and the order id the sealed value is bound to.

use super::rows::OrderRow;
use crate::db::{DbConnection, DbResult};
use crate::sealing::Sealer;
use crate::stored_access::{StoredAccess, has_secrets};
use diesel::prelude::*;
use ordercore_domain::model::NewOrder;

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

/// The secrets are sealed bound to the order's id, which the INSERT assigns.
/// PostgreSQL: the id is taken from the sequence first (one round trip), and
/// the INSERT writes the sealed value with it. SQLite (no network round
/// trips): `None`; the INSERT writes no secrets and an UPDATE in the same
/// transaction seals them.
pub(super) fn reserve_order_id(conn: &mut DbConnection) -> DbResult<Option<i64>> {
    match conn {
        DbConnection::Pg(c) => Ok(Some(
            diesel::sql_query("SELECT nextval(pg_get_serial_sequence('orders', 'id')) AS id")
                .get_result::<NextId>(c)?
                .id,
        )),
        DbConnection::Sqlite(_) => Ok(None),
    }
}

/// Whether inserting `order` writes more than one row or statement: a
/// promotion to redeem, or (SQLite) secrets to seal once the row has its id.
pub(super) fn needs_transaction(conn: &DbConnection, order: &NewOrder) -> bool {
    order.promotion.is_some()
        || (matches!(conn, DbConnection::Sqlite(_)) && has_secrets(&order.property_access))
}
