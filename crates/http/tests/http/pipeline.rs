//! The order of contract §3: when several steps would fail, the first decides.

use crate::support::*;
use actix_web::test::TestRequest;
use chrono::Duration;
use ordercore_domain::model::ApplicationSlug;
use ordercore_domain::ports::{
    ApiServiceRecord, MockRouteRegistry, MockSessionStore, RouteRecord, RouteRegistry,
};
use serde_json::json;
use std::sync::Arc;

#[actix_web::test]
async fn bad_content_type_on_an_unknown_route_is_route_non_existent() {
    let t = TestApp::new().await;
    let req = TestRequest::post()
        .uri("/api/v1/orders/teleport")
        .insert_header(("content-type", "image/png"))
        .set_payload("xx");
    send(&t.state(), req)
        .await
        .expect("route-non-existent", 500, &[]);
}

#[actix_web::test]
async fn missing_token_on_an_undeployed_route_is_route_not_found() {
    let mut t = TestApp::new().await;
    let mut registry = MockRouteRegistry::new();
    registry.expect_lookup().times(1).returning(|route| {
        Ok(Some(RouteRecord {
            route: route.to_string(),
            deployed: false,
            service: None,
        }))
    });
    t.registry = Arc::new(registry);
    send(&t.state(), post_json("orders/read", &json!({"id": 1})))
        .await
        .expect("route-not-found", 404, &[]);
}

#[actix_web::test]
async fn expired_session_with_invalid_params_is_session_expired() {
    let t = TestApp::new().await;
    let old = t
        .session_aged(
            "client@example.com",
            ApplicationSlug::Planoorder,
            Duration::days(8),
        )
        .await;
    let r = send(
        &t.state(),
        post_json(
            "orders/read",
            &json!({"token": old, "id": "nope", "view": "bad"}),
        ),
    )
    .await;
    r.expect("session-expired", 401, &[]);
}

#[actix_web::test]
async fn undeployed_service_comes_before_content_type_and_auth() {
    let mut t = TestApp::new().await;
    t.config.registry_cache_ttl = std::time::Duration::ZERO;
    let state = t.state();
    t.store
        .set_service_deployed("sessions", false)
        .await
        .unwrap();
    send(&state, post_json("sessions/create", &json!({})))
        .await
        .expect("service-not-found", 503, &[]);
}

#[actix_web::test]
async fn content_type_comes_before_decoding_and_size() {
    let t = TestApp::new().await;
    let req = TestRequest::post()
        .uri("/api/v1/orders/read")
        .insert_header(("content-type", "text/plain"))
        .set_payload("a".repeat(300 * 1024));
    send(&t.state(), req)
        .await
        .expect("invalid-content-type", 400, &[]);
}

#[actix_web::test]
async fn decoding_comes_before_authentication() {
    let mut t = TestApp::new().await;
    // The session store must not be asked at all.
    t.sessions = Arc::new(MockSessionStore::new());
    let req = TestRequest::post()
        .uri("/api/v1/orders/read")
        .insert_header(("content-type", "application/json"))
        .set_payload("{\"token\": ");
    send(&t.state(), req)
        .await
        .expect("invalid-encoded-params", 400, &[]);
}

#[actix_web::test]
async fn authentication_comes_before_application_and_permission() {
    let t = TestApp::new().await;
    let r = send(
        &t.state(),
        post_json(
            "notifications/index",
            &json!({"token": "unknown", "application": "nope"}),
        ),
    )
    .await;
    r.expect("invalid-token", 401, &[]);
}

#[actix_web::test]
async fn permission_comes_before_rate_limit_and_params() {
    let mut t = TestApp::new().await;
    t.config.rate_limit_per_minute = 0;
    let token = t.client_token().await;
    let r = send(
        &t.state(),
        post_json("payments/capture", &json!({"token": token, "id": "x"})),
    )
    .await;
    r.expect("permission-denied", 403, &["session"]);
}

#[actix_web::test]
async fn rate_limit_comes_before_params() {
    let mut t = TestApp::new().await;
    t.config.rate_limit_per_minute = 0;
    let token = t.client_token().await;
    let r = send(
        &t.state(),
        post_json("orders/read", &json!({"token": token, "id": "x"})),
    )
    .await;
    r.expect("rate-limit-exceeded", 429, &["session"]);
}

