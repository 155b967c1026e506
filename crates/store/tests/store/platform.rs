//! Notifications, the route registry and idempotency records.

use crate::fixtures::t0;
use chrono::Duration;
use ordercore_domain::model::{
    NewNotification, NotificationContext, NotificationKind, OrderId, Severity,
};
use ordercore_domain::ports::{
    ApiServiceRecord, IdempotencyBegin, IdempotencyStore, NotificationRepository, Page,
    RouteRegistry,
};
use ordercore_store::Store;

contract_tests!(
    notifications_newest_first,
    route_registry_registers_idempotently,
    idempotency_begin_states,
);

async fn notifications_newest_first(store: &Store) {
    for i in 0..3 {
        let n = store
            .record(
                &NewNotification {
                    kind: NotificationKind::MandrillEmailFailed,
                    severity: Severity::Warning,
                    message: format!("E-mail {i} failed."),
                    context: NotificationContext {
                        error: Some("Invalid_Key".into()),
                        ..NotificationContext::order(OrderId(i))
                    },
                },
                t0() + Duration::minutes(i),
            )
            .await
            .unwrap();
        assert_eq!(n.severity, Severity::Warning);
        assert_eq!(n.resolved_at, None);
    }
    let list = NotificationRepository::list(store, Page::default())
        .await
        .unwrap();
    let messages: Vec<&str> = list.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(
        messages,
        ["E-mail 2 failed.", "E-mail 1 failed.", "E-mail 0 failed."]
    );
    assert_eq!(list[0].context.error.as_deref(), Some("Invalid_Key"));
    assert_eq!(list[0].kind, NotificationKind::MandrillEmailFailed);
    assert_eq!(list[0].created_at, t0() + Duration::minutes(2));
    let page2 = NotificationRepository::list(
        store,
        Page {
            page: 2,
            per_page: 2,
        },
    )
    .await
    .unwrap();
    assert_eq!(page2.len(), 1);
}

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

async fn idempotency_begin_states(store: &Store) {
    let begin = |key: &'static str, fp: &'static str, at| async move {
        store
            .begin("client:1 orders/pay", key, fp, at)
            .await
            .unwrap()
    };
    assert_eq!(begin("k1", "fp", t0()).await, IdempotencyBegin::Started);
    assert_eq!(begin("k1", "fp", t0()).await, IdempotencyBegin::InFlight);
    assert_eq!(begin("k1", "other", t0()).await, IdempotencyBegin::Mismatch);
    store
        .complete(
            "client:1 orders/pay",
            "k1",
            200,
            "{\"status\":\"action-successful\"}",
        )
        .await
        .unwrap();
    assert_eq!(
        begin("k1", "fp", t0() + Duration::hours(1)).await,
        IdempotencyBegin::Replay {
            http_status: 200,
            body: "{\"status\":\"action-successful\"}".into()
        }
    );
    assert_eq!(begin("k1", "other", t0()).await, IdempotencyBegin::Mismatch);
    // Another scope does not see it.
    assert_eq!(
        store
            .begin("client:2 orders/pay", "k1", "fp", t0())
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    // After 24 hours the record counts as absent.
    assert_eq!(
        begin("k1", "other", t0() + Duration::hours(25)).await,
        IdempotencyBegin::Started
    );

    assert_eq!(begin("k2", "fp", t0()).await, IdempotencyBegin::Started);
    store.abandon("client:1 orders/pay", "k2").await.unwrap();
    assert_eq!(begin("k2", "fp", t0()).await, IdempotencyBegin::Started);

    // A first request still running after 10 minutes died with its process:
    // the key is free again; a finished one is still replayed.
    assert_eq!(begin("k3", "fp", t0()).await, IdempotencyBegin::Started);
    assert_eq!(
        begin("k3", "fp", t0() + Duration::minutes(10)).await,
        IdempotencyBegin::InFlight
    );
    assert_eq!(
        begin(
            "k3",
            "fp",
            t0() + Duration::minutes(10) + Duration::seconds(1)
        )
        .await,
        IdempotencyBegin::Started
    );
    store
        .complete("client:1 orders/pay", "k3", 200, "{}")
        .await
        .unwrap();
    assert!(matches!(
        begin("k3", "fp", t0() + Duration::hours(2)).await,
        IdempotencyBegin::Replay { .. }
    ));
}
