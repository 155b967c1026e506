//! The limits keyed by client address and by account, in-process: the
//! failed-authentication throttle, trusted proxies, the log-in throttle.

use crate::support::*;
use ordercore_http::pipeline::client_addr::parse_cidrs;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn peer(ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse().unwrap(), 40_000)
}

fn login(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password, "application": "planoorder"})
}

fn retry_after(r: &Resp) -> u64 {
    r.headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header")
}

#[actix_web::test]
async fn a_bogus_token_flood_is_refused_without_reaching_the_store() {
    let mut t = TestApp::new().await;
    t.config.auth_failures_per_address = 5;
    let counting = Arc::new(CountingSessions::new(t.sessions.clone()));
    t.sessions = counting.clone();
    let state = t.state();
    let bogus = |i: u32| {
        post_json("services/index", &json!({"token": format!("bogus-{i}")}))
            .peer_addr(peer("198.51.100.7"))
    };
    for i in 0..5 {
        send(&state, bogus(i))
            .await
            .expect("invalid-token", 401, &[]);
    }
    let looked_up = counting.lookups.load(Ordering::SeqCst);
    assert_eq!(looked_up, 5);
    for i in 5..300 {
        let r = send(&state, bogus(i)).await;
        r.expect("rate-limit-exceeded", 429, &[]);
        assert!((1..=300).contains(&retry_after(&r)));
    }
    assert_eq!(counting.lookups.load(Ordering::SeqCst), looked_up);
    // Even a real token from that address waits, but other addresses,
    // and public routes without a token, are not affected.
    let token = t.client_token().await;
    let real = || post_json("services/index", &json!({"token": token}));
    send(&state, real().peer_addr(peer("198.51.100.7")))
        .await
        .expect("rate-limit-exceeded", 429, &[]);
    send(&state, real().peer_addr(peer("198.51.100.8")))
        .await
        .expect("action-successful", 200, &["data", "session"]);
    send(
        &state,
        post_b64("sessions/create", &login("client@example.com", PASSWORD))
            .peer_addr(peer("198.51.100.7")),
    )
    .await
    .expect("action-successful", 200, &["data"]);
}

#[actix_web::test]
async fn successful_authentications_do_not_count_as_failures() {
    let mut t = TestApp::new().await;
    t.config.auth_failures_per_address = 2;
    let state = t.state();
    let token = t.client_token().await;
    for _ in 0..5 {
        send(
            &state,
            post_json("services/index", &json!({"token": token})).peer_addr(peer("192.0.2.1")),
        )
        .await
        .expect("action-successful", 200, &["data", "session"]);
    }
}