#[actix_web::test]
async fn registry_lookups_are_cached() {
    let mut t = TestApp::new().await;
    let mut registry = MockRouteRegistry::new();
    registry.expect_lookup().times(1).returning(|route| {
        Ok(Some(RouteRecord {
            route: route.to_string(),
            deployed: true,
            service: Some(ApiServiceRecord {
                name: "orders".into(),
                deployed: true,
            }),
        }))
    });
    t.registry = Arc::new(registry);
    let state = t.state();
    for _ in 0..3 {
        send(&state, post_json("orders/read", &json!({"id": 1})))
            .await
            .expect("missing-param", 400, &["errors"]);
    }
}

#[actix_web::test]
async fn sensitive_routes_take_base64_with_or_without_padding() {
    let t = TestApp::new().await;
    let state = t.state();
    use base64::Engine;
    let body = json!({"email": "client@example.com", "password": PASSWORD, "application": "planoorder", "remember_me": true}).to_string();
    for encoded in [
        base64::engine::general_purpose::STANDARD.encode(&body),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(&body),
    ] {
        let req = TestRequest::post()
            .uri("/api/v1/sessions/create")
            .insert_header(("content-type", "text/plain; charset=utf-8"))
            .set_payload(encoded);
        let r = send(&state, req).await;
        r.expect("action-successful", 200, &["data"]);
        assert!(r.body["data"]["token"].as_str().unwrap().len() >= 43);
        assert_eq!(r.body["data"]["expires_at"], serde_json::Value::Null);
    }
}

#[actix_web::test]
async fn session_view_minimal_and_app_tokens_have_no_session() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let r = send(
        &state,
        post_json(
            "services/index",
            &json!({"token": token, "session_view": "minimal"}),
        ),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    assert!(r.body["session"].get("created_at").is_none());
    let r = send(
        &state,
        post_json(
            "services/index",
            &json!({"token": "demo-planox2-application-token"}),
        ),
    )
    .await;
    r.expect("action-successful", 200, &["data"]);
}

#[actix_web::test]
async fn a_session_without_client_record_registers_through_client_register() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t
        .session("norole@example.com", ApplicationSlug::Planoauth)
        .await;
    send(
        &state,
        post_json("services/index", &json!({"token": token})),
    )
    .await
    .expect("client-required", 401, &["session"]);
    let r = send(
        &state,
        post_b64(
            "users/client_register",
            &json!({
                "token": token,
                "application": "planoorder",
                "client": {"email": "norole@example.com", "password": "whatever-123", "first_name": "No", "last_name": "Role"}
            }),
        ),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    assert_eq!(r.body["data"]["email"], "norole@example.com");
    let new_token = r.body["session"]["token"].as_str().unwrap();
    assert_eq!(r.body["session"]["user"]["roles"], json!(["client"]));
    send(
        &state,
        post_json("services/index", &json!({"token": new_token})),
    )
    .await
    .expect("action-successful", 200, &["data", "session"]);
}

#[actix_web::test]
async fn orders_read_looks_its_order_up_with_the_session() {
    use std::sync::atomic::Ordering::SeqCst;
    let mut t = TestApp::new().await;
    let counting = Arc::new(CountingSessions::new(t.sessions.clone()));
    t.sessions = counting.clone();
    let state = t.state();
    let token = t.client_token().await;
    let placed = t
        .submit_with_new_card(&state, &token, "orders/authorize_and_submit", "98101")
        .await;
    placed.expect("action-successful", 200, &["data", "session"]);
    let id = placed.body["data"]["id"].as_i64().unwrap();
    let counts = || {
        (
            counting.lookups.load(SeqCst),
            counting.with_order.load(SeqCst),
        )
    };
    let read = |token: &str, id: serde_json::Value| {
        send(
            &state,
            post_json("orders/read", &json!({"token": token, "id": id})),
        )
    };

    // The id as a number or as digits: one look-up of session and order.
    for given in [json!(id), json!(id.to_string())] {
        let before = counts();
        let r = read(&token, given).await;
        r.expect("action-successful", 200, &["data", "session"]);
        assert_eq!(r.body["data"]["id"], id);
        assert_eq!(counts(), (before.0, before.1 + 1));
    }
    // Another client's order is read with the session too, and not shown.
    let other = t
        .session("invoice@example.com", ApplicationSlug::Planoorder)
        .await;
    let before = counts();
    let r = read(&other, json!(id)).await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(r.error_params(), vec!["id"]);
    assert_eq!(counts(), (before.0, before.1 + 1));
    // An id that is no integer: the session alone, then the param's error.
    let before = counts();
    let r = read(&token, json!("x")).await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(counts(), (before.0 + 1, before.1));
}
