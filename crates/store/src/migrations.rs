//! The embedded migrations of both backends (`migrations/postgres` and
//! `migrations/sqlite` at the workspace root, with identical version names).

use crate::db::{DbConnection, StoreInitError};
use diesel::RunQueryDsl;
use diesel::migration::MigrationSource;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// The advisory lock key taken while migrating PostgreSQL ("ordercore" in hex,
/// truncated to 63 bits). Any instance migrating holds it; others wait.
pub(crate) const MIGRATION_LOCK_KEY: i64 = 0x6f72_6465_7263_6f72;

/// Names of the embedded migrations, (postgres, sqlite), sorted.
pub fn embedded_migration_names() -> (Vec<String>, Vec<String>) {
    fn names<DB: diesel::backend::Backend>(source: &EmbeddedMigrations) -> Vec<String>
    where
        EmbeddedMigrations: MigrationSource<DB>,
    {
        let mut names: Vec<String> = MigrationSource::<DB>::migrations(source)
            .map(|ms| ms.iter().map(|m| m.name().to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }
    (
        names::<diesel::pg::Pg>(&POSTGRES),
        names::<diesel::sqlite::Sqlite>(&SQLITE),
    )
}

pub(crate) fn run(conn: &mut DbConnection) -> Result<Vec<String>, StoreInitError> {
    let fail = |e: &dyn std::fmt::Display| StoreInitError::Migrate(e.to_string());
    match conn {
        DbConnection::Pg(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(c)
                .map_err(|e| fail(&e))?;
            let result = c
                .run_pending_migrations(POSTGRES)
                .map(|vs| vs.iter().map(ToString::to_string).collect())
                .map_err(|e| fail(&e));
            let unlock =
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                    .execute(c);
            let applied = result?;
            unlock.map_err(|e| fail(&e))?;
            Ok(applied)
        }
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE)
            .map(|vs| vs.iter().map(ToString::to_string).collect())
            .map_err(|e| fail(&e)),
    }
}
