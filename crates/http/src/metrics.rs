//! `GET /metrics` in Prometheus text, through the `prometheus` crate (one
//! [`prometheus::Registry`] per [`Metrics`], rendered by the existing route):
//! requests by route, status slug and HTTP code, a latency histogram per
//! route, payment processor and mailer outcomes (counted by the
//! [`MeteredGateway`] and [`MeteredMailer`] wrappers, which the server puts
//! around its adapters), the database pool's connections in use and idle,
//! and `ordercore_build_info`. Every route's series,
//! and the successful outcomes of the processor and the mailer, exist from
//! start-up (at 0), so that rates and alerts work before the first request.

use async_trait::async_trait;
use ordercore_domain::model::{CardDetails, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{
    Approval, CaptureRequest, CustomerProfileRequest, MailError, Mailer, OrderConfirmation,
    PaymentError, PaymentGateway, TransactionRequest,
};
use prometheus::{
    HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Histogram bucket bounds, seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The processor operations the [`MeteredGateway`] counts.
const PROCESSOR_OPERATIONS: [&str; 9] = [
    "create_customer_profile",
    "create_payment_profile",
    "delete_payment_profile",
    "authorize",
    "charge",
    "capture",
    "void",
    "find_unsettled_transaction",
    "find_order_transactions",
];

/// Counters shared by the HTTP layer and the metered adapters, and the
/// gauges the server sets.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    processor: IntCounterVec,
    mailer: IntCounterVec,
    pool_in_use: IntGauge,
    pool_idle: IntGauge,
    /// Set by the server ([`Metrics::sample_pool_with`]); read at each render.
    pool: OnceLock<PoolSampler>,
    outbox_backlog: IntGauge,
    pending_payments: IntGauge,
    unresolved_notifications: IntGauge,
    /// Set by the server ([`Metrics::sample_backlog_with`]); read by
    /// [`Metrics::refresh`].
    backlog: OnceLock<Arc<dyn BacklogSampler>>,
}

/// Reads the database pool: `(in use, idle)` connections.
pub type PoolSampler = Box<dyn Fn() -> (i64, i64) + Send + Sync>;

/// The backlog counts of the gauges, read from the database at each scrape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BacklogCounts {
    pub outbox: i64,
    pub pending_payments: i64,
    pub unresolved_notifications: i64,
}

/// Reads the [`BacklogCounts`] (the server's store).
#[async_trait]
pub trait BacklogSampler: Send + Sync {
    async fn sample(&self) -> Result<BacklogCounts, String>;
}

/// Registers `c` on `r`; a name clash is a programming error caught by the
/// unit tests, so it is only logged here.
fn register<C: prometheus::core::Collector + Clone + 'static>(r: &Registry, c: C) -> C {
    if let Err(e) = r.register(Box::new(c.clone())) {
        tracing::error!(error = %e, "a metric could not be registered");
    }
    c
}

/// A metric's options; the names and help texts are constants, so building
/// them cannot fail at run time (the unit tests build them all).
fn counter(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| unreachable!("metric {name}: {e}"));
    register(r, c)
}

