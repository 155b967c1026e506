//! Connections, the pool, and the plumbing every repository call goes through:
//! the blocking pool, error mapping, write transactions and time encoding.

use crate::broken;
use chrono::{DateTime, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use ordercore_domain::StoreError;
use ordercore_domain::model::Money;
use std::time::Duration;

/// One connection to either backend. Every query in this crate is written once
/// against this type; backend-specific SQL matches on the variant.
///
/// Row types are named structs deriving `Queryable` + `Selectable`; SELECTs
/// use `Row::as_select()`. RETURNING cannot: the derive implements
/// `QueryFragment<MultiBackend>` for a `ReturningClause<E>` only where `E` is
/// a `QueryFragment` of *each* inner backend (Pg and Sqlite), while
/// `SelectBy<Row, MultiBackend>` (what `as_select()`/`as_returning()` build
/// here) is a `QueryFragment` of `MultiBackend` alone. So rows read back by
/// RETURNING keep a const column tuple, in field order, next to the struct.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which database a [`crate::Store`] talks to, decided by the URL scheme
/// (see [`crate::DatabaseUrl`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// The backend's name, as logs and the readiness answer show it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// Why the store could not start. Messages never contain the database URL
/// (it may carry a password).
#[derive(Debug, thiserror::Error)]
pub enum StoreInitError {
    /// The URL named no supported backend, or lacked its host or path.
    #[error(transparent)]
    Url(#[from] crate::url::DatabaseUrlError),
    #[error("could not connect to the {backend} database: {detail}")]
    Connect {
        backend: &'static str,
        detail: String,
    },
    #[error("could not build the connection pool: {0}")]
    Pool(String),
    #[error("database migration failed: {0}")]
    Migrate(String),
}

/// Opens connections of the backend the URL named. (Diesel's generic
/// `ConnectionManager<DbConnection>` would try every backend in turn for any
/// URL; this one connects with exactly the driver the scheme chose.)
#[derive(Debug, Clone)]
pub struct DbConnectionManager {
    backend: Backend,
    target: String,
}

impl DbConnectionManager {
    pub fn new(backend: Backend, target: String) -> Self {
        let target = match backend {
            Backend::Postgres => without_gss_probe(target),
            Backend::Sqlite => target,
        };
        DbConnectionManager { backend, target }
    }

    pub(crate) fn establish(&self) -> ConnectionResult<DbConnection> {
        match self.backend {
            Backend::Postgres => diesel::PgConnection::establish(&self.target).map(|mut c| {
                crate::broken::WriteCounter::install(&mut c);
                DbConnection::Pg(c)
            }),
            Backend::Sqlite => {
                diesel::SqliteConnection::establish(&self.target).map(DbConnection::Sqlite)
            }
        }
    }
}

/// `url` with `gssencmode=disable` unless it sets `gssencmode` itself.
/// libpq's default (`prefer`) asks Kerberos for credentials on every new
/// connection, and Kerberos' library aborts the process when that happens
/// while the process exits (the pool opens connections on a thread of its
/// own: seen as a crash at the end of a test). GSSAPI encryption stays
/// available to a URL that asks for it.
fn without_gss_probe(url: String) -> String {
    // Only the query's parameter names count: a password may contain
    // anything.
    let query = url.split_once('?').map(|(_, q)| q);
    let sets_it = query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some("gssencmode"))
    });
    if sets_it {
        return url;
    }
    let sep = if query.is_some() { '&' } else { '?' };
    format!("{url}{sep}gssencmode=disable")
}

impl ManageConnection for DbConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.establish()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// The pool every repository call borrows from.
pub type DbPool = Pool<DbConnectionManager>;

/// SQLite settings applied to every new connection: enforce foreign keys, WAL
/// so readers do not block the writer, and wait (not fail) on a busy database.
#[derive(Debug)]
pub(crate) struct SqlitePragmas;

pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            c.batch_execute(SQLITE_PRAGMAS)
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub(crate) fn build_pool(
    backend: Backend,
    target: String,
    pool_size: u32,
) -> Result<DbPool, StoreInitError> {
    let manager = DbConnectionManager::new(backend, target);
    // Connect once directly, so an unreachable database gives its own error
    // rather than the pool's timeout.
    let mut probe = manager.establish().map_err(|e| StoreInitError::Connect {
        backend: backend.as_str(),
        detail: e.to_string(),
    })?;
    if let DbConnection::Sqlite(c) = &mut probe {
        c.batch_execute(SQLITE_PRAGMAS)
            .map_err(|e| StoreInitError::Connect {
                backend: backend.as_str(),
                detail: e.to_string(),
            })?;
    }
    drop(probe);
    Pool::builder()
        .max_size(pool_size.max(1))
        .min_idle(Some(1))
        // No `SELECT 1` before every check-out: it was 9 of the 33 round
        // trips of an order submission (bench/results/2026-11-28-profile.md).
        // After a database restart a stale pooled connection fails the first
        // statement sent on it instead; `run_blocking` then drops it and runs
        // the unit again on a live one (see `crate::broken`).
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(15))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)
        .map_err(|e| StoreInitError::Pool(e.to_string()))
}

/// A storage failure inside a blocking closure. Diesel errors convert into it
/// (a unique violation becomes `Conflict`), so `?` works in transactions.
#[derive(Debug)]
pub(crate) struct Fail(pub StoreError);

impl From<DieselError> for Fail {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let name = info
                    .constraint_name()
                    .map(str::to_string)
                    .unwrap_or_else(|| info.message().to_string());
                Fail(StoreError::Conflict(name))
            }
            other => Fail(StoreError::backend(other)),
        }
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail(e)
    }
}

/// A backend failure with no underlying error value (a stored value this
/// code cannot read, a bad argument).
pub(crate) fn backend_fail(detail: impl Into<String>) -> Fail {
    Fail(StoreError::backend(detail.into()))
}

/// A failure around the queries (the pool, the blocking task): what was being
/// done, and the error that stopped it, kept as the `source()`.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {source}")]
pub(crate) struct Around {
    context: &'static str,
    #[source]
    source: ordercore_domain::error::BoxError,
}

impl Around {
    pub(crate) fn store_error(
        context: &'static str,
        source: impl Into<ordercore_domain::error::BoxError>,
    ) -> StoreError {
        StoreError::backend(Around {
            context,
            source: source.into(),
        })
    }
}

pub(crate) type DbResult<T> = Result<T, Fail>;

/// Admission to the blocking pool: one permit per pooled connection. A unit
/// of work waits for its permit here, as a task, in arrival order (tokio's
/// semaphore is fair), and only then takes a thread of the blocking pool, so
/// that it finds a connection free. Without it every waiting unit held a
/// thread parked on r2d2's check-out (dozens on a busy instance), woken in
/// no particular order: the threads cost task switches, and a unit could
/// wait behind many that came after it (bench/results/2026-12-07-notes.md).
#[derive(Clone)]
pub(crate) struct Gate {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    timeout: Duration,
}

impl Gate {
    /// As many permits as `pool` has connections at most; a unit waits for
    /// its permit and its connection together at most as long as r2d2
    /// waits for a connection.
    pub(crate) fn for_pool(pool: &DbPool) -> Gate {
        Gate::new(pool.max_size() as usize, pool.connection_timeout())
    }

    fn new(permits: usize, timeout: Duration) -> Gate {
        Gate {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(permits)),
            timeout,
        }
    }

    /// A permit, and how long the unit may still wait for its connection:
    /// the pool's timeout bounds both waits together (at least a second is
    /// left for the check-out, which a permit makes quick).
    async fn enter(&self) -> Result<(tokio::sync::OwnedSemaphorePermit, Duration), StoreError> {
        let waited = self.timeout;
        let started = std::time::Instant::now();
        match tokio::time::timeout(waited, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok((
                permit,
                waited
                    .saturating_sub(started.elapsed())
                    .max(Duration::from_secs(1)),
            )),
            Ok(Err(closed)) => Err(Around::store_error("no database connection", closed)),
            Err(_) => Err(Around::store_error(
                "no database connection",
                format!(
                    "every pooled connection stayed busy for {} s",
                    waited.as_secs()
                ),
            )),
        }
    }
}

