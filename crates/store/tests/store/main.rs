//! The store's contract suite. Every contract test runs twice: on a fresh
//! SQLite file and on a fresh PostgreSQL database (skipped with a printed
//! "SKIPPED: PostgreSQL unreachable" unless ORDERCORE_REQUIRE_POSTGRES=1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// `contract_tests!(name, …)` turns each `async fn name(store: &Store)` of the
/// calling module into `name::sqlite` and `name::postgres` tests.
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = crate::support::TestDb::sqlite().await;
                super::$name(&db.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let Some(db) = crate::support::TestDb::postgres().await else {
                    return;
                };
                super::$name(&db.store).await;
                db.store.settle().await;
            }
        }
    )*};
}

// One module per resource, named as in the store's `repos`; then the
// cross-cutting suites.
mod authorization_expiry;
mod catalog;
mod events;
mod idempotency;
mod identity;
mod notifications;
mod orders;
mod orders_search;
mod outbox;
mod payment_methods;
mod payments;
mod promotions;
mod reconcile;
mod registry;
mod secrets;

mod errors;
mod fixtures;
mod migrations;
mod plans;
mod races;
mod seed;
mod statements;
mod support;