impl Default for Metrics {
    fn default() -> Self {
        let registry = Registry::new();
        let requests = counter(
            &registry,
            "ordercore_http_requests_total",
            "API requests by route, status slug and HTTP code.",
            &["route", "status", "code"],
        );
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "ordercore_http_request_duration_seconds",
                "API request latency.",
            )
            .buckets(BUCKETS.to_vec()),
            &["route"],
        )
        .unwrap_or_else(|e| unreachable!("latency histogram: {e}"));
        let latency = register(&registry, latency);
        let processor = counter(
            &registry,
            "ordercore_processor_calls_total",
            "Payment processor calls by operation and outcome.",
            &["operation", "outcome"],
        );
        let mailer = counter(
            &registry,
            "ordercore_mailer_sends_total",
            "E-mail sends by outcome.",
            &["outcome"],
        );
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::with_opts(Opts::new(name, help))
                .unwrap_or_else(|e| unreachable!("metric {name}: {e}"));
            register(&registry, g)
        };
        let pool_in_use = gauge(
            "ordercore_db_pool_connections_in_use",
            "Database connections checked out of the pool (sampled at each scrape).",
        );
        let pool_idle = gauge(
            "ordercore_db_pool_connections_idle",
            "Idle database connections in the pool (sampled at each scrape).",
        );
        let outbox_backlog = gauge(
            "ordercore_outbox_backlog",
            "Outbox e-mails neither sent nor given up on (sampled at each scrape).",
        );
        let pending_payments = gauge(
            "ordercore_pending_payments",
            "Orders whose payment is pending (sampled at each scrape).",
        );
        let unresolved_notifications = gauge(
            "ordercore_unresolved_notifications",
            "Staff notifications not resolved (sampled at each scrape).",
        );
        let build = IntGauge::with_opts(
            Opts::new(
                "ordercore_build_info",
                "Always 1; the labels say which build is running.",
            )
            .const_label("version", env!("CARGO_PKG_VERSION")),
        )
        .unwrap_or_else(|e| unreachable!("build_info: {e}"));
        build.set(1);
        register(&registry, build);
        let m = Metrics {
            registry,
            requests,
            latency,
            processor,
            mailer,
            pool_in_use,
            pool_idle,
            pool: OnceLock::new(),
            outbox_backlog,
            pending_payments,
            unresolved_notifications,
            backlog: OnceLock::new(),
        };
        m.start_series();
        m
    }
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics::default())
    }

    /// Every route's success series and latency histogram, and the
    /// successful outcomes of the processor and the mailer, at 0.
    fn start_series(&self) {
        for route in crate::routes::ROUTES.iter() {
            let path = route.path();
            self.requests
                .with_label_values(&[path.as_str(), "action-successful", "200"]);
            self.latency.with_label_values(&[path.as_str()]);
        }
        for op in PROCESSOR_OPERATIONS {
            self.processor.with_label_values(&[op, "ok"]);
        }
        self.mailer.with_label_values(&["sent"]);
    }

    /// One answered API request.
    pub fn observe_request(&self, route: &str, status: &str, code: u16, elapsed: Duration) {
        // The codes the contract answers with need no allocation; the
        // label vectors themselves are read under a shared (read) lock.
        let owned;
        let code = match code_label(code) {
            Some(c) => c,
            None => {
                owned = code.to_string();
                owned.as_str()
            }
        };
        self.requests
            .with_label_values(&[route, status, code])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }

    /// One payment processor call and how it ended.
    pub fn observe_processor(&self, operation: &'static str, outcome: &str) {
        self.processor
            .with_label_values(&[operation, outcome])
            .inc();
    }

    /// One e-mail send and how it ended.
    pub fn observe_mailer(&self, outcome: &str) {
        self.mailer.with_label_values(&[outcome]).inc();
    }

    /// Samples the pool gauges with `sampler` at each render (the first
    /// sampler set stays).
    pub fn sample_pool_with(&self, sampler: PoolSampler) {
        let _ = self.pool.set(sampler);
    }

    /// Reads the backlog gauges with `sampler` at each [`Metrics::refresh`]
    /// (the first sampler set stays).
    pub fn sample_backlog_with(&self, sampler: Arc<dyn BacklogSampler>) {
        let _ = self.backlog.set(sampler);
    }

    /// Reads the backlog counts (before [`Metrics::render`], in `GET
    /// /metrics`). A failed read keeps the last values and is logged.
    pub async fn refresh(&self) {
        let Some(sampler) = self.backlog.get() else {
            return;
        };
        match sampler.sample().await {
            Ok(b) => {
                self.outbox_backlog.set(b.outbox);
                self.pending_payments.set(b.pending_payments);
                self.unresolved_notifications
                    .set(b.unresolved_notifications);
            }
            Err(e) => tracing::warn!(error = %e, "could not read the backlog gauges"),
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        if let Some(sample) = self.pool.get() {
            let (in_use, idle) = sample();
            self.pool_in_use.set(in_use);
            self.pool_idle.set(idle);
        }
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "the metrics could not be rendered");
                String::new()
            })
    }
}