/// Runs `f` on a pooled connection on tokio's blocking pool, once `gate`
/// admits it, inside the caller's tracing span. `kind` says whether `f` only
/// reads.
///
/// When the connection turns out to be dead (the database restarted or
/// dropped it) and `f` can have changed nothing — it only reads, or the
/// statement that failed was its first and does not write — the connection
/// is dropped from the pool and `f` runs once more on a connection that
/// answers a ping. Otherwise a write may have been committed, so the error is
/// returned; the connection is dropped either way (see `crate::broken`).
///
/// `f` is cloned before it runs (a closure is `Clone` when what it captures
/// is), so that a retry gets the same inputs.
pub(crate) async fn run_blocking<T, F>(
    pool: &DbPool,
    gate: &Gate,
    kind: broken::UnitKind,
    f: F,
) -> Result<T, StoreError>
where
    F: FnOnce(&mut DbConnection) -> DbResult<T> + Clone + Send + 'static,
    T: Send + 'static,
{
    let (permit, wait) = gate.enter().await?;
    let pool = pool.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        span.in_scope(|| {
            let mut conn = broken::check_out(&pool, wait)
                .map_err(|e| Around::store_error("no database connection", e))?;
            broken::begin_unit(kind);
            let retry = f.clone();
            let error = match f(&mut conn) {
                Ok(value) => return Ok(value),
                Err(Fail(e)) if broken::store_error_is_connection_lost(&e) => e,
                Err(Fail(e)) => return Err(e),
            };
            broken::mark_broken(&mut conn);
            broken::note_loss();
            drop(conn);
            let (changed_nothing, sent) = broken::unit_changed_nothing();
            if !changed_nothing {
                tracing::warn!(
                    db.statements_sent = sent,
                    error = %error,
                    "database connection lost after a statement that may have written: not retried"
                );
                return Err(error);
            }
            tracing::info!(error = %error, "database connection lost; retrying on a fresh one");
            let mut conn = broken::checked_out_alive(&pool, wait)
                .map_err(|e| Around::store_error("no database connection", e))?;
            broken::begin_unit(kind);
            retry(&mut conn).map_err(|Fail(e)| {
                if broken::store_error_is_connection_lost(&e) {
                    broken::mark_broken(&mut conn);
                }
                e
            })
        })
    })
    .await
    .map_err(|e| Around::store_error("database task failed", e))?
}

/// A transaction for work that reads and then writes. On SQLite it starts with
/// `BEGIN IMMEDIATE`, taking the write lock up front, so two such transactions
/// queue on the busy timeout instead of failing with SQLITE_BUSY on upgrade.
/// On PostgreSQL it is an ordinary (READ COMMITTED) transaction; correctness
/// there comes from conditional updates, unique constraints and row locks.
pub(crate) fn write_tx<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> DbResult<T>,
) -> DbResult<T> {
    if let DbConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        match f(conn) {
            Ok(value) => {
                <DbConnection as TransactionManager<DbConnection>>::commit_transaction(conn)?;
                Ok(value)
            }
            Err(e) => {
                if let Err(rollback) =
                    <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(conn)
                {
                    tracing::warn!(error = %rollback, "sqlite rollback failed");
                }
                Err(e)
            }
        }
    } else {
        conn.transaction(f)
    }
}

/// Timestamps are stored as BIGINT microseconds since the Unix epoch, UTC.
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(m: i64) -> DbResult<DateTime<Utc>> {
    DateTime::from_timestamp_micros(m).ok_or_else(|| backend_fail(format!("bad timestamp {m}")))
}

pub(crate) fn from_micros_opt(m: Option<i64>) -> DbResult<Option<DateTime<Utc>>> {
    m.map(from_micros).transpose()
}

/// A stored amount in cents; a negative one is a corrupt row.
pub(crate) fn money(cents: i64) -> DbResult<Money> {
    Money::from_cents(cents).map_err(|_| backend_fail(format!("negative amount {cents} stored")))
}

