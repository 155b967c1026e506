//! Slugs of internal failures: crashes, panics and a failed e-mail.

use super::*;

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
    *t.mailer.fail.lock().unwrap() = true;
    let r = t
        .submit_with_new_card(&state, &token, "orders/authorize_and_submit", "80202")
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
