//! Slugs of authentication and authorization: tokens, sessions, clients, permissions.

use super::*;

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
