//! Black-box tests: the real `ordercore` binary, started on a free port with
//! its own database (SQLite, and PostgreSQL when reachable) and stub
//! Authorize.net and Mandrill servers, driven over HTTP and through its
//! operator commands.
//!
//! Compiled as the `e2e` test target of ordercore-server (see its Cargo.toml)
//! so that Cargo builds the binary first and hands its path over in
//! `CARGO_BIN_EXE_ordercore`; the harness is the ordercore-e2e library
//! (`tests/src`). Run with `cargo test -p ordercore-server --test e2e`;
//! `TEST_LOG=1` shows the servers' logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod console;
mod crash_points;
mod db_restart;
mod expiry;
mod generated_client;
mod input;
mod kill_switch;
mod mail;
mod orders;
mod prereqs;
mod processor;
mod readme;
mod scale_out;
mod secrets;
mod seed;
mod sigkill;
mod startup;
mod webhooks;

use ordercore_e2e::db::Backend;
use ordercore_e2e::server::Instance;
use ordercore_e2e::stubs::{AuthorizeNetStub, MandrillStub};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_ordercore");

/// An instance on `backend` wired to the stub providers (`None`: PostgreSQL
/// SKIPPED).
pub fn with_stubs(
    backend: Backend,
    test: &str,
    authorizenet: &AuthorizeNetStub,
    mandrill: &MandrillStub,
) -> Option<Instance> {
    let mut instance = Instance::new(BIN, backend, test)?;
    configure_processor(&mut instance, &authorizenet.endpoint(), mandrill);
    Some(instance)
}

/// Points `instance` at an Authorize.net stub at `endpoint` and the Mandrill stub.
pub fn configure_processor(instance: &mut Instance, endpoint: &str, mandrill: &MandrillStub) {
    instance
        .set("ORDERCORE_PAYMENT_GATEWAY", "authorizenet")
        .set("ORDERCORE_AUTHORIZENET_LOGIN_ID", "e2e-login")
        .set(
            "ORDERCORE_AUTHORIZENET_TRANSACTION_KEY",
            "e2e-transaction-key",
        )
        .set("ORDERCORE_AUTHORIZENET_ENDPOINT", endpoint)
        .set("ORDERCORE_MAILER", "mandrill")
        .set("ORDERCORE_MANDRILL_API_KEY", "e2e-mandrill-key")
        .set("ORDERCORE_MANDRILL_ENDPOINT", &mandrill.endpoint());
}

/// Polls `check` every 100 ms for up to `secs` seconds.
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}
