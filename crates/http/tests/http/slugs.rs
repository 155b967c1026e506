//! Every status slug of contract §4, reached through its documented cause, with
//! its HTTP code and the envelope members present and absent.

use crate::support::*;
use actix_web::test::TestRequest;
use chrono::Duration;
use ordercore_domain::StoreError;
use ordercore_domain::model::ApplicationSlug;
use ordercore_domain::ports::{
    IdempotencyBegin, MockCatalogRepository, MockIdempotencyStore, MockRouteRegistry, PaymentError,
    RouteRegistry,
};
use serde_json::json;
use std::sync::Arc;

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
    let card = t
        .add_card(&state, &token, "4111111111111111", "46282")
        .await;
    let r = send(
        &state,
        post_json(
            "orders/authorize_and_submit",
            &t.order_params(&token, Some(card)).await,
        ),
    )
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
    let card = t
        .add_card(&state, &token, "4111111111111111", "80202")
        .await;
    let order = t.order_params(&token, Some(card)).await;
    send(&state, post_json("orders/pay_and_submit", &order))
        .await
        .expect("action-successful", 200, &["data", "session"]);
    let r = send(&state, post_json("orders/pay_and_submit", &order)).await;
    r.expect("duplicate-payment", 400, &["session"]);
}

async fn scripted_submit_failure(e: PaymentError, slug: &str, code: u16) {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let card = t
        .add_card(&state, &token, "4111111111111111", "80202")
        .await;
    t.gateway.fail_next(e);
    let r = send(
        &state,
        post_json(
            "orders/authorize_and_submit",
            &t.order_params(&token, Some(card)).await,
        ),
    )
    .await;
    r.expect(slug, code, &["session"]);
    assert!(
        !r.raw.windows(4).any(|w| w == b"4111"),
        "no card number in the answer"
    );
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

#[actix_web::test]
async fn external_application_error() {
    scripted_submit_failure(
        PaymentError::External {
            code: Some("E00040".into()),
            detail: "record not found".into(),
        },
        "external-application-error",
        400,
    )
    .await;
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

#[actix_web::test]
async fn invalid_token() {
    let t = TestApp::new().await;
    let r = send(
        &t.state(),
        post_json("services/index", &json!({"token": "not-a-token"})),
    )
    .await;
    r.expect("invalid-token", 401, &[]);
}

#[actix_web::test]
async fn session_expired() {
    let t = TestApp::new().await;
    let state = t.state();
    let old = t
        .session_aged(
            "client@example.com",
            ApplicationSlug::Planoorder,
            Duration::days(8),
        )
        .await;
    send(&state, post_json("services/index", &json!({"token": old})))
        .await
        .expect("session-expired", 401, &[]);
    // Revoked through sessions/destroy.
    let token = t.client_token().await;
    let r = send(
        &state,
        post_json("sessions/destroy", &json!({"token": token})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    assert!(r.body["session"].get("token").is_none());
    send(
        &state,
        post_json("services/index", &json!({"token": token})),
    )
    .await
    .expect("session-expired", 401, &[]);
}

#[actix_web::test]
async fn client_required() {
    let t = TestApp::new().await;
    let token = t
        .session("norole@example.com", ApplicationSlug::Planoauth)
        .await;
    let r = send(
        &t.state(),
        post_json("services/index", &json!({"token": token})),
    )
    .await;
    r.expect("client-required", 401, &["session"]);
    assert_eq!(r.body["session"]["user"]["email"], "norole@example.com");
}

#[actix_web::test]
async fn permission_denied() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    send(
        &state,
        post_json("notifications/index", &json!({"token": token})),
    )
    .await
    .expect("permission-denied", 403, &["session"]);
    // A client session asking to act in the staff application has no role there.
    send(
        &state,
        post_json(
            "orders/index",
            &json!({"token": token, "application": "planox2"}),
        ),
    )
    .await
    .expect("permission-denied", 403, &["session"]);
}

#[actix_web::test]
async fn missing_param() {
    let t = TestApp::new().await;
    let state = t.state();
    let r = send(
        &state,
        post_json("orders/read", &json!({"view": "default"})),
    )
    .await;
    r.expect("missing-param", 400, &["errors"]);
    assert_eq!(r.error_params(), ["token"]);
    let token = t.client_token().await;
    let r = send(
        &state,
        post_json("orders/read", &json!({"token": token, "id": "  "})),
    )
    .await;
    r.expect("missing-param", 400, &["errors", "session"]);
    assert_eq!(r.error_params(), ["id"]);
}

#[actix_web::test]
async fn invalid_param() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let r = send(
        &state,
        post_json(
            "orders/read",
            &json!({"token": token, "id": "12x", "view": "huge", "session_view": "nope"}),
        ),
    )
    .await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(r.error_params(), ["view", "id", "session_view"]);
    // An id that does not exist, or is not visible to the requester.
    let r = send(
        &state,
        post_json("orders/read", &json!({"token": token, "id": 999_999})),
    )
    .await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(r.error_params(), ["id"]);
    // An unknown application.
    let r = send(
        &state,
        post_json(
            "orders/index",
            &json!({"token": token, "application": "nope"}),
        ),
    )
    .await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(r.error_params(), ["application"]);
}

#[actix_web::test]
async fn invalid_param_lists_every_order_problem_with_dotted_paths() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let mut order = t.order_params(&token, None).await;
    // Four values present but wrong, none absent: invalid-param, each listed
    // with its reason.
    order["order"]["add_on_services"] = json!([{"id": 1}, {"id": "x"}]);
    order["order"]["property_info"]["address"]["postal_code"] = json!("12");
    order["order"]["property_access"] = json!({"vacant": true, "method_of_access": "teleport"});
    order["order"]["appointments"] =
        json!([{"starts_at": "2001-01-01T00:00:00Z", "ends_at": "2001-01-01T01:00:00Z"}]);
    let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(
        r.error_params(),
        [
            "order.add_on_services[1].id",
            "order.property_info.address.postal_code",
            "order.property_access.method_of_access",
            "order.appointments[0]",
        ]
    );
    for problem in r.body["errors"].as_array().unwrap() {
        assert!(
            problem["reason"].as_str().is_some_and(|s| !s.is_empty()),
            "{problem}"
        );
    }
    // One absent required param among them (keypad needs an access code)
    // makes it missing-param, still listing every problem.
    order["order"]["property_access"] = json!({"vacant": true, "method_of_access": "keypad"});
    let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
    r.expect("missing-param", 400, &["errors", "session"]);
    assert_eq!(
        r.error_params(),
        [
            "order.add_on_services[1].id",
            "order.property_info.address.postal_code",
            "order.property_access.access_code",
            "order.appointments[0]",
        ]
    );
    // A client ordering for another client: invalid-param on order.client.id.
    let mut order = t.order_params(&token, None).await;
    order["order"]["client"] = json!({"id": 999_999});
    let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert!(r.error_params().contains(&"order.client.id".to_string()));
}

#[actix_web::test]
async fn application_crash() {
    let mut t = TestApp::new().await;
    let mut catalog = MockCatalogRepository::new();
    catalog.expect_active_services().returning(|| {
        Err(StoreError::Backend(
            "disk on fire: SELECT * FROM services".into(),
        ))
    });
    t.catalog = Arc::new(catalog);
    let token = t.client_token().await;
    let r = send(
        &t.state(),
        post_json("services/index", &json!({"token": token})),
    )
    .await;
    r.expect("application-crash", 500, &["session"]);
    let message = r.body["message"].as_str().unwrap();
    assert!(message.contains("error id"), "{message}");
    assert!(!message.contains("SELECT"), "{message}");
}

#[actix_web::test]
async fn application_crash_on_a_panic() {
    let mut t = TestApp::new().await;
    let mut catalog = MockCatalogRepository::new();
    catalog.expect_active_services().returning(|| panic!("bug"));
    t.catalog = Arc::new(catalog);
    let token = t.client_token().await;
    let state = t.state();
    let r = send(
        &state,
        post_json("services/index", &json!({"token": token})),
    )
    .await;
    r.expect("application-crash", 500, &["session"]);
    // The server keeps answering.
    send(
        &state,
        post_json("sessions/destroy", &json!({"token": token})),
    )
    .await
    .expect("action-successful", 200, &["data", "session"]);
}

#[actix_web::test]
async fn mandrill_email_failed() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let card = t
        .add_card(&state, &token, "4111111111111111", "80202")
        .await;
    *t.mailer.fail.lock().unwrap() = true;
    let r = send(
        &state,
        post_json(
            "orders/authorize_and_submit",
            &t.order_params(&token, Some(card)).await,
        ),
    )
    .await;
    r.expect("mandrill-email-failed", 500, &["data", "session"]);
    assert_eq!(r.body["data"]["status"], "submitted");
    assert_eq!(r.body["data"]["payment"]["status"], "authorized");
    // The order exists, and a notification was recorded for staff.
    let id = r.body["data"]["id"].clone();
    send(
        &state,
        post_json("orders/read", &json!({"token": token, "id": id})),
    )
    .await
    .expect("action-successful", 200, &["data", "session"]);
    let staff = t.staff_token().await;
    let r = send(
        &state,
        post_json("notifications/index", &json!({"token": staff})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    assert!(
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "mandrill-email-failed")
    );
}

#[actix_web::test]
async fn invalid_content_type() {
    let t = TestApp::new().await;
    let state = t.state();
    let r = send(&state, post_json("sessions/create", &json!({"email": "x"}))).await;
    r.expect("invalid-content-type", 400, &[]);
    let req = TestRequest::post()
        .uri("/api/v1/orders/read")
        .insert_header(("content-type", "text/plain"))
        .set_payload("{}");
    send(&state, req)
        .await
        .expect("invalid-content-type", 400, &[]);
}

#[actix_web::test]
async fn route_non_existent() {
    let t = TestApp::new().await;
    let state = t.state();
    send(&state, post_json("orders/nope", &json!({"a": 1})))
        .await
        .expect("route-non-existent", 500, &[]);
    send(&state, TestRequest::get().uri("/api/v1/orders/read"))
        .await
        .expect("route-non-existent", 500, &[]);
    send(&state, TestRequest::post().uri("/somewhere/else"))
        .await
        .expect("route-non-existent", 500, &[]);
}

#[actix_web::test]
async fn no_params_decoded() {
    let t = TestApp::new().await;
    let state = t.state();
    send(&state, post_json("orders/read", &json!({})))
        .await
        .expect("no-params-decoded", 400, &[]);
    let empty = TestRequest::post()
        .uri("/api/v1/orders/read")
        .insert_header(("content-type", "application/json"));
    send(&state, empty)
        .await
        .expect("no-params-decoded", 400, &[]);
    send(&state, post_b64("sessions/create", &json!({})))
        .await
        .expect("no-params-decoded", 400, &[]);
}

#[actix_web::test]
async fn invalid_encoded_params() {
    let t = TestApp::new().await;
    let state = t.state();
    let bad64 = TestRequest::post()
        .uri("/api/v1/sessions/create")
        .insert_header(("content-type", "text/plain"))
        .set_payload("{\"email\": \"not base64\"}");
    send(&state, bad64)
        .await
        .expect("invalid-encoded-params", 400, &[]);
    let not_object = TestRequest::post()
        .uri("/api/v1/orders/read")
        .insert_header(("content-type", "application/json"))
        .set_payload("[1, 2]");
    send(&state, not_object)
        .await
        .expect("invalid-encoded-params", 400, &[]);
}

#[actix_web::test]
async fn route_not_found() {
    let mut t = TestApp::new().await;
    t.config.registry_cache_ttl = std::time::Duration::ZERO;
    let state = t.state();
    t.store
        .set_route_deployed("orders/read", false)
        .await
        .unwrap();
    send(&state, post_json("orders/read", &json!({"id": 1})))
        .await
        .expect("route-not-found", 404, &[]);
    // No record at all.
    let mut registry = MockRouteRegistry::new();
    registry.expect_lookup().returning(|_| Ok(None));
    t.registry = Arc::new(registry);
    send(&t.state(), post_json("orders/index", &json!({"a": 1})))
        .await
        .expect("route-not-found", 404, &[]);
}

#[actix_web::test]
async fn identify_request_error() {
    let mut t = TestApp::new().await;
    let mut registry = MockRouteRegistry::new();
    registry
        .expect_lookup()
        .returning(|_| Err(StoreError::Backend("connection refused".into())));
    t.registry = Arc::new(registry);
    let r = send(&t.state(), post_json("orders/read", &json!({"id": 1}))).await;
    r.expect("identify-request-error", 500, &[]);
    assert!(!r.body["message"].as_str().unwrap().contains("refused"));
}

#[actix_web::test]
async fn service_not_found() {
    let mut t = TestApp::new().await;
    t.config.registry_cache_ttl = std::time::Duration::ZERO;
    let state = t.state();
    t.store.set_service_deployed("orders", false).await.unwrap();
    send(&state, post_json("orders/index", &json!({"a": 1})))
        .await
        .expect("service-not-found", 503, &[]);
    send(&state, post_json("orders/read", &json!({"a": 1})))
        .await
        .expect("service-not-found", 503, &[]);
}

#[actix_web::test]
async fn rate_limit_exceeded() {
    let mut t = TestApp::new().await;
    t.config.rate_limit_per_minute = 2;
    let state = t.state();
    let token = t.client_token().await;
    for _ in 0..2 {
        send(
            &state,
            post_json("services/index", &json!({"token": token})),
        )
        .await
        .expect("action-successful", 200, &["data", "session"]);
    }
    let r = send(
        &state,
        post_json("services/index", &json!({"token": token})),
    )
    .await;
    r.expect("rate-limit-exceeded", 429, &["session"]);
    let retry: u64 = r
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Another token has its own budget.
    let other = t.staff_token().await;
    send(
        &state,
        post_json("services/index", &json!({"token": other})),
    )
    .await
    .expect("action-successful", 200, &["data", "session"]);
}

#[actix_web::test]
async fn payload_too_large() {
    let t = TestApp::new().await;
    let big = json!({"token": "x", "notes": "a".repeat(300 * 1024)});
    send(&t.state(), post_json("orders/read", &big))
        .await
        .expect("payload-too-large", 413, &[]);
}

#[actix_web::test]
async fn idempotency_key_conflict() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t
        .session("invoice@example.com", ApplicationSlug::Planoorder)
        .await;
    let order = t.order_params(&token, None).await;
    let with_key = |body: &serde_json::Value| {
        post_json("orders/authorize_and_submit", body).insert_header(("Idempotency-Key", "order-1"))
    };
    send(&state, with_key(&order))
        .await
        .expect("action-successful", 200, &["data", "session"]);
    let mut other = order.clone();
    other["order"]["add_on_services"] = json!([]);
    send(&state, with_key(&other))
        .await
        .expect("idempotency-key-conflict", 409, &["session"]);
    // A key over 255 characters is refused before it is looked at.
    let long = post_json("orders/authorize_and_submit", &order)
        .insert_header(("Idempotency-Key", "k".repeat(256)));
    let r = send(&state, long).await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(r.error_params(), ["Idempotency-Key"]);
}