/// The status slug of `sessions/create` for an unknown e-mail, sent from
/// `ip` with `headers`.
async fn public_call(
    state: &actix_web::web::Data<ordercore_http::AppState>,
    ip: &str,
    headers: &[(&str, &str)],
) -> String {
    let mut req =
        post_b64("sessions/create", &login("nobody@example.com", "x")).peer_addr(peer(ip));
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    send(state, req).await.body["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[actix_web::test]
async fn forwarded_for_from_an_untrusted_peer_changes_nothing() {
    let mut t = TestApp::new().await;
    t.config.rate_limit_per_minute = 2;
    t.config.login_failures_per_account = 1_000;
    t.config.trusted_proxies = parse_cidrs("10.0.0.0/8").unwrap();
    let state = t.state();
    for i in 0..2 {
        let xff = format!("198.51.100.{i}");
        assert_eq!(
            public_call(&state, "203.0.113.5", &[("x-forwarded-for", &xff)]).await,
            "email-not-found"
        );
    }
    for h in [
        ("x-forwarded-for", "198.51.100.9"),
        ("forwarded", "for=198.51.100.9"),
    ] {
        assert_eq!(
            public_call(&state, "203.0.113.5", &[h]).await,
            "rate-limit-exceeded"
        );
    }
}

#[actix_web::test]
async fn forwarded_for_from_a_trusted_proxy_separates_clients() {
    let mut t = TestApp::new().await;
    t.config.rate_limit_per_minute = 2;
    t.config.login_failures_per_account = 1_000;
    t.config.trusted_proxies = parse_cidrs("10.0.0.0/8, 2001:db8:ffff::/48").unwrap();
    let state = t.state();
    let proxy = "10.0.0.2";
    let a = [("x-forwarded-for", "198.51.100.1")];
    for _ in 0..2 {
        assert_eq!(public_call(&state, proxy, &a).await, "email-not-found");
    }
    assert_eq!(public_call(&state, proxy, &a).await, "rate-limit-exceeded");
    // Client A cannot escape by writing another address left of its own.
    let forged = [("x-forwarded-for", "7.7.7.7, 198.51.100.1")];
    assert_eq!(
        public_call(&state, proxy, &forged).await,
        "rate-limit-exceeded"
    );
    // Client B behind the same proxy has its own count, through either header.
    let b = [("forwarded", "for=198.51.100.2")];
    assert_eq!(public_call(&state, proxy, &b).await, "email-not-found");
    // IPv6 clients count by /64: another address of A's network is A.
    let v6 = "2001:db8:ffff::1";
    let c = [("x-forwarded-for", "2001:db8:1:2::1")];
    for _ in 0..2 {
        assert_eq!(public_call(&state, v6, &c).await, "email-not-found");
    }
    let c2 = [("x-forwarded-for", "2001:db8:1:2:ffff::9")];
    assert_eq!(public_call(&state, v6, &c2).await, "rate-limit-exceeded");
    let d = [("x-forwarded-for", "2001:db8:1:3::1")];
    assert_eq!(public_call(&state, v6, &d).await, "email-not-found");
}

#[actix_web::test]
async fn failed_log_ins_are_limited_per_account() {
    let mut t = TestApp::new().await;
    t.config.login_failures_per_account = 3;
    let state = t.state();
    let attempt = |email: &str, password: &str, ip: &str| {
        post_b64("sessions/create", &login(email, password)).peer_addr(peer(ip))
    };
    // Wrong passwords for a real account, each from another address.
    for i in 0..3 {
        send(
            &state,
            attempt("client@example.com", "wrong", &format!("192.0.2.{i}")),
        )
        .await
        .expect("invalid-password", 400, &[]);
    }
    let known = send(
        &state,
        attempt("client@example.com", PASSWORD, "192.0.2.50"),
    )
    .await;
    known.expect("rate-limit-exceeded", 429, &[]);
    // An account that does not exist: the same answer.
    for i in 0..3 {
        send(
            &state,
            attempt("nobody@example.com", "wrong", &format!("192.0.2.{i}")),
        )
        .await
        .expect("email-not-found", 400, &[]);
    }
    let unknown = send(&state, attempt("nobody@example.com", "wrong", "192.0.2.50")).await;
    unknown.expect("rate-limit-exceeded", 429, &[]);
    assert_eq!(known.raw, unknown.raw);
    assert!(retry_after(&known) > 800 && retry_after(&unknown) > 800);
    // Other accounts are not affected; a log-in resets its own account.
    let other = "invoice@example.com";
    for _ in 0..2 {
        send(&state, attempt(other, "wrong", "192.0.2.1"))
            .await
            .expect("invalid-password", 400, &[]);
    }
    send(&state, attempt(other, PASSWORD, "192.0.2.1"))
        .await
        .expect("action-successful", 200, &["data"]);
    for _ in 0..3 {
        send(&state, attempt(other, "wrong", "192.0.2.1"))
            .await
            .expect("invalid-password", 400, &[]);
    }
    send(&state, attempt(other, PASSWORD, "192.0.2.1"))
        .await
        .expect("rate-limit-exceeded", 429, &[]);
    send(&state, attempt("client@example.com", PASSWORD, "192.0.2.1"))
        .await
        .expect("rate-limit-exceeded", 429, &[]);
}
