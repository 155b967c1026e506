//! Events out: the webhook delivery worker, endpoint management and the pull
//! feed (docs/webhooks.md).

use crate::Unexpected;
use crate::crash_points::crash_point;
use crate::model::{
    Event, EventId, EventKind, NewNotification, NewWebhookEndpoint, NotificationContext,
    NotificationKind, Secret, Severity, WebhookEndpoint, WebhookEndpointId, WebhookUrl,
};
use crate::ports::{
    Clock, DeliveryFailure, DueDelivery, EventRepository, TokenGenerator, WebhookRepository,
    WebhookSender,
};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// Retry and disable policy of webhook deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookPolicy {
    /// The delay after the first failed attempt; each next one doubles.
    pub first_retry: Duration,
    /// No delay is longer than this.
    pub max_delay: Duration,
    /// A delivery still failing this long after its event was recorded is
    /// given up.
    pub give_up_after: Duration,
    /// An endpoint failing without a success for this long is disabled.
    pub disable_after: Duration,
    /// While a worker holds a delivery, others leave it alone this long.
    pub lease: Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        WebhookPolicy {
            first_retry: Duration::seconds(30),
            max_delay: Duration::hours(6),
            give_up_after: Duration::days(3),
            disable_after: Duration::hours(24),
            lease: Duration::minutes(1),
        }
    }
}

impl WebhookPolicy {
    /// The delay after the `attempts`-th failed attempt (1-based) of delivery
    /// `seed`: `first_retry × 2^(attempts-1)`, capped at `max_delay`, then
    /// scaled by a jitter factor in [0.5, 1.0) drawn from `seed` and
    /// `attempts` (so receivers failing together are not retried together,
    /// and a test can predict it).
    pub fn delay_after(&self, attempts: u32, seed: i64) -> Duration {
        let exp = attempts.saturating_sub(1).min(30);
        let base = self
            .first_retry
            .checked_mul(2i32.saturating_pow(exp))
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let millis = base.num_milliseconds().max(1);
        let jitter = jitter_permille(seed, attempts); // 500..1000
        Duration::milliseconds(millis * jitter / 1000)
    }
}

/// A pseudo-random number in 500..1000 from `seed` and `attempts`
/// (splitmix64): no randomness port needed, still spread out.
fn jitter_permille(seed: i64, attempts: u32) -> i64 {
    let mut z = (seed as u64) ^ (u64::from(attempts) << 32) ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    500 + (z % 500) as i64
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookReport {
    pub delivered: u32,
    pub retrying: u32,
    pub given_up: u32,
    pub endpoints_disabled: u32,
}

/// The delivery worker: sends due deliveries, retries with back-off, gives
/// up after `give_up_after`, disables an endpoint failing for
/// `disable_after`.
pub struct DeliverWebhooks {
    webhooks: Arc<dyn WebhookRepository>,
    sender: Arc<dyn WebhookSender>,
    clock: Arc<dyn Clock>,
    pub policy: WebhookPolicy,
}

impl DeliverWebhooks {
    pub fn new(
        webhooks: Arc<dyn WebhookRepository>,
        sender: Arc<dyn WebhookSender>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            webhooks,
            sender,
            clock,
            policy: WebhookPolicy::default(),
        }
    }

    /// Claims up to `limit` due deliveries and tries each once.
    pub async fn run_once(&self, limit: u32) -> Result<WebhookReport, Unexpected> {
        let now = self.clock.now();
        let mut report = WebhookReport::default();
        let due = self
            .webhooks
            .claim_due_deliveries(now, now + self.policy.lease, limit)
            .await?;
        for delivery in due {
            let sent_at = self.clock.now();
            match self.sender.send(&delivery, sent_at).await {
                Ok(()) => {
                    crash_point!("webhook.after_send");
                    self.webhooks
                        .mark_delivered(delivery.id, delivery.endpoint_id, self.clock.now())
                        .await?;
                    report.delivered += 1;
                }
                Err(e) => {
                    let failure = self.failure(&delivery, e.status, &e.message, self.clock.now());
                    if failure.retry_at.is_some() {
                        report.retrying += 1;
                    } else {
                        report.given_up += 1;
                    }
                    if failure.disable.is_some() {
                        report.endpoints_disabled += 1;
                    }
                    self.webhooks
                        .mark_delivery_failed(&failure, self.clock.now())
                        .await?;
                }
            }
        }
        Ok(report)
    }

    /// How to record a failed attempt of `d` at `now`.
    fn failure(
        &self,
        d: &DueDelivery,
        status: Option<u16>,
        error: &str,
        now: DateTime<Utc>,
    ) -> DeliveryFailure {
        let attempts = d.attempts + 1;
        let retry_at = now + self.policy.delay_after(attempts, d.id.0);
        let expired = retry_at - d.event.created_at > self.policy.give_up_after;
        let failing_for = now - d.failing_since.unwrap_or(now);
        let disable = (failing_for >= self.policy.disable_after).then(|| NewNotification {
            kind: NotificationKind::WebhookEndpointDisabled,
            severity: Severity::Warning,
            message: format!(
                "Webhook endpoint {} was disabled: its deliveries have failed for {} hours. `ordercore events replay` sends the missed events once it is fixed.",
                d.endpoint_id,
                failing_for.num_hours()
            ),
            context: NotificationContext {
                error: Some(error.chars().take(200).collect()),
                webhook_endpoint_id: Some(d.endpoint_id),
                ..NotificationContext::default()
            },
        });
        DeliveryFailure {
            id: d.id,
            endpoint_id: d.endpoint_id,
            status,
            error: error.to_string(),
            retry_at: (!expired).then_some(retry_at),
            disable,
        }
    }
}