#[actix_web::test]
async fn idempotency_key_conflict_while_the_first_runs() {
    let mut t = TestApp::new().await;
    let mut store = MockIdempotencyStore::new();
    store
        .expect_begin()
        .returning(|_, _, _, _| Ok(IdempotencyBegin::InFlight));
    t.idempotency = Arc::new(store);
    let token = t
        .session("invoice@example.com", ApplicationSlug::Planoorder)
        .await;
    let req = post_json(
        "orders/authorize_and_submit",
        &t.order_params(&token, None).await,
    )
    .insert_header(("Idempotency-Key", "k"));
    send(&t.state(), req)
        .await
        .expect("idempotency-key-conflict", 409, &["session"]);
}

fn login(email: &str, password: &str) -> serde_json::Value {
    json!({"email": email, "password": password, "application": "planoorder"})
}

#[actix_web::test]
async fn email_not_found() {
    let t = TestApp::new().await;
    send(
        &t.state(),
        post_b64("sessions/create", &login("nobody@example.com", "x")),
    )
    .await
    .expect("email-not-found", 400, &[]);
}

#[actix_web::test]
async fn invalid_password() {
    let t = TestApp::new().await;
    send(
        &t.state(),
        post_b64("sessions/create", &login("client@example.com", "wrong")),
    )
    .await
    .expect("invalid-password", 400, &[]);
}

