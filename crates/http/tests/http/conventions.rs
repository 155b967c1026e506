//! What every answer carries (docs/api.md, "Headers on every answer"): the
//! request id, in the answer and on the request's log lines (those of the use
//! case's task included), and the caching and sniffing headers.

use crate::support::*;
use actix_web::test::TestRequest;
use ordercore_domain::StoreError;
use ordercore_domain::ports::MockCatalogRepository;
use serde_json::json;
use std::sync::Arc;

fn header<'a>(r: &'a Resp, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

#[actix_web::test]
async fn an_api_answer_has_a_generated_request_id_no_store_and_nosniff() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let a = send(
        &state,
        post_json("services/index", &json!({"token": token})),
    )
    .await;
    let b = send(
        &state,
        post_json("services/index", &json!({"token": token})),
    )
    .await;
    a.expect("action-successful", 200, &["data", "session"]);
    let id = header(&a, "x-request-id").expect("a request id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_ne!(Some(id), header(&b, "x-request-id"));
    assert_eq!(header(&a, "cache-control"), Some("no-store"));
    assert_eq!(header(&a, "x-content-type-options"), Some("nosniff"));
    // An error answer too.
    let e = send(
        &state,
        post_json("services/index", &json!({"token": "nope"})),
    )
    .await;
    assert_eq!(e.body["status"], "invalid-token");
    assert_eq!(header(&e, "cache-control"), Some("no-store"));
    assert_eq!(header(&e, "x-content-type-options"), Some("nosniff"));
    assert!(header(&e, "x-request-id").is_some());
}

#[actix_web::test]
async fn a_sane_caller_request_id_is_returned_and_an_insane_one_replaced() {
    let t = TestApp::new().await;
    let state = t.state();
    let with = |id: &str| {
        TestRequest::get()
            .uri("/healthz")
            .insert_header(("x-request-id", id))
    };
    let r = send(&state, with("trace-42.abc_DEF")).await;
    assert_eq!(header(&r, "x-request-id"), Some("trace-42.abc_DEF"));
    for bad in ["has space", &"x".repeat(129)] {
        let r = send(&state, with(bad)).await;
        let id = header(&r, "x-request-id").unwrap();
        assert_ne!(id, bad);
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
}

#[actix_web::test]
async fn documentation_is_cacheable_and_every_answer_has_nosniff() {
    let t = TestApp::new().await;
    let state = t.state();
    for uri in [
        "/documentation",
        "/documentation/api/v1/orders/read",
        "/api/v1/openapi.json",
    ] {
        let r = send(&state, TestRequest::get().uri(uri)).await;
        assert_eq!(r.status, 200, "{uri}");
        assert_eq!(
            header(&r, "cache-control"),
            Some("public, max-age=300"),
            "{uri}"
        );
        assert_eq!(header(&r, "x-content-type-options"), Some("nosniff"));
    }
    for uri in ["/healthz", "/metrics", "/no/such/page"] {
        let r = send(&state, TestRequest::get().uri(uri)).await;
        assert_eq!(header(&r, "cache-control"), Some("no-store"), "{uri}");
        assert_eq!(header(&r, "x-content-type-options"), Some("nosniff"));
        assert!(header(&r, "x-request-id").is_some(), "{uri}");
    }
}

#[actix_web::test]
async fn the_use_case_log_lines_carry_the_request_id() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let card = t
        .add_card(&state, &token, "4111111111111111", "46282")
        .await;
    let params = t.order_params(&token, Some(card)).await;
    let logs = Captured::default();
    let _guard = logs.install("info");
    let declined = send(
        &state,
        post_json("orders/authorize_and_submit", &params)
            .insert_header(("x-request-id", "decline-7")),
    )
    .await;
    assert_eq!(
        declined.body["status"], "declined-payment",
        "{}",
        declined.body
    );
    // Logged by the use case's mapping of the processor's answer, in the
    // spawned task.
    let lines = logs.lines_with("payment processor refused or failed");
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|l| l.contains("request_id=decline-7")),
        "{lines:?}"
    );
    // The pipeline's own line, outside the task, too.
    let answered = logs.lines_with("api request answered");
    assert!(
        answered.iter().any(|l| l.contains("request_id=decline-7")),
        "{answered:?}"
    );
}

