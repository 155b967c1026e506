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

/// A session in an application where the user has no role could do
/// nothing: refused at log-in, with the same slug.
#[actix_web::test]
async fn user_requires_role_in_the_application_logged_into() {
    let t = TestApp::new().await;
    let state = t.state();
    let as_in = |email: &str, application: &str| {
        post_b64(
            "sessions/create",
            &json!({"email": email, "password": PASSWORD, "application": application}),
        )
    };
    for (email, application) in [
        ("staff@example.com", "planoorder"),
        ("liaison@example.com", "planoorder"),
        ("client@example.com", "planox2"),
    ] {
        let r = send(&state, as_in(email, application)).await;
        r.expect("user-requires-role", 400, &[]);
        let message = r.body["message"].as_str().unwrap();
        assert!(message.contains(application), "{message}");
    }
    for (email, application) in [
        ("staff@example.com", "planox2"),
        ("liaison@example.com", "planox2"),
        ("client@example.com", "planoorder"),
        ("staff@example.com", "planoauth"),
        ("client@example.com", "planoauth"),
    ] {
        send(&state, as_in(email, application))
            .await
            .expect("action-successful", 200, &["data"]);
    }
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
