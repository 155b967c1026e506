//! Test databases: a fresh SQLite file or a fresh PostgreSQL database per
//! test, dropped afterwards. Tests never share a database.

use diesel::{Connection, PgConnection, RunQueryDsl};
use ordercore_store::Store;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const POOL_SIZE: u32 = 12;

pub struct TestDb {
    pub store: Store,
    /// Versions applied by the first migration of this fresh database.
    pub applied: Vec<String>,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let (store, dir) = Self::sqlite_unmigrated();
        let applied = store.migrate().await.expect("migrate sqlite");
        TestDb {
            store,
            applied,
            _dir: Some(dir),
            _pg: None,
        }
    }

    /// A string every connection URL of this database contains.
    pub fn marker(&self) -> String {
        match (&self._dir, &self._pg) {
            (Some(dir), _) => dir.path().display().to_string(),
            (_, Some(pg)) => pg.name.clone(),
            _ => unreachable!("a test database is SQLite or PostgreSQL"),
        }
    }

    pub fn sqlite_unmigrated() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url, POOL_SIZE).expect("connect sqlite");
        (store, dir)
    }

    /// `None` (after printing why) when PostgreSQL is unreachable and not required.
    pub async fn postgres() -> Option<TestDb> {
        let (store, pg) = Self::postgres_unmigrated()?;
        let applied = store.migrate().await.expect("migrate postgres");
        Some(TestDb {
            store,
            applied,
            _dir: None,
            _pg: Some(pg),
        })
    }

    pub fn postgres_unmigrated() -> Option<(Store, PgDatabase)> {
        let admin = std::env::var("ORDERCORE_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
        let mut conn = match PgConnection::establish(&admin) {
            Ok(c) => c,
            Err(e) => {
                if std::env::var("ORDERCORE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!("PostgreSQL unreachable and ORDERCORE_REQUIRE_POSTGRES=1: {e}");
                }
                println!("SKIPPED: PostgreSQL unreachable ({e})");
                eprintln!("SKIPPED: PostgreSQL unreachable ({e})");
                return None;
            }
        };
        let name = format!("ordercore_test_{}", uuid::Uuid::new_v4().simple());
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .expect("create test database");
        let pg = PgDatabase {
            admin_url: admin.clone(),
            name: name.clone(),
        };
        let store = Store::connect(&database_url(&admin, &name), POOL_SIZE).expect("connect pg");
        Some((store, pg))
    }
}

/// A PostgreSQL database created for one test; dropped with it.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut c);
        }
    }
}

/// `admin` with its database name replaced by `name`.
pub fn database_url(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{}{}", &base[..path_start], name, query)
}

#[test]
fn database_urls() {
    assert_eq!(
        database_url("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        database_url("postgresql://u:p@h/db?sslmode=disable", "t2"),
        "postgresql://u:p@h/t2?sslmode=disable"
    );
    assert_eq!(
        database_url("postgres://h:5432", "t3"),
        "postgres://h:5432/t3"
    );
}