#[actix_web::test]
async fn an_application_crash_error_id_line_carries_the_request_id() {
    let mut t = TestApp::new().await;
    let mut catalog = MockCatalogRepository::new();
    catalog
        .expect_active_services()
        .returning(|| Err(StoreError::Backend("disk on fire".into())));
    t.catalog = Arc::new(catalog);
    let token = t.client_token().await;
    let logs = Captured::default();
    let _guard = logs.install("info");
    let r = send(
        &t.state(),
        post_json("services/index", &json!({"token": token}))
            .insert_header(("x-request-id", "crash-9")),
    )
    .await;
    r.expect("application-crash", 500, &["session"]);
    assert_eq!(header(&r, "x-request-id"), Some("crash-9"));
    let lines = logs.lines_with("unexpected error while handling a request");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("request_id=crash-9"), "{}", lines[0]);
    // The error id in the answer is the one on that line.
    let message = r.body["message"].as_str().unwrap();
    let id = message
        .split("error id ")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(")."))
        .unwrap_or_else(|| panic!("no error id in {message}"));
    assert!(lines[0].contains(id), "{} / {id}", lines[0]);
}

#[actix_web::test]
async fn the_root_leads_to_the_documentation_and_other_pages_are_not_found() {
    let t = TestApp::new().await;
    let state = t.state();
    let root = send(&state, TestRequest::get().uri("/")).await;
    assert_eq!(root.status, 308);
    assert_eq!(header(&root, "location"), Some("/documentation"));
    let slash = send(&state, TestRequest::get().uri("/documentation/")).await;
    assert_eq!(slash.status, 200);
    let index = send(&state, TestRequest::get().uri("/documentation")).await;
    assert_eq!(slash.raw, index.raw);
    for uri in [
        "/somewhere/else",
        "/api/v2/orders/read",
        "/api",
        "/documentation/api/v1/orders/teleport",
    ] {
        for req in [TestRequest::get().uri(uri), TestRequest::post().uri(uri)] {
            let r = send(&state, req).await;
            assert_eq!(r.status, 404, "{uri}");
            let text = std::str::from_utf8(&r.raw).unwrap();
            assert!(text.contains("/documentation"), "{uri}: {text}");
            assert_eq!(
                header(&r, "content-type"),
                Some("text/plain; charset=utf-8")
            );
        }
    }
}

/// The backlog gauges read the store at each scrape: a confirmation e-mail
/// refused for good leaves a staff notification, and no outbox backlog (it
/// is given up on, not retried).
#[actix_web::test]
async fn metrics_read_the_backlog_from_the_store_at_each_scrape() {
    struct StoreBacklog(ordercore_store::Store);
    #[async_trait::async_trait]
    impl ordercore_http::metrics::BacklogSampler for StoreBacklog {
        async fn sample(&self) -> Result<ordercore_http::metrics::BacklogCounts, String> {
            let b = self.0.backlog().await.map_err(|e| e.to_string())?;
            Ok(ordercore_http::metrics::BacklogCounts {
                outbox: b.outbox,
                pending_payments: b.pending_payments,
                unresolved_notifications: b.unresolved_notifications,
            })
        }
    }
    let t = TestApp::new().await;
    let state = t.state();
    state
        .metrics
        .sample_backlog_with(Arc::new(StoreBacklog(t.store.clone())));
    let scrape = || async {
        let r = send(&state, TestRequest::get().uri("/metrics")).await;
        String::from_utf8(r.raw.to_vec()).unwrap()
    };
    let before = scrape().await;
    assert!(before.contains("ordercore_outbox_backlog 0"), "{before}");
    assert!(
        before.contains("ordercore_unresolved_notifications 0"),
        "{before}"
    );
    let token = t.client_token().await;
    let order = t.order_with_new_card(&state, &token, "80202").await;
    *t.mailer.fail.lock().unwrap() = true;
    let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
    assert_eq!(r.body["status"], "mandrill-email-failed", "{}", r.body);
    let after = scrape().await;
    assert!(after.contains("ordercore_outbox_backlog 0"), "{after}");
    assert!(
        after.contains("ordercore_unresolved_notifications 1"),
        "{after}"
    );
    assert!(after.contains("ordercore_pending_payments 0"), "{after}");
}
