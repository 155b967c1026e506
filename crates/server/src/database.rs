//! The checks the one-shot commands make on the database before they act:
//! that it exists and is migrated (so `seed` or `routes list` on a fresh
//! checkout says "run `ordercore migrate`" once, and leaves no empty SQLite
//! file behind), and what it holds besides the demo data (so `seed --demo`
//! never overwrites a real deployment's application tokens).
//!
//! They read the database with plain SQL on both backends; nothing here
//! writes.

use crate::commands::CommandError;
use crate::config::Config;
use crate::wiring;
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use ordercore_domain::ports::TokenGenerator;
use ordercore_store::{DbConnection, SeedFile, Store};
use std::path::Path;

/// The SQLite file of `config`, when the database is SQLite.
pub fn sqlite_path(config: &Config) -> Option<&str> {
    (config.database_url.backend() == ordercore_store::Backend::Sqlite)
        .then(|| config.database_url.connect_target())
}

/// The message that sends the operator to `ordercore migrate`.
fn run_migrate_first(what: &str) -> CommandError {
    CommandError::Failed(format!(
        "{what}: run `ordercore migrate` first (same settings), then this command again"
    ))
}

/// Connects for a one-shot command other than `migrate`: refuses a SQLite
/// file that does not exist (without creating it) and a database whose
/// schema is missing or behind the binary's migrations.
pub async fn open_migrated(config: &Config) -> Result<Store, CommandError> {
    if let Some(path) = sqlite_path(config)
        && !Path::new(path).exists()
    {
        return Err(run_migrate_first(&format!(
            "there is no database file {path:?} (relative to the working directory)"
        )));
    }
    let store = wiring::connect_for_command(config)?;
    let applied = applied_migrations(&store).await;
    let (postgres, sqlite) = ordercore_store::embedded_migration_names();
    let embedded = match store.backend() {
        ordercore_store::Backend::Postgres => postgres.len(),
        ordercore_store::Backend::Sqlite => sqlite.len(),
    };
    match applied {
        Some(n) if n >= embedded as i64 => Ok(store),
        Some(n) if n > 0 => Err(run_migrate_first(&format!(
            "the database schema is behind this binary ({n} of {embedded} migrations applied)"
        ))),
        _ => Err(run_migrate_first("the database has not been migrated")),
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    a: String,
    #[diesel(sql_type = Text)]
    b: String,
}

/// How many migrations the database records; `None` when it has no
/// migration table (never migrated) or cannot be read.
async fn applied_migrations(store: &Store) -> Option<i64> {
    let sql = "SELECT COUNT(*) AS n FROM __diesel_schema_migrations";
    let rows: Vec<Count> = query(store, sql).await.ok()?;
    rows.first().map(|c| c.n)
}

/// Runs one read-only query on either backend.
async fn query<T>(store: &Store, sql: &'static str) -> Result<Vec<T>, String>
where
    T: diesel::deserialize::QueryableByName<diesel::pg::Pg>
        + diesel::deserialize::QueryableByName<diesel::sqlite::Sqlite>
        + Send
        + 'static,
{
    let pool = store.pool().clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        match &mut *conn {
            DbConnection::Pg(c) => diesel::sql_query(sql).load(c),
            DbConnection::Sqlite(c) => diesel::sql_query(sql).load(c),
        }
        .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// What a database holds that `seed --demo` would not have written, in
/// words (empty: only demo data, or nothing). Precisely (docs/seed-file.md):
/// an application whose stored token is not the demo token of its slug, a
/// user whose e-mail is not a demo user's, a service whose slug is not a demo
/// service's, a promotion whose code is not the demo promotion's. Everything
/// else (orders, cards, sessions, notifications) belongs to users or
/// applications, so it is covered by those.
pub async fn non_demo_data(
    store: &Store,
    demo: &SeedFile,
    tokens: &dyn TokenGenerator,
) -> Result<Vec<String>, CommandError> {
    let read = |e: String| CommandError::Failed(format!("cannot read the database: {e}"));
    let mut found = Vec::new();
    let apps: Vec<Row> = query(
        store,
        "SELECT slug AS a, token_digest AS b FROM applications ORDER BY slug",
    )
    .await
    .map_err(read)?;
    for app in apps {
        let demo_digest = demo
            .applications
            .iter()
            .find(|d| d.slug.as_str() == app.a)
            .map(|d| tokens.digest(&d.token));
        if demo_digest.as_deref() != Some(app.b.as_str()) {
            found.push(format!("application {} has a non-demo token", app.a));
        }
    }
    let lists: [(&'static str, &str, Vec<String>); 3] = [
        (
            "SELECT email AS a, email AS b FROM users ORDER BY email",
            "user",
            demo.users
                .iter()
                .map(|u| u.email.as_str().to_string())
                .collect(),
        ),
        (
            "SELECT slug AS a, slug AS b FROM services ORDER BY slug",
            "service",
            demo.services.iter().map(|s| s.slug.clone()).collect(),
        ),
        (
            "SELECT code AS a, code AS b FROM promotions ORDER BY code",
            "promotion",
            demo.promotions
                .iter()
                .map(|p| p.code.to_ascii_uppercase())
                .collect(),
        ),
    ];
    for (sql, what, known) in lists {
        let rows: Vec<Row> = query(store, sql).await.map_err(read)?;
        let others: Vec<String> = rows
            .into_iter()
            .map(|r| r.a)
            .filter(|v| !known.iter().any(|k| k.eq_ignore_ascii_case(v)))
            .collect();
        if !others.is_empty() {
            found.push(format!("{} non-demo {what}(s)", others.len()));
        }
    }
    Ok(found)
}
