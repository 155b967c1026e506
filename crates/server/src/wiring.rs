//! Builds the adapters the configuration names and hands them to the use
//! cases. No business rule lives here: only which implementation of each port.

use crate::clock::SystemClock;
use crate::config::{Config, MailerConfig, PaymentConfig};
use async_trait::async_trait;
use ordercore_authorizenet::{AuthorizeNetGateway, SimulatedGateway};
use ordercore_crypto::{Argon2Hasher, RandomTokens};
use ordercore_domain::ports::{Clock, Mailer, PasswordHasher, PaymentGateway, TokenGenerator};
use ordercore_domain::usecases::{
    DIRECT_SEND_GRACE, DeliverOutbox, DeliverWebhooks, FIRST_RETRY, ManageWebhooks,
    ReconcilePayments, ReconcilePolicy, RetryPolicy, SweepPendingPayments,
    WatchAuthorizationExpiry, WebhookPolicy,
};
use ordercore_http::idempotency::FingerprintKey;
use ordercore_http::metrics::{BacklogCounts, BacklogSampler};
use ordercore_http::{AppState, DomainPorts, HttpConfig, HttpPorts, Readiness, UseCases};
use ordercore_http::{MeteredGateway, MeteredMailer, Metrics};
use ordercore_mandrill::{LogMailer, MandrillMailer};
use ordercore_store::Store;
use std::sync::Arc;

/// Why the service could not be assembled. The message names the setting.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error("ORDERCORE_DATABASE_URL: {0}")]
    Database(String),
    #[error("{setting}: {detail}")]
    Adapter {
        setting: &'static str,
        detail: String,
    },
}

/// Connects to the configured database (no migration), with the configured
/// pool size: for `serve`.
pub fn connect(config: &Config) -> Result<Store, WiringError> {
    connect_with(config, config.database_pool_size)
}

/// Connects with a single-connection pool: for one-shot commands.
///
/// The pool opens replacement connections on a background thread; with one
/// connection it never needs to, so no libpq connect is in flight when the
/// command returns and the process exits (an exit during one can crash in
/// the TLS library's exit handlers).
pub fn connect_for_command(config: &Config) -> Result<Store, WiringError> {
    connect_with(config, 1)
}

fn connect_with(config: &Config, pool_size: u32) -> Result<Store, WiringError> {
    Store::connect_url(&config.database_url, pool_size).map_err(|e| {
        // A SQLite path is no secret, and "unable to open database file"
        // alone does not say which file.
        WiringError::Database(match crate::database::sqlite_path(config) {
            Some(path) => format!("{e} (SQLite file {path:?}, relative to the working directory)"),
            None => e.to_string(),
        })
    })
}

/// Lets connections the pool is still opening in the background finish
/// before the process exits (see [`connect_for_command`] and
/// `Store::settle`).
pub async fn settle(store: &Store) {
    store.settle().await;
}

/// The payment processor the configuration names.
pub fn payment_gateway(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> Result<Arc<dyn PaymentGateway>, WiringError> {
    Ok(match &config.payment {
        PaymentConfig::Simulated => Arc::new(SimulatedGateway::new(clock)),
        PaymentConfig::AuthorizeNet(c) => {
            let http = AuthorizeNetGateway::http_client(c).map_err(|e| WiringError::Adapter {
                setting: "ORDERCORE_PAYMENT_GATEWAY",
                detail: format!("cannot build the HTTP client: {e}"),
            })?;
            Arc::new(AuthorizeNetGateway::new(c.clone(), http))
        }
    })
}

/// The mailer the configuration names.
pub fn mailer(config: &Config) -> Result<Arc<dyn Mailer>, WiringError> {
    Ok(match &config.mailer {
        MailerConfig::Log => Arc::new(LogMailer::new()),
        MailerConfig::Mandrill(c) => {
            let http = c.http_client().map_err(|e| WiringError::Adapter {
                setting: "ORDERCORE_MAILER",
                detail: format!("cannot build the HTTP client: {e}"),
            })?;
            Arc::new(MandrillMailer::new(c.clone(), http))
        }
    })
}

/// `GET /readyz`: the database answers.
struct StoreReadiness(Store);

#[async_trait]
impl Readiness for StoreReadiness {
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await.map_err(|e| e.to_string())
    }
}

