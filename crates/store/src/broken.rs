//! Connections the database dropped (a PostgreSQL restart, a failover,
//! `pg_terminate_backend`): telling them apart from other failures, keeping
//! them out of the pool, and retrying a unit of work that had written nothing
//! before its connection turned out dead.
//!
//! The pool does not test a connection at check-out (that `SELECT 1` was 9 of
//! the 33 round trips of an order submission). So after a restart every pooled
//! connection is dead and the first statement sent on it fails. Such a failure
//! is recognised by its error, and the connection is marked broken so the pool
//! drops it instead of lending it again; for a few seconds after, every
//! check-out pings its connection first. A unit of work declared read-only
//! changed nothing, and one that may write changed nothing when the statement
//! that failed was its first and does not write (`BEGIN`, a `SELECT`): such a
//! unit runs once more on a connection that answered a ping. Any other unit is
//! not retried — a write may have been committed — and its caller gets the
//! error: at most one per pooled connection, since the broken connection is
//! gone afterwards.

use crate::db::{DbConnection, DbPool};
use diesel::connection::{
    AnsiTransactionManager, DebugQuery, Instrumentation, InstrumentationEvent, TransactionManager,
};
use diesel::r2d2::{PooledConnection, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use ordercore_domain::StoreError;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a unit of work declares it does, which decides whether it may run
/// again after its connection was found lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    /// Only reads: running it again can change nothing. Debug builds check
    /// every statement of such a unit (a test build fails on a write).
    Read,
    /// May write: it runs again only when the statement that failed was its
    /// first and that statement does not write (`BEGIN`, a `SELECT`).
    Write,
}

/// The unit of work running on this thread, as the statements it sent so far
/// describe it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit {
    kind: UnitKind,
    /// Statements started since the unit began.
    sent: u32,
    /// Whether its first statement may write.
    first_writes: bool,
}

thread_local! {
    /// A unit of work runs on one blocking thread from start to end, so the
    /// thread's current unit is the one the connection's statements belong to.
    static UNIT: Cell<Unit> = const {
        Cell::new(Unit { kind: UnitKind::Write, sent: 0, first_writes: false })
    };
}

/// Marks the start of a unit of work of `kind` on this thread.
pub(crate) fn begin_unit(kind: UnitKind) {
    UNIT.with(|u| {
        u.set(Unit {
            kind,
            sent: 0,
            first_writes: false,
        });
    });
}

/// Whether the unit running on this thread, whose last statement failed
/// because the connection was lost, can have changed nothing, and how many
/// statements it had started.
pub(crate) fn unit_changed_nothing() -> (bool, u32) {
    let unit = UNIT.with(Cell::get);
    let nothing = match unit.kind {
        UnitKind::Read => true,
        // Without the counter (another default instrumentation) nothing is
        // known of the statements, so a writer is never run again.
        UnitKind::Write => !writes_unknown() && unit.sent == 1 && !unit.first_writes,
    };
    (nothing, unit.sent)
}

/// Follows the statements a PostgreSQL connection sends for [`UNIT`]. Only
/// the first statement of a writing unit is classified: reading a
/// statement's text means Diesel renders all of it again (walking the query
/// twice), which cost a tenth of the service's CPU on `orders/read` when
/// every statement was classified.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteCounter;

impl WriteCounter {
    /// Installs the counter on a new connection, unless the program set a
    /// default Diesel instrumentation (a profiler, a test counting
    /// statements): that one keeps the connection, and a writing unit on it
    /// is then never run again (see [`writes_unknown`]).
    pub(crate) fn install(conn: &mut diesel::PgConnection) {
        use diesel::Connection;
        if diesel::connection::get_default_instrumentation().is_none() {
            conn.set_instrumentation(WriteCounter);
        }
    }
}

/// Whether statements go uncounted: connections keep the program's own
/// default instrumentation.
pub(crate) fn writes_unknown() -> bool {
    diesel::connection::get_default_instrumentation().is_some()
}

impl Instrumentation for WriteCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            statement_started(query);
        }
    }
}

/// Counts `query` in this thread's [`UNIT`].
fn statement_started(query: &dyn DebugQuery) {
    UNIT.with(|u| {
        let mut unit = u.get();
        unit.sent = unit.sent.saturating_add(1);
        match unit.kind {
            UnitKind::Write if unit.sent == 1 => unit.first_writes = statement_writes(query),
            UnitKind::Read if cfg!(debug_assertions) => debug_assert!(
                !statement_writes(query),
                "a unit of work declared read-only sent a statement that writes: {query}"
            ),
            _ => {}
        }
        u.set(unit);
    });
}

