//! Promotions: codes and who has redeemed them.

use crate::StoreError;
use crate::model::{ClientId, Promotion, PromotionId};
use async_trait::async_trait;

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
