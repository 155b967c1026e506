//! Registry: route and API-service records, the run-time kill switches of
//! contract §3 step 2.

use crate::StoreError;
use async_trait::async_trait;

/// A route's registry record (contract §3 step 2): operators switch routes and
/// whole API services off at run time through the `deployed` flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRecord {
    /// `resource/action`, e.g. `orders/authorize_and_submit`.
    pub route: String,
    pub deployed: bool,
    /// `None` when the route's API service record is missing.
    pub service: Option<ApiServiceRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiServiceRecord {
    /// e.g. `orders`.
    pub name: String,
    pub deployed: bool,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RouteRegistry: Send + Sync {
    /// The record of `route` and its service; `None` when there is no record.
    async fn lookup(&self, route: &str) -> Result<Option<RouteRecord>, StoreError>;
    /// Every route record, by name.
    async fn list_routes(&self) -> Result<Vec<RouteRecord>, StoreError>;
    /// Every API service record, by name.
    async fn list_services(&self) -> Result<Vec<ApiServiceRecord>, StoreError>;
    /// Adds missing records (deployed) for `(route, service)` pairs; existing
    /// records keep their flags. Idempotent.
    async fn register(&self, routes: &[(String, String)]) -> Result<(), StoreError>;
    /// False when there is no such route.
    async fn set_route_deployed(&self, route: &str, deployed: bool) -> Result<bool, StoreError>;
    /// False when there is no such service.
    async fn set_service_deployed(&self, service: &str, deployed: bool)
    -> Result<bool, StoreError>;
}
