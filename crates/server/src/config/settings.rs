//! The settings as a typed struct ([`Settings`]), their built-in defaults
//! ([`Settings::default`]) and the table that describes each one
//! ([`SETTINGS`]). docs/configuration.md documents every row (a unit test
//! checks it), and another test checks that the table and the struct name the
//! same settings.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A secret setting's raw value: never printed, not even by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(pub String);

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

/// Every setting, typed, after the layers (defaults, file, environment) are
/// merged and before the cross-setting checks of
/// [`Config::from_settings`](super::Config::from_settings). Field names are
/// the TOML keys; the environment variable is `ORDERCORE_` + the key
/// upper-cased. Numbers are parsed here (a non-number is refused with the
/// setting's name); names such as the gateway are checked afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database_url: SecretText,
    pub database_pool_size: u32,
    pub bind: String,
    pub payment_gateway: String,
    pub authorizenet_login_id: Option<String>,
    pub authorizenet_transaction_key: Option<SecretText>,
    pub authorizenet_endpoint: String,
    pub authorizenet_timeout_secs: u64,
    pub mailer: String,
    pub mandrill_api_key: Option<SecretText>,
    pub mandrill_endpoint: String,
    pub mandrill_timeout_secs: u64,
    pub mail_from: String,
    pub mail_from_name: String,
    pub log: String,
    pub log_format: String,
    pub rate_limit_per_minute: u32,
    pub rate_limit_max_keys: u64,
    pub trusted_proxies: String,
    pub auth_failures_per_address: u32,
    pub auth_failure_window_secs: u64,
    pub login_failures_per_account: u32,
    pub login_failure_window_secs: u64,
    pub fingerprint_key: Option<SecretText>,
    pub data_key: Option<SecretText>,
    pub data_keys_old: Option<SecretText>,
    pub route_cache_ttl_ms: u64,
    pub outbox_interval_ms: u64,
    pub outbox_first_retry_ms: u64,
    pub outbox_direct_send_grace_ms: u64,
    pub outbox_lease_secs: u64,
    pub outbox_batch_size: u32,
    pub outbox_mark_interval_ms: u64,
    pub sweeper_interval_ms: u64,
    pub sweeper_batch_size: u32,
    pub sweeper_pending_age_secs: u64,
    pub reconcile_interval_ms: u64,
    pub reconcile_first_look_up_ms: u64,
    pub reconcile_max_delay_secs: u64,
    pub reconcile_max_attempts: u32,
    pub reconcile_lease_secs: u64,
    pub idempotency_purge_interval_ms: u64,
    pub idempotency_purge_batch_size: u32,
    pub session_touch_interval_ms: u64,
    pub auth_expiry_warn_days: u32,
    pub auth_expiry_interval_ms: u64,
    pub webhooks_interval_ms: u64,
    pub webhooks_batch_size: u32,
    pub webhooks_lanes: u32,
    pub webhooks_timeout_ms: u64,
    pub webhooks_first_retry_ms: u64,
    pub shutdown_timeout_secs: u64,
}

