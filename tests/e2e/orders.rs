//! Whole ordering flows against the stub processor and mailer.

use crate::with_stubs;
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_EMPLOYEE, DEMO_PASSWORD, DEMO_PROMOTION};
use ordercore_e2e::db::Backend;
use ordercore_e2e::stubs::{AuthorizeNetStub, MandrillStub};
use serde_json::json;

/// register → session → card → authorize_and_submit → employee capture.
async fn register_order_and_capture(backend: Backend, test: &str) {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(instance) = with_stubs(backend, test, &anet, &mail) else {
        return;
    };
    let server = instance.start();

    let token = server
        .register_client("new.agent@example.com", "a-long-password-1")
        .await;
    // The new client logs in again with its password.
    let token2 = server
        .login("new.agent@example.com", "a-long-password-1", "planoorder")
        .await;
    assert_ne!(token, token2);
    let card = server.add_card(&token2, "4111111111111111", "80202").await;
    assert_eq!(anet.requests("createCustomerProfileRequest").await.len(), 1);
    let pp = anet.requests("createCustomerPaymentProfileRequest").await;
    assert_eq!(pp.len(), 1);
    // The card number goes to the processor and nowhere else.
    assert!(pp[0].to_string().contains("4111111111111111"));

    let order = server.authorize_and_submit(&token2, card, None).await;
    let data = order.data();
    assert_eq!(data["status"], "submitted");
    assert_eq!(data["total_cents"], 20000);
    assert_eq!(data["payment"]["status"], "authorized");
    assert_eq!(data["payment"]["transaction_id"], "2228545782");
    assert!(data["property_access"].get("access_code").is_none());
    let order_id = data["id"].as_i64().unwrap();
    let payment_id = data["payment"]["id"].as_i64().unwrap();

    let auths = anet.requests("authOnlyTransaction").await;
    assert_eq!(auths.len(), 1);
    assert_eq!(
        auths[0]["createTransactionRequest"]["transactionRequest"]["amount"],
        json!("200.00")
    );
    // The confirmation went out once, without the access code.
    let sends = mail.sends().await;
    assert_eq!(sends.len(), 1);
    assert!(!sends[0].to_string().contains("4321"));

    // The client reads it back; the employee captures the hold.
    let read = server
        .post("orders/read", &json!({"token": token2, "id": order_id}))
        .await;
    assert_eq!(read.data()["id"], order_id);
    let staff = server.login(DEMO_EMPLOYEE, DEMO_PASSWORD, "planox2").await;
    let captured = server
        .post(
            "payments/capture",
            &json!({"token": staff, "id": payment_id}),
        )
        .await;
    captured.data();
    assert_eq!(anet.requests("priorAuthCaptureTransaction").await.len(), 1);
    let read = server
        .post("orders/read", &json!({"token": staff, "id": order_id}))
        .await;
    assert_eq!(read.data()["payment"]["status"], "captured");

    // A client may not capture.
    let denied = server
        .post(
            "payments/capture",
            &json!({"token": token2, "id": payment_id}),
        )
        .await;
    assert_eq!(denied.slug(), "permission-denied");
    assert_eq!(denied.http, 403);
}

#[tokio::test]
async fn register_order_and_capture_on_sqlite() {
    register_order_and_capture(Backend::Sqlite, "register_order_and_capture_on_sqlite").await;
}

#[tokio::test]
async fn register_order_and_capture_on_postgres() {
    register_order_and_capture(Backend::Postgres, "register_order_and_capture_on_postgres").await;
}

#[tokio::test]
async fn a_declined_card_fails_the_order_and_sends_nothing() {
    let anet = AuthorizeNetStub::start().await;
    anet.decline_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let server = with_stubs(Backend::Sqlite, "declined", &anet, &mail)
        .unwrap()
        .start();
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;

    let r = server
        .authorize_and_submit(&token, card, Some(DEMO_PROMOTION))
        .await;
    assert_eq!(r.slug(), "declined-payment", "{}", r.body);
    assert_eq!(r.http, 400);
    assert!(mail.sends().await.is_empty());
    // The order the processor declined (its id is the transaction's refId)
    // is recorded as payment_failed.
    let auths = anet.requests("authOnlyTransaction").await;
    assert_eq!(auths.len(), 1);
    let order_id: i64 = auths[0]["createTransactionRequest"]["refId"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no refId in {}", auths[0]));
    let read = server
        .post("orders/read", &json!({"token": token, "id": order_id}))
        .await;
    assert_eq!(read.slug(), "action-successful", "{}", read.body);
    assert_eq!(read.data()["status"], "payment_failed", "{}", read.body);
    // The failed order released its promotion: the code is still usable.
    let quote = server
        .post(
            "promotions/validate",
            &json!({"token": token, "promotion_code": DEMO_PROMOTION}),
        )
        .await;
    assert_eq!(quote.slug(), "action-successful", "{}", quote.body);
}

/// The demo promotion is once per client.
async fn a_promotion_used_twice(backend: Backend, test: &str) {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(instance) = with_stubs(backend, test, &anet, &mail) else {
        return;
    };
    let server = instance.start();
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;

    let first = server
        .authorize_and_submit(&token, card, Some("welcome10"))
        .await;
    assert_eq!(first.data()["discount_cents"], 2000);
    assert_eq!(first.data()["total_cents"], 18000);
    let second = server
        .authorize_and_submit(&token, card, Some(DEMO_PROMOTION))
        .await;
    assert_eq!(second.slug(), "promotion-expended", "{}", second.body);
    assert_eq!(second.http, 400);
    // Only the first order reached the processor.
    assert_eq!(anet.requests("authOnlyTransaction").await.len(), 1);
}

#[tokio::test]
async fn a_promotion_used_twice_on_sqlite() {
    a_promotion_used_twice(Backend::Sqlite, "a_promotion_used_twice_on_sqlite").await;
}

#[tokio::test]
async fn a_promotion_used_twice_on_postgres() {
    a_promotion_used_twice(Backend::Postgres, "a_promotion_used_twice_on_postgres").await;
}
