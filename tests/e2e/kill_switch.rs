//! The route and service kill switches, flipped with the operator commands
//! while the server runs.

use crate::{BIN, eventually};
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_PASSWORD};
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::Instance;
use serde_json::json;

async fn a_route_disabled_with_the_command(backend: Backend, test: &str) {
    let Some(instance) = Instance::new(BIN, backend, test) else {
        return;
    };
    let server = instance.start();
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let body = json!({"token": token, "id": 1});
    // Deployed: the request reaches the use case (there is no order 1 yet).
    let before = server.post("orders/read", &body).await;
    assert_eq!(before.slug(), "invalid-param", "{}", before.body);

    let out = server.cli(&["routes", "disable", "orders/read"]);
    assert!(out.contains("orders/read is now DISABLED"), "{out}");
    let listed = server.cli(&["routes", "list"]);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("orders/read ") && l.contains("DISABLED")),
        "{listed}"
    );
    let off = eventually(5, || async {
        server.post("orders/read", &body).await.slug() == "route-not-found"
    })
    .await;
    assert!(off, "orders/read still answers after `routes disable`");
    let r = server.post("orders/read", &body).await;
    assert_eq!(r.http, 404);
    // Other routes of the service still work.
    let index = server.post("orders/index", &json!({"token": token})).await;
    assert_eq!(index.slug(), "action-successful", "{}", index.body);

    server.cli(&["routes", "enable", "orders/read"]);
    let on = eventually(5, || async {
        server.post("orders/read", &body).await.slug() == "invalid-param"
    })
    .await;
    assert!(on, "orders/read did not come back after `routes enable`");
}

#[tokio::test]
async fn a_route_disabled_with_the_command_answers_route_not_found_on_sqlite() {
    a_route_disabled_with_the_command(Backend::Sqlite, "kill_switch_on_sqlite").await;
}

#[tokio::test]
async fn a_route_disabled_with_the_command_answers_route_not_found_on_postgres() {
    a_route_disabled_with_the_command(Backend::Postgres, "kill_switch_on_postgres").await;
}

#[tokio::test]
async fn a_service_disabled_answers_service_not_found() {
    let server = Instance::new(BIN, Backend::Sqlite, "service_switch")
        .unwrap()
        .start();
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let body = json!({"token": token});
    server.cli(&["services", "disable", "orders"]);
    let off = eventually(5, || async {
        server.post("orders/index", &body).await.slug() == "service-not-found"
    })
    .await;
    assert!(
        off,
        "orders/index still answers after `services disable orders`"
    );
    assert_eq!(server.post("orders/index", &body).await.http, 503);
    // Another service is untouched.
    let services = server.post("services/index", &body).await;
    assert_eq!(services.slug(), "action-successful");
}

#[tokio::test]
async fn switching_an_unknown_route_is_an_error() {
    let instance = Instance::new(BIN, Backend::Sqlite, "unknown_route").unwrap();
    instance.run_ok(&["migrate"]);
    let out = instance.run(&["routes", "disable", "orders/nope"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no route named \"orders/nope\""), "{err}");
}