#[actix_web::test]
async fn user_has_no_password() {
    let t = TestApp::new().await;
    send(
        &t.state(),
        post_b64("sessions/create", &login("nopass@example.com", "x")),
    )
    .await
    .expect("user-has-no-password", 400, &[]);
}

#[actix_web::test]
async fn user_requires_role() {
    let t = TestApp::new().await;
    send(
        &t.state(),
        post_b64("sessions/create", &login("norole@example.com", PASSWORD)),
    )
    .await
    .expect("user-requires-role", 400, &[]);
}

#[actix_web::test]
async fn email_already_registered() {
    let t = TestApp::new().await;
    let r = send(&t.state(), post_b64("users/client_register", &json!({
        "application": "planoorder",
        "client": {"email": "Client@Example.com", "password": "long enough", "first_name": "A", "last_name": "B"}
    })))
    .await;
    r.expect("email-already-registered", 400, &[]);
}

#[actix_web::test]
async fn order_not_cancelable() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let card = t
        .add_card(&state, &token, "4111111111111111", "80202")
        .await;
    let r = send(
        &state,
        post_json(
            "orders/pay_and_submit",
            &t.order_params(&token, Some(card)).await,
        ),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    let payment = r.body["data"]["payment"]["id"].clone();
    // A captured charge is not an open authorization.
    let r = send(
        &state,
        post_json("payments/void", &json!({"token": token, "id": payment})),
    )
    .await;
    r.expect("order-not-cancelable", 400, &["session"]);
}

