//! Step 2: the route's registry record and its API service, read through
//! the `RouteRegistry` port and cached in memory for a few seconds so that
//! operators can switch routes off at run time without a database read per
//! request.

use crate::envelope::ApiError;
use crate::routes::RouteDef;
use crate::slug::Slug;
use ordercore_domain::ports::{RouteRecord, RouteRegistry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Registry look-ups remembered for `ttl` (failures are not remembered).
pub struct RegistryCache {
    registry: Arc<dyn RouteRegistry>,
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Option<RouteRecord>)>>,
}

impl RegistryCache {
    pub fn new(registry: Arc<dyn RouteRegistry>, ttl: Duration) -> Self {
        RegistryCache {
            registry,
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    async fn record(&self, route: &str) -> Result<Option<RouteRecord>, ApiError> {
        if !self.ttl.is_zero()
            && let Ok(entries) = self.entries.lock()
            && let Some((at, record)) = entries.get(route)
            && at.elapsed() < self.ttl
        {
            return Ok(record.clone());
        }
        let record = self.registry.lookup(route).await.map_err(|e| {
            tracing::error!(route, error = %e, "route registry look-up failed");
            ApiError::new(
                Slug::IdentifyRequestError,
                "The request could not be identified; try again shortly.",
            )
        })?;
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(route.to_string(), (Instant::now(), record.clone()));
        }
        Ok(record)
    }

    /// Step 2: the route deployed and its service deployed.
    pub async fn identify(&self, route: &RouteDef) -> Result<(), ApiError> {
        let path = route.path();
        let record = self.record(&path).await?;
        let Some(record) = record.filter(|r| r.deployed) else {
            return Err(ApiError::new(
                Slug::RouteNotFound,
                format!("The route {path} is not available."),
            ));
        };
        match record.service {
            Some(s) if s.deployed => Ok(()),
            _ => Err(ApiError::new(
                Slug::ServiceNotFound,
                format!("The {} service is not available right now.", route.service),
            )),
        }
    }
}