/// A stored text value that must parse into a domain enum.
pub(crate) fn parse_enum<T>(
    what: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> DbResult<T> {
    parse(raw).ok_or_else(|| backend_fail(format!("unknown {what} {raw:?} in the database")))
}

/// Reads a JSON text column.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(what: &str, raw: &str) -> DbResult<T> {
    serde_json::from_str(raw).map_err(|e| backend_fail(format!("unreadable {what}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(what: &str, value: &T) -> DbResult<String> {
    serde_json::to_string(value).map_err(|e| backend_fail(format!("cannot encode {what}: {e}")))
}

/// A row's columns in its field order, written once:
/// `columns!(pub(crate) const NAME = table { a, b })` is
/// `const NAME: (table::a, table::b) = (table::a, table::b)`. Rows select
/// and return such tuples because Diesel's `as_select()` and
/// `as_returning()` do not compile on the multi-backend connection
/// ([`DbConnection`]).
macro_rules! columns {
    ($vis:vis const $name:ident = $table:ident { $($col:ident),+ $(,)? }) => {
        $vis const $name: ($($table::$col,)+) = ($($table::$col,)+);
    };
}
pub(crate) use columns;

/// Runs `$body` with `$c` bound to the backend's own connection
/// (`&mut PgConnection` or `&mut SqliteConnection`), for the statements of
/// the hot requests. A statement sent through the multi-backend
/// [`DbConnection`] is rendered to SQL text on every execution (Diesel's
/// `MultiConnection` serializes the query each time it collects its binds),
/// a fifth of the service's CPU on `orders/read`; the backend's own
/// connection finds a statement in its prepared-statement cache by its type.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

#[cfg(test)]
mod tests {
    use super::{Gate, without_gss_probe};
    use std::time::Duration;

    #[tokio::test]
    async fn the_gate_admits_as_many_units_as_connections_in_arrival_order() {
        let gate = Gate::new(1, Duration::from_secs(5));
        let (first, _) = gate.enter().await.unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut waiting = Vec::new();
        for n in 0..3 {
            let (gate, tx) = (gate.clone(), tx.clone());
            waiting.push(tokio::spawn(async move {
                let _permit = gate.enter().await.unwrap().0;
                tx.send(n).unwrap();
            }));
            // each waiter queues before the next is spawned
            tokio::task::yield_now().await;
        }
        tokio::task::yield_now().await;
        assert!(
            rx.try_recv().is_err(),
            "a unit got in while the one connection was busy"
        );
        drop(first);
        for w in waiting {
            w.await.unwrap();
        }
        let order: Vec<i32> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(order, [0, 1, 2]);
    }

    #[tokio::test]
    async fn the_wait_for_a_permit_counts_against_the_wait_for_the_connection() {
        let gate = Gate::new(1, Duration::from_secs(5));
        let (busy, full) = gate.enter().await.unwrap();
        assert!(full > Duration::from_millis(4900), "{full:?}");
        let second = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.enter().await.unwrap().1 })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(busy);
        let left = second.await.unwrap();
        assert!(left <= Duration::from_millis(4700), "{left:?}");
        assert!(left >= Duration::from_secs(1), "{left:?}");
    }

    #[tokio::test]
    async fn a_unit_that_waits_past_the_pool_timeout_fails_naming_the_cause() {
        let gate = Gate::new(1, Duration::from_millis(20));
        let _busy = gate.enter().await.unwrap().0;
        let e = gate.enter().await.unwrap_err().to_string();
        assert!(e.contains("no database connection"), "{e}");
        assert!(e.contains("stayed busy"), "{e}");
    }

    #[test]
    fn gss_encryption_is_not_probed_unless_the_url_asks_for_it() {
        for (url, expected) in [
            ("postgres://u@h/db", "postgres://u@h/db?gssencmode=disable"),
            (
                "postgres://u@h/db?sslmode=disable",
                "postgres://u@h/db?sslmode=disable&gssencmode=disable",
            ),
            (
                "postgres://u@h/db?gssencmode=require",
                "postgres://u@h/db?gssencmode=require",
            ),
            (
                "postgres://u@h/db?sslmode=disable&gssencmode=prefer",
                "postgres://u@h/db?sslmode=disable&gssencmode=prefer",
            ),
            // Only a parameter's name counts: not a password, not a value.
            (
                "postgres://u:gssencmode=x@h/db",
                "postgres://u:gssencmode=x@h/db?gssencmode=disable",
            ),
            (
                "postgres://u@h/db?application_name=gssencmode=x",
                "postgres://u@h/db?application_name=gssencmode=x&gssencmode=disable",
            ),
        ] {
            assert_eq!(without_gss_probe(url.into()), expected, "{url}");
        }
    }
}
