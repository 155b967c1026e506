//! Typed configuration, read once at start-up in three layers:
//!
//! 1. built-in defaults ([`Settings::default`]);
//! 2. an optional TOML file (`ordercore.toml` in the working directory, or
//!    `--config FILE`), whose keys are the setting names in lower case
//!    without the `ORDERCORE_` prefix (`payment_gateway = "simulated"`);
//! 3. `ORDERCORE_*` environment variables.
//!
//! Later layers win; the layers are `figment` providers merged into the typed
//! [`Settings`] (see `layers`), then checked into a [`Config`].
//! [`Config::from_layers`] is a pure function of the file text and an
//! environment map, so every rule is unit-tested without touching the process
//! environment. A bad value is a [`ConfigError`] naming the setting as its
//! source spells it (`ORDERCORE_BIND` from the environment, `bind` from the
//! file); secrets are held in
//! [`Secret`](ordercore_domain::model::Secret) and never printed.

mod abuse;
mod adapters;
mod keys;
mod layers;
mod outbox;
mod reconcile;
mod settings;
mod workers;

pub use abuse::AbuseConfig;
use adapters::{mailer, payment};
pub use keys::DataKeys;

pub use layers::{Merged, Origin, merge};
pub use settings::{SETTINGS, SecretText, Setting, Settings};

use ordercore_authorizenet::AuthorizeNetConfig;
use ordercore_domain::model::Email;
use ordercore_mandrill::MandrillConfig;
use ordercore_store::DatabaseUrl;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The prefix of every environment variable.
pub const ENV_PREFIX: &str = "ORDERCORE_";
/// The file read when `--config` is not given (optional).
pub const DEFAULT_FILE: &str = "ordercore.toml";
/// The default database: an embedded SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ordercore.db";

/// A setting that stopped start-up: which one, where its value came from, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting as its source spells it: the environment variable
    /// (`ORDERCORE_PAYMENT_GATEWAY`) for the environment and the defaults,
    /// the TOML key (`payment_gateway`) for the file, `--config` for the file
    /// itself.
    pub setting: String,
    /// Where the bad value came from (`environment`, the file path, `default`).
    pub source: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "configuration error in {} (from {}): {}",
            self.setting, self.source, self.reason
        )
    }
}

impl std::error::Error for ConfigError {}

/// Which payment processor adapter to build.
#[derive(Debug, Clone)]
pub enum PaymentConfig {
    /// The in-memory processor that answers like the Authorize.net sandbox.
    Simulated,
    AuthorizeNet(AuthorizeNetConfig),
}

/// Which mailer adapter to build.
#[derive(Debug, Clone)]
pub enum MailerConfig {
    /// E-mails are written to the log.
    Log,
    Mandrill(MandrillConfig),
}

/// Log output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// An `EnvFilter` directive, e.g. `info` or `ordercore=debug,info`.
    pub filter: String,
    pub format: LogFormat,
}

/// The background loops `serve` runs beside the HTTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Pause between two passes of the e-mail outbox worker.
    pub outbox_interval: Duration,
    /// Messages claimed per outbox pass.
    pub outbox_batch: u32,
    /// How long messages claimed by a pass are left alone by other passes
    /// (longer than a whole pass: batch × mailer timeout).
    pub outbox_lease: Duration,
    /// Delay before a failed confirmation e-mail is first retried.
    pub outbox_first_retry: Duration,
    /// How long the outbox worker leaves a new confirmation to the request
    /// that sends it directly (longer than the mailer's timeout).
    pub outbox_direct_send_grace: Duration,
    /// Pause between two writes of the pending sent marks (shorter than the
    /// grace and the lease, so no other instance sends an e-mail whose mark
    /// waits).
    pub outbox_mark_interval: Duration,
    /// Pause between two passes of the pending-payment sweeper.
    pub sweeper_interval: Duration,
    /// Orders examined per sweeper pass.
    pub sweeper_batch: u32,
    /// Age after which a `pending_payment` order counts as abandoned.
    pub sweeper_pending_age: Duration,
    /// Pause between two passes of the reconcile worker.
    pub reconcile_interval: Duration,
    /// Delay between an unknown payment outcome and its first look-up.
    pub reconcile_first_look_up: Duration,
    /// Longest delay between two look-ups of one order.
    pub reconcile_max_delay: Duration,
    /// Failed look-ups before an order is left to the sweeper.
    pub reconcile_max_attempts: u32,
    /// How long an order claimed by a reconcile pass is left alone.
    pub reconcile_lease: Duration,
    /// Pause between two passes of the expired Idempotency-Key purge.
    pub idempotency_purge_interval: Duration,
    /// Expired Idempotency-Key records deleted per statement.
    pub idempotency_purge_batch: u32,
    /// Pause between two writes of the sessions' pending touches: how stale
    /// another instance may see a session's `last_used_at`, and how many
    /// touches a crash may lose.
    pub session_touch_interval: Duration,
    /// Age in days of an uncaptured authorization at which staff are
    /// warned (`1..=29`: before the processor's 30-day limit).
    pub auth_expiry_warn_days: u32,
    /// Pause between two passes of the authorization-expiry watch.
    pub auth_expiry_interval: Duration,
    /// Pause between two passes of the webhook delivery worker.
    pub webhooks_interval: Duration,
    /// Deliveries claimed per pass.
    pub webhooks_batch: u32,
    /// Delivery loops per instance.
    pub webhooks_lanes: u32,
    /// Longest time one delivery may take.
    pub webhooks_timeout: Duration,
    /// Delay before a failed delivery is first retried.
    pub webhooks_first_retry: Duration,
    /// How long deliveries claimed by a pass are left alone by other passes:
    /// batch × timeout + 10 s, longer than a whole pass.
    pub webhooks_lease: Duration,
}

