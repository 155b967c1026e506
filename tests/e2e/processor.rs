//! Orders against the stateful stub processor: what the processor did is
//! read from its ledger, not inferred from our answers.

use crate::{BIN, configure_processor, eventually};
use ordercore_e2e::api::{DEMO_EMPLOYEE, DEMO_PASSWORD, DEMO_PROMOTION, Reply, order};
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::{Instance, TestServer};
use ordercore_e2e::stubs::{LedgerState, MandrillStub, ProcessorStub};
use serde_json::json;
use std::time::Duration;

/// register → card → authorize_and_submit → capture, with every processor
/// answer delayed by a random 0–50 ms: the ledger holds one captured
/// transaction for the order, for its total.
#[tokio::test]
async fn the_ledger_shows_the_order_authorized_then_captured() {
    let anet = ProcessorStub::start().await;
    anet.with_random_delay(Duration::from_millis(50));
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let mut instance =
        Instance::new(BIN, Backend::Sqlite, "ledger_authorized_then_captured").unwrap();
    configure_processor(&mut instance, &anet.endpoint(), &mail);
    let server = instance.start();

    let token = server
        .register_client("ledger.agent@example.com", "a-long-password-1")
        .await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    let order = server.authorize_and_submit(&token, card, None).await;
    let data = order.data();
    let order_id = data["id"].as_i64().unwrap();
    let payment_id = data["payment"]["id"].as_i64().unwrap();

    let ledger = anet.ledger_of(order_id);
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert_eq!(ledger[0].state, LedgerState::Authorized);
    assert_eq!(
        ledger[0].amount_cents,
        data["total_cents"].as_i64().unwrap()
    );
    assert_eq!(data["payment"]["transaction_id"], json!(ledger[0].trans_id));

    let staff = server.login(DEMO_EMPLOYEE, DEMO_PASSWORD, "planox2").await;
    server
        .post(
            "payments/capture",
            &json!({"token": staff, "id": payment_id}),
        )
        .await
        .data();
    assert_eq!(anet.ledger_of(order_id)[0].state, LedgerState::Captured);
    assert_eq!(anet.ledger().len(), 1);
}

/// `route` (`orders/authorize_and_submit` or `orders/pay_and_submit`) of
/// photos + a floor plan with WELCOME10, under `key`.
async fn submit_with_key(
    server: &TestServer,
    route: &str,
    token: &str,
    card: i64,
    key: &str,
) -> Reply {
    let photos = server.service_id(token, "photos").await;
    let floor_plan = server.service_id(token, "floor_plan").await;
    let body = json!({
        "token": token,
        "payment_method_id": card,
        "promotion_code": DEMO_PROMOTION,
        "order": order(photos, floor_plan),
    });
    let res = server
        .http
        .post(server.url(route))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let http = res.status().as_u16();
    Reply {
        http,
        body: res.json().await.unwrap(),
    }
}

/// The processor approves but answers after our 1 s timeout: the client is
/// told `external-application-error` naming the order; the reconcile worker
/// then voids the hold it finds, fails the order and releases its promotion
/// use — what the client was told. Retries with the same key, from the same
/// session and after a new log-in, make no second processor call.
#[tokio::test]
async fn an_approval_answered_after_the_timeout_is_voided_and_the_order_failed() {
    answered_after_the_timeout(
        Backend::Sqlite,
        "approval_after_timeout",
        "authOnlyTransaction",
    )
    .await;
}

/// The same with a charge (`orders/pay_and_submit`), on PostgreSQL: the
/// unsettled charge is voided the same way.
#[tokio::test]
async fn a_charge_answered_after_the_timeout_is_voided_and_the_order_failed() {
    answered_after_the_timeout(
        Backend::Postgres,
        "charge_after_timeout",
        "authCaptureTransaction",
    )
    .await;
}

async fn answered_after_the_timeout(backend: Backend, test: &str, transaction_type: &str) {
    let route = match transaction_type {
        "authOnlyTransaction" => "orders/authorize_and_submit",
        _ => "orders/pay_and_submit",
    };
    let anet = ProcessorStub::start().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(mut instance) = Instance::new(BIN, backend, test) else {
        return;
    };
    configure_processor(&mut instance, &anet.endpoint(), &mail);
    instance
        .set("ORDERCORE_AUTHORIZENET_TIMEOUT_SECS", "1")
        .set("ORDERCORE_RECONCILE_FIRST_LOOK_UP_MS", "500")
        .set("ORDERCORE_RECONCILE_INTERVAL_MS", "100");
    let server = instance.start();
    let (email, password) = ("late.agent@example.com", "a-long-password-1");
    let token = server.register_client(email, password).await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    anet.answer_money_calls_after(Some(Duration::from_secs(3)));

    let r = submit_with_key(&server, route, &token, card, "late-approval-1").await;

    assert_eq!(r.slug(), "external-application-error", "{}", r.body);
    assert_eq!(r.http, 400);
    let order_id = r.body["data"]["order_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{}", r.body));
    assert_eq!(
        r.body["data"]["hold_released_automatically"], true,
        "{}",
        r.body
    );
    let authorizations = || {
        anet.ledger()
            .into_iter()
            .filter(|e| e.transaction_type == transaction_type)
            .count()
    };
    let held = anet.ledger_of(order_id);
    assert_eq!(held.len(), 1, "the processor acted: {held:?}");
    assert_eq!(authorizations(), 1);

    // The workers look the order up and void the hold (the void is answered
    // late too at first: it is retried until the processor lists it voided).
    let settled = eventually(30, || async {
        let read = server
            .post("orders/read", &json!({"token": token, "id": order_id}))
            .await;
        read.body["data"]["status"] == "payment_failed"
    })
    .await;
    assert!(settled, "the order was not failed; log:\n{}", server.log());
    let ledger = anet.ledger_of(order_id);
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert_eq!(ledger[0].state, LedgerState::Voided, "{ledger:?}");
    // The promotion use was released: the code is usable again.
    let quote = server
        .post(
            "promotions/validate",
            &json!({"token": token, "promotion_code": DEMO_PROMOTION}),
        )
        .await;
    assert_eq!(quote.slug(), "action-successful", "{}", quote.body);

    // One key, at most one authorization: the same key answers about the
    // same order, from this session and from a new log-in of the same user.
    anet.answer_money_calls_after(None);
    let again = submit_with_key(&server, route, &token, card, "late-approval-1").await;
    assert_eq!(again.slug(), "external-application-error", "{}", again.body);
    assert_eq!(again.body["data"]["order_id"], order_id, "{}", again.body);
    let token2 = server.login(email, password, "planoorder").await;
    assert_ne!(token, token2);
    let other_session = submit_with_key(&server, route, &token2, card, "late-approval-1").await;
    assert_eq!(
        other_session.slug(),
        "external-application-error",
        "{}",
        other_session.body
    );
    assert_eq!(
        other_session.body["data"]["order_id"], order_id,
        "{}",
        other_session.body
    );
    assert_eq!(authorizations(), 1, "{:?}", anet.ledger());
}
