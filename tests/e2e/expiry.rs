//! The authorization-expiry watch and the expired-authorization refusal,
//! against the real binary: an authorization aged in its database (the
//! server's clock is the wall clock) is warned about once in
//! `notifications/index` and once in `events/index`
//! (`payment.authorization_expiring`), and once 30 days old its capture is refused
//! without a call to the processor.

use crate::{BIN, configure_processor, eventually};
use ordercore_e2e::api::{DEMO_EMPLOYEE, DEMO_PASSWORD};
use ordercore_e2e::db::{Backend, execute};
use ordercore_e2e::server::{Instance, TestServer};
use ordercore_e2e::stubs::{LedgerState, MandrillStub, ProcessorStub};
use serde_json::{Value, json};
use std::time::Duration;

const DAY_MICROS: i64 = 24 * 3600 * 1_000_000;

/// Moves payment `id`'s authorization `days` further into the past.
fn age_payment(server: &TestServer, id: i64, days: i64) {
    let url = server.instance.database_url().unwrap();
    let changed = execute(
        url,
        &format!(
            "UPDATE payments SET created_at = created_at - {} WHERE id = {id}",
            days * DAY_MICROS
        ),
    );
    assert_eq!(changed, 1);
}

/// The expiry warnings of `notifications/index`.
async fn warnings(server: &TestServer, staff: &str) -> Vec<Value> {
    let r = server
        .post(
            "notifications/index",
            &json!({"token": staff, "per_page": 100}),
        )
        .await;
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "payment-authorization-expiring")
        .cloned()
        .collect()
}

/// The `payment.authorization_expiring` events of `events/index`.
async fn expiry_events(server: &TestServer, staff: &str) -> Vec<Value> {
    let r = server
        .post("events/index", &json!({"token": staff, "per_page": 100}))
        .await;
    assert_eq!(r.http, 200, "{}", r.body);
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "payment.authorization_expiring")
        .cloned()
        .collect()
}

async fn expiry_watch_and_refusal(backend: Backend, test: &str) {
    let anet = ProcessorStub::start().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(mut instance) = Instance::new(BIN, backend, test) else {
        return;
    };
    configure_processor(&mut instance, &anet.endpoint(), &mail);
    instance.set("ORDERCORE_AUTH_EXPIRY_INTERVAL_MS", "100");
    let server = instance.start();

    let token = server
        .register_client("expiring.agent@example.com", "a-long-password-1")
        .await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    let data = server
        .authorize_and_submit(&token, card, None)
        .await
        .data()
        .clone();
    let order_id = data["id"].as_i64().unwrap();
    let payment_id = data["payment"]["id"].as_i64().unwrap();
    let transaction_id = data["payment"]["transaction_id"].clone();
    let staff = server.login(DEMO_EMPLOYEE, DEMO_PASSWORD, "planox2").await;

    // 24 days old: several passes go by, nobody is warned.
    age_payment(&server, payment_id, 24);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(warnings(&server, &staff).await.is_empty());
    assert!(expiry_events(&server, &staff).await.is_empty());

    // 25 days old: one warning, and it stays one.
    age_payment(&server, payment_id, 1);
    assert!(
        eventually(10, || async { !warnings(&server, &staff).await.is_empty() }).await,
        "no expiry warning; log:\n{}",
        server.log()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let found = warnings(&server, &staff).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["context"]["order_id"], order_id);
    assert_eq!(found[0]["context"]["transaction_id"], transaction_id);
    assert!(!found[0].to_string().contains("4111111111111111"));
    // The event, recorded with the warning: the payment as it was.
    let events = expiry_events(&server, &staff).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["id"], payment_id);
    assert_eq!(events[0]["data"]["order_id"], order_id);
    assert_eq!(events[0]["data"]["status"], "authorized");
    assert_eq!(events[0]["data"]["transaction_id"], transaction_id);
    assert!(!events[0].to_string().contains("4111111111111111"));

    // 31 days old: the capture is refused before the processor is asked.
    age_payment(&server, payment_id, 6);
    let r = server
        .post(
            "payments/capture",
            &json!({"token": staff, "id": payment_id}),
        )
        .await;
    assert_eq!(r.http, 400, "{}", r.body);
    assert_eq!(r.slug(), "authorization-expired");
    assert!(
        anet.requests("priorAuthCaptureTransaction")
            .await
            .is_empty()
    );
    assert_eq!(anet.ledger_of(order_id)[0].state, LedgerState::Authorized);
    // Still one warning and one event: the mark is per payment, not per pass.
    assert_eq!(warnings(&server, &staff).await.len(), 1);
    assert_eq!(expiry_events(&server, &staff).await.len(), 1);
}

#[tokio::test]
async fn an_aging_authorization_is_warned_once_then_refused_on_sqlite() {
    expiry_watch_and_refusal(Backend::Sqlite, "expiry_watch_sqlite").await;
}

#[tokio::test]
async fn an_aging_authorization_is_warned_once_then_refused_on_postgres() {
    expiry_watch_and_refusal(Backend::Postgres, "expiry_watch_pg").await;
}