/// Everything the binary needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Parsed once; its `Display` and `Debug` hide the password.
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    pub bind: SocketAddr,
    pub payment: PaymentConfig,
    pub mailer: MailerConfig,
    pub mail_from: Email,
    pub log: LogConfig,
    pub rate_limit_per_minute: u32,
    /// Limits, throttles, trusted proxies, fingerprint key.
    pub abuse: AbuseConfig,
    /// The keys secrets are encrypted with at rest (never printed).
    pub data_keys: DataKeys,
    /// How long the HTTP layer trusts a cached route-registry record.
    pub route_cache_ttl: Duration,
    pub workers: WorkerConfig,
    /// How long `serve` waits for in-flight requests after SIGTERM/ctrl-c.
    pub shutdown_timeout: Duration,
}

/// `payment_gateway` → `ORDERCORE_PAYMENT_GATEWAY`.
pub fn env_name(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.to_ascii_uppercase())
}

/// Reads the optional file (`--config FILE`, which must exist, or
/// `ordercore.toml` when present) and the process environment, then builds
/// the validated configuration.
pub fn load(explicit_file: Option<&Path>) -> Result<Config, ConfigError> {
    let file = match explicit_file {
        Some(path) => Some(read_file(path)?),
        None => {
            let path = PathBuf::from(DEFAULT_FILE);
            if path.exists() {
                Some(read_file(&path)?)
            } else {
                None
            }
        }
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    Config::from_layers(file.as_ref().map(|(p, t)| (p.as_str(), t.as_str())), &env)
}

fn read_file(path: &Path) -> Result<(String, String), ConfigError> {
    let shown = path.display().to_string();
    std::fs::read_to_string(path)
        .map(|text| (shown.clone(), text))
        .map_err(|e| ConfigError {
            setting: "--config".into(),
            source: shown,
            reason: format!("the configuration file cannot be read: {e}"),
        })
}

/// Refuses `min > n`, naming the setting as its source spells it.
pub(crate) fn at_least<T: PartialOrd + fmt::Display>(
    m: &Merged,
    key: &str,
    n: T,
    min: T,
) -> Result<T, ConfigError> {
    if n < min {
        return Err(m.error(key, format!("must be at least {min}, got {n}")));
    }
    Ok(n)
}

/// The longest `sweeper_pending_age_secs`: one year.
pub const MAX_PENDING_AGE_SECS: u64 = 365 * 24 * 3600;

/// The log levels a bare filter directive may name.
const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// Checks an `ORDERCORE_LOG` filter. `tracing`'s syntax reads a bare word
/// that is not a level (`verbose`) as a target name, which would silently
/// switch every other log line off; so a bare directive must be a level, and
/// anything else must be `target=level` (or `target[span]=level`).
pub fn check_log_filter(filter: &str) -> Result<(), String> {
    for directive in filter.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        if !directive.contains('=') && !LEVELS.contains(&directive.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{directive:?} is not a log level (off, error, warn, info, debug, trace); \
                 to filter by target write target=level, e.g. info,ordercore_store=debug"
            ));
        }
    }
    tracing_subscriber::EnvFilter::try_new(filter)
        .map(|_| ())
        .map_err(|e| format!("not a valid log filter: {e}"))
}

