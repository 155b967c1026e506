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

impl TestDb {
    /// PostgreSQL: ends every other session on this database with
    /// `pg_terminate_backend` — for a connection pool the same fault as a
    /// database restart. Returns how many were ended (0 on SQLite).
    pub fn terminate_connections(&self) -> usize {
        use diesel::sql_types::{BigInt, Text};
        use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
        #[derive(QueryableByName)]
        struct Ended {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let Some(pg) = &self._pg else { return 0 };
        let admin = ordercore_store::testing::admin_url();
        let mut conn = PgConnection::establish(admin.expose()).expect("admin connection");
        let rows: Vec<Ended> = diesel::sql_query(
            "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) AS n \
             FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind::<Text, _>(pg.name())
        .load(&mut conn)
        .expect("pg_terminate_backend");
        rows.first()
            .map_or(0, |r| usize::try_from(r.n).unwrap_or(0))
    }
}

/// Runs one SQL statement on the database at `url` (the server's
/// `ORDERCORE_DATABASE_URL`), beside a running server: tests use it to age
/// rows instead of waiting days. Returns the rows it changed.
pub fn execute(url: &str, sql: &str) -> usize {
    use diesel::RunQueryDsl;
    diesel::sql_query(sql)
        .execute(&mut *connection(url))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A connection to the database at `url`, as the server makes them.
fn connection(url: &str) -> diesel::r2d2::PooledConnection<ordercore_store::DbConnectionManager> {
    let store = ordercore_store::Store::connect(url, 1).expect("connect to the test database");
    store
        .pool()
        .get()
        .expect("a connection to the test database")
}

/// Runs a query on the database at `url` whose one row has one integer
/// column named `n`, and returns it.
pub fn query_n(url: &str, sql: &str) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(sql)
        .load(&mut *connection(url))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.first()
        .map_or_else(|| panic!("{sql}: no row"), |r| r.n)
}
