//! The complete bytes of every answer shape (envelope included), pinned with
//! insta. The raw body is snapshotted, not a re-serialised value, so a change
//! of key order or of a field name fails here. Only what varies between runs
//! is normalised: ids, timestamps, session tokens and processor transaction
//! ids (see `pin`).

use crate::support::*;
use actix_web::web;
use chrono::{Duration, Utc};
use ordercore_http::AppState;
use serde_json::{Value, json};

/// Asserts the raw body of `r` against the snapshot `name`, with the
/// run-dependent values replaced by placeholders.
fn pin(name: &str, r: &Resp) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r#""(id|order_id)":\d+"#, r#""$1":"[id]""#);
    settings.add_filter(r#""token":"[^"]*""#, r#""token":"[token]""#);
    settings.add_filter(
        r#""transaction_id":"[^"]*""#,
        r#""transaction_id":"[transaction]""#,
    );
    settings.add_filter(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[time]");
    settings.add_filter(r"([Oo]rder) \d+", "$1 [id]");
    // Test cards expire a few years after the current one.
    settings.add_filter(r#""exp_year":\d{4}"#, r#""exp_year":"[year]""#);
    let body = std::str::from_utf8(&r.raw).unwrap().to_string();
    settings.bind(|| insta::assert_snapshot!(name, body));
}

/// Posts `body`, base64-encoded on the routes that take secrets.
async fn call(state: &web::Data<AppState>, route: &str, body: &Value) -> Resp {
    let sensitive = matches!(
        route,
        "sessions/create" | "users/client_register" | "payment_methods/create"
    );
    let req = if sensitive {
        post_b64(route, body)
    } else {
        post_json(route, body)
    };
    send(state, req).await
}

#[actix_web::test]
async fn order_views() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let card = t
        .add_card(&state, &token, "4111111111111111", "80202")
        .await;
    let mut params = t.order_params(&token, Some(card)).await;
    params["promotion_code"] = json!("WELCOME10");
    let placed = call(&state, "orders/authorize_and_submit", &params).await;
    assert_eq!(placed.status, 200, "{}", placed.body);
    pin("orders_submit_full", &placed);
    let id = placed.body["data"]["id"].clone();
    for view in ["summary", "default", "full"] {
        let r = call(
            &state,
            "orders/read",
            &json!({"token": token, "id": id, "view": view}),
        )
        .await;
        pin(&format!("orders_read_{view}"), &r);
    }
    let r = call(
        &state,
        "orders/index",
        &json!({"token": token, "view": "summary"}),
    )
    .await;
    pin("orders_index_summary", &r);

    // Staff capture the hold of the first order, and void a second one.
    let staff = t.staff_token().await;
    let payment = placed.body["data"]["payment"]["id"].clone();
    let r = call(
        &state,
        "payments/capture",
        &json!({"token": staff, "id": payment}),
    )
    .await;
    pin("payments_capture", &r);
    let held = call(
        &state,
        "orders/authorize_and_submit",
        &t.order_params(&token, Some(card)).await,
    )
    .await;
    let r = call(
        &state,
        "payments/void",
        &json!({"token": staff, "id": held.body["data"]["payment"]["id"]}),
    )
    .await;
    pin("payments_void", &r);
}

#[actix_web::test]
async fn sessions() {
    let t = TestApp::new().await;
    let state = t.state();
    let r = call(
        &state,
        "sessions/create",
        &json!({"email": "client@example.com", "password": PASSWORD, "application": "planoorder"}),
    )
    .await;
    pin("sessions_create", &r);
    let token = r.body["data"]["token"].as_str().unwrap().to_string();
    let r = call(&state, "services/index", &json!({"token": token})).await;
    pin("services_index_session_default", &r);
    let r = call(
        &state,
        "services/index",
        &json!({"token": token, "session_view": "minimal"}),
    )
    .await;
    pin("services_index_session_minimal", &r);
    let r = call(
        &state,
        "sessions/destroy",
        &json!({"token": token, "session_view": "minimal"}),
    )
    .await;
    pin("sessions_destroy", &r);
}

#[actix_web::test]
async fn client_register() {
    let t = TestApp::new().await;
    let state = t.state();
    let r = call(
        &state,
        "users/client_register",
        &json!({
            "application": "planoorder",
            "client": {"email": "new@example.com", "password": "a good password", "first_name": "Nia", "last_name": "New"}
        }),
    )
    .await;
    pin("users_client_register", &r);
}

#[actix_web::test]
async fn payment_methods() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let r = call(
        &state,
        "payment_methods/create",
        &json!({"token": token, "payment_method": card_params("4111 1111 1111 1111", "80202")}),
    )
    .await;
    pin("payment_methods_create", &r);
    let r = call(&state, "payment_methods/index", &json!({"token": token})).await;
    pin("payment_methods_index", &r);
}

#[actix_web::test]
async fn promotions_validate() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let (primary, _) = t.service_ids().await;
    let r = call(
        &state,
        "promotions/validate",
        &json!({"token": token, "promotion_code": "welcome10", "order": {"primary_service": {"id": primary}}}),
    )
    .await;
    pin("promotions_validate_priced", &r);
    let r = call(
        &state,
        "promotions/validate",
        &json!({"token": token, "promotion_code": "welcome10"}),
    )
    .await;
    pin("promotions_validate_code_only", &r);
}

#[actix_web::test]
async fn notifications() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let card = t
        .add_card(&state, &token, "4111111111111111", "80202")
        .await;
    *t.mailer.fail.lock().unwrap() = true;
    let r = call(
        &state,
        "orders/authorize_and_submit",
        &t.order_params(&token, Some(card)).await,
    )
    .await;
    pin("orders_submit_mail_failed", &r);
    let staff = t.staff_token().await;
    let r = call(&state, "notifications/index", &json!({"token": staff})).await;
    pin("notifications_index", &r);
}

#[actix_web::test]
async fn param_errors() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let r = call(
        &state,
        "orders/read",
        &json!({"token": token, "id": "12x", "view": "huge", "session_view": "nope"}),
    )
    .await;
    pin("invalid_param_generic", &r);
    let mut params = t.order_params(&token, None).await;
    let past = Utc::now() - Duration::days(2);
    params["order"]["appointments"] = json!([{"starts_at": past.to_rfc3339(), "ends_at": (past + Duration::hours(2)).to_rfc3339()}]);
    params["order"]["property_access"] = json!({"vacant": true, "method_of_access": "keypad"});
    let r = call(&state, "orders/authorize_and_submit", &params).await;
    pin("invalid_param_order_json", &r);
    let (_, add_on) = t.service_ids().await;
    let mut params = t.order_params(&token, None).await;
    params["order"]["primary_service"] = json!({"id": add_on});
    let r = call(&state, "orders/authorize_and_submit", &params).await;
    pin("invalid_param_order_services", &r);
    let mut params = t.order_params(&token, None).await;
    params["order"]
        .as_object_mut()
        .unwrap()
        .remove("property_info");
    params["order"]["appointments"] = json!("soon");
    let r = call(&state, "orders/authorize_and_submit", &params).await;
    pin("missing_param_with_invalid", &r);
}
