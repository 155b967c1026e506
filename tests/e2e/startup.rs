//! Start-up refuses a bad configuration with a message naming the setting,
//! and shutdown on SIGTERM is clean.

use crate::BIN;
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::Instance;
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
        vec!["services", "--help"],
        vec!["notifications", "list", "--help"],
    ] {
        let out = instance.run_ok(&args);
        assert!(out.contains("Usage: ordercore"), "{args:?}: {out}");
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let mut server = Instance::new(BIN, Backend::Sqlite, "sigterm")
        .unwrap()
        .start();
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
