//! Payment rows: what the processor did for an order (authorization,
//! capture, void). An order shows its newest payment.

use super::events::record_in;
use super::orders::load_order;
use crate::db::{DbConnection, DbResult, columns, from_micros, money, parse_enum};
use crate::schema::{orders, payments, promotion_redemptions};
use crate::sealing::Sealer;
use diesel::prelude::*;
use ordercore_domain::model::{
    CardBrand, EventKind, NewEvent, NewPayment, OrderId, OrderStatus, Payment, PaymentId,
    PaymentKind, PaymentMethodId, PaymentStatus,
};
use std::collections::HashMap;

/// One `payments` row (without its update time).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = payments)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(in crate::repos) struct PaymentRow {
    id: i64,
    order_id: i64,
    kind: String,
    status: String,
    amount_cents: i64,
    transaction_id: String,
    auth_code: Option<String>,
    brand: String,
    last4: String,
    payment_method_id: i64,
    created_at: i64,
}

// `PaymentRow`'s columns in its field order, for RETURNING and joins:
// Diesel's `returning(PaymentRow::as_select())` does not compile on the
// multi-backend connection (see `crate::db::DbConnection`).
columns!(pub(in crate::repos) const PAYMENT_COLUMNS = payments {
    id,
    order_id,
    kind,
    status,
    amount_cents,
    transaction_id,
    auth_code,
    brand,
    last4,
    payment_method_id,
    created_at,
});

pub(super) fn payment_from_row(r: PaymentRow) -> DbResult<Payment> {
    Ok(Payment {
        id: PaymentId(r.id),
        order_id: OrderId(r.order_id),
        kind: parse_enum("payment kind", &r.kind, PaymentKind::parse)?,
        status: parse_enum("payment status", &r.status, PaymentStatus::parse)?,
        amount: money(r.amount_cents)?,
        transaction_id: r.transaction_id,
        auth_code: r.auth_code,
        brand: CardBrand::parse(&r.brand),
        last4: r.last4,
        payment_method_id: PaymentMethodId(r.payment_method_id),
        created_at: from_micros(r.created_at)?,
    })
}

/// The newest payment of each of `order_ids` (by order id), in one query.
pub(super) fn latest_of_orders(
    conn: &mut DbConnection,
    order_ids: &[i64],
) -> DbResult<HashMap<i64, Payment>> {
    let mut latest = HashMap::new();
    for row in payments::table
        .filter(payments::order_id.eq_any(order_ids))
        .order(payments::id.asc())
        .select(PaymentRow::as_select())
        .load::<PaymentRow>(conn)?
    {
        let p = payment_from_row(row)?;
        latest.insert(p.order_id.0, p);
    }
    Ok(latest)
}

/// Records `payment` for `order`; it becomes the order's newest payment.
pub(super) fn insert(
    conn: &mut DbConnection,
    order: OrderId,
    payment: &NewPayment,
    now: i64,
) -> DbResult<Payment> {
    let row = diesel::insert_into(payments::table)
        .values((
            payments::order_id.eq(order.0),
            payments::kind.eq(payment.kind.as_str()),
            payments::status.eq(payment.status.as_str()),
            payments::amount_cents.eq(payment.amount.cents()),
            payments::transaction_id.eq(&payment.transaction_id),
            payments::auth_code.eq(&payment.auth_code),
            payments::brand.eq(payment.brand.as_str()),
            payments::last4.eq(&payment.last4),
            payments::payment_method_id.eq(payment.payment_method_id.0),
            payments::created_at.eq(now),
            payments::updated_at.eq(now),
        ))
        .returning(PAYMENT_COLUMNS)
        .get_result::<PaymentRow>(conn)?;
    payment_from_row(row)
}

pub(super) fn find(conn: &mut DbConnection, id: PaymentId) -> DbResult<Option<Payment>> {
    payments::table
        .filter(payments::id.eq(id.0))
        .select(PaymentRow::as_select())
        .first::<PaymentRow>(conn)
        .optional()?
        .map(payment_from_row)
        .transpose()
}

/// Moves payment `id` from `from` to `to` if it is still in `from` (a
/// conditional update: of two deciders only one wins, which is how capture
/// and void claim a payment before calling the processor); a void also
/// cancels the order and gives back its promotion redemption. Returns whether
/// this call made the change. Call inside a write transaction. Reaching
/// `captured` records `payment.captured`; reaching `voided` records
/// `payment.voided` and `order.cancelled`.
pub(super) fn transition(
    conn: &mut DbConnection,
    id: PaymentId,
    from: PaymentStatus,
    to: PaymentStatus,
    now: i64,
    sealer: &Sealer,
) -> DbResult<bool> {
    let row = diesel::update(
        payments::table
            .filter(payments::id.eq(id.0))
            .filter(payments::status.eq(from.as_str())),
    )
    .set((
        payments::status.eq(to.as_str()),
        payments::updated_at.eq(now),
    ))
    .returning(PAYMENT_COLUMNS)
    .get_result::<PaymentRow>(conn)
    .optional()?;
    let Some(row) = row else {
        return Ok(false);
    };
    let payment = payment_from_row(row)?;
    let order_id = payment.order_id.0;
    if to == PaymentStatus::Captured {
        record_in(
            conn,
            sealer,
            &[NewEvent::payment(EventKind::PaymentCaptured, &payment)],
            now,
        )?;
    }
    if to == PaymentStatus::Voided {
        diesel::update(orders::table.filter(orders::id.eq(order_id)))
            .set((
                orders::status.eq(OrderStatus::Cancelled.as_str()),
                orders::updated_at.eq(now),
            ))
            .execute(conn)?;
        // The cancelled order no longer uses its code: the client may use it
        // again and it counts no more against the promotion's cap.
        diesel::delete(
            promotion_redemptions::table.filter(promotion_redemptions::order_id.eq(order_id)),
        )
        .execute(conn)?;
        let order = load_order(conn, OrderId(order_id), sealer)?
            .ok_or_else(|| crate::db::backend_fail("the order just cancelled is missing"))?;
        record_in(
            conn,
            sealer,
            &[
                NewEvent::payment(EventKind::PaymentVoided, &payment),
                NewEvent::order(EventKind::OrderCancelled, &order),
            ],
            now,
        )?;
    }
    Ok(true)
}
