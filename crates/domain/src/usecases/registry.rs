//! The kill switches (contract §3 step 2): route and API-service records
//! and their `deployed` flags, as the operator commands and the staff
//! console show and switch them.

use crate::Unexpected;
use crate::ports::{ApiServiceRecord, RouteRecord, RouteRegistry};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum KillSwitchError {
    /// No route or API service record has this name.
    #[error("there is no {0} named {1:?}")]
    Unknown(&'static str, String),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Lists and switches routes and API services. A switch acts on the shared
/// database: every instance sees it within its registry cache TTL.
pub struct KillSwitches {
    registry: Arc<dyn RouteRegistry>,
}

impl KillSwitches {
    pub fn new(registry: Arc<dyn RouteRegistry>) -> Self {
        Self { registry }
    }

    /// Every route record, by name.
    pub async fn routes(&self) -> Result<Vec<RouteRecord>, Unexpected> {
        Ok(self.registry.list_routes().await?)
    }

    /// Every API service record, by name.
    pub async fn services(&self) -> Result<Vec<ApiServiceRecord>, Unexpected> {
        Ok(self.registry.list_services().await?)
    }

    pub async fn set_route(&self, route: &str, deployed: bool) -> Result<(), KillSwitchError> {
        if self
            .registry
            .set_route_deployed(route, deployed)
            .await
            .map_err(Unexpected::from)?
        {
            Ok(())
        } else {
            Err(KillSwitchError::Unknown("route", route.to_string()))
        }
    }

    pub async fn set_service(&self, service: &str, deployed: bool) -> Result<(), KillSwitchError> {
        if self
            .registry
            .set_service_deployed(service, deployed)
            .await
            .map_err(Unexpected::from)?
        {
            Ok(())
        } else {
            Err(KillSwitchError::Unknown("API service", service.to_string()))
        }
    }
}
