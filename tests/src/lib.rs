//! The black-box harness of ordercore: everything a test needs to start the
//! real `ordercore` binary and drive it over HTTP.
//!
//! - [`db::TestDb`]: a temp SQLite file, or a fresh PostgreSQL database per
//!   test (dropped afterwards; SKIPPED when PostgreSQL is unreachable unless
//!   `ORDERCORE_REQUIRE_POSTGRES=1`).
//! - [`stubs`]: wiremock servers standing in for Authorize.net and Mandrill,
//!   replaying the provider replies in `tests/fixtures/`.
//! - [`server`]: runs `ordercore migrate`, `seed --demo` and `serve` on a free
//!   port with a clean environment, and operator commands against the same
//!   database.
//! - [`api`]: the request shapes of contract §1 (JSON, or base64 for sensitive
//!   routes) and the demo data.
//! - [`balancer`]: a real haproxy (`docs/haproxy.cfg`) in front of servers.
//! - [`browser`]: headless Chromium over WebDriver, for the staff console.
//! - [`retrying_client`] and [`invariants`]: the crash suites' client, which
//!   retries under one Idempotency-Key across crashes, and their money-safety
//!   checks against the stub processor's ledger and the database.
//!
//! The servers log nowhere unless `TEST_LOG=1`; a start-up failure shows the
//! server's log in the panic message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod api;
pub mod balancer;
pub mod browser;
pub mod db;
pub mod invariants;
pub mod retrying_client;
pub mod server;
pub mod stubs;

/// The repository's `tests/` folder (fixtures, the README walkthrough script).
pub fn tests_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's bytes, e.g. `fixture("authorizenet/declined.json")`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = tests_dir().join("fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// Whether the servers should log to the test output.
pub fn test_log() -> bool {
    std::env::var("TEST_LOG").is_ok_and(|v| v == "1")
}
