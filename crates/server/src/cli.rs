//! The command line: `ordercore [--config FILE] <command>`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// ordercore: order property media and pay for it in one call.
///
/// Settings come from defaults, then `ordercore.toml` (or --config FILE), then
/// ORDERCORE_* environment variables; see docs/configuration.md.
#[derive(Debug, Parser)]
#[command(name = "ordercore", version)]
pub struct Cli {
    /// A TOML configuration file (default: ./ordercore.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, then serve HTTP with the outbox worker, the
    /// reconcile worker, the pending-payment sweeper and the
    /// authorization-expiry watch until SIGTERM or ctrl-c.
    Serve,
    /// Apply the embedded database migrations and exit (a release step).
    Migrate,
    /// Load records: the demo data set (--demo) or a JSON seed file (--file).
    /// Idempotent.
    Seed(SeedArgs),
    /// The route kill switches: list routes, or deploy/undeploy one.
    Routes {
        #[command(subcommand)]
        action: SwitchAction,
    },
    /// The API-service kill switches: list services, or deploy/undeploy one.
    Services {
        #[command(subcommand)]
        action: SwitchAction,
    },
    /// The staff notifications (newest first).
    Notifications {
        #[command(subcommand)]
        action: NotificationAction,
    },
    /// The data key that encrypts secrets at rest: generate one, or
    /// re-encrypt every stored secret under the current one.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Webhook endpoints: add (prints the signing secret once), list, remove.
    Webhooks {
        #[command(subcommand)]
        action: WebhooksAction,
    },
    /// Events: send them again to a webhook endpoint.
    Events {
        #[command(subcommand)]
        action: EventsAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhooksAction {
    /// Add an endpoint; prints its id and its signing secret (shown once).
    Add {
        /// Where events are POSTed (http:// or https://).
        #[arg(long, value_name = "URL")]
        url: String,
        /// Comma-separated event kinds (default: every kind).
        #[arg(long, value_name = "KINDS")]
        events: Option<String>,
    },
    /// Every endpoint (never its secret).
    List,
    /// Remove an endpoint: nothing more is delivered to it.
    Remove {
        /// The endpoint id, as `list` shows it.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventsAction {
    /// Send every event from EVENT_ID on (that the endpoint subscribes to)
    /// to the endpoint again, re-enabling it if it was disabled.
    Replay {
        /// The endpoint id.
        #[arg(long, value_name = "ID")]
        endpoint: i64,
        /// The first event id to send again.
        #[arg(long, value_name = "EVENT_ID")]
        since: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Print a new random data key (base64 of 32 bytes) for
    /// ORDERCORE_DATA_KEY; reads no settings and changes nothing.
    Generate,
    /// Re-encrypt every stored secret under ORDERCORE_DATA_KEY, reading
    /// older values with ORDERCORE_DATA_KEYS_OLD; values stored in clear by
    /// earlier versions are encrypted too. Idempotent; prints counts.
    Rotate {
        /// Rows per transaction.
        #[arg(long, default_value_t = 500, value_name = "ROWS")]
        batch: u32,
    },
}

#[derive(Debug, Args)]
#[group(skip)]
#[command(group(
    clap::ArgGroup::new("source")
        .required(true)
        .multiple(false)
        .args(["demo", "file"])
))]
pub struct SeedArgs {
    /// The demo catalogue, applications, a client, an employee and a
    /// promotion; prints their credentials.
    #[arg(long)]
    pub demo: bool,
    /// A JSON seed file (format: docs/seed-file.md).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// With --demo: load the demo data even into a database that holds
    /// other data (its application tokens become the public demo tokens).
    #[arg(long, conflicts_with = "file")]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum SwitchAction {
    /// Every record with its deployed flag.
    List,
    /// Mark NAME deployed: requests reach it again (within the route cache TTL).
    Enable {
        /// The route (e.g. orders/read) or service name, as `list` shows it.
        name: String,
    },
    /// Mark NAME not deployed: requests are refused (route-not-found or
    /// service-not-found) within the route cache TTL, on every instance.
    Disable {
        /// The route (e.g. orders/read) or service name, as `list` shows it.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum NotificationAction {
    /// The newest notifications.
    List {
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_the_operator_commands() {
        let cli = Cli::try_parse_from(["ordercore", "routes", "disable", "orders/read"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Routes { action: SwitchAction::Disable { ref name } } if name == "orders/read"
        ));
        let cli =
            Cli::try_parse_from(["ordercore", "--config", "x.toml", "seed", "--demo"]).unwrap();
        assert_eq!(cli.config.as_deref(), Some(std::path::Path::new("x.toml")));
        assert!(Cli::try_parse_from(["ordercore", "seed"]).is_err());
        assert!(Cli::try_parse_from(["ordercore", "seed", "--demo", "--file", "f"]).is_err());
        let cli = Cli::try_parse_from(["ordercore", "seed", "--demo", "--force"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Seed(SeedArgs {
                demo: true,
                force: true,
                ..
            })
        ));
        assert!(Cli::try_parse_from(["ordercore", "seed", "--file", "f", "--force"]).is_err());
        let cli = Cli::try_parse_from(["ordercore", "keys", "rotate", "--batch", "7"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Keys {
                action: KeysAction::Rotate { batch: 7 }
            }
        ));
        let cli = Cli::try_parse_from([
            "ordercore",
            "webhooks",
            "add",
            "--url",
            "https://x.test/h",
            "--events",
            "order.submitted",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Webhooks { action: WebhooksAction::Add { ref url, events: Some(ref e) } }
                if url == "https://x.test/h" && e == "order.submitted"
        ));
        let cli = Cli::try_parse_from([
            "ordercore",
            "events",
            "replay",
            "--endpoint",
            "3",
            "--since",
            "10",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Events {
                action: EventsAction::Replay {
                    endpoint: 3,
                    since: 10
                }
            }
        ));
        assert!(Cli::try_parse_from(["ordercore", "webhooks", "add"]).is_err());
        let cli = Cli::try_parse_from(["ordercore", "keys", "generate"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Keys {
                action: KeysAction::Generate
            }
        ));
    }

    #[test]
    fn help_describes_the_binary_and_names_placeholders() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("order property media"), "{help}");
        assert!(!help.contains("configuration, wiring, CLI"), "{help}");
        let mut cmd = Cli::command();
        let seed = cmd.find_subcommand_mut("seed").unwrap();
        let help = seed.render_help().to_string();
        assert!(help.contains("--file <FILE>"), "{help}");
        assert!(help.contains("--force"), "{help}");
    }

    #[test]
    fn a_typo_gets_a_suggestion() {
        let e = Cli::try_parse_from(["ordercore", "migrat"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("similar subcommand exists: 'migrate'"),
            "{e}"
        );
        let e = Cli::try_parse_from(["ordercore", "seed", "--dmo"]).unwrap_err();
        assert!(e.to_string().contains("--demo"), "{e}");
    }
}
