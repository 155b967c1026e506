//! Who gets in, with which cookie and headers; CSRF; log-out.

use super::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use ordercore_domain::model::{NotificationKind, Severity};
use ordercore_domain::ports::{
    NotificationRepository, SessionStore, TokenGenerator, UserRepository,
};

#[actix_web::test]
async fn an_employee_gets_a_strict_http_only_cookie_and_every_page_the_security_headers() {
    let t = TestApp::new().await;
    let state = t.state();
    let r = log_in(&state, "staff@example.com", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(r.location(), "/console/notifications");
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("ordercore_console="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    // The cookie holds a session token: the API accepts it as one.
    let token = r.cookie("ordercore_console").unwrap();
    assert!(
        t.store
            .find_by_token_digest(&t.tokens.digest(&token))
            .await
            .unwrap()
            .is_some()
    );

    let page = call(
        &state,
        get(
            "/console/notifications",
            &format!("ordercore_console={token}"),
        ),
    )
    .await;
    assert_eq!(page.status, 200);
    let h = |name: header::HeaderName| {
        page.headers
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(h(header::CACHE_CONTROL), "no-store");
    assert_eq!(h(header::X_FRAME_OPTIONS), "DENY");
    assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert!(h(header::CONTENT_SECURITY_POLICY).starts_with("default-src 'self'"));
    assert!(page.html.contains("id=\"unresolved-count\""));
}

#[actix_web::test]
async fn over_tls_the_cookie_is_secure() {
    let t = TestApp::new().await;
    let state = t.state();
    let form = call(&state, TestRequest::get().uri("/console/login")).await;
    let nonce = form.cookie("ordercore_console_login").unwrap();
    let r = call(
        &state,
        post(
            "/console/login",
            &format!("ordercore_console_login={nonce}"),
            &[
                ("csrf", &form.csrf()),
                ("email", "staff@example.com"),
                ("password", PASSWORD),
            ],
        )
        .insert_header(("x-forwarded-proto", "https")),
    )
    .await;
    assert_eq!(r.status, 303);
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("ordercore_console="))
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[actix_web::test]
async fn clients_and_liaisons_are_refused_and_get_no_cookie() {
    let t = TestApp::new().await;
    let state = t.state();
    for email in ["client@example.com", "liaison@example.com"] {
        let r = log_in(&state, email, PASSWORD).await;
        assert_eq!(r.status, 403, "{email}: {}", r.html);
        assert!(r.html.contains("employees only"), "{}", r.html);
        assert_eq!(r.cookie("ordercore_console"), None, "{email}");
    }
    let wrong = log_in(&state, "staff@example.com", "not-the-password").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.html.contains("invalid-password"), "{}", wrong.html);
    assert_eq!(wrong.cookie("ordercore_console"), None);
    // Without a session every page leads to the log-in page.
    let r = call(&state, TestRequest::get().uri("/console/orders")).await;
    assert_eq!((r.status, r.location()), (303, "/console/login"));
}

#[actix_web::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let t = TestApp::new().await;
    let state = t.state();
    let id = notify(
        &t,
        NotificationKind::HeldForReview,
        Severity::Warning,
        "held",
        None,
    )
    .await;
    let (cookie, csrf) = staff(&state).await;
    let path = format!("/console/notifications/{id}/resolve");
    for fields in [vec![], vec![("csrf", "0123456789abcdef")]] {
        let r = call(&state, post(&path, &cookie, &fields)).await;
        assert_eq!(r.status, 403, "{}", r.html);
        let stored = NotificationRepository::list(
            &t.store,
            ordercore_domain::ports::Page {
                page: 1,
                per_page: 10,
            },
        )
        .await
        .unwrap();
        assert_eq!(stored[0].resolved_at, None);
    }
    // The log-in form is bound too: without its cookie it is refused.
    let login = call(
        &state,
        post(
            "/console/login",
            "",
            &[
                ("csrf", &csrf),
                ("email", "staff@example.com"),
                ("password", PASSWORD),
            ],
        ),
    )
    .await;
    assert_eq!(login.status, 403);
    assert_eq!(login.cookie("ordercore_console"), None);

    let r = call(
        &state,
        post(
            &path,
            &cookie,
            &[("csrf", &csrf), ("back", "https://evil.example/")],
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (303, "/console/notifications?done=resolved")
    );
    let n = &NotificationRepository::list(
        &t.store,
        ordercore_domain::ports::Page {
            page: 1,
            per_page: 10,
        },
    )
    .await
    .unwrap()[0];
    let staff = t
        .store
        .find_account_by_email(&ordercore_domain::model::Email::parse("staff@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n.resolved_by, Some(staff.user.id));
    assert_eq!(n.acknowledged_by, Some(staff.user.id));
    assert!(n.resolved_at.is_some());
}

#[actix_web::test]
async fn logging_out_revokes_the_session() {
    let t = TestApp::new().await;
    let state = t.state();
    let (cookie, csrf) = staff(&state).await;
    let out = call(&state, post("/console/logout", &cookie, &[("csrf", &csrf)])).await;
    assert_eq!((out.status, out.location()), (303, "/console/login"));
    assert_eq!(out.cookie("ordercore_console").as_deref(), Some(""));
    let after = call(&state, get("/console/notifications", &cookie)).await;
    assert_eq!((after.status, after.location()), (303, "/console/login"));
}
