//! The staff console in-process: the cookie's attributes, CSRF refusals,
//! the refusal of clients and liaisons, escaping, the notification filters,
//! acknowledge and resolve, order search, capture, and the kill switches.

use crate::support::*;
use actix_web::http::header;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use chrono::Utc;
use ordercore_domain::model::{
    NewNotification, NotificationContext, NotificationKind, OrderId, Severity,
};
use ordercore_domain::ports::{
    NotificationRepository, OrderRepository, RouteRegistry, SessionStore, TokenGenerator,
    UserRepository,
};
use ordercore_http::AppState;

/// One answer of the console.
struct Page {
    status: u16,
    headers: header::HeaderMap,
    html: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }

    /// The value of the cookie `name` this answer sets (`None`: not set).
    fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let (k, rest) = c.split_once('=')?;
            (k == name).then(|| rest.split(';').next().unwrap_or("").to_string())
        })
    }

    /// The CSRF token of the page's first form.
    fn csrf(&self) -> String {
        let at = self
            .html
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token")
            + "name=\"csrf\" value=\"".len();
        self.html[at..].split('"').next().unwrap().to_string()
    }
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn call(state: &web::Data<AppState>, req: TestRequest) -> Page {
    let app = test::init_service(ordercore_http::app(state.clone())).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let html = String::from_utf8_lossy(&test::read_body(res).await).into_owned();
    Page {
        status,
        headers,
        html,
    }
}

fn get(path: &str, cookie: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header((header::COOKIE, cookie.to_string()))
}

fn post(path: &str, cookie: &str, fields: &[(&str, &str)]) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header((header::COOKIE, cookie.to_string()))
        .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
        .set_payload(form_encode(fields))
}

/// Posts the log-in form for `email` the way a browser does; the answer.
async fn log_in(state: &web::Data<AppState>, email: &str, password: &str) -> Page {
    let form = call(state, TestRequest::get().uri("/console/login")).await;
    assert_eq!(form.status, 200, "{}", form.html);
    let nonce = form.cookie("ordercore_console_login").unwrap();
    let csrf = form.csrf();
    call(
        state,
        post(
            "/console/login",
            &format!("ordercore_console_login={nonce}"),
            &[("csrf", &csrf), ("email", email), ("password", password)],
        ),
    )
    .await
}

