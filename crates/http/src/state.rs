//! What the HTTP layer holds: the use cases, the ports it reaches directly,
//! and its configuration.

use crate::idempotency::FingerprintKey;
use crate::metrics::Metrics;
use crate::pipeline::client_addr::Cidr;
use crate::pipeline::identify::RegistryCache;
use crate::pipeline::rate_limit::{DEFAULT_MAX_KEYS, RateLimiter};
use crate::pipeline::steps::MAX_BODY_BYTES;
use crate::pipeline::throttle::FailureThrottle;
use async_trait::async_trait;
use ordercore_domain::ports::{
    ApplicationRepository, CatalogRepository, ClientRepository, Clock, EventRepository,
    IdempotencyStore, Mailer, NotificationRepository, OrderRepository, OutboxRepository,
    PasswordHasher, PaymentGateway, PaymentMethodRepository, PromotionRepository, RouteRegistry,
    SessionStore, SubmissionReads, TokenGenerator, UserRepository, WebhookRepository,
};
use ordercore_domain::usecases::{
    AddPaymentMethod, Authenticate, CapturePayment, CreateSession, DestroySession,
    HandleNotification, IdentityPorts, KillSwitches, ListDeliveries, ListNotifications, ListOrders,
    ListPaymentMethods, ListServices, ManageWebhooks, Notifier, ReadOrder, RegisterClient,
    RemovePaymentMethod, SearchOrders, SubmitOrder, SubmitOrderPorts, ValidatePromotion,
    VoidPayment,
};
use std::sync::Arc;
use std::time::Duration;

/// HTTP settings, from the server's typed configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Requests per token per minute (`ORDERCORE_RATE_LIMIT_PER_MINUTE`).
    pub rate_limit_per_minute: u32,
    /// Keys each in-memory limiter holds at most; past it the lowest
    /// counts are evicted (`ORDERCORE_RATE_LIMIT_MAX_KEYS`).
    pub rate_limit_max_keys: usize,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers name the
    /// client (`ORDERCORE_TRUSTED_PROXIES`, parsed with
    /// [`crate::pipeline::client_addr::parse_cidrs`]); empty trusts none.
    pub trusted_proxies: Vec<Cidr>,
    /// `invalid-token` answers per client address per window before its
    /// tokens are refused unread (`ORDERCORE_AUTH_FAILURES_PER_ADDRESS`).
    pub auth_failures_per_address: u32,
    /// That window (`ORDERCORE_AUTH_FAILURE_WINDOW_SECONDS`).
    pub auth_failure_window: Duration,
    /// Failed log-ins per e-mail per window before that e-mail's log-ins
    /// are refused (`ORDERCORE_LOGIN_FAILURES_PER_ACCOUNT`).
    pub login_failures_per_account: u32,
    /// That window (`ORDERCORE_LOGIN_FAILURE_WINDOW_SECONDS`).
    pub login_failure_window: Duration,
    /// How long a route registry record is trusted before it is read again.
    pub registry_cache_ttl: Duration,
    /// Largest accepted body (contract §1: 256 KiB).
    pub max_body_bytes: usize,
    /// The key of the `Idempotency-Key` fingerprint HMAC
    /// (`ORDERCORE_FINGERPRINT_KEY`, base64 of 32 bytes, read with
    /// [`FingerprintKey::from_base64`]). Default: random per process.
    pub fingerprint_key: FingerprintKey,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            rate_limit_per_minute: 120,
            rate_limit_max_keys: DEFAULT_MAX_KEYS,
            trusted_proxies: Vec::new(),
            auth_failures_per_address: 20,
            auth_failure_window: Duration::from_secs(5 * 60),
            login_failures_per_account: 10,
            login_failure_window: Duration::from_secs(15 * 60),
            registry_cache_ttl: Duration::from_secs(5),
            max_body_bytes: MAX_BODY_BYTES,
            fingerprint_key: FingerprintKey::random(),
        }
    }
}