impl Default for Settings {
    /// The built-in defaults: the zero-setup demo of `make run`.
    fn default() -> Settings {
        Settings {
            database_url: SecretText(super::DEFAULT_DATABASE_URL.into()),
            database_pool_size: 10,
            bind: "127.0.0.1:8080".into(),
            payment_gateway: "simulated".into(),
            authorizenet_login_id: None,
            authorizenet_transaction_key: None,
            authorizenet_endpoint: "sandbox".into(),
            authorizenet_timeout_secs: 20,
            mailer: "log".into(),
            mandrill_api_key: None,
            mandrill_endpoint: "https://mandrillapp.com/api/1.0".into(),
            mandrill_timeout_secs: 10,
            mail_from: "orders@ordercore.example.com".into(),
            mail_from_name: "ordercore".into(),
            log: "info".into(),
            log_format: "text".into(),
            rate_limit_per_minute: 120,
            rate_limit_max_keys: 100_000,
            trusted_proxies: String::new(),
            auth_failures_per_address: 20,
            auth_failure_window_secs: 300,
            login_failures_per_account: 10,
            login_failure_window_secs: 900,
            fingerprint_key: None,
            data_key: None,
            data_keys_old: None,
            route_cache_ttl_ms: 5000,
            outbox_interval_ms: 5000,
            outbox_first_retry_ms: 60000,
            outbox_direct_send_grace_ms: 60000,
            outbox_lease_secs: 300,
            outbox_batch_size: 20,
            outbox_mark_interval_ms: 100,
            sweeper_interval_ms: 60000,
            sweeper_batch_size: 50,
            sweeper_pending_age_secs: 300,
            reconcile_interval_ms: 1000,
            reconcile_first_look_up_ms: 2000,
            reconcile_max_delay_secs: 300,
            reconcile_max_attempts: 8,
            reconcile_lease_secs: 300,
            idempotency_purge_interval_ms: 600_000,
            idempotency_purge_batch_size: 500,
            session_touch_interval_ms: 1000,
            auth_expiry_warn_days: ordercore_domain::rules::payments::DEFAULT_EXPIRY_WARN_DAYS,
            auth_expiry_interval_ms: 3_600_000,
            webhooks_interval_ms: 1000,
            webhooks_batch_size: 10,
            webhooks_lanes: 4,
            webhooks_timeout_ms: 5000,
            webhooks_first_retry_ms: 30000,
            shutdown_timeout_secs: 30,
        }
    }
}

/// One setting. Its environment variable is `ORDERCORE_` + `key` upper-cased;
/// its key in `ordercore.toml` is `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub key: &'static str,
    /// A secret's value is never printed.
    pub secret: bool,
    pub about: &'static str,
}

const fn s(key: &'static str, about: &'static str) -> Setting {
    Setting {
        key,
        secret: false,
        about,
    }
}

const fn secret(key: &'static str, about: &'static str) -> Setting {
    Setting {
        key,
        secret: true,
        about,
    }
}

