//! Against the real Authorize.net sandbox. Ignored by default; runs with
//! `cargo test -p ordercore-authorizenet -- --ignored` when
//! AUTHORIZENET_SANDBOX_LOGIN_ID and AUTHORIZENET_SANDBOX_TRANSACTION_KEY are set.

use crate::support::card;
use ordercore_authorizenet::{AuthorizeNetConfig, AuthorizeNetGateway, Endpoint};
use ordercore_domain::model::{ClientId, Email, Money, OrderId, Secret, StoredPaymentProfile};
use ordercore_domain::ports::{
    CaptureRequest, CustomerProfileRequest, PaymentGateway, TransactionRequest,
};

#[tokio::test]
#[ignore = "needs AUTHORIZENET_SANDBOX_LOGIN_ID and AUTHORIZENET_SANDBOX_TRANSACTION_KEY"]
async fn sandbox_round_trip() {
    let (Ok(login), Ok(key)) = (
        std::env::var("AUTHORIZENET_SANDBOX_LOGIN_ID"),
        std::env::var("AUTHORIZENET_SANDBOX_TRANSACTION_KEY"),
    ) else {
        eprintln!("sandbox credentials not set; skipping");
        return;
    };
    let config = AuthorizeNetConfig::new(Endpoint::Sandbox, login, Secret::new(key));
    let gateway = AuthorizeNetGateway::new(
        config.clone(),
        AuthorizeNetGateway::http_client(&config).unwrap(),
    );
    // Unique per run, so the sandbox neither reuses a profile by accident nor
    // flags a duplicate transaction.
    let stamp = chrono::Utc::now().timestamp();
    let client_id = ClientId(stamp % 100_000_000);

    let customer = gateway
        .create_customer_profile(&CustomerProfileRequest {
            client_id,
            email: Email::parse(&format!("ordercore-{stamp}@example.com")).unwrap(),
            description: "ordercore sandbox test".into(),
        })
        .await
        .unwrap();
    // A second creation answers E00039 and must give the same id back.
    let again = gateway
        .create_customer_profile(&CustomerProfileRequest {
            client_id,
            email: Email::parse(&format!("ordercore-{stamp}@example.com")).unwrap(),
            description: "ordercore sandbox test".into(),
        })
        .await
        .unwrap();
    assert_eq!(again, customer);

    // The real sandbox checks the expiry against today: four years ahead.
    let exp_year = i64::from(chrono::Datelike::year(&chrono::Utc::now())) + 4;
    let payment_profile = gateway
        .create_payment_profile(&customer, &card("4111111111111111", 12, exp_year, "98004"))
        .await
        .unwrap();
    let profile = StoredPaymentProfile {
        customer_profile_id: customer,
        payment_profile_id: payment_profile,
    };
    let order_id = OrderId(stamp % 1_000_000_000);
    let amount = Money::from_cents(100 + stamp % 900).unwrap();
    let approval = gateway
        .authorize(&TransactionRequest {
            order_id,
            amount,
            profile: profile.clone(),
        })
        .await
        .unwrap();
    gateway
        .capture(&CaptureRequest {
            order_id,
            transaction_id: approval.transaction_id.clone(),
            amount,
        })
        .await
        .unwrap();

    let hold = gateway
        .authorize(&TransactionRequest {
            order_id: OrderId(order_id.0 + 1),
            amount: Money::from_cents(amount.cents() + 1).unwrap(),
            profile: profile.clone(),
        })
        .await
        .unwrap();
    gateway
        .void(OrderId(order_id.0 + 1), &hold.transaction_id)
        .await
        .unwrap();
    gateway.delete_payment_profile(&profile).await.unwrap();
}
