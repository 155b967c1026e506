//! The authorization-expiry watch's view of the stored payments: open
//! authorizations old enough to warn about, and the once-only mark that
//! records the warning. A port of its own (the rows are the
//! [`super::OrderRepository`]'s payments) so the watch depends on nothing
//! else.

use crate::StoreError;
use crate::model::{NewNotification, Payment, PaymentId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuthorizationExpiryRepository: Send + Sync {
    /// Up to `limit` payments still `authorized` (not captured, voided or
    /// claimed by a capture or void), recorded at or before
    /// `authorized_before`, and not warned about yet; oldest first.
    async fn unwarned_authorizations(
        &self,
        authorized_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Payment>, StoreError>;

    /// Marks payment `id` as warned at `now` and records `notification` and
    /// the `payment.authorization_expiring` event (contract §12; the payment
    /// as marked), in one transaction, if the payment is still `authorized`
    /// and not warned yet (a conditional update: of concurrent watchers, on
    /// any number of instances, exactly one gets true, so staff and webhook
    /// receivers are told once per payment). False, with nothing recorded,
    /// otherwise.
    async fn mark_expiry_warned(
        &self,
        id: PaymentId,
        notification: &NewNotification,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}
