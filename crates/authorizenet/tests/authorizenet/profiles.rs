//! Customer and payment profile calls.

use crate::support::*;
use ordercore_domain::model::{ClientId, Email};
use ordercore_domain::ports::{CustomerProfileRequest, PaymentError, PaymentGateway};

fn customer() -> CustomerProfileRequest {
    CustomerProfileRequest {
        client_id: ClientId(77),
        email: Email::parse("agent@example.com").unwrap(),
        description: "Jane Doe (client 77)".to_string(),
    }
}

fn assert_customer_profile_request(body: &str) {
    assert_key_order(
        body,
        &[
            "createCustomerProfileRequest",
            "merchantAuthentication",
            "profile",
            "merchantCustomerId",
            "description",
            "email",
        ],
    );
    let v = json(body);
    assert_credentials(&v, "createCustomerProfileRequest");
    let profile = &v["createCustomerProfileRequest"]["profile"];
    assert_eq!(profile["merchantCustomerId"], "77");
    assert_eq!(profile["email"], "agent@example.com");
}

/// The payment profile body: schema order, billTo from the card holder,
/// the card, and validationMode last.
fn assert_payment_profile_request(body: &str, validation_mode: &str) {
    assert_key_order(
        body,
        &[
            "createCustomerPaymentProfileRequest",
            "merchantAuthentication",
            "customerProfileId",
            "paymentProfile",
            "billTo",
            "firstName",
            "lastName",
            "address",
            "city",
            "state",
            "zip",
            "country",
            "payment",
            "creditCard",
            "cardNumber",
            "expirationDate",
            "cardCode",
            "validationMode",
        ],
    );
    let v = json(body);
    assert_credentials(&v, "createCustomerPaymentProfileRequest");
    let request = &v["createCustomerPaymentProfileRequest"];
    assert_eq!(request["customerProfileId"], CUSTOMER_PROFILE_ID);
    assert_eq!(request["validationMode"], validation_mode);
    let bill_to = &request["paymentProfile"]["billTo"];
    assert_eq!(bill_to["firstName"], "Jane Q");
    assert_eq!(bill_to["lastName"], "Doe");
    assert_eq!(bill_to["address"], "123 Main St. Suite 4");
    assert_eq!(bill_to["state"], "WA");
    assert_eq!(bill_to["country"], "US");
    let card = &request["paymentProfile"]["payment"]["creditCard"];
    assert_eq!(card["cardNumber"], CARD_NUMBER);
    assert_eq!(card["expirationDate"], "2030-12");
    assert_eq!(card["cardCode"], CVC);
}

#[tokio::test]
async fn create_customer_profile_returns_the_new_id() {
    let (server, gateway) = stub("create_customer_profile_ok.json").await;

    let id = gateway.create_customer_profile(&customer()).await.unwrap();

    assert_eq!(id, "31390172");
    assert_customer_profile_request(&sent_body(&server).await);
}

#[tokio::test]
async fn e00039_on_customer_profile_reuses_the_existing_id() {
    let (server, gateway) = stub("create_customer_profile_duplicate.json").await;

    let id = gateway.create_customer_profile(&customer()).await.unwrap();

    assert_eq!(id, "1505346070");
    assert_customer_profile_request(&sent_body(&server).await);
}

#[tokio::test]
async fn e00007_on_customer_profile_is_invalid_credentials() {
    let (server, gateway) = stub("invalid_credentials.json").await;

    let error = gateway
        .create_customer_profile(&customer())
        .await
        .unwrap_err();

    assert!(matches!(error, PaymentError::InvalidCredentials { .. }));
    assert_customer_profile_request(&sent_body(&server).await);
}

#[tokio::test]
async fn create_payment_profile_sends_bill_to_card_and_validation_mode() {
    let (server, gateway) = stub("create_customer_payment_profile_ok.json").await;

    let id = gateway
        .create_payment_profile(CUSTOMER_PROFILE_ID, &card(CARD_NUMBER, 12, 2030, "98004"))
        .await
        .unwrap();

    assert_eq!(id, "28821903");
    // A URL endpoint defaults to liveMode (only the sandbox uses testMode).
    assert_payment_profile_request(&sent_body(&server).await, "liveMode");
}

