//! What the HTTP layer holds: the use cases, the ports it reaches directly,
//! and its configuration.

use crate::metrics::Metrics;
use crate::pipeline::identify::RegistryCache;
use crate::pipeline::rate_limit::RateLimiter;
use crate::pipeline::steps::MAX_BODY_BYTES;
use async_trait::async_trait;
use ordercore_domain::ports::{Clock, IdempotencyStore, RouteRegistry, TokenGenerator};
use ordercore_domain::usecases::{
    AddPaymentMethod, Authenticate, CapturePayment, CreateSession, DestroySession,
    ListNotifications, ListOrders, ListPaymentMethods, ListServices, ReadOrder, RegisterClient,
    RemovePaymentMethod, SubmitOrder, ValidatePromotion, VoidPayment,
};
use std::sync::Arc;
use std::time::Duration;

/// HTTP settings, from the server's typed configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Requests per token per minute (`ORDERCORE_RATE_LIMIT_PER_MINUTE`).
    pub rate_limit_per_minute: u32,
    /// How long a route registry record is trusted before it is read again.
    pub registry_cache_ttl: Duration,
    /// Largest accepted body (SPEC §1: 256 KiB).
    pub max_body_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            rate_limit_per_minute: 120,
            registry_cache_ttl: Duration::from_secs(5),
            max_body_bytes: MAX_BODY_BYTES,
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
    pub limiter: RateLimiter,
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
        AppState {
            usecases,
            idempotency: ports.idempotency,
            tokens: ports.tokens,
            clock: ports.clock,
            readiness: ports.readiness,
            registry: RegistryCache::new(ports.registry, config.registry_cache_ttl),
            limiter: RateLimiter::new(config.rate_limit_per_minute),
            metrics,
            config,
        }
    }
}