/// Everything `serve` runs: the HTTP state and the workers.
pub struct Service {
    pub state: AppState,
    pub outbox: DeliverOutbox,
    pub sweeper: SweepPendingPayments,
    pub reconciler: ReconcilePayments,
    pub expiry_watch: WatchAuthorizationExpiry,
    pub webhooks: DeliverWebhooks,
}

/// The metrics' backlog gauges, read from the store.
struct StoreBacklog(Store);

#[async_trait::async_trait]
impl BacklogSampler for StoreBacklog {
    async fn sample(&self) -> Result<BacklogCounts, String> {
        let b = self.0.backlog().await.map_err(|e| e.to_string())?;
        Ok(BacklogCounts {
            outbox: b.outbox,
            pending_payments: b.pending_payments,
            unresolved_notifications: b.unresolved_notifications,
        })
    }
}

/// Assembles the service on `store` with the configured adapters.
pub fn service(config: &Config, store: &Store) -> Result<Service, WiringError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let metrics = Metrics::new();
    let pool = store.pool().clone();
    metrics.sample_pool_with(Box::new(move || {
        let state = pool.state();
        let idle = i64::from(state.idle_connections);
        (i64::from(state.connections) - idle, idle)
    }));
    metrics.sample_backlog_with(Arc::new(StoreBacklog(store.clone())));
    let gateway: Arc<dyn PaymentGateway> = Arc::new(MeteredGateway::new(
        payment_gateway(config, clock.clone())?,
        metrics.clone(),
    ));
    let mailer: Arc<dyn Mailer> = Arc::new(MeteredMailer::new(mailer(config)?, metrics.clone()));
    let tokens: Arc<dyn TokenGenerator> = Arc::new(RandomTokens);
    let hasher: Arc<dyn PasswordHasher> = Arc::new(Argon2Hasher);
    let db = Arc::new(store.clone());
    let ports = DomainPorts {
        users: db.clone(),
        clients: db.clone(),
        applications: db.clone(),
        sessions: db.clone(),
        catalog: db.clone(),
        promotions: db.clone(),
        submission: db.clone(),
        methods: db.clone(),
        orders: db.clone(),
        outbox: db.clone(),
        notifications: db.clone(),
        events: db.clone(),
        webhooks: db.clone(),
        gateway,
        mailer,
        hasher,
        tokens: tokens.clone(),
        clock: clock.clone(),
    };
    let retry = RetryPolicy {
        first_retry: chrono::Duration::from_std(config.workers.outbox_first_retry)
            .unwrap_or(FIRST_RETRY),
        lease: chrono::Duration::from_std(config.workers.outbox_lease)
            .unwrap_or(RetryPolicy::default().lease),
        ..RetryPolicy::default()
    };
    let policy = reconcile_policy(config);
    let mut usecases = UseCases::new(&ports);
    usecases.submit_order.retry = retry;
    usecases.submit_order.direct_send_grace =
        chrono::Duration::from_std(config.workers.outbox_direct_send_grace)
            .unwrap_or(DIRECT_SEND_GRACE);
    usecases.submit_order.first_look_up = policy.first_look_up;
    let mut reconciler = ReconcilePayments::new(
        ports.orders.clone(),
        ports.gateway.clone(),
        ports.methods.clone(),
        ports.notifier(),
        clock.clone(),
    );
    reconciler.policy = policy;
    let mut outbox = DeliverOutbox::new(
        ports.outbox.clone(),
        ports.orders.clone(),
        ports.mailer.clone(),
        clock.clone(),
    );
    outbox.policy = retry;
    let http_ports = HttpPorts {
        registry: db.clone(),
        idempotency: db.clone(),
        tokens,
        clock: clock.clone(),
        readiness: Arc::new(StoreReadiness(store.clone())),
    };
    let http_config = HttpConfig {
        rate_limit_per_minute: config.rate_limit_per_minute,
        registry_cache_ttl: config.route_cache_ttl,
        rate_limit_max_keys: config.abuse.rate_limit_max_keys,
        trusted_proxies: config.abuse.trusted_proxies.clone(),
        auth_failures_per_address: config.abuse.auth_failures_per_address,
        auth_failure_window: config.abuse.auth_failure_window,
        login_failures_per_account: config.abuse.login_failures_per_account,
        login_failure_window: config.abuse.login_failure_window,
        fingerprint_key: config
            .abuse
            .fingerprint_key
            .clone()
            .unwrap_or_else(FingerprintKey::random),
        ..HttpConfig::default()
    };
    let webhooks = deliver_webhooks(config, store, clock.clone());
    Ok(Service {
        state: AppState::new(usecases, http_ports, http_config, metrics),
        outbox,
        expiry_watch: WatchAuthorizationExpiry::new(
            db,
            clock.clone(),
            config.workers.auth_expiry_warn_days,
        ),
        sweeper: sweeper(config, &ports, clock),
        reconciler,
        webhooks,
    })
}

