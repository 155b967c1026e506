//! Orders and their promotion redemptions (payment rows: `payments`). Every state change is a
//! conditional update, so two deciders (finalize vs sweeper) cannot both win.

pub(crate) mod finalize;
pub(crate) mod insert_pg;
mod reconcile;
mod rows;
mod search;
mod secrets;

use super::events::{record_in, seal_all};
use super::outbox::enqueue_email;
use super::payments as stored_payments;
use crate::Store;
use crate::db::{DbConnection, DbResult, micros, write_tx};
use crate::schema::{orders, promotion_redemptions};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    ClientId, EventKind, NewEvent, NewOrder, NewPayment, Order, OrderId, OrderStatus, OutboxId,
    Payment, PaymentId, PaymentKind, PaymentStatus,
};
use ordercore_domain::ports::{
    DueReconciliation, NewOutboxEmail, OrderQuery, OrderRepository, Page,
};
use rows::{assemble, client_ref, insert_order, order_from_row};
pub(crate) use secrets::OrderIds;
use secrets::{needs_transaction, open_row, open_rows};

pub(super) use rows::{ORDER_COLUMNS, OrderRow, load_order, order_from_loaded};

#[async_trait]
impl OrderRepository for Store {
    async fn create_pending(
        &self,
        order: &NewOrder,
        now: DateTime<Utc>,
    ) -> Result<Order, StoreError> {
        let order = order.clone();
        // The Order is built from the inserted row (RETURNING) and the
        // caller's client: no read-back. On PostgreSQL the INSERT (with the
        // reservation of an uncapped promotion) is one statement; SQLite
        // takes a transaction for a promotion or secrets to seal.
        let sealer = self.sealer.clone();
        let ids = self.order_ids.clone();
        self.run(move |c| {
            let insert = |c: &mut DbConnection| {
                insert_order(
                    c,
                    &order,
                    OrderStatus::PendingPayment,
                    micros(now),
                    &sealer,
                    &ids,
                )
            };
            let row = if needs_transaction(c, &order) {
                write_tx(c, insert)?
            } else {
                insert(c)?
            };
            order_from_row(row, order.client.clone(), None)
        })
        .await
    }

    async fn create_submitted(
        &self,
        order: &NewOrder,
        email: &NewOutboxEmail,
        now: DateTime<Utc>,
    ) -> Result<(Order, OutboxId), StoreError> {
        let order = order.clone();
        let email = email.clone();
        let sealer = self.sealer.clone();
        let ids = self.order_ids.clone();
        self.run(move |c| {
            write_tx(c, |c| {
                let row = insert_order(
                    c,
                    &order,
                    OrderStatus::Submitted,
                    micros(now),
                    &sealer,
                    &ids,
                )?;
                let id = row.id;
                let order = order_from_row(row, order.client.clone(), None)?;
                record_in(
                    c,
                    &sealer,
                    &[NewEvent::order(EventKind::OrderSubmitted, &order)],
                    micros(now),
                )?;
                let outbox = enqueue_email(c, id, &email, micros(now))?;
                Ok((order, outbox))
            })
        })
        .await
    }

    async fn mark_payment_failed(
        &self,
        id: OrderId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sealer = self.sealer.clone();
        self.run(move |c| {
            write_tx(c, |c| {
                let n = diesel::update(
                    orders::table
                        .filter(orders::id.eq(id.0))
                        .filter(orders::status.eq(OrderStatus::PendingPayment.as_str())),
                )
                .set((
                    orders::status.eq(OrderStatus::PaymentFailed.as_str()),
                    orders::updated_at.eq(micros(now)),
                ))
                .execute(c)?;
                if n == 0 {
                    return Ok(false);
                }
                // Release the reservation so the client may use the code again.
                diesel::delete(
                    promotion_redemptions::table
                        .filter(promotion_redemptions::order_id.eq(id.0))
                        .filter(promotion_redemptions::status.eq("reserved")),
                )
                .execute(c)?;
                let order = load_order(c, id, &sealer)?
                    .ok_or_else(|| crate::db::backend_fail("the order just failed is missing"))?;
                record_in(
                    c,
                    &sealer,
                    &[NewEvent::order(EventKind::OrderPaymentFailed, &order)],
                    micros(now),
                )?;
                Ok(true)
            })
        })
        .await
    }

