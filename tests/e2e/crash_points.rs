//! The process dies at a chosen line of a submission (the crash points of
//! `ordercore_domain::crash_points`, armed by FAILPOINTS in this test build),
//! is restarted on the same database without them, its workers run, and the
//! money-safety invariants (`ordercore_e2e::invariants`) must hold against the
//! stub processor's ledger. Also the processor timing out: it approves, and
//! answers after our timeout.

use crate::{BIN, configure_processor, eventually};
use ordercore_e2e::api::DEMO_PROMOTION;
use ordercore_e2e::db::Backend;
use ordercore_e2e::invariants::{self, KeyRecord, Report};
use ordercore_e2e::retrying_client::{self, Endpoint, RetryPolicy, Submission};
use ordercore_e2e::server::{Instance, TestServer};
use ordercore_e2e::stubs::{LedgerState, MandrillStub, ProcessorStub};
use serde_json::json;
use std::time::Duration;

/// The exit status of a process ended by a crash point
/// (`ordercore_domain::crash_points::CRASH_EXIT_CODE`).
const CRASH_EXIT_CODE: i32 = 86;

/// The base64 of 32 bytes: retries after a restart must fingerprint as the
/// first attempt did.
const FINGERPRINT_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// A PostgreSQL instance wired to the stubs, with workers fast enough for a
/// test: the processor times out after 2 s, an order pending for 3 s counts as
/// abandoned (and handed to the reconcile worker), orders and e-mails claimed
/// by a pass that died are claimable again after 5 s, and the outbox takes
/// over an unsent confirmation after 2 s.
/// `None`: PostgreSQL SKIPPED.
pub fn crash_instance(test: &str, anet: &ProcessorStub, mail: &MandrillStub) -> Option<Instance> {
    let mut instance = Instance::new(BIN, Backend::Postgres, test)?;
    configure_processor(&mut instance, &anet.endpoint(), mail);
    instance
        .set("ORDERCORE_FINGERPRINT_KEY", FINGERPRINT_KEY)
        .set("ORDERCORE_RATE_LIMIT_PER_MINUTE", "1000000")
        .set("ORDERCORE_AUTHORIZENET_TIMEOUT_SECS", "2")
        .set("ORDERCORE_SWEEPER_PENDING_AGE_SECS", "3")
        .set("ORDERCORE_SWEEPER_INTERVAL_MS", "300")
        .set("ORDERCORE_RECONCILE_LEASE_SECS", "5")
        .set("ORDERCORE_MANDRILL_TIMEOUT_SECS", "1")
        .set("ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS", "2000")
        .set("ORDERCORE_OUTBOX_FIRST_RETRY_MS", "500")
        .set("ORDERCORE_OUTBOX_INTERVAL_MS", "250")
        .set("ORDERCORE_OUTBOX_BATCH_SIZE", "4")
        .set("ORDERCORE_OUTBOX_LEASE_SECS", "5");
    Some(instance)
}

/// A new client with a card: (token, payment method id, customer profile).
pub async fn client_with_card(server: &TestServer, email: &str) -> (String, i64, String) {
    let token = server.register_client(email, "a-long-password-1").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    let url = server.instance.database_url().unwrap().to_string();
    let profile = invariants::customer_profile_of(&url, card);
    (token, card, profile)
}

/// Polls the invariants until they hold (the workers have converged) or
/// `secs` pass; returns the last report.
pub async fn settled_report(
    server: &TestServer,
    anet: &ProcessorStub,
    mail: &MandrillStub,
    keys: &[KeyRecord],
    secs: u64,
) -> Report {
    let url = server.instance.database_url().unwrap().to_string();
    let last = std::sync::Mutex::new(Report::default());
    eventually(secs, || async {
        let report = invariants::check(&url, &anet.ledger(), &mail.sends().await, keys);
        let done = report.violations.is_empty() && report.still_pending == 0;
        *last.lock().unwrap() = report;
        done
    })
    .await;
    last.into_inner().unwrap()
}

/// Prints the server's log lines about the orders a violation names, so a
/// failing run says what happened to them.
pub fn explain(server: &TestServer, report: &Report) {
    let log = server.log();
    for id in report.orders_named() {
        println!("--- order {id} in the database:");
        let url = server.instance.database_url().unwrap_or_default();
        for line in invariants::order_story(url, id) {
            println!("{line}");
        }
        println!("--- the server's log about order {id}:");
        for line in log.lines().filter(|l| mentions_order(l, id)) {
            println!("{line}");
        }
    }
}

/// Whether a log line names order `id` (`order.id=7`, `order 7`).
fn mentions_order(line: &str, id: i64) -> bool {
    let id = id.to_string();
    ["order.id=", "order "].iter().any(|prefix| {
        line.match_indices(prefix).any(|(at, _)| {
            let rest = &line[at + prefix.len()..];
            rest.starts_with(&id) && !rest[id.len()..].starts_with(|c: char| c.is_ascii_digit())
        })
    })
}