#[test]
fn every_slug_has_a_test_here() {
    let source = include_str!("slugs.rs");
    for slug in ordercore_http::Slug::ALL {
        let name = format!("async fn {}", slug.as_str().replace('-', "_"));
        assert!(
            source.contains(&name),
            "no test named after {}",
            slug.as_str()
        );
    }
}

#[actix_web::test]
async fn staff_and_liaisons_order_for_the_clients_they_may() {
    let t = TestApp::new().await;
    let state = t.state();
    let client = t.client_token().await;
    let card = t
        .add_card(&state, &client, "4111111111111111", "80202")
        .await;
    let client_id = t.client_id("client@example.com").await;
    let other_id = t.client_id("invoice@example.com").await;

    // An employee must name the client.
    let staff = t.staff_token().await;
    let r = send(
        &state,
        post_json(
            "orders/authorize_and_submit",
            &t.order_params(&staff, Some(card)).await,
        ),
    )
    .await;
    r.expect("missing-param", 400, &["errors", "session"]);
    assert_eq!(r.error_params(), ["order.client.id"]);
    let mut order = t.order_params(&staff, Some(card)).await;
    order["order"]["client"] = json!({"id": client_id});
    send(&state, post_json("orders/authorize_and_submit", &order))
        .await
        .expect("action-successful", 200, &["data", "session"]);

    // A liaison for its assigned client only, and sees only that client's orders.
    let liaison = t
        .session("liaison@example.com", ApplicationSlug::Planox2)
        .await;
    let mut order = t.order_params(&liaison, None).await;
    order["order"]["client"] = json!({"id": other_id});
    let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(r.error_params(), ["order.client.id"]);
    let r = send(
        &state,
        post_json("orders/index", &json!({"token": liaison})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    let orders = r.body["data"].as_array().unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["client"]["id"], client_id.0);
}

#[actix_web::test]
async fn every_problem_of_a_submission_in_one_answer() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    // An unknown primary service and an appointment in the past: both listed.
    let mut p = t.order_params(&token, None).await;
    p["order"]["primary_service"] = json!({"id": 999_999});
    let past = chrono::Utc::now() - chrono::Duration::days(2);
    p["order"]["appointments"] = json!([{"starts_at": past.to_rfc3339(), "ends_at": (past + chrono::Duration::hours(2)).to_rfc3339()}]);
    let r = send(&state, post_json("orders/authorize_and_submit", &p)).await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(
        r.error_params(),
        ["order.appointments[0]", "order.primary_service.id"]
    );
    // A missing param with an invalid one and an unknown service: missing-param,
    // every problem listed.
    p["order"].as_object_mut().unwrap().remove("property_info");
    let r = send(&state, post_json("orders/authorize_and_submit", &p)).await;
    r.expect("missing-param", 400, &["errors", "session"]);
    assert_eq!(
        r.error_params(),
        [
            "order.property_info",
            "order.appointments[0]",
            "order.primary_service.id"
        ]
    );
}