/// The webhook delivery worker, with the configured timing.
pub fn deliver_webhooks(config: &Config, store: &Store, clock: Arc<dyn Clock>) -> DeliverWebhooks {
    let w = &config.workers;
    let sender = crate::webhooks::HttpWebhookSender::new(w.webhooks_timeout);
    let d =
        |std: std::time::Duration| chrono::Duration::from_std(std).unwrap_or(chrono::Duration::MAX);
    let mut deliver = DeliverWebhooks::new(Arc::new(store.clone()), Arc::new(sender), clock);
    deliver.policy = WebhookPolicy {
        first_retry: d(w.webhooks_first_retry),
        lease: d(w.webhooks_lease),
        ..WebhookPolicy::default()
    };
    deliver
}

/// Endpoint management and the event feed, on `store`.
pub fn manage_webhooks(store: &Store) -> ManageWebhooks {
    let db = Arc::new(store.clone());
    ManageWebhooks::new(
        db.clone(),
        db,
        Arc::new(RandomTokens),
        Arc::new(SystemClock),
    )
}

/// The reconcile worker's schedule, from its settings.
pub fn reconcile_policy(config: &Config) -> ReconcilePolicy {
    let w = &config.workers;
    let d =
        |std: std::time::Duration| chrono::Duration::from_std(std).unwrap_or(chrono::Duration::MAX);
    let max_delay = d(w.reconcile_max_delay);
    ReconcilePolicy {
        first_look_up: d(w.reconcile_first_look_up),
        max_delay,
        max_attempts: w.reconcile_max_attempts,
        // Checked against the processor timeout (config): a claim outlives
        // the look-up and void of the order.
        lease: d(w.reconcile_lease),
    }
}

/// The pending-payment sweeper, with the configured abandonment age.
fn sweeper(config: &Config, ports: &DomainPorts, clock: Arc<dyn Clock>) -> SweepPendingPayments {
    let mut sweeper = SweepPendingPayments::new(ports.orders.clone(), clock);
    sweeper.max_pending = pending_age(config);
    sweeper
}

