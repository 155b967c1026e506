//! Catalog: the services clients order.

use crate::StoreError;
use crate::model::{Service, ServiceId};
use async_trait::async_trait;

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CatalogRepository: Send + Sync {
    /// Active services, primary first, then by name.
    async fn active_services(&self) -> Result<Vec<Service>, StoreError>;
    /// The services with these ids, active or not; unknown ids are left out.
    async fn find_services(&self, ids: &[ServiceId]) -> Result<Vec<Service>, StoreError>;
}
