//! Typed configuration, read once at start-up in three layers:
//!
//! 1. built-in defaults ([`SETTINGS`]);
//! 2. an optional TOML file (`ordercore.toml` in the working directory, or
//!    `--config FILE`), whose keys are the setting names in lower case
//!    without the `ORDERCORE_` prefix (`payment_gateway = "simulated"`);
//! 3. `ORDERCORE_*` environment variables.
//!
//! Later layers win. [`Config::from_layers`] is a pure function of the file
//! text and an environment map, so every rule is unit-tested without touching
//! the process environment. A bad value is a [`ConfigError`] naming the
//! setting; secrets are held in [`Secret`] and never printed.

mod settings;

pub use settings::{SETTINGS, Setting};

use ordercore_authorizenet::{AuthorizeNetConfig, Endpoint};
use ordercore_domain::model::{Email, Secret};
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
    /// The environment variable name, e.g. `ORDERCORE_PAYMENT_GATEWAY`.
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
    /// Delay before a failed confirmation e-mail is first retried.
    pub outbox_first_retry: Duration,
    /// Pause between two passes of the pending-payment sweeper.
    pub sweeper_interval: Duration,
    /// Orders examined per sweeper pass.
    pub sweeper_batch: u32,
}

/// Everything the binary needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// May carry a password: never printed.
    pub database_url: Secret<String>,
    pub database_pool_size: u32,
    pub bind: SocketAddr,
    pub payment: PaymentConfig,
    pub mailer: MailerConfig,
    pub mail_from: Email,
    pub log: LogConfig,
    pub rate_limit_per_minute: u32,
    /// How long the HTTP layer trusts a cached route-registry record.
    pub route_cache_ttl: Duration,
    pub workers: WorkerConfig,
    /// How long `serve` waits for in-flight requests after SIGTERM/ctrl-c.
    pub shutdown_timeout: Duration,
}

/// The merged raw values, each with the layer it came from.
#[derive(Debug, Clone, Default)]
pub struct RawSettings {
    values: BTreeMap<&'static str, (String, String)>,
}

impl RawSettings {
    fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(|(v, _)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    fn source(&self, key: &str) -> String {
        self.values
            .get(key)
            .map_or_else(|| "default".to_string(), |(_, s)| s.clone())
    }

    fn error(&self, key: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: env_name(key),
            source: self.source(key),
            reason: reason.into(),
        }
    }

    fn required(&self, key: &str, why: &str) -> Result<&str, ConfigError> {
        self.get(key)
            .ok_or_else(|| self.error(key, format!("required {why}, but not set")))
    }

    fn string(&self, key: &str) -> String {
        self.get(key)
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| settings::default_of(key).unwrap_or_default().to_string())
    }

    fn number<T>(&self, key: &str, min: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
    {
        let raw = self.string(key);
        let n: T = raw
            .parse()
            .map_err(|_| self.error(key, format!("{raw:?} is not a whole number")))?;
        if n < min {
            return Err(self.error(key, format!("must be at least {min}, got {n}")));
        }
        Ok(n)
    }
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

/// Merges the layers: defaults are implicit; then the file; then variables
/// named `ORDERCORE_<KEY>`. Unknown file keys are an error (a typo must not be
/// silently ignored); unknown `ORDERCORE_*` variables are ignored (test
/// harnesses and CI set their own).
pub fn merge(
    file: Option<(&str, &str)>,
    env: &BTreeMap<String, String>,
) -> Result<RawSettings, ConfigError> {
    let mut raw = RawSettings::default();
    if let Some((path, text)) = file {
        let table: toml::Table = toml::from_str(text).map_err(|e| ConfigError {
            setting: "--config".into(),
            source: path.to_string(),
            reason: format!("not valid TOML: {}", e.message()),
        })?;
        for (key, value) in table {
            let Some(setting) = SETTINGS.iter().find(|s| s.key == key) else {
                return Err(ConfigError {
                    setting: key.clone(),
                    source: path.to_string(),
                    reason: "unknown setting (see docs/configuration.md)".into(),
                });
            };
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(ConfigError {
                        setting: env_name(setting.key),
                        source: path.to_string(),
                        reason: format!("expected a string or a number, got {}", other.type_str()),
                    });
                }
            };
            raw.values.insert(setting.key, (text, path.to_string()));
        }
    }
    for setting in SETTINGS {
        if let Some(value) = env.get(&env_name(setting.key)) {
            raw.values
                .insert(setting.key, (value.clone(), "environment".to_string()));
        }
    }
    Ok(raw)
}

impl Config {
    /// The whole pipeline: merge, then validate.
    pub fn from_layers(
        file: Option<(&str, &str)>,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        Config::from_raw(&merge(file, env)?)
    }

