//! Slugs of the request itself: content type, routes, decoding, rate limits, size and
//! idempotency keys.

use super::*;

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
    for uri in ["/api/v1/a/b/c", "/api/v1/orders"] {
        let r = send(&state, TestRequest::post().uri(uri)).await;
        r.expect("route-non-existent", 500, &[]);
        assert!(
            r.body["message"]
                .as_str()
                .unwrap()
                .contains("/documentation"),
            "{}",
            r.body
        );
    }
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
