//! Migrations: from empty, idempotent, the same names on both backends, and
//! concurrent starts on PostgreSQL (advisory lock).

use crate::support::TestDb;
use ordercore_store::{Store, embedded_migration_names};
use std::path::Path;

fn folder_names(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migration_names() {
    let pg = folder_names("postgres");
    let sqlite = folder_names("sqlite");
    assert!(!pg.is_empty());
    assert_eq!(
        pg, sqlite,
        "migrations/postgres and migrations/sqlite differ"
    );
    for name in &pg {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        for backend in ["postgres", "sqlite"] {
            assert!(
                dir.join(backend).join(name).join("up.sql").is_file(),
                "{backend}/{name}/up.sql"
            );
            assert!(
                dir.join(backend).join(name).join("down.sql").is_file(),
                "{backend}/{name}/down.sql"
            );
        }
    }
    let (embedded_pg, embedded_sqlite) = embedded_migration_names();
    assert_eq!(embedded_pg, embedded_sqlite);
    assert_eq!(embedded_pg.len(), pg.len(), "embedded migrations are stale");
}

#[test]
fn unsupported_urls_are_refused_clearly() {
    for url in [
        "mysql://localhost/db",
        "ordercore.db",
        "sqlite://",
        "http://x",
    ] {
        let err = Store::connect(url, 1).unwrap_err().to_string();
        assert!(
            err.contains("postgres://") || err.contains("file path"),
            "{url}: {err}"
        );
        assert!(
            !err.contains("localhost/db"),
            "the URL must not be echoed: {err}"
        );
    }
}

#[test]
fn unreachable_databases_are_reported_as_such() {
    let err = Store::connect("postgres://postgres:secret@127.0.0.1:1/nowhere", 1)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("could not connect to the postgres database"),
        "{err}"
    );
    assert!(!err.contains("secret"), "no password in errors: {err}");
    let err = Store::connect("sqlite:///nonexistent-dir/x/y.db", 1)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("could not connect to the sqlite database"),
        "{err}"
    );
}

async fn migrates_from_empty_and_is_idempotent(store: &Store, applied: Vec<String>) {
    assert_eq!(applied.len(), folder_names("postgres").len());
    assert!(
        store.migrate().await.unwrap().is_empty(),
        "second run applies nothing"
    );
    store.ping().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migrations_from_empty_are_idempotent() {
    let db = TestDb::sqlite().await;
    migrates_from_empty_and_is_idempotent(&db.store, db.applied.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrations_from_empty_are_idempotent() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    migrates_from_empty_and_is_idempotent(&db.store, db.applied.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_migrations_apply_once() {
    let Some((store, _db)) = TestDb::postgres_unmigrated() else {
        return;
    };
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { s.migrate().await })
        })
        .collect();
    let mut applied = 0;
    for r in runs {
        applied += r.await.unwrap().unwrap().len();
    }
    assert_eq!(
        applied,
        folder_names("postgres").len(),
        "each migration applied exactly once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_connections_enforce_foreign_keys_and_wal() {
    use diesel::RunQueryDsl;
    use diesel::sql_types::{BigInt, Text};
    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Fk {
        #[diesel(sql_type = BigInt)]
        foreign_keys: i64,
    }
    let db = TestDb::sqlite().await;
    let mut conn = db.store.pool().get().unwrap();
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
    let fk: Fk = diesel::sql_query("PRAGMA foreign_keys")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(fk.foreign_keys, 1);
}
