//! ordercore-store: every storage port of `ordercore_domain::ports`, on
//! PostgreSQL (production, several stateless servers sharing one database)
//! and SQLite (the embedded default), through one Diesel code path.
//!
//! - [`DatabaseUrl`] is the one parser of database URLs (scheme → backend).
//! - [`Store::connect`] picks the backend from the URL scheme and builds the pool.
//! - [`Store::migrate`] applies the embedded migrations (under an advisory lock
//!   on PostgreSQL, so instances may start together).
//! - [`Store`] implements every repository trait; each call runs on tokio's
//!   blocking pool, inside the caller's tracing span.
//! - [`seed`] loads the records of contract §11, idempotently.
//! - Secrets at rest (an order's access code and on-site contact phone and
//!   e-mail, stored idempotent answers) are sealed at this boundary with the
//!   [`SecretCipher`](ordercore_domain::ports::SecretCipher) given by
//!   [`Store::with_cipher`]: the domain sees plain values (docs/storage.md).
//! - `testing` (cargo feature `testing`, for test code only): one throw-away
//!   PostgreSQL database per test.
//!
//! Concurrency is the database's job: unique constraints, conditional updates
//! and `FOR UPDATE SKIP LOCKED`; see docs/storage.md.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod broken;
mod db;
mod migrations;
mod repos;
mod rotate;
pub mod schema;
mod sealing;
pub mod seed;
mod stored_access;
#[cfg(feature = "testing")]
pub mod testing;
mod url;

pub use db::{Backend, DbConnection, DbConnectionManager, DbPool, StoreInitError};
pub use migrations::embedded_migration_names;
pub use repos::Backlog;

/// The hand-written PostgreSQL statements of the hot paths (submission,
/// session touches, sent marks), for the test that pins their plans.
#[doc(hidden)]
pub mod hot_sql {
    pub use crate::repos::identity::touches::FLUSH_PG as FLUSH_TOUCHES_PG;
    pub use crate::repos::orders::finalize::FINALIZE_PG;
    pub use crate::repos::orders::insert_pg::INSERT_WITH_REDEMPTION;
    pub use crate::repos::outbox::sent_marks::FLUSH_PG as FLUSH_SENT_MARKS_PG;
}
pub use rotate::RotationReport;
pub use seed::{SeedError, SeedFile, SeedSummary};
pub use url::{DatabaseUrl, DatabaseUrlError};

use diesel::RunQueryDsl;
use ordercore_domain::StoreError;

/// The database: a connection pool and the backend it talks to. Cheap to
/// clone; clones share the pool.
#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    backend: Backend,
    sealer: sealing::Sealer,
    /// The catalogue in memory, shared by clones (see `repos::catalog`).
    catalog: std::sync::Arc<repos::CatalogCache>,
    /// Order ids taken ahead from the sequence (PostgreSQL).
    order_ids: std::sync::Arc<repos::OrderIds>,
    /// Payment ids taken ahead likewise (PostgreSQL; see `repos::orders`).
    payment_ids: std::sync::Arc<repos::OrderIds>,
    /// Session uses not written yet (see [`Store::flush_touches`]).
    touches: std::sync::Arc<repos::PendingInstants>,
    /// E-mails sent whose mark is not written yet (see
    /// [`Store::flush_sent_marks`]).
    sent_marks: std::sync::Arc<repos::PendingInstants>,
    /// Admission of units of work to the blocking pool (see `db::Gate`).
    gate: db::Gate,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("pool", &self.pool.state())
            .finish()
    }
}

impl Store {
    /// Connects to `url` (`postgres://…`, `postgresql://…` or `sqlite://PATH`,
    /// read by [`DatabaseUrl::parse`]) with at most `pool_size` connections.
    /// Any other scheme, or a database that cannot be reached, is an error
    /// naming the cause (never the URL). Blocks while connecting: call it at
    /// start-up.
    pub fn connect(url: &str, pool_size: u32) -> Result<Store, StoreInitError> {
        Store::connect_url(&DatabaseUrl::parse(url)?, pool_size)
    }

    /// [`Store::connect`] for a URL already parsed.
    pub fn connect_url(url: &DatabaseUrl, pool_size: u32) -> Result<Store, StoreInitError> {
        let backend = url.backend();
        let pool = db::build_pool(backend, url.connect_target().to_string(), pool_size)?;
        Ok(Store {
            gate: db::Gate::for_pool(&pool),
            pool,
            backend,
            sealer: sealing::Sealer::default(),
            catalog: Default::default(),
            order_ids: Default::default(),
            payment_ids: std::sync::Arc::new(repos::OrderIds::payments()),
            touches: std::sync::Arc::new(repos::identity::touches::pending()),
            sent_marks: std::sync::Arc::new(repos::outbox::sent_marks::pending()),
        })
    }

    /// This store, sealing secrets at rest with `cipher`. Without one, a
    /// write or read of a secret fails (`StoreError::Backend`, naming
    /// `ORDERCORE_DATA_KEY`) instead of storing it in clear.
    pub fn with_cipher(
        mut self,
        cipher: std::sync::Arc<dyn ordercore_domain::ports::SecretCipher>,
    ) -> Store {
        self.sealer = sealing::Sealer::new(cipher);
        self
    }

    /// The backend this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for callers that need a raw connection (tests, operator tools).
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Applies pending embedded migrations; returns the versions applied
    /// (empty when the schema was current). On PostgreSQL the work happens
    /// under `pg_advisory_lock`, so concurrent starts migrate once.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreInitError> {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            span.in_scope(|| {
                let mut conn = pool
                    .get()
                    .map_err(|e| StoreInitError::Migrate(format!("no database connection: {e}")))?;
                migrations::run(&mut conn)
            })
        })
        .await
        .map_err(|e| StoreInitError::Migrate(format!("migration task failed: {e}")))?
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| {
            diesel::sql_query("SELECT 1").execute(c)?;
            Ok(())
        })
        .await
    }

    /// Waits (at most 3 s) until the pool's connections have been all idle
    /// and their number unchanged for 50 ms. r2d2 opens connections on a
    /// thread of its own (its state does not count those still opening);
    /// one still being opened by libpq when the process exits crashes it, as
    /// the C libraries (OpenSSL, Kerberos) are torn down under it. Call it
    /// before a process that used the store exits.
    pub async fn settle(&self) {
        let mut last = None;
        for _ in 0..60 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let state = self.pool.state();
            let now = (state.connections, state.idle_connections);
            if last == Some(now) && now.0 == now.1 {
                return;
            }
            last = Some(now);
        }
    }

    /// A unit of work that may write (see `db::run_blocking`).
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> db::DbResult<T> + Clone + Send + 'static,
        T: Send + 'static,
    {
        db::run_blocking(&self.pool, &self.gate, broken::UnitKind::Write, f).await
    }

    /// A unit of work that only reads: it runs again on a fresh connection
    /// whenever its connection was found lost. Debug builds fail a unit
    /// declared here that sends a write.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> db::DbResult<T> + Clone + Send + 'static,
        T: Send + 'static,
    {
        db::run_blocking(&self.pool, &self.gate, broken::UnitKind::Read, f).await
    }
}