    async fn finalize_payment(
        &self,
        pending: &Order,
        payment: &NewPayment,
        email: &NewOutboxEmail,
        now: DateTime<Utc>,
    ) -> Result<Option<(Order, OutboxId)>, StoreError> {
        let id = pending.id;
        let pending = pending.clone();
        let payment = payment.clone();
        let email = email.clone();
        let sealer = self.sealer.clone();
        let payment_ids = self.payment_ids.clone();
        self.run(move |c| {
            let now = micros(now);
            if let Some(payment_id) = payment_ids.next(c)? {
                let DbConnection::Pg(pg) = c else {
                    return Err(crate::db::backend_fail("payment id taken ahead on SQLite"));
                };
                // One statement (see `finalize`), the events sealed first
                // from the order as it will be.
                let payment_id = PaymentId(payment_id);
                let events = seal_all(
                    &sealer,
                    &finalize_events(&submitted(pending, payment_id, &payment, now)?),
                    now,
                )?
                .try_into()
                .map_err(|_| crate::db::backend_fail("a finalize records two events"))?;
                return finalize::finalize_pg(pg, id, payment_id, &payment, &email, &events, now)?
                    .map(|(row, client, payment, outbox)| {
                        Ok((
                            order_from_row(open_row(&sealer, row)?, client, Some(payment))?,
                            outbox,
                        ))
                    })
                    .transpose();
            }
            write_tx(c, |c| {
                let Some(row) = diesel::update(
                    orders::table
                        .filter(orders::id.eq(id.0))
                        .filter(orders::status.eq(OrderStatus::PendingPayment.as_str()))
                        // An order handed to the reconcile worker (by the
                        // sweeper) may be having its hold voided: a request
                        // finishing that late loses, and voids its own hold.
                        .filter(orders::reconcile_after.is_null()),
                )
                .set((
                    orders::status.eq(OrderStatus::Submitted.as_str()),
                    orders::updated_at.eq(now),
                ))
                .returning(ORDER_COLUMNS)
                .get_result::<OrderRow>(c)
                .optional()?
                else {
                    return Ok(None);
                };
                // The newest payment of the order: the one inserted here.
                let payment = stored_payments::insert(c, id, &payment, now)?;
                // Only an order with a promotion has a redemption to record.
                if row.promotion_id.is_some() {
                    diesel::update(
                        promotion_redemptions::table
                            .filter(promotion_redemptions::order_id.eq(id.0)),
                    )
                    .set(promotion_redemptions::status.eq("recorded"))
                    .execute(c)?;
                }
                let client = client_ref(c, row.id, row.client_id)?;
                let order = order_from_row(open_row(&sealer, row)?, client, Some(payment))?;
                record_in(c, &sealer, &finalize_events(&order), now)?;
                let outbox = enqueue_email(c, id.0, &email, now)?;
                Ok(Some((order, outbox)))
            })
        })
        .await
    }

    async fn find(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let sealer = self.sealer.clone();
        self.read(move |c| load_order(c, id, &sealer)).await
    }

    async fn list(
        &self,
        clients: Option<Vec<ClientId>>,
        page: Page,
    ) -> Result<Vec<Order>, StoreError> {
        let sealer = self.sealer.clone();
        self.read(move |c| {
            let per_page = i64::from(page.per_page.clamp(1, Page::MAX_PER_PAGE));
            let mut query = orders::table
                .select(OrderRow::as_select())
                .order((orders::created_at.desc(), orders::id.desc()))
                .limit(per_page)
                .offset(page.offset())
                .into_boxed();
            if let Some(ids) = clients {
                let ids: Vec<i64> = ids.into_iter().map(|i| i.0).collect();
                query = query.filter(orders::client_id.eq_any(ids));
            }
            let rows = open_rows(&sealer, query.load::<OrderRow>(c)?)?;
            assemble(c, rows)
        })
        .await
    }

