//! Orders against the stateful stub processor: what the processor did is
//! read from its ledger, not inferred from our answers.

use crate::{BIN, configure_processor};
use ordercore_e2e::api::{DEMO_EMPLOYEE, DEMO_PASSWORD};
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::Instance;
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

/// The processor approves but answers after our 1 s timeout: the client
/// hears an error while the hold exists at the processor.
#[tokio::test]
async fn an_approval_answered_after_the_timeout_leaves_a_hold() {
    let anet = ProcessorStub::start().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let mut instance = Instance::new(BIN, Backend::Sqlite, "approval_after_timeout").unwrap();
    configure_processor(&mut instance, &anet.endpoint(), &mail);
    instance.set("ORDERCORE_AUTHORIZENET_TIMEOUT_SECS", "1");
    let server = instance.start();
    let token = server
        .register_client("late.agent@example.com", "a-long-password-1")
        .await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    anet.answer_money_calls_after(Some(Duration::from_secs(3)));

    let r = server.authorize_and_submit(&token, card, None).await;

    assert_eq!(r.slug(), "external-application-error", "{}", r.body);
    let held: Vec<_> = anet
        .ledger()
        .into_iter()
        .filter(|e| e.state == LedgerState::Authorized)
        .collect();
    assert_eq!(held.len(), 1, "the processor acted: {held:?}");
    assert!(held[0].invoice_number.is_some());
}
