//! Webhooks over real HTTP: an endpoint added with `ordercore webhooks add`
//! (its printed secret verifies every signature), a receiver answering 500
//! twice then 200 (three attempts carrying one event id), one order's events
//! in order; two instances on one database delivering each event once;
//! `events replay` sending events again. The crash case (SIGKILL loses no
//! event) is part of `sigkill.rs`.

use crate::{eventually, with_stubs};
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_EMPLOYEE, DEMO_PASSWORD};
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::{Instance, TestServer};
use ordercore_e2e::stubs::{AuthorizeNetStub, MandrillStub, WebhookReceiver, verify};
use serde_json::json;
use std::collections::BTreeMap;

/// Fast retries for tests.
fn fast_webhooks(instance: &mut Instance) {
    instance
        .set("ORDERCORE_WEBHOOKS_INTERVAL_MS", "50")
        .set("ORDERCORE_WEBHOOKS_FIRST_RETRY_MS", "200")
        .set("ORDERCORE_WEBHOOKS_TIMEOUT_MS", "2000");
}

/// `webhooks add`: (endpoint id, secret) from its output.
fn add_endpoint(server: &TestServer, url: &str) -> (i64, String) {
    let out = server.cli(&["webhooks", "add", "--url", url]);
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name:?} in {out}"))
            .trim()
            .to_string()
    };
    (field("endpoint ").parse().unwrap(), field("secret "))
}

/// An order authorized then captured: (order id, payment id).
async fn order_and_capture(server: &TestServer) -> i64 {
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    let r = server.authorize_and_submit(&token, card, None).await;
    let order = r.data()["id"].as_i64().unwrap();
    let payment = r.data()["payment"]["id"].as_i64().unwrap();
    let staff = server.login(DEMO_EMPLOYEE, DEMO_PASSWORD, "planox2").await;
    let c = server
        .post("payments/capture", &json!({"token": staff, "id": payment}))
        .await;
    assert_eq!(c.slug(), "action-successful", "{}", c.body);
    order
}