/// `GET /readyz`: whether the service can answer (the database is reachable).
#[async_trait]
pub trait Readiness: Send + Sync {
    /// `Err` carries a reason for the log, never shown to callers.
    async fn check(&self) -> Result<(), String>;
}

/// A readiness check that always passes (tests, or no database).
pub struct AlwaysReady;

#[async_trait]
impl Readiness for AlwaysReady {
    async fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Every port the use cases need. Wiring (the server, tests) fills this one
/// struct and [`UseCases::new`] builds every use case from it, so no two
/// places assemble use cases by hand.
#[derive(Clone)]
pub struct DomainPorts {
    pub users: Arc<dyn UserRepository>,
    pub clients: Arc<dyn ClientRepository>,
    pub applications: Arc<dyn ApplicationRepository>,
    pub sessions: Arc<dyn SessionStore>,
    pub catalog: Arc<dyn CatalogRepository>,
    pub promotions: Arc<dyn PromotionRepository>,
    /// A submission's client, card and promotion in one look-up.
    pub submission: Arc<dyn SubmissionReads>,
    pub methods: Arc<dyn PaymentMethodRepository>,
    pub orders: Arc<dyn OrderRepository>,
    pub outbox: Arc<dyn OutboxRepository>,
    pub notifications: Arc<dyn NotificationRepository>,
    pub events: Arc<dyn EventRepository>,
    pub webhooks: Arc<dyn WebhookRepository>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub mailer: Arc<dyn Mailer>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub clock: Arc<dyn Clock>,
}

impl DomainPorts {
    /// The notifier every use case that tells staff something shares.
    pub fn notifier(&self) -> Notifier {
        Notifier::new(self.notifications.clone(), self.clock.clone())
    }

