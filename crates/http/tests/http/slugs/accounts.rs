//! Slugs of signing in and registering.

use super::*;

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