/// One submission under key `key`, crashing at `point`, then restarted.
async fn crash_at(point: &str, route: &'static str, test: &str) {
    let anet = ProcessorStub::start().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(mut instance) = crash_instance(test, &anet, &mail) else {
        return;
    };
    instance.set("FAILPOINTS", &format!("{point}=return"));
    let mut server = instance.start();
    let (token, card, profile) = client_with_card(&server, "crash.agent@example.com").await;
    let photos = server.service_id(&token, "photos").await;
    let floor_plan = server.service_id(&token, "floor_plan").await;
    let submission = Submission {
        route,
        body: json!({"token": token, "payment_method_id": card,
                     "promotion_code": DEMO_PROMOTION,
                     "order": ordercore_e2e::api::order(photos, floor_plan)}),
        key: format!("{test}-1"),
        customer_profile_id: profile,
    };
    let endpoint = Endpoint::new(&server.base);
    let once = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };

    // The request dies with the process, at the crash point.
    let first = retrying_client::submit(&server.http, &endpoint, &submission, once).await;
    let status = server
        .wait_for_exit(Duration::from_secs(20))
        .unwrap_or_else(|| panic!("the server did not die at {point}; it answered {first:?}"));
    assert_eq!(status.code(), Some(CRASH_EXIT_CODE), "{point}: {status}");

    // Restarted without crash points; the client retries with the same key.
    server.instance.unset("FAILPOINTS");
    server.restart();
    endpoint.set(&server.base);
    let mut record = retrying_client::submit(
        &server.http,
        &endpoint,
        &submission,
        RetryPolicy {
            max_attempts: 6,
            ..RetryPolicy::default()
        },
    )
    .await;
    record.started = first.started;
    record.attempts += first.attempts;

    let report = settled_report(&server, &anet, &mail, std::slice::from_ref(&record), 20).await;
    println!(
        "{point} ({route}): {}; the client heard {:?}",
        report.summary(),
        record.outcome
    );
    explain(&server, &report);
    report.assert_holds();
    assert_eq!(report.orders, 1, "one submission, one order");
    assert_eq!(
        report.still_pending, 0,
        "the workers left the order pending"
    );
}

#[tokio::test]
async fn a_crash_after_the_pending_insert_leaves_no_hold_and_no_redemption() {
    crash_at(
        "submit.after_pending",
        "orders/authorize_and_submit",
        "crash_after_pending",
    )
    .await;
}

#[tokio::test]
async fn a_crash_after_the_processor_approved_leaves_no_live_hold() {
    crash_at(
        "submit.after_approval",
        "orders/authorize_and_submit",
        "crash_after_approval",
    )
    .await;
}

#[tokio::test]
async fn a_crash_after_a_charge_was_approved_leaves_no_live_charge() {
    crash_at(
        "submit.after_approval",
        "orders/pay_and_submit",
        "crash_after_charge",
    )
    .await;
}

#[tokio::test]
async fn a_crash_after_finalize_still_sends_the_confirmation() {
    crash_at(
        "submit.after_finalize",
        "orders/authorize_and_submit",
        "crash_after_finalize",
    )
    .await;
}

#[tokio::test]
async fn a_crash_between_sending_and_marking_the_e_mail_sends_it_again() {
    crash_at(
        "mail.after_send",
        "orders/authorize_and_submit",
        "crash_after_mail",
    )
    .await;
}

/// The processor approves but answers after our 2 s timeout: the client is
/// told the payment failed, so once the workers ran no hold may be live.
#[tokio::test]
async fn a_processor_timeout_converges_to_what_the_client_was_told() {
    let anet = ProcessorStub::start().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(instance) = crash_instance("processor_timeout_converges", &anet, &mail) else {
        return;
    };
    let server = instance.start();
    let (token, card, profile) = client_with_card(&server, "slow.agent@example.com").await;
    let photos = server.service_id(&token, "photos").await;
    let floor_plan = server.service_id(&token, "floor_plan").await;
    anet.answer_money_calls_after(Some(Duration::from_secs(3)));
    let submission = Submission {
        route: "orders/authorize_and_submit",
        body: json!({"token": token, "payment_method_id": card,
                     "promotion_code": DEMO_PROMOTION,
                     "order": ordercore_e2e::api::order(photos, floor_plan)}),
        key: "timeout-1".into(),
        customer_profile_id: profile,
    };
    let record = retrying_client::submit(
        &server.http,
        &Endpoint::new(&server.base),
        &submission,
        RetryPolicy::default(),
    )
    .await;
    anet.answer_money_calls_after(None);
    assert!(
        anet.ledger()
            .iter()
            .any(|e| e.state == LedgerState::Authorized),
        "the processor acted"
    );

    let report = settled_report(&server, &anet, &mail, std::slice::from_ref(&record), 20).await;
    println!(
        "processor timeout: {}; the client heard {:?}",
        report.summary(),
        record.outcome
    );
    explain(&server, &report);
    report.assert_holds();
}
