//! One database per test: a SQLite file in a temp dir, or a fresh PostgreSQL
//! database created on `ORDERCORE_TEST_POSTGRES_URL` and dropped afterwards.

use diesel::{Connection, PgConnection, RunQueryDsl};
use std::path::Path;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that lives as long as the test.
pub struct TestDb {
    pub url: String,
    /// PostgreSQL: the admin URL and database name to drop.
    drop: Option<(String, String)>,
}

impl TestDb {
    /// `sqlite://<dir>/ordercore.db`.
    pub fn sqlite(dir: &Path) -> TestDb {
        TestDb {
            url: format!("sqlite://{}", dir.join("ordercore.db").display()),
            drop: None,
        }
    }

    /// A fresh database on the test PostgreSQL server; `None` (after printing
    /// SKIPPED) when it is unreachable, unless `ORDERCORE_REQUIRE_POSTGRES=1`,
    /// which makes that a failure.
    pub fn postgres(test: &str) -> Option<TestDb> {
        let admin_url = std::env::var("ORDERCORE_TEST_POSTGRES_URL")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_string());
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(c) => c,
            Err(e) => {
                if std::env::var("ORDERCORE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                    panic!(
                        "PostgreSQL is required (ORDERCORE_REQUIRE_POSTGRES=1) but unreachable: {e}"
                    );
                }
                eprintln!(
                    "SKIPPED {test}: PostgreSQL unreachable at ORDERCORE_TEST_POSTGRES_URL ({e})"
                );
                return None;
            }
        };
        let name = format!(
            "ordercore_e2e_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        );
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("ORDERCORE_TEST_POSTGRES_URL must end in /<database>"),
        };
        Some(TestDb {
            url,
            drop: Some((admin_url, name)),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.drop
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}
