//! Orders: the order aggregate's storage, with its payments, promotion
//! redemptions and the confirmation e-mail each finalized order enqueues.

use crate::StoreError;
use crate::model::{
    ClientId, Email, NewOrder, NewPayment, Order, OrderId, OrderStatus, OutboxId, Payment,
    PaymentId, PaymentStatus,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{NewOutboxEmail, Page};

/// A pending order whose processor outcome is unknown, claimed for a
/// look-up.
#[derive(Debug, Clone, PartialEq)]
pub struct DueReconciliation {
    pub order: Order,
    /// Failed look-ups so far.
    pub attempts: u32,
}

/// What staff search orders by (the console); every member is optional and
/// they combine with AND. No member: the newest orders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    pub id: Option<OrderId>,
    /// The client's log-in e-mail (case-insensitive, exact).
    pub client_email: Option<Email>,
    pub status: Option<OrderStatus>,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OrderRepository: Send + Sync {
    /// Records the order as `pending_payment` and reserves its promotion
    /// redemption, in one transaction. `Conflict` when the client already holds
    /// a redemption of that promotion (the unique constraint decided a race)
    /// or when the promotion's global cap is reached (the database counts the
    /// uses under a lock of the promotion, so concurrent orders cannot all
    /// take its last use).
    async fn create_pending(
        &self,
        order: &NewOrder,
        now: DateTime<Utc>,
    ) -> Result<Order, StoreError>;
    /// Records the order as `submitted` with no payment, its redemption, and
    /// its confirmation e-mail, in one transaction. `Conflict` as above.
    async fn create_submitted(
        &self,
        order: &NewOrder,
        email: &NewOutboxEmail,
        now: DateTime<Utc>,
    ) -> Result<(Order, OutboxId), StoreError>;
    /// `pending_payment` → `payment_failed`, releasing the redemption, in one
    /// transaction. False (and nothing changed) when the order was no longer
    /// pending: someone else decided it.
    async fn mark_payment_failed(
        &self,
        id: OrderId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// `pending_payment` → `submitted`, storing the payment and enqueueing the
    /// e-mail, in one transaction. `None` (and nothing changed) when the order
    /// was no longer pending, or its outcome is being looked up (a look-up
    /// scheduled: the reconcile worker may be voiding its hold). `pending` is
    /// the order as [`OrderRepository::create_pending`] returned it: the
    /// events of the change, recorded with it, are made from it.
    async fn finalize_payment(
        &self,
        pending: &Order,
        payment: &NewPayment,
        email: &NewOutboxEmail,
        now: DateTime<Utc>,
    ) -> Result<Option<(Order, OutboxId)>, StoreError>;
    async fn find(&self, id: OrderId) -> Result<Option<Order>, StoreError>;
    /// Orders of these clients (`None` = all), newest first.
    async fn list(
        &self,
        clients: Option<Vec<ClientId>>,
        page: Page,
    ) -> Result<Vec<Order>, StoreError>;
    /// Orders matching `query`, newest first, at most `limit` (≤ 100).
    async fn search(&self, query: &OrderQuery, limit: u32) -> Result<Vec<Order>, StoreError>;
    /// Orders still `pending_payment` that were created before `before` and
    /// whose payment outcome is not being looked up (no look-up scheduled:
    /// those belong to the reconcile worker until it gives up).
    async fn stale_pending(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError>;
    /// After an unknown processor outcome: the order stays `pending_payment`
    /// (its redemption reserved) and its outcome is to be looked up at
    /// `first_look_up`, attempt count 0. False (nothing changed) when the
    /// order was no longer pending.
    async fn schedule_reconciliation(
        &self,
        id: OrderId,
        first_look_up: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Claims up to `limit` pending orders whose look-up is due at `now`,
    /// oldest due first: each one's next look-up moves to `lease_until`
    /// with a conditional update, so of concurrent workers exactly one gets
    /// it, and an order whose worker died is due again after the lease.
    async fn claim_due_reconciliations(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueReconciliation>, StoreError>;
    /// Records a failed look-up of a pending order: its attempt count and
    /// its next look-up, or `None` to stop looking (the sweeper takes the
    /// order once it is old enough). False when no longer pending.
    async fn reschedule_reconciliation(
        &self,
        id: OrderId,
        attempts: u32,
        next_look_up: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The payment and the order it belongs to.
    async fn find_payment(&self, id: PaymentId) -> Result<Option<Payment>, StoreError>;
    /// Moves a payment `from` → `to` (conditional); false when it was not in
    /// `from`, so of concurrent callers exactly one wins: capture and void
    /// claim (`authorized` → `capturing`/`voiding`) with it before calling the
    /// processor. When `to` is `voided`, the order becomes `cancelled` and its
    /// promotion redemption is released, in the same transaction.
    async fn transition_payment(
        &self,
        id: PaymentId,
        from: PaymentStatus,
        to: PaymentStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}
