//! Finalizing a paid order on PostgreSQL in one statement: the conditional
//! move to `submitted`, the payment row, the redemption recorded, the
//! confirmation queued and the order's client read back, as one
//! `WITH … UPDATE/INSERT … RETURNING` (one round trip, atomic without an
//! explicit transaction). SQLite keeps the transaction of
//! [`super::OrderRepository::finalize_payment`] (no network there).
//!
//! The events of the change (`order.submitted`, then the payment's) and
//! their webhook deliveries are two more clauses, `ev` and `d`, reading `o`:
//! they commit with the rest or not at all. Their sealed payloads are made
//! in Rust before the statement, from the pending order as it will be and
//! the payment with an id taken ahead (`OrderIds::payments`); the event ids
//! come from the events sequence inside the statement.

use super::super::pg_statement::{Bind, PgStatement};
use super::rows::OrderRow;
use crate::db::DbResult;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use ordercore_domain::model::{
    ClientId, ClientRef, NewPayment, OrderId, OrderStatus, OutboxId, Payment, PaymentId,
};
use ordercore_domain::ports::NewOutboxEmail;

/// The statement (public for the plan test, `ordercore_store::hot_sql`).
pub const FINALIZE_PG: &str = concat!(
    "WITH o AS ( \
       UPDATE orders SET status = $1, updated_at = $2 \
       WHERE id = $3 AND status = $4 AND reconcile_after IS NULL \
       RETURNING * \
     ), p AS ( \
       INSERT INTO payments (id, order_id, kind, status, amount_cents, transaction_id, \
                             auth_code, brand, last4, payment_method_id, created_at, updated_at) \
       SELECT $15, o.id, $5, $6, $7, $8, $9, $10, $11, $12, $2, $2 FROM o \
       RETURNING id \
     ), r AS ( \
       UPDATE promotion_redemptions SET status = 'recorded' \
       WHERE order_id = $3 AND EXISTS (SELECT 1 FROM o WHERE o.promotion_id IS NOT NULL) \
     ), e AS ( \
       INSERT INTO email_outbox (order_id, recipient, attempts, next_attempt_at, created_at) \
       SELECT o.id, $13, 0, $14, $2 FROM o \
       RETURNING id \
     ), ev AS ( \
       INSERT INTO events (kind, order_id, data, created_at) \
       SELECT v.kind, o.id, v.data, $2 \
       FROM o CROSS JOIN (VALUES (1, $16::text, $17::text), (2, $18::text, $19::text)) \
         AS v (n, kind, data) \
       ORDER BY v.n \
       RETURNING id, kind, order_id \
     ), d AS ( \
       INSERT INTO webhook_deliveries \
         (endpoint_id, event_id, order_id, attempts, next_attempt_at, created_at) \
       SELECT w.id, ev.id, ev.order_id, 0, $2, $2 \
       FROM ev JOIN webhook_endpoints w ON ",
    super::super::events::wants!("ev"),
    " \
     ) \
     SELECT o.*, p.id AS payment_id, e.id AS outbox_id, \
            c.first_name AS client_first_name, c.last_name AS client_last_name, \
            u.email AS client_email \
     FROM o CROSS JOIN p CROSS JOIN e \
       JOIN clients c ON c.id = o.client_id JOIN users u ON u.id = c.user_id"
);

/// What the statement returns: the order as updated, and the rest by name.
#[derive(QueryableByName)]
struct Finalized {
    #[diesel(embed)]
    order: OrderRow,
    #[diesel(sql_type = BigInt)]
    payment_id: i64,
    #[diesel(sql_type = BigInt)]
    outbox_id: i64,
    #[diesel(sql_type = Text)]
    client_first_name: String,
    #[diesel(sql_type = Text)]
    client_last_name: String,
    #[diesel(sql_type = Text)]
    client_email: String,
}

/// The order row (access still sealed), its client, the new payment and the
/// queued e-mail; `None` when the order was no longer pending (or handed to
/// the reconcile worker), and then no event either. `payment_id` is the id
/// taken ahead; `events` are the two events as sealed ([`seal_all`]).
///
/// [`seal_all`]: super::super::events::seal_all
#[allow(clippy::too_many_arguments)]
pub(super) fn finalize_pg(
    conn: &mut diesel::PgConnection,
    id: OrderId,
    payment_id: PaymentId,
    payment: &NewPayment,
    email: &NewOutboxEmail,
    events: &[(&'static str, Option<i64>, String); 2],
    now: i64,
) -> DbResult<Option<(OrderRow, ClientRef, Payment, OutboxId)>> {
    let next_attempt_at = crate::db::micros(email.next_attempt_at);
    let statement = PgStatement {
        sql: FINALIZE_PG,
        binds: vec![
            Bind::Text(OrderStatus::Submitted.as_str()),
            Bind::Int(now),
            Bind::Int(id.0),
            Bind::Text(OrderStatus::PendingPayment.as_str()),
            Bind::Text(payment.kind.as_str()),
            Bind::Text(payment.status.as_str()),
            Bind::Int(payment.amount.cents()),
            Bind::Text(&payment.transaction_id),
            Bind::OptText(payment.auth_code.as_deref()),
            Bind::Text(payment.brand.as_str()),
            Bind::Text(&payment.last4),
            Bind::Int(payment.payment_method_id.0),
            Bind::Text(email.recipient.as_str()),
            Bind::Int(next_attempt_at),
            Bind::Int(payment_id.0),
            Bind::Text(events[0].0),
            Bind::Text(&events[0].2),
            Bind::Text(events[1].0),
            Bind::Text(&events[1].2),
        ],
    };
    let Some(f) = statement.get_result::<Finalized>(conn).optional()? else {
        return Ok(None);
    };
    let client = ClientRef {
        id: ClientId(f.order.client_id),
        name: format!("{} {}", f.client_first_name, f.client_last_name)
            .trim()
            .to_string(),
        email: super::super::identity::parse_email(&f.client_email)?,
    };
    let payment = super::stored_payment(
        payment,
        PaymentId(f.payment_id),
        id,
        crate::db::from_micros(now)?,
    );
    Ok(Some((f.order, client, payment, OutboxId(f.outbox_id))))
}