    /// Validates every setting; the first bad one is the error.
    pub fn from_raw(raw: &RawSettings) -> Result<Config, ConfigError> {
        let database_url = raw.string("database_url");
        check_database_url(&database_url).map_err(|r| raw.error("database_url", r))?;
        let bind_raw = raw.string("bind");
        let bind = bind_raw.parse().map_err(|_| {
            raw.error(
                "bind",
                format!("{bind_raw:?} is not an address:port such as 127.0.0.1:8080"),
            )
        })?;
        let mail_from =
            Email::parse(&raw.string("mail_from")).map_err(|e| raw.error("mail_from", e.reason))?;
        let log_format = match raw.string("log_format").to_ascii_lowercase().as_str() {
            "text" | "pretty" | "human" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(raw.error(
                    "log_format",
                    format!("unknown log format {other:?}: expected text or json"),
                ));
            }
        };
        let filter = raw.string("log");
        tracing_subscriber::EnvFilter::try_new(&filter)
            .map_err(|e| raw.error("log", format!("not a valid log filter: {e}")))?;
        Ok(Config {
            database_url: Secret::new(database_url),
            database_pool_size: raw.number("database_pool_size", 1u32)?,
            bind,
            payment: payment(raw)?,
            mailer: mailer(raw, &mail_from)?,
            mail_from,
            log: LogConfig {
                filter,
                format: log_format,
            },
            rate_limit_per_minute: raw.number("rate_limit_per_minute", 1u32)?,
            route_cache_ttl: Duration::from_millis(raw.number("route_cache_ttl_ms", 0u64)?),
            workers: WorkerConfig {
                outbox_interval: Duration::from_millis(raw.number("outbox_interval_ms", 10u64)?),
                outbox_batch: raw.number("outbox_batch_size", 1u32)?,
                outbox_first_retry: Duration::from_millis(
                    raw.number("outbox_first_retry_ms", 100u64)?,
                ),
                sweeper_interval: Duration::from_millis(raw.number("sweeper_interval_ms", 10u64)?),
                sweeper_batch: raw.number("sweeper_batch_size", 1u32)?,
            },
            shutdown_timeout: Duration::from_secs(raw.number("shutdown_timeout_secs", 1u64)?),
        })
    }

    /// Whether this is the zero-setup demo database (`make run`).
    pub fn is_default_sqlite(&self) -> bool {
        self.database_url.expose() == DEFAULT_DATABASE_URL
    }

    /// A one-line description safe to log: no secrets, no database URL.
    pub fn summary(&self) -> String {
        let backend = DatabaseUrl::parse(self.database_url.expose())
            .map_or("unreadable", |url| url.backend().as_str());
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

/// `postgres://…`, `postgresql://…` or `sqlite://PATH`, as the store reads
/// it (the message never echoes the URL: it may carry a password).
fn check_database_url(url: &str) -> Result<(), String> {
    DatabaseUrl::parse(url)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn payment(raw: &RawSettings) -> Result<PaymentConfig, ConfigError> {
    match raw.string("payment_gateway").to_ascii_lowercase().as_str() {
        "simulated" => Ok(PaymentConfig::Simulated),
        "authorizenet" | "authorize.net" => {
            let why = "when ORDERCORE_PAYMENT_GATEWAY=authorizenet";
            let login_id = raw
                .required("authorizenet_login_id", why)?
                .trim()
                .to_string();
            let key = raw
                .required("authorizenet_transaction_key", why)?
                .trim()
                .to_string();
            let endpoint = Endpoint::parse(&raw.string("authorizenet_endpoint"))
                .map_err(|e| raw.error("authorizenet_endpoint", e.to_string()))?;
            let timeout = raw.number("authorizenet_timeout_secs", 1u64)?;
            Ok(PaymentConfig::AuthorizeNet(
                AuthorizeNetConfig::new(endpoint, login_id, Secret::new(key))
                    .with_timeout(Duration::from_secs(timeout)),
            ))
        }
        other => Err(raw.error(
            "payment_gateway",
            format!("unknown payment gateway {other:?}: expected simulated or authorizenet"),
        )),
    }
}

fn mailer(raw: &RawSettings, from: &Email) -> Result<MailerConfig, ConfigError> {
    match raw.string("mailer").to_ascii_lowercase().as_str() {
        "log" => Ok(MailerConfig::Log),
        "mandrill" => {
            let key = raw
                .required("mandrill_api_key", "when ORDERCORE_MAILER=mandrill")?
                .trim()
                .to_string();
            let endpoint = raw.string("mandrill_endpoint");
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return Err(raw.error(
                    "mandrill_endpoint",
                    format!("{endpoint:?} is not an http(s) URL"),
                ));
            }
            let mut config = MandrillConfig::new(Secret::new(key), from.clone());
            config.endpoint = endpoint;
            config.from_name = raw.string("mail_from_name");
            config.timeout = Duration::from_secs(raw.number("mandrill_timeout_secs", 1u64)?);
            Ok(MailerConfig::Mandrill(config))
        }
        other => Err(raw.error(
            "mailer",
            format!("unknown mailer {other:?}: expected log or mandrill"),
        )),
    }
}

#[cfg(test)]
mod tests;