/// The outcome label of a processor call: `ok` or the slug it maps to.
fn processor_outcome<T>(r: &Result<T, PaymentError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => crate::errors::payment_slug(e).as_str(),
    }
}

/// A payment gateway that counts its outcomes.
pub struct MeteredGateway {
    inner: Arc<dyn PaymentGateway>,
    metrics: Arc<Metrics>,
}

impl MeteredGateway {
    pub fn new(inner: Arc<dyn PaymentGateway>, metrics: Arc<Metrics>) -> Self {
        MeteredGateway { inner, metrics }
    }

    fn count<T>(&self, op: &'static str, r: Result<T, PaymentError>) -> Result<T, PaymentError> {
        self.metrics.observe_processor(op, processor_outcome(&r));
        r
    }
}

#[async_trait]
impl PaymentGateway for MeteredGateway {
    async fn create_customer_profile(
        &self,
        request: &CustomerProfileRequest,
    ) -> Result<String, PaymentError> {
        let r = self.inner.create_customer_profile(request).await;
        self.count("create_customer_profile", r)
    }
    async fn create_payment_profile(
        &self,
        customer_profile_id: &str,
        card: &CardDetails,
    ) -> Result<String, PaymentError> {
        let r = self
            .inner
            .create_payment_profile(customer_profile_id, card)
            .await;
        self.count("create_payment_profile", r)
    }
    async fn delete_payment_profile(
        &self,
        profile: &StoredPaymentProfile,
    ) -> Result<(), PaymentError> {
        let r = self.inner.delete_payment_profile(profile).await;
        self.count("delete_payment_profile", r)
    }
    async fn authorize(&self, request: &TransactionRequest) -> Result<Approval, PaymentError> {
        let r = self.inner.authorize(request).await;
        self.count("authorize", r)
    }
    async fn charge(&self, request: &TransactionRequest) -> Result<Approval, PaymentError> {
        let r = self.inner.charge(request).await;
        self.count("charge", r)
    }
    async fn capture(&self, request: &CaptureRequest) -> Result<Approval, PaymentError> {
        let r = self.inner.capture(request).await;
        self.count("capture", r)
    }
    async fn void(&self, order_id: OrderId, transaction_id: &str) -> Result<(), PaymentError> {
        let r = self.inner.void(order_id, transaction_id).await;
        self.count("void", r)
    }
    async fn find_unsettled_transaction(
        &self,
        order_id: OrderId,
    ) -> Result<Option<String>, PaymentError> {
        let r = self.inner.find_unsettled_transaction(order_id).await;
        self.count("find_unsettled_transaction", r)
    }
    async fn find_order_transactions(
        &self,
        order_id: OrderId,
        profile: &StoredPaymentProfile,
    ) -> Result<Vec<ordercore_domain::ports::OrderTransaction>, PaymentError> {
        let r = self.inner.find_order_transactions(order_id, profile).await;
        self.count("find_order_transactions", r)
    }
}

/// A mailer that counts its outcomes (`sent`, or the error's name).
pub struct MeteredMailer {
    inner: Arc<dyn Mailer>,
    metrics: Arc<Metrics>,
}

impl MeteredMailer {
    pub fn new(inner: Arc<dyn Mailer>, metrics: Arc<Metrics>) -> Self {
        MeteredMailer { inner, metrics }
    }
}

#[async_trait]
impl Mailer for MeteredMailer {
    async fn send_order_confirmation(
        &self,
        confirmation: &OrderConfirmation,
    ) -> Result<(), MailError> {
        let r = self.inner.send_order_confirmation(confirmation).await;
        let outcome = match &r {
            Ok(()) => "sent".to_string(),
            Err(e) => e.name(),
        };
        self.metrics.observe_mailer(&outcome);
        r
    }
}

mod labels;
#[cfg(test)]
mod tests;

use labels::code_label;
