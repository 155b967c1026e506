//! Test databases: a fresh SQLite file or a fresh PostgreSQL database per
//! test (`ordercore_store::testing`), dropped afterwards. Tests never share a
//! database.

use ordercore_crypto::{DataCipher, DataKey};
use ordercore_store::testing::PgTestDatabase;
use ordercore_store::{DatabaseUrl, Store};
use std::sync::Arc;

const POOL_SIZE: u32 = 12;

/// The data key every test store seals with ([`test_cipher`]).
pub fn test_key() -> DataKey {
    DataKey::from_bytes([7; 32])
}

/// The cipher of every test store: [`test_key`], no older keys.
pub fn test_cipher() -> Arc<DataCipher> {
    Arc::new(DataCipher::new(test_key(), Vec::new()))
}

pub struct TestDb {
    pub store: Store,
    /// Versions applied by the first migration of this fresh database.
    pub applied: Vec<String>,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgTestDatabase>,
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
            (_, Some(pg)) => pg.name().to_string(),
            _ => unreachable!("a test database is SQLite or PostgreSQL"),
        }
    }

    pub fn sqlite_unmigrated() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::sqlite(&dir.path().join("test.db"));
        let store = Store::connect_url(&url, POOL_SIZE)
            .expect("connect sqlite")
            .with_cipher(test_cipher());
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

    pub fn postgres_unmigrated() -> Option<(Store, PgTestDatabase)> {
        let pg = PgTestDatabase::create("store contract test")?;
        let store = Store::connect_url(pg.url(), POOL_SIZE)
            .expect("connect pg")
            .with_cipher(test_cipher());
        Some((store, pg))
    }
}
