//! One database per test: a SQLite file in a temp dir, or a fresh PostgreSQL
//! database from `ordercore_store::testing` (created on
//! `ORDERCORE_TEST_POSTGRES_URL`, dropped afterwards; SKIPPED when PostgreSQL
//! is unreachable unless `ORDERCORE_REQUIRE_POSTGRES=1`).

use ordercore_store::DatabaseUrl;
use ordercore_store::testing::PgTestDatabase;
use std::path::Path;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that lives as long as the test.
pub struct TestDb {
    /// What the server is given as `ORDERCORE_DATABASE_URL`.
    pub url: String,
    /// PostgreSQL: the database, dropped with this value.
    _pg: Option<PgTestDatabase>,
}

impl TestDb {
    /// `sqlite://<dir>/ordercore.db`.
    pub fn sqlite(dir: &Path) -> TestDb {
        TestDb {
            url: DatabaseUrl::sqlite(&dir.join("ordercore.db"))
                .expose()
                .to_string(),
            _pg: None,
        }
    }

    /// A fresh database on the test PostgreSQL server; `None` (after printing
    /// SKIPPED) when it is unreachable, unless `ORDERCORE_REQUIRE_POSTGRES=1`,
    /// which makes that a failure.
    pub fn postgres(test: &str) -> Option<TestDb> {
        let pg = PgTestDatabase::create(test)?;
        Some(TestDb {
            url: pg.url().expose().to_string(),
            _pg: Some(pg),
        })
    }
}
