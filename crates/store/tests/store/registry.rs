//! The route registry: routes, API services and their kill switches.

use ordercore_domain::ports::{ApiServiceRecord, RouteRegistry};
use ordercore_store::Store;

contract_tests!(route_registry_registers_idempotently,);

async fn route_registry_registers_idempotently(store: &Store) {
    let routes = vec![
        (
            "orders/authorize_and_submit".to_string(),
            "orders".to_string(),
        ),
        ("orders/read".to_string(), "orders".to_string()),
        ("sessions/create".to_string(), "sessions".to_string()),
    ];
    store.register(&routes).await.unwrap();
    assert!(
        store
            .set_route_deployed("orders/read", false)
            .await
            .unwrap()
    );
    assert!(store.set_service_deployed("sessions", false).await.unwrap());
    store.register(&routes).await.unwrap();

    let read = store.lookup("orders/read").await.unwrap().unwrap();
    assert!(!read.deployed, "existing records keep their flags");
    assert_eq!(
        read.service,
        Some(ApiServiceRecord {
            name: "orders".into(),
            deployed: true
        })
    );
    let create = store.lookup("sessions/create").await.unwrap().unwrap();
    assert!(create.deployed);
    assert!(!create.service.unwrap().deployed);
    assert!(store.lookup("nope/nope").await.unwrap().is_none());
    assert!(!store.set_route_deployed("nope/nope", true).await.unwrap());
    assert!(!store.set_service_deployed("nope", true).await.unwrap());

    let names: Vec<String> = store
        .list_routes()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.route)
        .collect();
    assert_eq!(
        names,
        [
            "orders/authorize_and_submit",
            "orders/read",
            "sessions/create"
        ]
    );
    let services = store.list_services().await.unwrap();
    assert_eq!(services.len(), 2);
    assert_eq!(services[0].name, "orders");

    // A route whose service record is missing.
    {
        use diesel::prelude::*;
        use ordercore_store::schema::api_services;
        let mut c = store.pool().get().unwrap();
        diesel::delete(api_services::table.filter(api_services::name.eq("sessions")))
            .execute(&mut *c)
            .unwrap();
    }
    assert_eq!(
        store
            .lookup("sessions/create")
            .await
            .unwrap()
            .unwrap()
            .service,
        None
    );
    let listed = store.list_routes().await.unwrap();
    assert_eq!(listed[2].service, None);
}
