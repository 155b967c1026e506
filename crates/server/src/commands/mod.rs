//! The subcommands. Each is wiring and printing only.

/// Prints a line on stdout; a closed pipe (`ordercore routes list | head`) is
/// not an error worth a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod admin;
mod keys;
mod seed;
mod serve;
mod webhooks;

pub use keys::generate_key;

use crate::cli::Command;
use crate::config::Config;
use crate::wiring::{self, WiringError};
use ordercore_store::Store;

/// A command that failed; the message is for the operator.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Wiring(#[from] WiringError),
    #[error("{0}")]
    Failed(String),
}

impl CommandError {
    pub(crate) fn failed(e: impl std::fmt::Display) -> CommandError {
        CommandError::Failed(e.to_string())
    }
}

/// Runs `command` with the validated configuration.
pub async fn run(command: Command, config: Config) -> Result<(), CommandError> {
    match command {
        Command::Serve => serve::serve(&config).await,
        Command::Migrate => {
            let store = wiring::connect_for_command(&config)?;
            migrate(&store).await
        }
        Command::Seed(args) => seed::seed(&config, args).await,
        Command::Routes { action } => admin::routes(&config, action).await,
        Command::Services { action } => admin::services(&config, action).await,
        Command::Notifications { action } => admin::notifications(&config, action).await,
        Command::Keys { action } => keys::keys(&config, action).await,
        Command::Webhooks { action } => webhooks::webhooks(&config, action).await,
        Command::Events { action } => webhooks::events(&config, action).await,
    }
}

/// Applies pending migrations and says what it did.
pub(crate) async fn migrate(store: &Store) -> Result<(), CommandError> {
    let applied = store.migrate().await.map_err(CommandError::failed)?;
    if applied.is_empty() {
        tracing::info!(
            db.backend = store.backend().as_str(),
            "database schema is current"
        );
    } else {
        tracing::info!(
            db.backend = store.backend().as_str(),
            migrations = %applied.join(","),
            "applied {} migration(s)",
            applied.len()
        );
    }
    Ok(())
}
