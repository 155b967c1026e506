//! `GET /metrics` in Prometheus text: requests by route and status slug, a
//! latency histogram per route, and payment processor and mailer outcomes
//! (counted by the [`MeteredGateway`] and [`MeteredMailer`] wrappers, which
//! the server puts around its adapters).

use async_trait::async_trait;
use ordercore_domain::model::{CardDetails, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{
    Approval, CaptureRequest, CustomerProfileRequest, MailError, Mailer, OrderConfirmation,
    PaymentError, PaymentGateway, TransactionRequest,
};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Histogram bucket bounds, seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String), u64>,
    latency: BTreeMap<String, Histogram>,
    processor: BTreeMap<(&'static str, String), u64>,
    mailer: BTreeMap<String, u64>,
}

/// Counters shared by the HTTP layer and the metered adapters.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics::default())
    }

    /// One answered API request.
    pub fn observe_request(&self, route: &str, status: &str, elapsed: Duration) {
        let Ok(mut m) = self.inner.lock() else { return };
        *m.requests
            .entry((route.to_string(), status.to_string()))
            .or_default() += 1;
        let h = m.latency.entry(route.to_string()).or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// One payment processor call and how it ended.
    pub fn observe_processor(&self, operation: &'static str, outcome: &str) {
        if let Ok(mut m) = self.inner.lock() {
            *m.processor
                .entry((operation, outcome.to_string()))
                .or_default() += 1;
        }
    }

    /// One e-mail send and how it ended.
    pub fn observe_mailer(&self, outcome: &str) {
        if let Ok(mut m) = self.inner.lock() {
            *m.mailer.entry(outcome.to_string()).or_default() += 1;
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let Ok(m) = self.inner.lock() else {
            return String::new();
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP ordercore_http_requests_total API requests by route and status slug."
        );
        let _ = writeln!(out, "# TYPE ordercore_http_requests_total counter");
        for ((route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "ordercore_http_requests_total{{route=\"{}\",status=\"{}\"}} {n}",
                escape(route),
                escape(status)
            );
        }
        let _ = writeln!(
            out,
            "# HELP ordercore_http_request_duration_seconds API request latency."
        );
        let _ = writeln!(
            out,
            "# TYPE ordercore_http_request_duration_seconds histogram"
        );
        for (route, h) in &m.latency {
            let route = escape(route);
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "ordercore_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "ordercore_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "ordercore_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "ordercore_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP ordercore_processor_calls_total Payment processor calls by operation and outcome."
        );
        let _ = writeln!(out, "# TYPE ordercore_processor_calls_total counter");
        for ((op, outcome), n) in &m.processor {
            let _ = writeln!(
                out,
                "ordercore_processor_calls_total{{operation=\"{op}\",outcome=\"{}\"}} {n}",
                escape(outcome)
            );
        }
        let _ = writeln!(
            out,
            "# HELP ordercore_mailer_sends_total E-mail sends by outcome."
        );
        let _ = writeln!(out, "# TYPE ordercore_mailer_sends_total counter");
        for (outcome, n) in &m.mailer {
            let _ = writeln!(
                out,
                "ordercore_mailer_sends_total{{outcome=\"{}\"}} {n}",
                escape(outcome)
            );
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histogram() {
        let m = Metrics::new();
        m.observe_request("orders/read", "action-successful", Duration::from_millis(3));
        m.observe_processor("authorize", "declined-payment");
        m.observe_mailer("Invalid_Key");
        let text = m.render();
        assert!(text.contains(
            "ordercore_http_requests_total{route=\"orders/read\",status=\"action-successful\"} 1"
        ));
        assert!(text.contains(
            "ordercore_http_request_duration_seconds_bucket{route=\"orders/read\",le=\"0.005\"} 1"
        ));
        assert!(text.contains("operation=\"authorize\",outcome=\"declined-payment\"} 1"));
        assert!(text.contains("ordercore_mailer_sends_total{outcome=\"Invalid_Key\"} 1"));
    }
}
