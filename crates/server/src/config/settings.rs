//! The table of settings: one row per setting, its default and what it is for.
//! docs/configuration.md documents every row (a unit test checks it).

/// One setting. Its environment variable is `ORDERCORE_` + `key` upper-cased;
/// its key in `ordercore.toml` is `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub key: &'static str,
    /// `None`: no default (required only in some configurations).
    pub default: Option<&'static str>,
    pub secret: bool,
    pub about: &'static str,
}

const fn s(key: &'static str, default: Option<&'static str>, about: &'static str) -> Setting {
    Setting {
        key,
        default,
        secret: false,
        about,
    }
}

const fn secret(key: &'static str, about: &'static str) -> Setting {
    Setting {
        key,
        default: None,
        secret: true,
        about,
    }
}

/// Every setting the binary reads.
pub const SETTINGS: &[Setting] = &[
    s(
        "database_url",
        Some(super::DEFAULT_DATABASE_URL),
        "sqlite://PATH or postgres://user:password@host:port/db",
    ),
    s("database_pool_size", Some("10"), "connections per instance"),
    s(
        "bind",
        Some("127.0.0.1:8080"),
        "address:port the HTTP server listens on",
    ),
    s(
        "payment_gateway",
        Some("simulated"),
        "simulated (sandbox-like, in memory) or authorizenet",
    ),
    s("authorizenet_login_id", None, "API login id (authorizenet)"),
    secret(
        "authorizenet_transaction_key",
        "transaction key (authorizenet)",
    ),
    s(
        "authorizenet_endpoint",
        Some("sandbox"),
        "sandbox, production or a full URL",
    ),
    s(
        "authorizenet_timeout_secs",
        Some("20"),
        "timeout of every processor call",
    ),
    s(
        "mailer",
        Some("log"),
        "log (e-mails written to the log) or mandrill",
    ),
    secret("mandrill_api_key", "Mandrill API key (mandrill)"),
    s(
        "mandrill_endpoint",
        Some("https://mandrillapp.com/api/1.0"),
        "Mandrill API base URL",
    ),
    s(
        "mandrill_timeout_secs",
        Some("10"),
        "timeout of every Mandrill call",
    ),
    s(
        "mail_from",
        Some("orders@ordercore.example.com"),
        "sender address of confirmation e-mails",
    ),
    s(
        "mail_from_name",
        Some("ordercore"),
        "sender name of confirmation e-mails",
    ),
    s("log", Some("info"), "log filter (tracing EnvFilter syntax)"),
    s("log_format", Some("text"), "text (human-readable) or json"),
    s(
        "rate_limit_per_minute",
        Some("120"),
        "requests per token per minute",
    ),
    s(
        "route_cache_ttl_ms",
        Some("5000"),
        "how long a route-registry record is cached (kill-switch latency)",
    ),
    s(
        "outbox_interval_ms",
        Some("5000"),
        "pause between two passes of the e-mail outbox worker",
    ),
    s(
        "outbox_first_retry_ms",
        Some("60000"),
        "delay before a failed confirmation e-mail is first retried (then doubling, 8 attempts)",
    ),
    s(
        "outbox_batch_size",
        Some("20"),
        "e-mails claimed per outbox pass",
    ),
    s(
        "sweeper_interval_ms",
        Some("60000"),
        "pause between two passes of the pending-payment sweeper",
    ),
    s(
        "sweeper_batch_size",
        Some("50"),
        "orders examined per sweeper pass",
    ),
    s(
        "shutdown_timeout_secs",
        Some("30"),
        "how long shutdown waits for in-flight requests",
    ),
];

/// The built-in default of `key`.
pub fn default_of(key: &str) -> Option<&'static str> {
    SETTINGS
        .iter()
        .find(|s| s.key == key)
        .and_then(|s| s.default)
}
