//! PostgreSQL: an order and the redemption of its promotion recorded in one
//! statement (`WITH … INSERT … RETURNING`), atomic without an explicit
//! transaction. A second use by the same client violates
//! UNIQUE (promotion_id, client_id) and the whole statement, order included,
//! is undone (`Conflict`, → `promotion-expended`).
//!
//! Only an uncapped promotion is taken this way: a global cap needs the
//! promotion row locked before the uses are counted, and a count inside the
//! same statement would see the snapshot taken before the lock was granted.
//! For a capped promotion the statement inserts nothing and returns no row;
//! the caller then takes the transaction with the cap check.

use super::super::pg_statement::{Bind, PgStatement};
use super::rows::{Encoded, OrderRow, redemption_status};
use crate::db::DbResult;
use diesel::prelude::*;
use ordercore_domain::model::{NewOrder, OrderStatus, PromotionId};

/// The statement (public for the plan test, `ordercore_store::hot_sql`).
pub const INSERT_WITH_REDEMPTION: &str = "WITH o AS ( \
       INSERT INTO orders (id, client_id, status, subtotal_cents, discount_cents, total_cents, \
                           primary_service_id, lines, property_info, property_access, \
                           appointments, promotion_id, promotion_code, \
                           promotion_discount_cents, payment_method_id, created_at, updated_at) \
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, p.id, $12, $13, $14, $15, $15 \
       FROM promotions p WHERE p.id = $16 AND p.max_redemptions IS NULL \
       RETURNING * \
     ), r AS ( \
       INSERT INTO promotion_redemptions (promotion_id, client_id, order_id, status, created_at) \
       SELECT o.promotion_id, o.client_id, o.id, $17, o.created_at FROM o \
     ) \
     SELECT * FROM o";

/// The inserted row (property access as stored), or `None` when the
/// promotion is capped (or gone) and nothing was written.
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_with_redemption(
    conn: &mut diesel::PgConnection,
    id: i64,
    order: &NewOrder,
    encoded: &Encoded,
    stored_access: &str,
    status: OrderStatus,
    promotion: PromotionId,
    now: i64,
) -> DbResult<Option<OrderRow>> {
    let applied = order.promotion.as_ref();
    let statement = PgStatement {
        sql: INSERT_WITH_REDEMPTION,
        binds: vec![
            Bind::Int(id),
            Bind::Int(order.client.id.0),
            Bind::Text(status.as_str()),
            Bind::Int(order.pricing.subtotal.cents()),
            Bind::Int(order.pricing.discount.cents()),
            Bind::Int(order.pricing.total.cents()),
            Bind::Int(order.primary_service.service_id.0),
            Bind::Text(&encoded.lines),
            Bind::Text(&encoded.property_info),
            Bind::Text(stored_access),
            Bind::Text(&encoded.appointments),
            Bind::OptText(applied.map(|p| p.code.as_str())),
            Bind::OptInt(applied.map(|p| p.discount.cents())),
            Bind::OptInt(order.payment_method_id.map(|p| p.0)),
            Bind::Int(now),
            Bind::Int(promotion.0),
            Bind::Text(redemption_status(status)),
        ],
    };
    Ok(statement.get_result::<OrderRow>(conn).optional()?)
}
