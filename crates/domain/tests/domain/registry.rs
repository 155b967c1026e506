//! `KillSwitches`: the route and API-service switches of the console.

use mockall::predicate::eq;
use ordercore_domain::ports::MockRouteRegistry;
use ordercore_domain::usecases::{KillSwitchError, KillSwitches};
use std::sync::Arc;

#[tokio::test]
async fn a_known_route_or_service_is_switched() {
    let mut registry = MockRouteRegistry::new();
    registry
        .expect_set_route_deployed()
        .with(eq("orders/read"), eq(false))
        .times(1)
        .returning(|_, _| Ok(true));
    registry
        .expect_set_service_deployed()
        .with(eq("orders"), eq(true))
        .times(1)
        .returning(|_, _| Ok(true));
    let switches = KillSwitches::new(Arc::new(registry));
    switches.set_route("orders/read", false).await.unwrap();
    switches.set_service("orders", true).await.unwrap();
}

#[tokio::test]
async fn an_unknown_name_is_refused() {
    let mut registry = MockRouteRegistry::new();
    registry
        .expect_set_route_deployed()
        .returning(|_, _| Ok(false));
    registry
        .expect_set_service_deployed()
        .returning(|_, _| Ok(false));
    let switches = KillSwitches::new(Arc::new(registry));
    let e = switches.set_route("nope/nope", false).await.unwrap_err();
    assert!(
        matches!(e, KillSwitchError::Unknown("route", ref n) if n == "nope/nope"),
        "{e:?}"
    );
    let e = switches.set_service("nope", false).await.unwrap_err();
    assert!(
        matches!(e, KillSwitchError::Unknown("API service", _)),
        "{e:?}"
    );
}