/// Whether the statement (as Diesel displays it) may change data.
fn statement_writes(query: &dyn DebugQuery) -> bool {
    let mut head = Head::default();
    // `Head` refuses more once it has the first bytes.
    let _ = std::fmt::write(&mut head, format_args!("{query}"));
    may_write(head.as_str())
}

/// The first bytes of a statement's text; refuses more so that formatting a
/// long statement stops early.
#[derive(Default)]
struct Head {
    buf: [u8; 16],
    len: usize,
}

impl Head {
    fn as_str(&self) -> &str {
        let bytes = &self.buf[..self.len];
        match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
        }
    }
}

impl std::fmt::Write for Head {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.buf.len() - self.len;
        let take = s.len().min(room);
        self.buf[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        if take < s.len() {
            Err(std::fmt::Error)
        } else {
            Ok(())
        }
    }
}

/// Whether a statement starting with `head` may change data.
fn may_write(head: &str) -> bool {
    let word: String = head
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    !matches!(
        word.as_str(),
        "SELECT" | "BEGIN" | "COMMIT" | "ROLLBACK" | "SET" | "SHOW" | "SAVEPOINT" | "RELEASE"
    )
}

/// Whether a diesel error says the connection itself is gone, rather than
/// that the statement was refused.
pub(crate) fn is_connection_lost(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(kind, info) => match kind {
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => true,
            // libpq's own messages when the socket went away under a query.
            DatabaseErrorKind::Unknown => {
                let m = info.message();
                m.contains("server closed the connection")
                    || m.contains("terminating connection")
                    || m.contains("no connection to the server")
                    || m.contains("connection to server")
                    || m.contains("could not receive data")
                    || m.contains("could not send data")
            }
            _ => false,
        },
        DieselError::BrokenTransactionManager => true,
        DieselError::RollbackErrorOnCommit { commit_error, .. } => is_connection_lost(commit_error),
        DieselError::RollbackTransaction => false,
        _ => false,
    }
}

/// Whether a store error came from a lost connection (the diesel error is
/// kept as the `source` of [`StoreError::Backend`]).
pub(crate) fn store_error_is_connection_lost(e: &StoreError) -> bool {
    match e {
        StoreError::Backend(source) => source
            .downcast_ref::<DieselError>()
            .is_some_and(is_connection_lost),
        StoreError::Conflict(_) => false,
    }
}

/// Makes the pool drop `conn` when it comes back: its transaction manager is
/// put in the error state, which `has_broken` reports.
pub(crate) fn mark_broken(conn: &mut DbConnection) {
    if let DbConnection::Pg(c) = conn {
        AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error();
    }
}

/// When a connection was last found lost, in milliseconds since the Unix
/// epoch (0: never).
static LAST_LOSS_MS: AtomicU64 = AtomicU64::new(0);

/// For this long after a connection was found lost, every check-out pings
/// its connection first: the others in the pool likely died with it.
const SUSPECT_FOR: Duration = Duration::from_secs(5);

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Records that a connection was found lost (see [`SUSPECT_FOR`]).
pub(crate) fn note_loss() {
    LAST_LOSS_MS.store(now_ms(), Ordering::Relaxed);
}

/// A connection for a unit of work: tested with a ping first only while the
/// pool is suspect (a connection was lost in the last [`SUSPECT_FOR`]).
pub(crate) fn check_out(
    pool: &DbPool,
    wait: Duration,
) -> Result<PooledConnection<crate::db::DbConnectionManager>, diesel::r2d2::PoolError> {
    let last = LAST_LOSS_MS.load(Ordering::Relaxed);
    let suspect_ms = u64::try_from(SUSPECT_FOR.as_millis()).unwrap_or(u64::MAX);
    if last != 0 && now_ms().saturating_sub(last) < suspect_ms {
        checked_out_alive(pool, wait)
    } else {
        pool.get_timeout(wait)
    }
}

