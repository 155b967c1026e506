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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes;
    use ordercore_domain::StoreError;
    use ordercore_domain::ports::{ApiServiceRecord, MockRouteRegistry};

    fn record(deployed: bool, service: Option<bool>) -> Option<RouteRecord> {
        Some(RouteRecord {
            route: "orders/read".into(),
            deployed,
            service: service.map(|d| ApiServiceRecord {
                name: "orders".into(),
                deployed: d,
            }),
        })
    }

    async fn slug_for(answer: Result<Option<RouteRecord>, StoreError>) -> Option<Slug> {
        let mut registry = MockRouteRegistry::new();
        registry.expect_lookup().return_once(move |_| answer);
        let cache = RegistryCache::new(Arc::new(registry), Duration::from_secs(5));
        cache
            .identify(routes::find("orders", "read").unwrap())
            .await
            .err()
            .map(|e| e.slug)
    }

    #[tokio::test]
    async fn each_registry_answer_decides_its_slug() {
        assert_eq!(slug_for(Ok(record(true, Some(true)))).await, None);
        assert_eq!(slug_for(Ok(None)).await, Some(Slug::RouteNotFound));
        assert_eq!(
            slug_for(Ok(record(false, Some(true)))).await,
            Some(Slug::RouteNotFound)
        );
        assert_eq!(
            slug_for(Ok(record(true, None))).await,
            Some(Slug::ServiceNotFound)
        );
        assert_eq!(
            slug_for(Ok(record(true, Some(false)))).await,
            Some(Slug::ServiceNotFound)
        );
        assert_eq!(
            slug_for(Err(StoreError::Backend("down".into()))).await,
            Some(Slug::IdentifyRequestError)
        );
    }

    #[tokio::test]
    async fn answers_are_cached_for_the_ttl_but_failures_are_not() {
        let mut registry = MockRouteRegistry::new();
        let mut seq = mockall::Sequence::new();
        registry
            .expect_lookup()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Err(StoreError::Backend("down".into())));
        registry
            .expect_lookup()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Ok(record(true, Some(true))));
        // Once the TTL has passed, the route is read again: now switched off.
        registry
            .expect_lookup()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Ok(record(false, Some(true))));
        let ttl = Duration::from_millis(250);
        let cache = RegistryCache::new(Arc::new(registry), ttl);
        let route = routes::find("orders", "read").unwrap();
        assert!(cache.identify(route).await.is_err());
        let cached_at = Instant::now();
        for _ in 0..3 {
            assert!(cache.identify(route).await.is_ok());
        }
        assert!(
            cached_at.elapsed() < ttl,
            "the cached answers came too late"
        );
        tokio::time::sleep(ttl + Duration::from_millis(50)).await;
        let fresh = cache.identify(route).await.err().map(|e| e.slug);
        assert_eq!(fresh, Some(Slug::RouteNotFound), "the fresh answer");
    }
}
