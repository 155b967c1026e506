//! The authorization-expiry watch: authorizations stay capturable for 30
//! days (contract §12); staff are told once per payment, when it is
//! `ORDERCORE_AUTH_EXPIRY_WARN_DAYS` old and still uncaptured, so they can
//! capture or void it in time.

use crate::Unexpected;
use crate::model::{NewNotification, NotificationContext, NotificationKind, Payment, Severity};
use crate::ports::{AuthorizationExpiryRepository, Clock};
use crate::rules::payments::{authorization_expired, authorization_expires_at};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// What one pass of the watch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpiryWatchReport {
    /// Payments marked as warned, each with its notification.
    pub warned: u32,
    /// Payments listed but no longer open or already warned when marked
    /// (captured or voided meanwhile, or another instance was first).
    pub skipped: u32,
}

/// Finds open authorizations old enough to warn about and warns staff once
/// per payment. Safe on any number of instances at once: the store's mark
/// is a conditional update, and the notification is recorded in the mark's
/// own transaction.
pub struct WatchAuthorizationExpiry {
    payments: Arc<dyn AuthorizationExpiryRepository>,
    clock: Arc<dyn Clock>,
    warn_after: Duration,
}

impl WatchAuthorizationExpiry {
    /// Warns about authorizations `warn_days` days old (the setting is
    /// validated to `1..=29`, see `rules::payments::EXPIRY_WARN_DAYS_RANGE`).
    pub fn new(
        payments: Arc<dyn AuthorizationExpiryRepository>,
        clock: Arc<dyn Clock>,
        warn_days: u32,
    ) -> Self {
        Self {
            payments,
            clock,
            warn_after: Duration::days(i64::from(warn_days)),
        }
    }

    /// The age at which an open authorization is warned about.
    pub fn warn_after(&self) -> Duration {
        self.warn_after
    }

    /// One pass over up to `batch` authorizations at least `warn_days` old
    /// (`authorized_at <= now - warn_days`) that were not warned about yet,
    /// oldest first.
    pub async fn run_once(&self, batch: u32) -> Result<ExpiryWatchReport, Unexpected> {
        let now = self.clock.now();
        let mut report = ExpiryWatchReport::default();
        for payment in self
            .payments
            .unwarned_authorizations(now - self.warn_after, batch)
            .await?
        {
            let notification = warning(&payment, now);
            if self
                .payments
                .mark_expiry_warned(payment.id, &notification, now)
                .await?
            {
                report.warned += 1;
            } else {
                report.skipped += 1;
            }
        }
        Ok(report)
    }
}

/// The staff notification about `payment`: when it expires and what to do;
/// ids only (contract §12, never card data).
fn warning(payment: &Payment, now: DateTime<Utc>) -> NewNotification {
    let expires = authorization_expires_at(payment.created_at);
    let when = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let message = if authorization_expired(payment.created_at, now) {
        format!(
            "The authorization of payment {} (order {}), made {}, expired {}: it can no \
             longer be captured. Void it, or take a new authorization.",
            payment.id,
            payment.order_id,
            when(payment.created_at),
            when(expires)
        )
    } else {
        format!(
            "The authorization of payment {} (order {}), made {}, expires {}: capture or \
             void it before then.",
            payment.id,
            payment.order_id,
            when(payment.created_at),
            when(expires)
        )
    };
    NewNotification {
        kind: NotificationKind::AuthorizationExpiring,
        severity: Severity::Warning,
        message,
        context: NotificationContext {
            order_id: Some(payment.order_id),
            transaction_id: Some(payment.transaction_id.clone()),
            ..NotificationContext::default()
        },
    }
}
