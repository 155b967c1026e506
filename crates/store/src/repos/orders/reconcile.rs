//! Look-ups of unknown payment outcomes: an order kept `pending_payment`
//! after an unknown processor outcome carries when to look it up
//! (`reconcile_after`) and how many look-ups failed (`reconcile_attempts`).
//! Every change is conditional on the order still being pending, and a
//! claim is a conditional move of `reconcile_after`, so of concurrent
//! workers exactly one looks an order up.

use super::rows::{OrderRow, assemble};
use super::secrets::open_rows;
use crate::db::{DbConnection, DbResult, micros};
use crate::schema::orders;
use crate::sealing::Sealer;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::model::{OrderId, OrderStatus};
use ordercore_domain::ports::DueReconciliation;

/// First look-up at `at`, attempts back to 0. Only an order with no look-up
/// scheduled (nor claimed): two sweepers racing cannot reset the schedule of
/// an order a reconcile worker has already claimed.
pub(super) fn schedule(
    conn: &mut DbConnection,
    id: OrderId,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let n = diesel::update(
        orders::table
            .filter(orders::id.eq(id.0))
            .filter(orders::status.eq(OrderStatus::PendingPayment.as_str()))
            .filter(orders::reconcile_after.is_null()),
    )
    .set((
        orders::reconcile_after.eq(Some(micros(at))),
        orders::reconcile_attempts.eq(0),
        orders::updated_at.eq(micros(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The next look-up (`None`: none) and the failed attempts so far.
pub(super) fn reschedule(
    conn: &mut DbConnection,
    id: OrderId,
    attempts: u32,
    next: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let n = diesel::update(
        orders::table
            .filter(orders::id.eq(id.0))
            .filter(orders::status.eq(OrderStatus::PendingPayment.as_str())),
    )
    .set((
        orders::reconcile_after.eq(next.map(micros)),
        orders::reconcile_attempts.eq(i32::try_from(attempts).unwrap_or(i32::MAX)),
        orders::updated_at.eq(micros(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Due pending orders, oldest due first, each moved to `lease_until` by a
/// conditional update on the `reconcile_after` it was read with: a row
/// another worker claimed meanwhile is skipped. The orders come back with
/// their secrets opened, as every read of an order does.
pub(super) fn claim_due(
    conn: &mut DbConnection,
    sealer: &Sealer,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> DbResult<Vec<DueReconciliation>> {
    let candidates: Vec<(i64, Option<i64>)> = orders::table
        .filter(orders::status.eq(OrderStatus::PendingPayment.as_str()))
        .filter(orders::reconcile_after.le(micros(now)))
        .order((orders::reconcile_after.asc(), orders::id.asc()))
        .limit(i64::from(limit))
        .select((orders::id, orders::reconcile_after))
        .load(conn)?;
    let mut won = Vec::new();
    for (id, seen) in candidates {
        let Some(seen) = seen else { continue };
        let claimed = diesel::update(
            orders::table
                .filter(orders::id.eq(id))
                .filter(orders::status.eq(OrderStatus::PendingPayment.as_str()))
                .filter(orders::reconcile_after.eq(seen)),
        )
        .set(orders::reconcile_after.eq(Some(micros(lease_until))))
        .returning(orders::reconcile_attempts)
        .get_result::<i32>(conn)
        .optional()?;
        if let Some(attempts) = claimed {
            won.push((id, attempts));
        }
    }
    if won.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = won.iter().map(|(id, _)| *id).collect();
    let rows = orders::table
        .filter(orders::id.eq_any(&ids))
        .order(orders::id.asc())
        .select(OrderRow::as_select())
        .load::<OrderRow>(conn)?;
    let orders = assemble(conn, open_rows(sealer, rows)?)?;
    Ok(won
        .into_iter()
        .filter_map(|(id, attempts)| {
            let order = orders.iter().find(|o| o.id.0 == id)?.clone();
            Some(DueReconciliation {
                order,
                attempts: u32::try_from(attempts).unwrap_or(0),
            })
        })
        .collect())
}
