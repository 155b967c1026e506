//! Slugs of the parameters: missing and invalid ones, with their dotted paths.

use super::*;

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