async fn signed_retried_and_in_order(backend: Backend, test: &str) {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let receiver = WebhookReceiver::start(&[500, 500]).await;
    let Some(mut instance) = with_stubs(backend, test, &anet, &mail) else {
        return;
    };
    fast_webhooks(&mut instance);
    let server = instance.start();
    let (endpoint, secret) = add_endpoint(&server, &receiver.url());
    assert!(secret.starts_with("whsec_"));
    let listed = server.cli(&["webhooks", "list"]);
    assert!(
        listed.contains(&receiver.url()) && !listed.contains(&secret),
        "{listed}"
    );

    let order = order_and_capture(&server).await;
    let kinds = ["order.submitted", "payment.authorized", "payment.captured"];
    assert!(
        eventually(30, || async { receiver.accepted().len() >= 3 }).await,
        "deliveries: {:?}\n{}",
        receiver.received(),
        server.log()
    );
    let received = receiver.received();
    // Every request is signed with the printed secret, and fresh.
    for r in &received {
        assert!(verify(&secret, &r.signature, &r.body, 300), "{r:?}");
        assert!(!verify("whsec_wrong", &r.signature, &r.body, 300));
    }
    // 500, 500, 200: three attempts of the first event, one event id.
    let statuses: Vec<(i64, u16)> = received.iter().map(|r| (r.event_id(), r.status)).collect();
    let first = statuses[0].0;
    assert_eq!(
        statuses[..3],
        [(first, 500), (first, 500), (first, 200)],
        "{statuses:?}"
    );
    // The order's events arrive in order, each accepted once.
    let accepted = receiver.accepted();
    let got: Vec<(&str, i64)> = accepted
        .iter()
        .map(|b| (b["kind"].as_str().unwrap(), b["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), kinds);
    assert!(got.windows(2).all(|w| w[0].1 < w[1].1), "{got:?}");
    assert_eq!(accepted[0]["data"]["id"], order);
    assert_eq!(accepted[2]["data"]["order_id"], order);
    assert!(!received.iter().any(|r| r.body.contains("4321")));
    assert!(
        !server.log().contains(&secret),
        "the secret is never logged"
    );

    // Replay sends them again, from the first event on.
    let out = server.cli(&[
        "events",
        "replay",
        "--endpoint",
        &endpoint.to_string(),
        "--since",
        &first.to_string(),
    ]);
    assert!(out.starts_with("3 event(s)"), "{out}");
    assert!(eventually(30, || async { receiver.accepted().len() >= 6 }).await);
    let again: Vec<i64> = receiver.accepted()[3..]
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    assert_eq!(again, got.iter().map(|g| g.1).collect::<Vec<_>>());
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_in_order_on_sqlite() {
    signed_retried_and_in_order(Backend::Sqlite, "webhooks_sqlite").await;
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_in_order_on_postgres() {
    signed_retried_and_in_order(Backend::Postgres, "webhooks_postgres").await;
}

/// Two instances on one database: each event reaches the receiver exactly
/// once (no double delivery from competing workers).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_deliver_each_event_once() {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let receiver = WebhookReceiver::start(&[]).await;
    let Some(mut instance) = with_stubs(Backend::Postgres, "webhooks_two", &anet, &mail) else {
        return;
    };
    fast_webhooks(&mut instance);
    instance.set("ORDERCORE_WEBHOOKS_INTERVAL_MS", "10");
    instance.run_ok(&["migrate"]);
    instance.run_ok(&["seed", "--demo"]);
    let out = instance.run_ok(&["webhooks", "add", "--url", &receiver.url()]);
    assert!(out.contains("secret whsec_"), "{out}");
    let sibling = instance.sibling();
    let first = instance.serve();
    let second = sibling.serve();
    let token = first.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = first.add_card(&token, "4111111111111111", "80202").await;
    const ORDERS: usize = 12;
    for i in 0..ORDERS {
        let server = if i % 2 == 0 { &first } else { &second };
        let r = server.authorize_and_submit(&token, card, None).await;
        assert_eq!(r.slug(), "action-successful", "{}", r.body);
    }
    let expected = ORDERS * 2; // order.submitted + payment.authorized each
    assert!(
        eventually(30, || async { receiver.accepted().len() >= expected }).await,
        "{} of {expected}",
        receiver.accepted().len()
    );
    // Both workers had the chance to send something twice.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    for b in receiver.accepted() {
        *seen.entry(b["id"].as_i64().unwrap()).or_default() += 1;
    }
    assert_eq!(seen.len(), expected);
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(receiver.received().len(), expected, "one attempt each");
    drop(second);
}

/// A receiver that never answers in time slows neither orders nor the
/// deliveries to another endpoint; its own deliveries time out and retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_receiver_slows_nothing_else() {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let dead = WebhookReceiver::slow(std::time::Duration::from_secs(30)).await;
    let live = WebhookReceiver::start(&[]).await;
    let mut instance = with_stubs(Backend::Sqlite, "webhooks_dead", &anet, &mail).unwrap();
    fast_webhooks(&mut instance);
    instance.set("ORDERCORE_WEBHOOKS_TIMEOUT_MS", "1500");
    let server = instance.start();
    add_endpoint(&server, &dead.url());
    add_endpoint(&server, &live.url());
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let r = server.authorize_and_submit(&token, card, None).await;
        assert_eq!(r.slug(), "action-successful", "{}", r.body);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "a submission waited {:?}",
            started.elapsed()
        );
    }
    assert!(
        eventually(20, || async { live.accepted().len() >= 6 }).await,
        "the live endpoint got {} of 6",
        live.accepted().len()
    );
    // The dead endpoint was tried meanwhile (its attempts time out).
    assert!(
        !dead.received().is_empty(),
        "the dead endpoint was never tried"
    );
}