/// `ORDERCORE_SWEEPER_PENDING_AGE_SECS` as the domain's duration.
pub fn pending_age(config: &Config) -> chrono::Duration {
    chrono::Duration::from_std(config.workers.sweeper_pending_age).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env;

    #[test]
    fn the_sweeper_uses_the_configured_pending_age() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let env = env(&[
            ("ORDERCORE_DATABASE_URL", url.as_str()),
            ("ORDERCORE_SWEEPER_PENDING_AGE_SECS", "900"),
        ]);
        let config = Config::from_layers(None, &env).unwrap();
        let store = connect_for_command(&config).unwrap();
        let service = service(&config, &store).unwrap();
        assert_eq!(service.sweeper.max_pending, chrono::Duration::seconds(900));
    }

    #[test]
    fn the_expiry_watch_uses_the_configured_warning_age() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let env = env(&[
            ("ORDERCORE_DATABASE_URL", url.as_str()),
            ("ORDERCORE_AUTH_EXPIRY_WARN_DAYS", "20"),
        ]);
        let config = Config::from_layers(None, &env).unwrap();
        let store = connect_for_command(&config).unwrap();
        let service = service(&config, &store).unwrap();
        assert_eq!(
            service.expiry_watch.warn_after(),
            chrono::Duration::days(20)
        );
    }

    #[test]
    fn the_reconcile_worker_and_the_submission_use_the_configured_schedule() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let env = env(&[
            ("ORDERCORE_DATABASE_URL", url.as_str()),
            ("ORDERCORE_RECONCILE_FIRST_LOOK_UP_MS", "750"),
            ("ORDERCORE_RECONCILE_MAX_DELAY_SECS", "40"),
            ("ORDERCORE_RECONCILE_MAX_ATTEMPTS", "3"),
        ]);
        let config = Config::from_layers(None, &env).unwrap();
        let store = connect_for_command(&config).unwrap();
        let service = service(&config, &store).unwrap();
        let policy = service.reconciler.policy;
        assert_eq!(policy.first_look_up, chrono::Duration::milliseconds(750));
        assert_eq!(policy.max_delay, chrono::Duration::seconds(40));
        assert_eq!(policy.max_attempts, 3);
        assert_eq!(
            service.state.usecases.submit_order.first_look_up,
            chrono::Duration::milliseconds(750)
        );
    }

    #[test]
    fn the_webhook_timing_reaches_the_worker_and_the_lease_outlasts_a_pass() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let env = env(&[
            ("ORDERCORE_DATABASE_URL", url.as_str()),
            ("ORDERCORE_WEBHOOKS_FIRST_RETRY_MS", "750"),
            ("ORDERCORE_WEBHOOKS_BATCH_SIZE", "4"),
            ("ORDERCORE_WEBHOOKS_TIMEOUT_MS", "1000"),
        ]);
        let config = Config::from_layers(None, &env).unwrap();
        let store = connect_for_command(&config).unwrap();
        let service = service(&config, &store).unwrap();
        let policy = service.webhooks.policy;
        assert_eq!(policy.first_retry, chrono::Duration::milliseconds(750));
        assert_eq!(policy.lease, chrono::Duration::seconds(4 + 10));
        assert_eq!(policy.give_up_after, chrono::Duration::days(3));
        assert_eq!(policy.disable_after, chrono::Duration::hours(24));
        let e = Config::from_layers(
            None,
            &crate::config::tests::env(&[("ORDERCORE_WEBHOOKS_TIMEOUT_MS", "5")]),
        )
        .unwrap_err();
        assert_eq!(e.setting, "ORDERCORE_WEBHOOKS_TIMEOUT_MS");
    }

    #[test]
    fn the_outbox_timing_reaches_the_worker_and_the_submission() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let env = env(&[
            ("ORDERCORE_DATABASE_URL", url.as_str()),
            ("ORDERCORE_OUTBOX_LEASE_SECS", "600"),
            ("ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS", "45000"),
        ]);
        let config = Config::from_layers(None, &env).unwrap();
        let store = connect_for_command(&config).unwrap();
        let service = service(&config, &store).unwrap();
        assert_eq!(service.outbox.policy.lease, chrono::Duration::seconds(600));
        assert_eq!(
            service.state.usecases.submit_order.direct_send_grace,
            chrono::Duration::seconds(45)
        );
    }
}
