//! Payment methods: a client's stored cards (the card data itself stays with
//! the processor; see [`super::PaymentGateway`]).

use crate::StoreError;
use crate::model::{
    CardBrand, CardExpiry, ClientId, PaymentMethod, PaymentMethodId, StoredPaymentProfile,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

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
