//! Slugs of submitting and paying: success, promotions, the processor's answers and cards.

use super::*;

#[actix_web::test]
async fn action_successful() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let r = send(
        &state,
        post_json("services/index", &json!({"token": token})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    assert!(r.body["data"].as_array().unwrap().len() >= 2);
    assert_eq!(r.body["session"]["application"], "planoorder");
}

#[actix_web::test]
async fn invalid_promotion() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    for code in ["NOPE", "ended"] {
        let r = send(
            &state,
            post_json(
                "promotions/validate",
                &json!({"token": token, "promotion_code": code}),
            ),
        )
        .await;
        r.expect("invalid-promotion", 400, &["session"]);
    }
}

#[actix_web::test]
async fn promotion_expended() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t
        .session("invoice@example.com", ApplicationSlug::Planoorder)
        .await;
    let mut order = t.order_params(&token, None).await;
    order["promotion_code"] = json!("welcome10");
    let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
    r.expect("action-successful", 200, &["data", "session"]);
    assert_eq!(r.body["data"]["promotion"]["code"], "WELCOME10");
    let r = send(
        &state,
        post_json(
            "promotions/validate",
            &json!({"token": token, "promotion_code": "WELCOME10"}),
        ),
    )
    .await;
    r.expect("promotion-expended", 400, &["session"]);
    let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
    r.expect("promotion-expended", 400, &["session"]);
}

#[actix_web::test]
async fn declined_payment() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let r = t
        .submit_with_new_card(&state, &token, "orders/authorize_and_submit", "46282")
        .await;
    r.expect("declined-payment", 400, &["session"]);
}

#[actix_web::test]
async fn card_number_invalid() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let r = send(
        &state,
        post_b64(
            "payment_methods/create",
            &json!({
                "token": token, "payment_method": card_params("4111111111111112", "80202")
            }),
        ),
    )
    .await;
    r.expect("card-number-invalid", 400, &["session"]);
    // The processor's own refusal (error 6) maps the same way.
    t.gateway.fail_next(PaymentError::CardNumberInvalid {
        error_code: "6".into(),
    });
    let r = send(
        &state,
        post_b64(
            "payment_methods/create",
            &json!({
                "token": token, "payment_method": card_params("4007000000027", "80202")
            }),
        ),
    )
    .await;
    r.expect("card-number-invalid", 400, &["session"]);
}

#[actix_web::test]
async fn duplicate_payment() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let order = t.order_with_new_card(&state, &token, "80202").await;
    send(&state, post_json("orders/pay_and_submit", &order))
        .await
        .expect("action-successful", 200, &["data", "session"]);
    let r = send(&state, post_json("orders/pay_and_submit", &order)).await;
    r.expect("duplicate-payment", 400, &["session"]);
}

async fn scripted_submit_failure(e: PaymentError, slug: &str, code: u16) -> Resp {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let order = t.order_with_new_card(&state, &token, "80202").await;
    t.gateway.fail_next(e);
    let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
    r.expect(slug, code, &["session"]);
    assert!(
        !r.raw.windows(4).any(|w| w == b"4111"),
        "no card number in the answer"
    );
    r
}

#[actix_web::test]
async fn failed_payment() {
    scripted_submit_failure(
        PaymentError::Failed {
            error_code: Some("5".into()),
        },
        "failed-payment",
        400,
    )
    .await;
}

/// The message says whether retrying can help: not for a profile the
/// processor does not know (E00040), yes for other processor errors.
#[actix_web::test]
async fn external_application_error() {
    let r = scripted_submit_failure(
        PaymentError::External {
            code: Some("E00040".into()),
            detail: "record not found".into(),
        },
        "external-application-error",
        400,
    )
    .await;
    let message = r.body["message"].as_str().unwrap();
    assert!(message.contains("retrying will not help"), "{message}");
    assert!(!message.contains("try again later"), "{message}");
    let r = scripted_submit_failure(
        PaymentError::External {
            code: Some("E00001".into()),
            detail: "an error occurred during processing".into(),
        },
        "external-application-error",
        400,
    )
    .await;
    let message = r.body["message"].as_str().unwrap();
    assert!(message.contains("try again later"), "{message}");
}

#[actix_web::test]
async fn invalid_payment_processor_api_keys() {
    scripted_submit_failure(
        PaymentError::InvalidCredentials {
            code: "E00007".into(),
        },
        "invalid-payment-processor-api-keys",
        500,
    )
    .await;
}

#[actix_web::test]
async fn card_expired() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let mut card = card_params("4111111111111111", "80202");
    card["exp_year"] = json!(2020);
    let r = send(
        &state,
        post_b64(
            "payment_methods/create",
            &json!({"token": token, "payment_method": card}),
        ),
    )
    .await;
    r.expect("card-expired", 400, &["session"]);
    // The processor's error 8 at authorization.
    scripted_submit_failure(PaymentError::CardExpired, "card-expired", 400).await;
}