/// A pooled connection that answered a ping. Dead ones met on the way are
/// marked broken and left to the pool to drop; after as many tries as the
/// pool has connections (plus one new), the last one is returned as it is.
/// Each check-out waits at most `wait`.
pub(crate) fn checked_out_alive(
    pool: &DbPool,
    wait: Duration,
) -> Result<PooledConnection<crate::db::DbConnectionManager>, diesel::r2d2::PoolError> {
    let tries = pool.max_size() + 1;
    let mut conn = pool.get_timeout(wait)?;
    for _ in 1..tries {
        if conn.ping().is_ok() {
            return Ok(conn);
        }
        mark_broken(&mut conn);
        drop(conn);
        conn = pool.get_timeout(wait)?;
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Info(&'static str);

    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn db(kind: DatabaseErrorKind, message: &'static str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(Info(message)))
    }

    /// A statement as Diesel's instrumentation shows it.
    #[derive(Debug)]
    struct Sql(&'static str);

    impl std::fmt::Display for Sql {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl DebugQuery for Sql {}

    /// `kind`'s unit sends `statements`; the last one failed with a lost
    /// connection: could it have changed nothing?
    fn after(kind: UnitKind, statements: &[&'static str]) -> (bool, u32) {
        begin_unit(kind);
        for sql in statements {
            statement_started(&Sql(sql));
        }
        unit_changed_nothing()
    }

    #[test]
    fn a_writing_unit_runs_again_only_when_its_first_statement_failed_and_writes_nothing() {
        assert_eq!(after(UnitKind::Write, &["BEGIN"]), (true, 1));
        assert_eq!(
            after(UnitKind::Write, &["SELECT id FROM orders"]),
            (true, 1)
        );
        assert_eq!(after(UnitKind::Write, &["INSERT INTO orders"]), (false, 1));
        assert_eq!(after(UnitKind::Write, &["WITH o AS (UPDATE"]), (false, 1));
        // A later statement failed: an earlier one may have written (or,
        // inside a transaction, a COMMIT may have been under way).
        assert_eq!(
            after(UnitKind::Write, &["BEGIN", "INSERT INTO orders"]),
            (false, 2)
        );
        assert_eq!(
            after(UnitKind::Write, &["SELECT 1", "SELECT 2"]),
            (false, 2)
        );
        // The count starts afresh with each unit.
        assert_eq!(after(UnitKind::Write, &[]), (false, 0));
    }

    #[test]
    fn a_read_unit_always_runs_again() {
        assert_eq!(after(UnitKind::Read, &["SELECT 1", "SELECT 2"]), (true, 2));
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "declared read-only sent a statement that writes")]
    fn a_read_unit_that_writes_fails_a_debug_build() {
        after(
            UnitKind::Read,
            &["SELECT 1", "UPDATE sessions SET last_used_at = 1"],
        );
    }

    #[test]
    fn a_closed_or_unreachable_connection_is_lost() {
        assert!(is_connection_lost(&db(
            DatabaseErrorKind::ClosedConnection,
            "terminating connection due to administrator command"
        )));
        assert!(is_connection_lost(&db(
            DatabaseErrorKind::UnableToSendCommand,
            "no connection to the server"
        )));
        assert!(is_connection_lost(&db(
            DatabaseErrorKind::Unknown,
            "server closed the connection unexpectedly"
        )));
        assert!(is_connection_lost(&DieselError::BrokenTransactionManager));
    }

    #[test]
    fn reads_and_transaction_control_do_not_write() {
        for sql in [
            "SELECT 1",
            "  select id FROM orders",
            "BEGIN",
            "BEGIN IMMEDIATE",
            "COMMIT",
            "ROLLBACK TO SAVEPOINT",
            "SAVEPOINT diesel_savepoint_1",
        ] {
            assert!(!may_write(sql), "{sql}");
        }
        for sql in [
            "INSERT INTO",
            "update orders",
            "DELETE FROM",
            "WITH x AS",
            "",
        ] {
            assert!(may_write(sql), "{sql}");
        }
    }

    #[test]
    fn the_counter_sees_only_the_first_word_of_a_long_statement() {
        let mut head = Head::default();
        let long = format!("INSERT INTO orders {}", "x".repeat(10_000));
        assert!(std::fmt::write(&mut head, format_args!("{long}")).is_err());
        assert_eq!(head.as_str(), "INSERT INTO orde");
    }

    #[test]
    fn a_refused_statement_is_not_a_lost_connection() {
        assert!(!is_connection_lost(&db(
            DatabaseErrorKind::UniqueViolation,
            "duplicate key value violates unique constraint"
        )));
        assert!(!is_connection_lost(&db(
            DatabaseErrorKind::Unknown,
            "syntax error at or near \"SELEC\""
        )));
        assert!(!is_connection_lost(&DieselError::NotFound));
        assert!(!store_error_is_connection_lost(&StoreError::Conflict(
            "x".into()
        )));
        assert!(store_error_is_connection_lost(&StoreError::backend(
            DieselError::BrokenTransactionManager
        )));
    }
}
