use crate::StoreError;
use crate::model::Service;
use crate::ports::CatalogRepository;
use std::sync::Arc;

/// `services/index`: the active catalogue with prices.
pub struct ListServices {
    catalog: Arc<dyn CatalogRepository>,
}

impl ListServices {
    pub fn new(catalog: Arc<dyn CatalogRepository>) -> Self {
        Self { catalog }
    }

    pub async fn run(&self) -> Result<Vec<Service>, StoreError> {
        self.catalog.active_services().await
    }
}