/// An endpoint just created, with its secret (shown this once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedWebhookEndpoint {
    pub endpoint: WebhookEndpoint,
    pub secret: Secret<String>,
}

/// Staff management of endpoints (`ordercore webhooks …`, `webhooks/*`) and
/// the pull feed (`events/index`).
pub struct ManageWebhooks {
    webhooks: Arc<dyn WebhookRepository>,
    events: Arc<dyn EventRepository>,
    tokens: Arc<dyn TokenGenerator>,
    clock: Arc<dyn Clock>,
}

impl ManageWebhooks {
    pub fn new(
        webhooks: Arc<dyn WebhookRepository>,
        events: Arc<dyn EventRepository>,
        tokens: Arc<dyn TokenGenerator>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            webhooks,
            events,
            tokens,
            clock,
        }
    }

    /// Records an endpoint with a new random signing secret `whsec_…`.
    pub async fn create(
        &self,
        url: WebhookUrl,
        events: Option<Vec<EventKind>>,
    ) -> Result<CreatedWebhookEndpoint, Unexpected> {
        let secret = Secret::new(format!("whsec_{}", self.tokens.new_token()));
        let endpoint = self
            .webhooks
            .create_endpoint(
                &NewWebhookEndpoint {
                    url,
                    events,
                    secret: secret.clone(),
                },
                self.clock.now(),
            )
            .await?;
        Ok(CreatedWebhookEndpoint { endpoint, secret })
    }

    pub async fn list(&self) -> Result<Vec<WebhookEndpoint>, Unexpected> {
        Ok(self.webhooks.list_endpoints().await?)
    }

    /// False when there was no such endpoint.
    pub async fn remove(&self, id: WebhookEndpointId) -> Result<bool, Unexpected> {
        Ok(self.webhooks.remove_endpoint(id, self.clock.now()).await?)
    }

    /// `None` when the endpoint does not exist; else deliveries scheduled.
    pub async fn replay(
        &self,
        id: WebhookEndpointId,
        since: EventId,
    ) -> Result<Option<u64>, Unexpected> {
        Ok(self.webhooks.replay(id, since, self.clock.now()).await?)
    }

    /// The pull feed: events after `after`, oldest first.
    pub async fn feed(&self, after: Option<EventId>, limit: u32) -> Result<Vec<Event>, Unexpected> {
        Ok(self.events.list_events(after, limit).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_with_jitter_and_are_capped() {
        let p = WebhookPolicy::default();
        for seed in [1, 2, 77, 123_456] {
            let mut prev_base = 0;
            for attempts in 1..20u32 {
                let base = (30_000i64 << (attempts - 1).min(20)).min(6 * 3600 * 1000);
                let d = p.delay_after(attempts, seed).num_milliseconds();
                assert!(d >= base / 2 && d < base, "{attempts}: {d} vs {base}");
                assert!(base >= prev_base);
                prev_base = base;
            }
        }
        let spread: std::collections::HashSet<i64> = (0..50)
            .map(|s| p.delay_after(1, s).num_milliseconds())
            .collect();
        assert!(spread.len() > 10, "jitter spreads deliveries out");
    }
}
