//! The staff console in-process, through the whole app: the access rules
//! (`access`: cookie attributes, security headers, refusals of clients and
//! liaisons, CSRF, log-out) and the pages (`pages`: escaping, notification
//! filters, acknowledge and resolve, order search and capture, switches).

mod access;
mod pages;

use crate::support::*;
use actix_web::http::header;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use chrono::Utc;
use ordercore_domain::model::{
    NewNotification, NotificationContext, NotificationKind, OrderId, Severity,
};
use ordercore_domain::ports::NotificationRepository;
use ordercore_http::AppState;

/// One answer of the console.
pub struct Page {
    pub status: u16,
    pub headers: header::HeaderMap,
    pub html: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }

    /// The value of the cookie `name` this answer sets (`None`: not set).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let (k, rest) = c.split_once('=')?;
            (k == name).then(|| rest.split(';').next().unwrap_or("").to_string())
        })
    }

    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let at = self
            .html
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token")
            + "name=\"csrf\" value=\"".len();
        self.html[at..].split('"').next().unwrap().to_string()
    }
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
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

pub async fn call(state: &web::Data<AppState>, req: TestRequest) -> Page {
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

pub fn get(path: &str, cookie: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header((header::COOKIE, cookie.to_string()))
}

pub fn post(path: &str, cookie: &str, fields: &[(&str, &str)]) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header((header::COOKIE, cookie.to_string()))
        .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
        .set_payload(form_encode(fields))
}

/// Posts the log-in form for `email` the way a browser does; the answer.
pub async fn log_in(state: &web::Data<AppState>, email: &str, password: &str) -> Page {
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
pub async fn staff(state: &web::Data<AppState>) -> (String, String) {
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

pub async fn notify(
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