impl Config {
    /// The whole pipeline: merge the layers, then validate.
    pub fn from_layers(
        file: Option<(&str, &str)>,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        Config::from_settings(&layers::merge(file, env)?)
    }

    /// Validates every setting; the first bad one is the error.
    pub fn from_settings(m: &Merged) -> Result<Config, ConfigError> {
        let s = &m.settings;
        // The message never echoes the URL: it may carry a password.
        let database_url = DatabaseUrl::parse(&s.database_url.0)
            .map_err(|e| m.error("database_url", e.to_string()))?;
        let bind = s.bind.parse().map_err(|_| {
            m.error(
                "bind",
                format!("{:?} is not an address:port such as 127.0.0.1:8080", s.bind),
            )
        })?;
        let mail_from = Email::parse(&s.mail_from).map_err(|e| m.error("mail_from", e.reason))?;
        let log_format = match s.log_format.to_ascii_lowercase().as_str() {
            "text" | "pretty" | "human" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(m.error(
                    "log_format",
                    format!("unknown log format {other:?}: expected text or json"),
                ));
            }
        };
        check_log_filter(&s.log).map_err(|r| m.error("log", r))?;
        let payment = payment(m)?;
        let postgres = database_url.backend() == ordercore_store::Backend::Postgres;
        if postgres && matches!(payment, PaymentConfig::Simulated) && !m.explicit("payment_gateway")
        {
            return Err(m.error(
                "payment_gateway",
                "required with a PostgreSQL database: set authorizenet, or simulated \
                 explicitly (test and staging only: it moves no money)",
            ));
        }
        let data_keys = keys::data_keys(m, s, postgres)?;
        let ms = |key, n, min| at_least(m, key, n, min).map(Duration::from_millis);
        Ok(Config {
            database_url,
            database_pool_size: at_least(m, "database_pool_size", s.database_pool_size, 1)?,
            bind,
            payment,
            mailer: mailer(m, &mail_from)?,
            mail_from,
            log: LogConfig {
                filter: s.log.clone(),
                format: log_format,
            },
            rate_limit_per_minute: at_least(
                m,
                "rate_limit_per_minute",
                s.rate_limit_per_minute,
                1,
            )?,
            abuse: abuse::abuse(m, s)?,
            data_keys,
            route_cache_ttl: ms("route_cache_ttl_ms", s.route_cache_ttl_ms, 0)?,
            workers: workers::workers(m, s)?,
            shutdown_timeout: Duration::from_secs(at_least(
                m,
                "shutdown_timeout_secs",
                s.shutdown_timeout_secs,
                1,
            )?),
        })
    }

    /// Whether the simulated processor runs on a PostgreSQL database (an
    /// explicit choice, see [`Config::from_settings`]): `serve` warns about it.
    pub fn simulated_on_postgres(&self) -> bool {
        matches!(self.payment, PaymentConfig::Simulated) && self.is_postgres()
    }

    /// Whether the database is PostgreSQL (several instances may share it).
    pub fn is_postgres(&self) -> bool {
        self.database_url.backend() == ordercore_store::Backend::Postgres
    }

    /// Whether this is the zero-setup demo database (`make run`).
    pub fn is_default_sqlite(&self) -> bool {
        self.database_url.expose() == DEFAULT_DATABASE_URL
    }

    /// A one-line description safe to log: no secrets, no database URL.
    pub fn summary(&self) -> String {
        let backend = self.database_url.backend().as_str();
        let payment = match &self.payment {
            PaymentConfig::Simulated => "simulated".to_string(),
            PaymentConfig::AuthorizeNet(c) => format!("authorizenet ({})", c.endpoint.url()),
        };
        let mailer = match &self.mailer {
            MailerConfig::Log => "log".to_string(),
            MailerConfig::Mandrill(c) => format!("mandrill ({})", c.endpoint),
        };
        format!(
            "database={backend} pool={} bind={} payment_gateway={payment} mailer={mailer} rate_limit_per_minute={}",
            self.database_pool_size, self.bind, self.rate_limit_per_minute
        )
    }
}

#[cfg(test)]
pub(crate) mod tests;