    /// The ports of log-in and registration.
    pub fn identity(&self) -> IdentityPorts {
        IdentityPorts {
            users: self.users.clone(),
            applications: self.applications.clone(),
            sessions: self.sessions.clone(),
            hasher: self.hasher.clone(),
            tokens: self.tokens.clone(),
            clock: self.clock.clone(),
        }
    }
}

/// Every use case a route calls.
pub struct UseCases {
    pub authenticate: Authenticate,
    pub create_session: CreateSession,
    pub destroy_session: DestroySession,
    pub register_client: RegisterClient,
    pub add_payment_method: AddPaymentMethod,
    pub list_payment_methods: ListPaymentMethods,
    pub remove_payment_method: RemovePaymentMethod,
    pub list_services: ListServices,
    pub validate_promotion: ValidatePromotion,
    pub submit_order: SubmitOrder,
    pub read_order: ReadOrder,
    pub list_orders: ListOrders,
    pub capture_payment: CapturePayment,
    pub void_payment: VoidPayment,
    pub list_notifications: ListNotifications,
    /// The staff console's acknowledge and resolve.
    pub handle_notification: HandleNotification,
    /// The staff console's order search.
    pub search_orders: SearchOrders,
    /// The staff console's e-mail deliveries of an order.
    pub list_deliveries: ListDeliveries,
    pub manage_webhooks: ManageWebhooks,
}

impl UseCases {
    /// Builds every use case over `p`.
    pub fn new(p: &DomainPorts) -> UseCases {
        let clock = || p.clock.clone();
        let gateway = || p.gateway.clone();
        UseCases {
            authenticate: Authenticate::new(
                p.sessions.clone(),
                p.applications.clone(),
                p.tokens.clone(),
                clock(),
            ),
            create_session: CreateSession::new(p.identity()),
            destroy_session: DestroySession::new(p.sessions.clone(), clock()),
            register_client: RegisterClient::new(p.identity()),
            add_payment_method: AddPaymentMethod::new(
                p.clients.clone(),
                p.methods.clone(),
                gateway(),
                clock(),
            ),
            list_payment_methods: ListPaymentMethods::new(p.clients.clone(), p.methods.clone()),
            remove_payment_method: RemovePaymentMethod::new(p.methods.clone(), gateway()),
            list_services: ListServices::new(p.catalog.clone()),
            validate_promotion: ValidatePromotion::new(
                p.clients.clone(),
                p.catalog.clone(),
                p.promotions.clone(),
                clock(),
            ),
            submit_order: SubmitOrder::new(SubmitOrderPorts {
                clients: p.clients.clone(),
                catalog: p.catalog.clone(),
                context: p.submission.clone(),
                methods: p.methods.clone(),
                orders: p.orders.clone(),
                outbox: p.outbox.clone(),
                gateway: gateway(),
                mailer: p.mailer.clone(),
                notifier: p.notifier(),
                clock: clock(),
            }),
            read_order: ReadOrder::new(p.orders.clone()),
            list_orders: ListOrders::new(p.orders.clone()),
            capture_payment: CapturePayment::new(
                p.orders.clone(),
                gateway(),
                clock(),
                p.notifier(),
            ),
            void_payment: VoidPayment::new(p.orders.clone(), gateway(), clock(), p.notifier()),
            list_notifications: ListNotifications::new(p.notifications.clone()),
            handle_notification: HandleNotification::new(
                p.notifications.clone(),
                p.users.clone(),
                clock(),
            ),
            search_orders: SearchOrders::new(p.orders.clone()),
            list_deliveries: ListDeliveries::new(p.outbox.clone()),
            manage_webhooks: ManageWebhooks::new(
                p.webhooks.clone(),
                p.events.clone(),
                p.tokens.clone(),
                clock(),
            ),
        }
    }
}

/// The ports the pipeline itself uses.
pub struct HttpPorts {
    pub registry: Arc<dyn RouteRegistry>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub clock: Arc<dyn Clock>,
    pub readiness: Arc<dyn Readiness>,
}

/// Shared by every request (held in `web::Data`).
pub struct AppState {
    pub usecases: UseCases,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub clock: Arc<dyn Clock>,
    pub readiness: Arc<dyn Readiness>,
    pub registry: RegistryCache,
    /// The staff console's kill switches (the records the registry cache
    /// reads, uncached).
    pub kill_switches: KillSwitches,
    pub limiter: RateLimiter,
    /// Failed authentications per client address (step 5).
    pub auth_failures: FailureThrottle,
    /// Failed log-ins per account (`sessions/create`).
    pub login_failures: FailureThrottle,
    pub metrics: Arc<Metrics>,
    pub config: HttpConfig,
}

impl AppState {
    /// `metrics` is shared with the metered gateway and mailer wrappers
    /// (see [`crate::metrics`]).
    pub fn new(
        usecases: UseCases,
        ports: HttpPorts,
        config: HttpConfig,
        metrics: Arc<Metrics>,
    ) -> Self {
        let mut usecases = usecases;
        // The store that claims a key is the one its order is bound in.
        usecases
            .submit_order
            .bind_keys_in(ports.idempotency.clone());
        AppState {
            usecases,
            idempotency: ports.idempotency,
            tokens: ports.tokens,
            clock: ports.clock,
            readiness: ports.readiness,
            kill_switches: KillSwitches::new(ports.registry.clone()),
            registry: RegistryCache::new(ports.registry, config.registry_cache_ttl),
            limiter: RateLimiter::bounded(config.rate_limit_per_minute, config.rate_limit_max_keys),
            auth_failures: FailureThrottle::new(
                config.auth_failures_per_address,
                config.auth_failure_window,
                config.rate_limit_max_keys,
                "Too many failed authentications from this address; try again later.",
            ),
            login_failures: FailureThrottle::new(
                config.login_failures_per_account,
                config.login_failure_window,
                config.rate_limit_max_keys,
                "Too many failed log-ins for this e-mail; try again later.",
            ),
            metrics,
            config,
        }
    }
}
