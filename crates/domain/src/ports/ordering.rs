use crate::StoreError;
use crate::model::{
    CardBrand, CardExpiry, ClientId, Email, NewOrder, NewPayment, Order, OrderId, OutboxId,
    Payment, PaymentId, PaymentMethod, PaymentMethodId, PaymentStatus, Promotion, PromotionId,
    Service, ServiceId, StoredPaymentProfile,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::Page;

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CatalogRepository: Send + Sync {
    /// Active services, primary first, then by name.
    async fn active_services(&self) -> Result<Vec<Service>, StoreError>;
    /// The services with these ids, active or not; unknown ids are left out.
    async fn find_services(&self, ids: &[ServiceId]) -> Result<Vec<Service>, StoreError>;
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PromotionRepository: Send + Sync {
    /// The promotion with this code (compared case-insensitively), with its
    /// current redemption count.
    async fn find_by_code(&self, code: &str) -> Result<Option<Promotion>, StoreError>;
    /// Whether `client` holds a redemption (reserved or recorded) of it.
    async fn has_redeemed(
        &self,
        promotion: PromotionId,
        client: ClientId,
    ) -> Result<bool, StoreError>;
}

/// A card to store after the processor accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaymentMethod {
    pub client_id: ClientId,
    pub name: String,
    pub brand: CardBrand,
    pub last4: String,
    pub expiry: CardExpiry,
    pub is_default: bool,
    pub profile: StoredPaymentProfile,
    pub postal_code: Option<String>,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PaymentMethodRepository: Send + Sync {
    /// Active or not.
    async fn find(&self, id: PaymentMethodId) -> Result<Option<PaymentMethod>, StoreError>;
    /// The client's active cards, default first.
    async fn list_active(&self, client: ClientId) -> Result<Vec<PaymentMethod>, StoreError>;
    /// Stores a card created at `now`; when it is the default (or the
    /// client's first), the client's other cards stop being default, in the
    /// same transaction.
    async fn insert(
        &self,
        method: &NewPaymentMethod,
        now: DateTime<Utc>,
    ) -> Result<PaymentMethod, StoreError>;
    /// Deactivates; false when it was not active.
    async fn deactivate(&self, id: PaymentMethodId) -> Result<bool, StoreError>;
}

/// The e-mail a finalized order enqueues, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxEmail {
    pub recipient: Email,
    /// The outbox worker leaves the message alone until then, so the request
    /// that enqueued it can send it first.
    pub next_attempt_at: DateTime<Utc>,
}

/// An outbox row: the confirmation e-mail of `order_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: OutboxId,
    pub order_id: OrderId,
    pub recipient: Email,
    /// Attempts made before this one.
    pub attempts: u32,
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
    /// was no longer pending.
    async fn finalize_payment(
        &self,
        id: OrderId,
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
    /// Orders still `pending_payment` that were created before `before`.
    async fn stale_pending(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError>;
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

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OutboxRepository: Send + Sync {
    /// Claims up to `limit` unsent messages due at `now` and pushes their next
    /// attempt to `lease_until`, so no other worker takes them meanwhile
    /// (`FOR UPDATE SKIP LOCKED` on PostgreSQL): each due message is returned
    /// to exactly one caller.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    async fn mark_sent(&self, id: OutboxId, now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Counts a failed attempt made at `now`. `retry_at` = `None` gives up
    /// for good.
    async fn mark_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