/// A logged-in employee: the `Cookie` header value and a page's CSRF token.
async fn staff(state: &web::Data<AppState>) -> (String, String) {
    let r = log_in(state, "staff@example.com", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let cookie = format!(
        "ordercore_console={}",
        r.cookie("ordercore_console").unwrap()
    );
    let page = call(state, get("/console/notifications", &cookie)).await;
    assert_eq!(page.status, 200);
    (cookie, page.csrf())
}

async fn notify(
    t: &TestApp,
    kind: NotificationKind,
    severity: Severity,
    message: &str,
    order: Option<i64>,
) -> i64 {
    let context = NotificationContext {
        order_id: order.map(OrderId),
        ..NotificationContext::default()
    };
    t.store
        .record(
            &NewNotification {
                kind,
                severity,
                message: message.to_string(),
                context,
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .id
        .0
}

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
async fn values_are_escaped() {
    let t = TestApp::new().await;
    let state = t.state();
    notify(
        &t,
        NotificationKind::MandrillEmailFailed,
        Severity::Critical,
        "<script>alert('x')</script>",
        Some(7),
    )
    .await;
    let (cookie, _) = staff(&state).await;
    let page = call(&state, get("/console/notifications", &cookie)).await;
    assert!(
        page.html
            .contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;")
            || page.html.contains("&lt;script&gt;"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<script>"), "{}", page.html);
    let search = call(&state, get("/console/orders?email=%3Cscript%3E", &cookie)).await;
    assert_eq!(search.status, 400);
    assert!(!search.html.contains("<script>"), "{}", search.html);
}

#[actix_web::test]
async fn notifications_filter_by_kind_and_severity_and_resolved_ones_leave_the_default_list() {
    let t = TestApp::new().await;
    let state = t.state();
    let held = notify(
        &t,
        NotificationKind::HeldForReview,
        Severity::Warning,
        "held one",
        None,
    )
    .await;
    let mail = notify(
        &t,
        NotificationKind::MandrillEmailFailed,
        Severity::Critical,
        "mail one",
        None,
    )
    .await;
    let (cookie, csrf) = staff(&state).await;
    let shown = |p: &Page, id: i64| p.html.contains(&format!("id=\"notification-{id}\""));

    let all = call(&state, get("/console/notifications", &cookie)).await;
    assert!(shown(&all, held) && shown(&all, mail));
    assert!(
        all.html.contains(
            "id=\"unresolved-count\" class=\"badge\" title=\"unresolved notifications\">2<"
        ),
        "{}",
        all.html
    );
    let by_kind = call(
        &state,
        get("/console/notifications?kind=held-for-review", &cookie),
    )
    .await;
    assert!(shown(&by_kind, held) && !shown(&by_kind, mail));
    let by_severity = call(
        &state,
        get("/console/notifications?severity=critical", &cookie),
    )
    .await;
    assert!(!shown(&by_severity, held) && shown(&by_severity, mail));

    let ack = call(
        &state,
        post(
            &format!("/console/notifications/{held}/acknowledge"),
            &cookie,
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(ack.status, 303);
    let page = call(&state, get("/console/notifications", &cookie)).await;
    assert!(
        page.html.contains("acknowledged by staff@example.com"),
        "{}",
        page.html
    );

    let resolved = call(
        &state,
        post(
            &format!("/console/notifications/{mail}/resolve"),
            &cookie,
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(resolved.status, 303);
    let open = call(&state, get("/console/notifications", &cookie)).await;
    assert!(shown(&open, held) && !shown(&open, mail));
    assert!(open.html.contains(">1<"));
    let everything = call(&state, get("/console/notifications?show=all", &cookie)).await;
    assert!(shown(&everything, mail));
    assert!(everything.html.contains("resolved by staff@example.com"));
}

#[actix_web::test]
async fn orders_are_found_by_email_and_status_and_captured_with_the_api_rules() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let placed = t
        .submit_with_new_card(&state, &token, "orders/authorize_and_submit", "80202")
        .await;
    assert_eq!(placed.status, 200, "{}", placed.body);
    let id = placed.body["data"]["id"].as_i64().unwrap();
    let (cookie, csrf) = staff(&state).await;

    let found = call(
        &state,
        get(
            "/console/orders?email=CLIENT%40example.com&status=submitted",
            &cookie,
        ),
    )
    .await;
    assert_eq!(found.status, 200);
    assert!(
        found.html.contains(&format!("id=\"order-{id}\"")),
        "{}",
        found.html
    );
    let none = call(
        &state,
        get(
            "/console/orders?email=client%40example.com&status=cancelled",
            &cookie,
        ),
    )
    .await;
    assert!(!none.html.contains(&format!("id=\"order-{id}\"")));
    let by_id = call(&state, get(&format!("/console/orders?id={id}"), &cookie)).await;
    assert!(by_id.html.contains(&format!("id=\"order-{id}\"")));

    let page = call(&state, get(&format!("/console/orders/{id}"), &cookie)).await;
    assert!(page.html.contains("id=\"capture\""), "{}", page.html);
    let captured = call(
        &state,
        post(
            &format!("/console/orders/{id}/capture"),
            &cookie,
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(
        (captured.status, captured.location()),
        (303, format!("/console/orders/{id}?done=captured").as_str())
    );
    let order = t.store.find(OrderId(id)).await.unwrap().unwrap();
    assert_eq!(order.payment.unwrap().status.as_str(), "captured");
    // Again: the API's answer to a second capture.
    let again = call(
        &state,
        post(
            &format!("/console/orders/{id}/capture"),
            &cookie,
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(again.status, 400, "{}", again.html);
    assert!(again.html.contains("invalid-param"), "{}", again.html);
}

#[actix_web::test]
async fn a_route_is_switched_off_and_on_from_the_console() {
    let t = TestApp::new().await;
    let state = t.state();
    let (cookie, csrf) = staff(&state).await;
    let list = call(&state, get("/console/switches", &cookie)).await;
    assert!(list.html.contains("data-route=\"orders&#x2f;read\""));
    // Each form turns its switch the other way.
    let row = &list.html[list.html.find("data-route=\"orders&#x2f;read\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("name=\"deployed\" value=\"false\""), "{row}");
    let off = call(
        &state,
        post(
            "/console/switches",
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "route"),
                ("name", "orders/read"),
                ("deployed", "false"),
            ],
        ),
    )
    .await;
    assert_eq!(off.status, 303);
    assert!(
        !t.store
            .lookup("orders/read")
            .await
            .unwrap()
            .unwrap()
            .deployed
    );
    let unknown = call(
        &state,
        post(
            "/console/switches",
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "service"),
                ("name", "nothing"),
                ("deployed", "false"),
            ],
        ),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let on = call(
        &state,
        post(
            "/console/switches",
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "route"),
                ("name", "orders/read"),
                ("deployed", "true"),
            ],
        ),
    )
    .await;
    assert_eq!(on.status, 303);
    assert!(
        t.store
            .lookup("orders/read")
            .await
            .unwrap()
            .unwrap()
            .deployed
    );
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