    async fn search(&self, query: &OrderQuery, limit: u32) -> Result<Vec<Order>, StoreError> {
        let sealer = self.sealer.clone();
        let query = query.clone();
        self.read(move |c| search::search(c, &sealer, &query, limit))
            .await
    }

    async fn stale_pending(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        let sealer = self.sealer.clone();
        self.read(move |c| {
            let rows = orders::table
                .filter(orders::status.eq(OrderStatus::PendingPayment.as_str()))
                .filter(orders::created_at.lt(micros(before)))
                // Orders with a look-up scheduled belong to the reconcile
                // worker until it gives up.
                .filter(orders::reconcile_after.is_null())
                .order((orders::created_at.asc(), orders::id.asc()))
                .limit(i64::from(limit))
                .select(OrderRow::as_select())
                .load::<OrderRow>(c)?;
            assemble(c, open_rows(&sealer, rows)?)
        })
        .await
    }

    async fn schedule_reconciliation(
        &self,
        id: OrderId,
        first_look_up: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.run(move |c| reconcile::schedule(c, id, first_look_up, now))
            .await
    }

    async fn claim_due_reconciliations(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueReconciliation>, StoreError> {
        let sealer = self.sealer.clone();
        self.run(move |c| reconcile::claim_due(c, &sealer, now, lease_until, limit))
            .await
    }

    async fn reschedule_reconciliation(
        &self,
        id: OrderId,
        attempts: u32,
        next_look_up: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.run(move |c| reconcile::reschedule(c, id, attempts, next_look_up, now))
            .await
    }

    async fn find_payment(&self, id: PaymentId) -> Result<Option<Payment>, StoreError> {
        self.read(move |c| stored_payments::find(c, id)).await
    }

    async fn transition_payment(
        &self,
        id: PaymentId,
        from: PaymentStatus,
        to: PaymentStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sealer = self.sealer.clone();
        self.run(move |c| {
            write_tx(c, |c| {
                stored_payments::transition(c, id, from, to, micros(now), &sealer)
            })
        })
        .await
    }
}

/// The events of a finalize: `order.submitted`, then the payment's.
fn finalize_events(order: &Order) -> Vec<NewEvent> {
    let mut events = vec![NewEvent::order(EventKind::OrderSubmitted, order)];
    if let Some(p) = &order.payment {
        let kind = match p.kind {
            PaymentKind::Authorization => EventKind::PaymentAuthorized,
            PaymentKind::Charge => EventKind::PaymentCaptured,
        };
        events.push(NewEvent::payment(kind, p));
    }
    events
}

/// `pending` as the finalize leaves it: submitted at `now` (micros), with
/// `payment` stored under `id`.
fn submitted(mut pending: Order, id: PaymentId, payment: &NewPayment, now: i64) -> DbResult<Order> {
    let at = crate::db::from_micros(now)?;
    pending.status = OrderStatus::Submitted;
    pending.updated_at = at;
    pending.payment = Some(stored_payment(payment, id, pending.id, at));
    Ok(pending)
}

/// `payment` as stored under `id` for `order_id` at `created_at`.
pub(super) fn stored_payment(
    payment: &NewPayment,
    id: PaymentId,
    order_id: OrderId,
    created_at: DateTime<Utc>,
) -> Payment {
    Payment {
        id,
        order_id,
        kind: payment.kind,
        status: payment.status,
        amount: payment.amount,
        transaction_id: payment.transaction_id.clone(),
        auth_code: payment.auth_code.clone(),
        brand: payment.brand,
        last4: payment.last4.clone(),
        payment_method_id: payment.payment_method_id,
        created_at,
    }
}