/// Every setting the binary reads (the fields of [`Settings`]).
pub const SETTINGS: &[Setting] = &[
    secret(
        "database_url",
        "sqlite://PATH or postgres://user:password@host:port/db",
    ),
    s("database_pool_size", "connections per instance"),
    s("bind", "address:port the HTTP server listens on"),
    s(
        "payment_gateway",
        "simulated (sandbox-like, in memory) or authorizenet",
    ),
    s("authorizenet_login_id", "API login id (authorizenet)"),
    secret(
        "authorizenet_transaction_key",
        "transaction key (authorizenet)",
    ),
    s("authorizenet_endpoint", "sandbox, production or a full URL"),
    s(
        "authorizenet_timeout_secs",
        "timeout of every processor call",
    ),
    s("mailer", "log (e-mails written to the log) or mandrill"),
    secret("mandrill_api_key", "Mandrill API key (mandrill)"),
    s("mandrill_endpoint", "Mandrill API base URL"),
    s("mandrill_timeout_secs", "timeout of every Mandrill call"),
    s("mail_from", "sender address of confirmation e-mails"),
    s("mail_from_name", "sender name of confirmation e-mails"),
    s("log", "log filter (tracing EnvFilter syntax)"),
    s("log_format", "text (human-readable) or json"),
    s("rate_limit_per_minute", "requests per token per minute"),
    s(
        "rate_limit_max_keys",
        "clients each in-memory limiter remembers at most (lowest counts evicted first)",
    ),
    s(
        "trusted_proxies",
        "CIDRs of proxies whose X-Forwarded-For / Forwarded headers name the client; empty trusts none",
    ),
    s(
        "auth_failures_per_address",
        "invalid-token answers per client address per window before its tokens are refused unread",
    ),
    s(
        "auth_failure_window_secs",
        "the window of auth_failures_per_address",
    ),
    s(
        "login_failures_per_account",
        "failed log-ins per e-mail per window before that e-mail's log-ins are refused",
    ),
    s(
        "login_failure_window_secs",
        "the window of login_failures_per_account",
    ),
    secret(
        "fingerprint_key",
        "base64 of 32 bytes: the HMAC key of Idempotency-Key fingerprints (default: random per process)",
    ),
    secret(
        "data_key",
        "base64 of 32 bytes: the key secrets are encrypted with at rest (required with PostgreSQL; SQLite default: a key file beside the database)",
    ),
    secret(
        "data_keys_old",
        "comma-separated base64 keys: earlier data keys, still accepted for reading until `ordercore keys rotate` has run",
    ),
    s(
        "route_cache_ttl_ms",
        "how long a route-registry record is cached (kill-switch latency)",
    ),
    s(
        "outbox_interval_ms",
        "pause between two passes of the e-mail outbox worker",
    ),
    s(
        "outbox_first_retry_ms",
        "delay before a failed confirmation e-mail is first retried (then doubling, 8 attempts)",
    ),
    s(
        "outbox_direct_send_grace_ms",
        "how long the outbox worker leaves a new confirmation to the request that sends it",
    ),
    s("outbox_batch_size", "e-mails claimed per outbox pass"),
    s(
        "outbox_lease_secs",
        "how long e-mails claimed by an outbox pass are left alone by other passes",
    ),
    s(
        "outbox_mark_interval_ms",
        "pause between two writes of the pending marks of e-mails sent (shorter than the grace and the lease)",
    ),
    s(
        "sweeper_interval_ms",
        "pause between two passes of the pending-payment sweeper",
    ),
    s("sweeper_batch_size", "orders examined per sweeper pass"),
    s(
        "sweeper_pending_age_secs",
        "age after which a pending_payment order counts as abandoned",
    ),
    s(
        "reconcile_interval_ms",
        "pause between two passes of the reconcile worker (unknown payment outcomes)",
    ),
    s(
        "reconcile_first_look_up_ms",
        "delay between an unknown payment outcome and its first look-up at the processor",
    ),
    s(
        "reconcile_max_delay_secs",
        "longest delay between two look-ups of one order (the delay doubles after each failure)",
    ),
    s(
        "reconcile_max_attempts",
        "failed look-ups of one order before it is left to the sweeper and staff are notified",
    ),
    s(
        "reconcile_lease_secs",
        "how long an order claimed by a reconcile pass is left alone by other passes",
    ),
    s(
        "idempotency_purge_interval_ms",
        "pause between two passes of the worker that deletes expired Idempotency-Key records",
    ),
    s(
        "idempotency_purge_batch_size",
        "expired Idempotency-Key records deleted per statement",
    ),
    s(
        "session_touch_interval_ms",
        "pause between two writes of the sessions' pending last_used_at touches",
    ),
    s(
        "auth_expiry_warn_days",
        "age in days (1-29) of an uncaptured authorization at which staff are warned, once",
    ),
    s(
        "auth_expiry_interval_ms",
        "pause between two passes of the authorization-expiry watch",
    ),
    s(
        "webhooks_interval_ms",
        "pause between two passes of the webhook delivery worker",
    ),
    s(
        "webhooks_batch_size",
        "webhook deliveries claimed per pass (a pass holds them for batch × timeout + 10 s)",
    ),
    s(
        "webhooks_lanes",
        "webhook delivery loops per instance, each sending its own batch (a slow receiver holds one)",
    ),
    s(
        "webhooks_timeout_ms",
        "how long one webhook delivery may take (connect and answer) before it counts as failed",
    ),
    s(
        "webhooks_first_retry_ms",
        "delay before a failed webhook delivery is first retried (then doubling with jitter, at most 6 h apart, for 3 days)",
    ),
    s(
        "shutdown_timeout_secs",
        "how long shutdown waits for in-flight requests",
    ),
];

/// The row of `key`, if it is a setting.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}
