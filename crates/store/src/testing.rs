//! Throw-away PostgreSQL databases for tests (cargo feature `testing`; only
//! test code enables it). The store's contract tests and the black-box suite
//! both create their PostgreSQL databases here, so they skip, fail and clean
//! up the same way.
//!
//! The server is `ORDERCORE_TEST_POSTGRES_URL` (default
//! [`DEFAULT_POSTGRES_URL`]). When it cannot be reached, [`PgTestDatabase::create`]
//! prints `SKIPPED: PostgreSQL unreachable (…)` and returns `None`, unless
//! `ORDERCORE_REQUIRE_POSTGRES=1`, which turns that into a panic (a failed test).

use crate::url::DatabaseUrl;
use diesel::{Connection, PgConnection, RunQueryDsl};
use std::sync::atomic::{AtomicU64, Ordering};

/// The test PostgreSQL server when `ORDERCORE_TEST_POSTGRES_URL` is unset.
pub const DEFAULT_POSTGRES_URL: &str =
    "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

/// The admin URL tests create their databases on.
pub fn admin_url() -> DatabaseUrl {
    let raw = std::env::var("ORDERCORE_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_string());
    match DatabaseUrl::parse(&raw) {
        Ok(url) if url.backend() == crate::Backend::Postgres => url,
        Ok(_) => panic!("ORDERCORE_TEST_POSTGRES_URL must be a postgres:// URL"),
        Err(e) => panic!("ORDERCORE_TEST_POSTGRES_URL: {e}"),
    }
}

/// Whether an unreachable PostgreSQL must fail the test instead of skipping it.
pub fn postgres_required() -> bool {
    std::env::var("ORDERCORE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A database created for one test on the test server, dropped (`WITH
/// (FORCE)`, so open connections do not keep it alive) when this value is.
#[derive(Debug)]
pub struct PgTestDatabase {
    admin: DatabaseUrl,
    url: DatabaseUrl,
    name: String,
}

impl PgTestDatabase {
    /// A fresh, empty database named `ordercore_test_<pid>_<nanos>_<n>`.
    /// `test` names the caller in the SKIPPED line. `None` after printing
    /// SKIPPED when the server is unreachable and not required; panics when
    /// it is required, or when it answers but refuses to create the database.
    pub fn create(test: &str) -> Option<PgTestDatabase> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let admin = admin_url();
        let mut conn = match PgConnection::establish(admin.expose()) {
            Ok(c) => c,
            Err(e) => {
                if postgres_required() {
                    panic!("PostgreSQL unreachable and ORDERCORE_REQUIRE_POSTGRES=1: {e}");
                }
                // Both streams: nextest and `--nocapture` show one or the other.
                println!("SKIPPED: PostgreSQL unreachable ({e}): {test}");
                eprintln!("SKIPPED: PostgreSQL unreachable ({e}): {test}");
                return None;
            }
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!(
            "ordercore_test_{}_{nanos}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let url = admin
            .with_database(&name)
            .unwrap_or_else(|| panic!("the admin URL is not a postgres:// URL"));
        Some(PgTestDatabase { admin, url, name })
    }

    /// The URL of this database.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The database's name (every connection URL to it contains it).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PgTestDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(self.admin.expose()) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut c);
        }
    }
}
