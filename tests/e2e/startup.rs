//! Start-up refuses a bad configuration with a message naming the setting,
//! and shutdown on SIGTERM is clean.

use crate::{BIN, with_stubs};
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_PASSWORD};
use ordercore_e2e::db::{Backend, execute, query_n};
use ordercore_e2e::server::{Instance, TestServer};
use ordercore_e2e::stubs::{AuthorizeNetStub, MandrillStub};
use serde_json::json;
use std::time::Duration;

/// Runs `serve` with these settings; it must exit (code 2) with a message
/// on stderr that contains every one of `expected`.
fn refused(settings: &[(&str, &str)], expected: &[&str]) {
    let mut instance = Instance::new(BIN, Backend::Sqlite, "startup").unwrap();
    for (k, v) in settings {
        instance.set(k, v);
    }
    let out = instance.run(&["serve"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "serve should refuse to start: {err}"
    );
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
}

#[test]
fn an_unknown_gateway_is_refused() {
    refused(
        &[("ORDERCORE_PAYMENT_GATEWAY", "paypal")],
        &[
            "ORDERCORE_PAYMENT_GATEWAY",
            "unknown payment gateway \"paypal\"",
        ],
    );
}

#[test]
fn an_unreadable_database_url_is_refused_without_printing_it() {
    refused(
        &[(
            "ORDERCORE_DATABASE_URL",
            "mysql://root:hunter2@db/ordercore",
        )],
        &["ORDERCORE_DATABASE_URL", "unreadable database URL"],
    );
    let mut instance = Instance::new(BIN, Backend::Sqlite, "startup").unwrap();
    instance.set(
        "ORDERCORE_DATABASE_URL",
        "mysql://root:hunter2@db/ordercore",
    );
    let out = instance.run(&["serve"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2"));
}

#[test]
fn a_database_that_cannot_be_opened_is_reported() {
    let mut instance = Instance::new(BIN, Backend::Sqlite, "startup").unwrap();
    instance.set(
        "ORDERCORE_DATABASE_URL",
        "sqlite:///nonexistent-dir/for/sure/ordercore.db",
    );
    let out = instance.run(&["migrate"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ORDERCORE_DATABASE_URL"), "{err}");
    // "unable to open database file" alone does not say which file.
    assert!(
        err.contains("/nonexistent-dir/for/sure/ordercore.db"),
        "{err}"
    );
    assert_eq!(err.matches("ORDERCORE_DATABASE_URL").count(), 1, "{err}");
}

#[test]
fn an_invalid_log_filter_is_refused() {
    refused(
        &[("ORDERCORE_LOG", "verbose")],
        &["ORDERCORE_LOG", "\"verbose\" is not a log level"],
    );
}

#[test]
fn the_sweeper_pending_age_is_checked() {
    refused(
        &[("ORDERCORE_SWEEPER_PENDING_AGE_SECS", "soon")],
        &["ORDERCORE_SWEEPER_PENDING_AGE_SECS", "whole number"],
    );
    refused(
        &[("ORDERCORE_SWEEPER_PENDING_AGE_SECS", "5")],
        &["ORDERCORE_SWEEPER_PENDING_AGE_SECS", "processor timeout"],
    );
}

#[test]
fn a_type_error_in_the_file_names_the_key_and_the_file() {
    let instance = Instance::new(BIN, Backend::Sqlite, "config_type").unwrap();
    std::fs::write(
        instance.dir().join("ordercore.toml"),
        "rate_limit_per_minute = \"lots\"\n",
    )
    .unwrap();
    let out = instance.run(&["migrate"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("rate_limit_per_minute (from ordercore.toml)"),
        "{err}"
    );
    assert!(!err.contains("ORDERCORE_RATE_LIMIT_PER_MINUTE"), "{err}");
}

#[test]
fn postgres_without_an_explicit_payment_gateway_is_refused() {
    let Some(mut instance) = Instance::new(BIN, Backend::Postgres, "pg_no_gateway") else {
        return;
    };
    // Blank counts as unset: the built-in default would be `simulated`.
    instance.set("ORDERCORE_PAYMENT_GATEWAY", "");
    let out = instance.run(&["serve"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("ORDERCORE_PAYMENT_GATEWAY"), "{err}");
    assert!(err.contains("PostgreSQL"), "{err}");
}

#[tokio::test]
async fn the_simulated_gateway_on_postgres_logs_a_warning() {
    // Instance::new sets ORDERCORE_PAYMENT_GATEWAY=simulated on PostgreSQL.
    let Some(instance) = Instance::new(BIN, Backend::Postgres, "pg_simulated") else {
        return;
    };
    let mut server = instance.start();
    assert!(
        crate::eventually(10, || async { server.log().contains("no payment is real") }).await,
        "{}",
        server.log()
    );
    server.terminate(Duration::from_secs(15));
}

#[test]
fn the_simulated_gateway_on_sqlite_logs_no_warning() {
    let instance = Instance::new(BIN, Backend::Sqlite, "sqlite_simulated").unwrap();
    let mut server = instance.start();
    server.terminate(Duration::from_secs(15));
    assert!(server.log().contains("listening"), "{}", server.log());
    assert!(
        !server.log().contains("no payment is real"),
        "{}",
        server.log()
    );
}

#[test]
fn commands_on_a_missing_database_say_to_migrate_and_create_nothing() {
    // The make-run setup: the default sqlite://ordercore.db in the working dir.
    let instance = Instance::like_make_run(BIN);
    for args in [
        vec!["seed", "--demo"],
        vec!["routes", "list"],
        vec!["notifications", "list"],
    ] {
        let out = instance.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("ordercore.db"), "{args:?}: {err}");
        assert_eq!(
            err.matches("run `ordercore migrate`").count(),
            1,
            "{args:?}: {err}"
        );
        assert!(
            !instance.dir().join("ordercore.db").exists(),
            "{args:?} left an empty database file behind"
        );
    }
    instance.run_ok(&["migrate"]);
    instance.run_ok(&["routes", "list"]);
}

#[test]
fn commands_on_an_unmigrated_database_say_to_migrate() {
    let instance = Instance::new(BIN, Backend::Sqlite, "unmigrated").unwrap();
    // An empty file, as a failed first attempt might leave.
    std::fs::write(instance.dir().join("ordercore.db"), b"").unwrap();
    for args in [vec!["seed", "--demo"], vec!["services", "list"]] {
        let out = instance.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("has not been migrated"), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn a_failed_command_is_reported_once() {
    let instance = Instance::new(BIN, Backend::Sqlite, "reported_once").unwrap();
    instance.run_ok(&["migrate"]);
    let out = instance.run(&["routes", "disable", "no/such-route"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(err.matches("there is no route named").count(), 1, "{err}");
}

#[test]
fn help_describes_the_binary_and_typos_get_suggestions() {
    let instance = Instance::new(BIN, Backend::Sqlite, "help_text").unwrap();
    let help = instance.run_ok(&["--help"]);
    assert!(help.contains("order property media"), "{help}");
    assert!(!help.contains("configuration, wiring, CLI"), "{help}");
    let help = instance.run_ok(&["seed", "--help"]);
    assert!(help.contains("--file <FILE>"), "{help}");
    let out = instance.run(&["migrat"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("similar subcommand exists: 'migrate'"),
        "{err}"
    );
}

#[test]
fn missing_authorizenet_credentials_are_refused() {
    refused(
        &[("ORDERCORE_PAYMENT_GATEWAY", "authorizenet")],
        &["ORDERCORE_AUTHORIZENET_LOGIN_ID", "required"],
    );
    refused(
        &[
            ("ORDERCORE_PAYMENT_GATEWAY", "authorizenet"),
            ("ORDERCORE_AUTHORIZENET_LOGIN_ID", "login"),
        ],
        &["ORDERCORE_AUTHORIZENET_TRANSACTION_KEY", "required"],
    );
}

#[test]
fn a_missing_mandrill_key_is_refused() {
    refused(
        &[("ORDERCORE_MAILER", "mandrill")],
        &["ORDERCORE_MANDRILL_API_KEY", "required"],
    );
}

#[test]
fn every_command_has_help() {
    let instance = Instance::new(BIN, Backend::Sqlite, "help").unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
        vec!["routes", "--help"],
        vec!["routes", "disable", "--help"],
        vec!["routes", "list", "--help"],
        vec!["services", "enable", "--help"],
        vec!["notifications", "--help"],
        vec!["services", "--help"],
        vec!["notifications", "list", "--help"],
    ] {
        let out = instance.run_ok(&args);
        assert!(out.contains("Usage: ordercore"), "{args:?}: {out}");
    }
}

async fn sigterm_stops_the_server_cleanly(backend: Backend, test: &str) {
    let Some(instance) = Instance::new(BIN, backend, test) else {
        return;
    };
    let mut server = instance.start();
    let health = server
        .http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert!(health.status().is_success());
    let status = server
        .terminate(Duration::from_secs(15))
        .expect("the server did not stop within 15 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
    assert!(server.log().contains("shutting down"), "{}", server.log());
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_on_sqlite() {
    sigterm_stops_the_server_cleanly(Backend::Sqlite, "sigterm_on_sqlite").await;
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_on_postgres() {
    sigterm_stops_the_server_cleanly(Backend::Postgres, "sigterm_on_postgres").await;
}

/// An order in flight when SIGTERM arrives still gets its answer (the
/// processor takes 2 s), then the process exits cleanly.
#[tokio::test]
async fn sigterm_lets_an_in_flight_order_finish() {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations_after(Duration::from_secs(2))
        .await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let mut server = with_stubs(Backend::Sqlite, "sigterm_in_flight", &anet, &mail)
        .unwrap()
        .start();
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;

    let (reply, ()) = tokio::join!(server.authorize_and_submit(&token, card, None), async {
        // Wait until the processor holds the request, then stop the server.
        let held = crate::eventually(10, || async {
            !anet.requests("authOnlyTransaction").await.is_empty()
        })
        .await;
        assert!(held, "the authorization never reached the processor");
        server.send_sigterm();
    });
    assert_eq!(reply.data()["status"], "submitted");
    let status = server
        .wait_for_exit(Duration::from_secs(15))
        .expect("the server did not stop after its last request");
    assert!(status.success(), "exit status {status}");
}

#[test]
fn the_config_file_is_read_and_named_in_errors() {
    let instance = Instance::new(BIN, Backend::Sqlite, "config_file").unwrap();
    // ./ordercore.toml is read when present; the environment still wins.
    std::fs::write(
        instance.dir().join("ordercore.toml"),
        "payment_gateway = \"paypal\"\n",
    )
    .unwrap();
    let out = instance.run(&["migrate"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("payment_gateway (from ordercore.toml)"),
        "{err}"
    );

    // --config names another file, which must exist.
    std::fs::write(
        instance.dir().join("other.toml"),
        "rate_limit_per_minute = 60\n",
    )
    .unwrap();
    instance.run_ok(&["--config", "other.toml", "migrate"]);
    let out = instance.run(&["--config", "missing.toml", "migrate"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("missing.toml"), "{err}");
}

/// `SELECT` of the newest `last_used_at` of all sessions.
const NEWEST_USE: &str = "SELECT MAX(last_used_at) AS n FROM sessions";

/// Logs in, makes every session ten minutes older in the database, then
/// uses the new one (a use more than a minute after the last: a touch).
/// Returns the database URL and the newest `last_used_at` before the use.
async fn use_an_aged_session(server: &TestServer) -> (String, i64) {
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let url = server.instance.database_url().unwrap().to_string();
    let ten_minutes = 600_000_000;
    execute(
        &url,
        &format!(
            "UPDATE sessions SET created_at = created_at - {ten_minutes}, \
             last_used_at = last_used_at - {ten_minutes}"
        ),
    );
    let aged = query_n(&url, NEWEST_USE);
    let reply = server
        .post("services/index", &json!({"token": token}))
        .await;
    assert_eq!(reply.http, 200, "{}", reply.body);
    (url, aged)
}

/// A session used more than a minute after its last use is written back by
/// the server's touch writer within seconds (not by the request itself), so
/// other instances see it.
async fn a_session_use_is_written_within_seconds(backend: Backend, test: &str) {
    let Some(instance) = Instance::new(BIN, backend, test) else {
        return;
    };
    let mut server = instance.start();
    let (url, aged) = use_an_aged_session(&server).await;
    assert!(
        crate::eventually(10, || async { query_n(&url, NEWEST_USE) > aged }).await,
        "the session's use was not written"
    );
    server.terminate(Duration::from_secs(15));
}

/// With an hour between two writes of the touches, a session's use stays in
/// memory (the request wrote nothing) until SIGTERM, which writes it.
async fn the_last_session_uses_are_written_on_shutdown(backend: Backend, test: &str) {
    let Some(mut instance) = Instance::new(BIN, backend, test) else {
        return;
    };
    instance.set("ORDERCORE_SESSION_TOUCH_INTERVAL_MS", "3600000");
    let mut server = instance.start();
    let (url, aged) = use_an_aged_session(&server).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(query_n(&url, NEWEST_USE), aged, "written before shutdown");
    let status = server
        .terminate(Duration::from_secs(15))
        .expect("the server did not stop within 15 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
    assert!(
        query_n(&url, NEWEST_USE) > aged,
        "the pending use was not written on shutdown"
    );
}

/// E-mails marked sent, in the table.
const SENT: &str = "SELECT COUNT(*) AS n FROM email_outbox WHERE sent_at IS NOT NULL";

/// With an hour between two writes of the sent marks, a submission's
/// confirmation (sent by the log mailer) is marked in memory only (the
/// request wrote no mark) until SIGTERM, which writes it.
async fn the_last_sent_marks_are_written_on_shutdown(backend: Backend, test: &str) {
    let Some(mut instance) = Instance::new(BIN, backend, test) else {
        return;
    };
    // The marks may wait only less than the outbox's grace and lease.
    instance
        .set("ORDERCORE_OUTBOX_MARK_INTERVAL_MS", "3600000")
        .set("ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS", "7200000")
        .set("ORDERCORE_OUTBOX_LEASE_SECS", "7200");
    let mut server = instance.start();
    let url = server.instance.database_url().unwrap().to_string();
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    let sent_before = query_n(&url, SENT);
    let reply = server.authorize_and_submit(&token, card, None).await;
    assert_eq!(reply.data()["status"], "submitted", "{}", reply.body);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(query_n(&url, SENT), sent_before, "written before shutdown");
    let status = server
        .terminate(Duration::from_secs(15))
        .expect("the server did not stop within 15 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
    assert_eq!(
        query_n(&url, SENT),
        sent_before + 1,
        "the pending mark was not written on shutdown"
    );
}

#[tokio::test]
async fn the_last_sent_marks_are_written_on_shutdown_on_sqlite() {
    the_last_sent_marks_are_written_on_shutdown(Backend::Sqlite, "marks_exit_sqlite").await;
}

#[tokio::test]
async fn the_last_sent_marks_are_written_on_shutdown_on_postgres() {
    the_last_sent_marks_are_written_on_shutdown(Backend::Postgres, "marks_exit_postgres").await;
}

#[tokio::test]
async fn the_last_session_uses_are_written_on_shutdown_on_sqlite() {
    the_last_session_uses_are_written_on_shutdown(Backend::Sqlite, "touch_exit_sqlite").await;
}

#[tokio::test]
async fn the_last_session_uses_are_written_on_shutdown_on_postgres() {
    the_last_session_uses_are_written_on_shutdown(Backend::Postgres, "touch_exit_postgres").await;
}

#[tokio::test]
async fn a_session_use_is_written_within_seconds_on_sqlite() {
    a_session_use_is_written_within_seconds(Backend::Sqlite, "touch_on_sqlite").await;
}

#[tokio::test]
async fn a_session_use_is_written_within_seconds_on_postgres() {
    a_session_use_is_written_within_seconds(Backend::Postgres, "touch_on_postgres").await;
}