#[tokio::test]
async fn create_payment_profile_uses_the_configured_validation_mode() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_bytes(fixture("create_customer_payment_profile_ok.json")),
        )
        .mount(&server)
        .await;
    let gateway = gateway_for(
        config(&server).with_validation_mode(ordercore_authorizenet::ValidationMode::TestMode),
    );

    gateway
        .create_payment_profile(CUSTOMER_PROFILE_ID, &card(CARD_NUMBER, 12, 2030, "98004"))
        .await
        .unwrap();

    assert_payment_profile_request(&sent_body(&server).await, "testMode");
}

#[tokio::test]
async fn payment_profile_validation_error_6_is_card_number_invalid() {
    let (server, gateway) = stub("create_customer_payment_profile_invalid_card.json").await;

    let error = gateway
        .create_payment_profile(CUSTOMER_PROFILE_ID, &card(CARD_NUMBER, 12, 2030, "98004"))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        PaymentError::CardNumberInvalid {
            error_code: "6".into()
        }
    );
    assert_payment_profile_request(&sent_body(&server).await, "liveMode");
}

#[tokio::test]
async fn payment_profile_validation_decline_is_declined() {
    let (server, gateway) = stub("create_customer_payment_profile_declined.json").await;

    let error = gateway
        .create_payment_profile(CUSTOMER_PROFILE_ID, &card(CARD_NUMBER, 12, 2030, "46282"))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        PaymentError::Declined {
            error_code: Some("2".into())
        }
    );
    assert_payment_profile_request(&sent_body(&server).await, "liveMode");
}

#[tokio::test]
async fn payment_profile_e00027_expired_text_is_card_expired() {
    let (server, gateway) = stub("create_customer_payment_profile_expired.json").await;

    let error = gateway
        .create_payment_profile(CUSTOMER_PROFILE_ID, &card(CARD_NUMBER, 12, 2030, "98004"))
        .await
        .unwrap_err();

    assert_eq!(error, PaymentError::CardExpired);
    assert_payment_profile_request(&sent_body(&server).await, "liveMode");
}

#[tokio::test]
async fn payment_profile_e00039_reuses_the_existing_id() {
    let (server, gateway) = stub("create_customer_payment_profile_duplicate.json").await;

    let id = gateway
        .create_payment_profile(CUSTOMER_PROFILE_ID, &card(CARD_NUMBER, 12, 2030, "98004"))
        .await
        .unwrap();

    assert_eq!(id, "28821903");
    assert_payment_profile_request(&sent_body(&server).await, "liveMode");
}

#[tokio::test]
async fn delete_payment_profile_sends_both_ids() {
    let (server, gateway) = stub("delete_customer_payment_profile_ok.json").await;

    gateway.delete_payment_profile(&profile()).await.unwrap();

    let body = sent_body(&server).await;
    assert_key_order(
        &body,
        &[
            "deleteCustomerPaymentProfileRequest",
            "merchantAuthentication",
            "customerProfileId",
            "customerPaymentProfileId",
        ],
    );
    let v = json(&body);
    assert_credentials(&v, "deleteCustomerPaymentProfileRequest");
    let request = &v["deleteCustomerPaymentProfileRequest"];
    assert_eq!(request["customerProfileId"], CUSTOMER_PROFILE_ID);
    assert_eq!(request["customerPaymentProfileId"], PAYMENT_PROFILE_ID);
}

#[tokio::test]
async fn delete_of_an_unknown_payment_profile_is_external() {
    let (server, gateway) = stub("record_not_found.json").await;

    let error = gateway
        .delete_payment_profile(&profile())
        .await
        .unwrap_err();

    assert!(matches!(
        error,
        PaymentError::External { code: Some(ref c), .. } if c == "E00040"
    ));
    sent_body(&server).await;
}
