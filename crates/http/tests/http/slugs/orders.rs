//! Slugs of orders: cancelling, and who may order for whom.

use super::*;

#[actix_web::test]
async fn order_not_cancelable() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let r = t
        .submit_with_new_card(&state, &token, "orders/pay_and_submit", "80202")
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

/// A clock stopped at one instant (a server 31 days after the order).
struct StoppedClock(chrono::DateTime<chrono::Utc>);

impl ordercore_domain::ports::Clock for StoppedClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0
    }
}

#[actix_web::test]
async fn authorization_expired() {
    let mut t = TestApp::new().await;
    let state = t.state();
    let client = t.client_token().await;
    let r = t
        .submit_with_new_card(&state, &client, "orders/authorize_and_submit", "80202")
        .await;
    r.expect("action-successful", 200, &["data", "session"]);
    let order = r.body["data"]["id"].clone();
    let payment = r.body["data"]["payment"]["id"].clone();

    // The same service 31 days later, with a staff session of that day.
    t.clock = Arc::new(StoppedClock(chrono::Utc::now() + Duration::days(31)));
    let later = t.state();
    let staff = t
        .session_aged(
            "staff@example.com",
            ApplicationSlug::Planox2,
            -Duration::days(31),
        )
        .await;
    let holds_before = *t.gateway.hold_changes.lock().unwrap();
    let r = send(
        &later,
        post_json("payments/capture", &json!({"token": staff, "id": payment})),
    )
    .await;
    r.expect("authorization-expired", 400, &["session"]);
    let message = r.body["message"].as_str().unwrap();
    assert!(message.contains("retrying cannot help"), "{message}");
    assert!(message.contains("new authorization"), "{message}");
    // Refused before the processor; the hold is still open and voidable.
    assert_eq!(*t.gateway.hold_changes.lock().unwrap(), holds_before);
    let r = send(
        &later,
        post_json("orders/read", &json!({"token": staff, "id": order})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    assert_eq!(r.body["data"]["payment"]["status"], "authorized");
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
