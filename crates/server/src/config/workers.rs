//! The background workers' settings, checked: intervals, batch sizes, the
//! pending-payment age against the processor timeout, the outbox timing and
//! the reconcile schedule, the authorization-expiry watch.

use super::layers::Merged;
use super::settings::Settings;
use super::{ConfigError, MAX_PENDING_AGE_SECS, WorkerConfig, at_least, outbox, reconcile};
use ordercore_domain::rules::payments::EXPIRY_WARN_DAYS_RANGE;
use std::time::Duration;

/// Every worker setting, validated; the first bad one is the error.
pub(super) fn workers(m: &Merged, s: &Settings) -> Result<WorkerConfig, ConfigError> {
    let pending_age = at_least(m, "sweeper_pending_age_secs", s.sweeper_pending_age_secs, 1)?;
    if pending_age > MAX_PENDING_AGE_SECS {
        return Err(m.error(
            "sweeper_pending_age_secs",
            format!("must be at most {MAX_PENDING_AGE_SECS} (one year), got {pending_age}"),
        ));
    }
    if pending_age <= s.authorizenet_timeout_secs {
        return Err(m.error(
            "sweeper_pending_age_secs",
            format!(
                "must be longer than the processor timeout \
                 (ORDERCORE_AUTHORIZENET_TIMEOUT_SECS = {}), or a payment still in \
                 flight could be voided",
                s.authorizenet_timeout_secs
            ),
        ));
    }
    let outbox = outbox::outbox_timing(m, s)?;
    let ms = |key, n, min| at_least(m, key, n, min).map(Duration::from_millis);
    let webhooks_batch = at_least(m, "webhooks_batch_size", s.webhooks_batch_size, 1)?;
    let webhooks_timeout = ms("webhooks_timeout_ms", s.webhooks_timeout_ms, 100)?;
    Ok(WorkerConfig {
        webhooks_interval: ms("webhooks_interval_ms", s.webhooks_interval_ms, 10)?,
        webhooks_batch,
        webhooks_lanes: {
            let lanes = at_least(m, "webhooks_lanes", s.webhooks_lanes, 1)?;
            if lanes > 64 {
                return Err(m.error("webhooks_lanes", format!("must be at most 64, got {lanes}")));
            }
            lanes
        },
        webhooks_timeout,
        webhooks_first_retry: ms("webhooks_first_retry_ms", s.webhooks_first_retry_ms, 10)?,
        webhooks_lease: webhooks_timeout.saturating_mul(webhooks_batch) + Duration::from_secs(10),
        outbox_interval: ms("outbox_interval_ms", s.outbox_interval_ms, 10)?,
        outbox_batch: outbox.batch,
        outbox_lease: outbox.lease,
        outbox_first_retry: ms("outbox_first_retry_ms", s.outbox_first_retry_ms, 100)?,
        outbox_direct_send_grace: outbox.direct_send_grace,
        outbox_mark_interval: outbox.mark_interval,
        sweeper_interval: ms("sweeper_interval_ms", s.sweeper_interval_ms, 10)?,
        sweeper_batch: at_least(m, "sweeper_batch_size", s.sweeper_batch_size, 1)?,
        sweeper_pending_age: Duration::from_secs(pending_age),
        reconcile_interval: ms("reconcile_interval_ms", s.reconcile_interval_ms, 10)?,
        reconcile_first_look_up: ms(
            "reconcile_first_look_up_ms",
            s.reconcile_first_look_up_ms,
            0,
        )?,
        reconcile_max_delay: Duration::from_secs(at_least(
            m,
            "reconcile_max_delay_secs",
            s.reconcile_max_delay_secs,
            1,
        )?),
        reconcile_max_attempts: at_least(m, "reconcile_max_attempts", s.reconcile_max_attempts, 1)?,
        reconcile_lease: reconcile::lease(m, s)?,
        idempotency_purge_interval: ms(
            "idempotency_purge_interval_ms",
            s.idempotency_purge_interval_ms,
            1000,
        )?,
        idempotency_purge_batch: at_least(
            m,
            "idempotency_purge_batch_size",
            s.idempotency_purge_batch_size,
            1,
        )?,
        session_touch_interval: ms("session_touch_interval_ms", s.session_touch_interval_ms, 10)?,
        auth_expiry_warn_days: auth_expiry_warn_days(m, s)?,
        auth_expiry_interval: ms("auth_expiry_interval_ms", s.auth_expiry_interval_ms, 10)?,
    })
}

/// `auth_expiry_warn_days` in `1..=29`: the warning must come while the
/// authorization can still be captured (30 days, contract §12).
fn auth_expiry_warn_days(m: &Merged, s: &Settings) -> Result<u32, ConfigError> {
    let days = s.auth_expiry_warn_days;
    if !EXPIRY_WARN_DAYS_RANGE.contains(&days) {
        return Err(m.error(
            "auth_expiry_warn_days",
            format!(
                "must be from {} to {} (authorizations expire after 30 days), got {days}",
                EXPIRY_WARN_DAYS_RANGE.start(),
                EXPIRY_WARN_DAYS_RANGE.end()
            ),
        ));
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::env;
    use std::time::Duration;

    #[test]
    fn the_expiry_watch_warns_at_25_days_every_hour_by_default() {
        let c = Config::from_layers(None, &env(&[])).unwrap();
        assert_eq!(c.workers.auth_expiry_warn_days, 25);
        assert_eq!(c.workers.auth_expiry_interval, Duration::from_secs(3600));
        let c = Config::from_layers(
            None,
            &env(&[
                ("ORDERCORE_AUTH_EXPIRY_WARN_DAYS", "29"),
                ("ORDERCORE_AUTH_EXPIRY_INTERVAL_MS", "50"),
            ]),
        )
        .unwrap();
        assert_eq!(c.workers.auth_expiry_warn_days, 29);
        assert_eq!(c.workers.auth_expiry_interval, Duration::from_millis(50));
        let c =
            Config::from_layers(None, &env(&[("ORDERCORE_AUTH_EXPIRY_WARN_DAYS", "1")])).unwrap();
        assert_eq!(c.workers.auth_expiry_warn_days, 1);
    }

    #[test]
    fn the_warning_must_come_before_the_thirty_day_expiry() {
        for days in ["0", "30", "45"] {
            let e = Config::from_layers(None, &env(&[("ORDERCORE_AUTH_EXPIRY_WARN_DAYS", days)]))
                .unwrap_err();
            assert_eq!(e.setting, "ORDERCORE_AUTH_EXPIRY_WARN_DAYS");
            assert!(e.reason.contains("from 1 to 29"), "{e}");
        }
        let e = Config::from_layers(None, &env(&[("ORDERCORE_AUTH_EXPIRY_INTERVAL_MS", "5")]))
            .unwrap_err();
        assert_eq!(e.setting, "ORDERCORE_AUTH_EXPIRY_INTERVAL_MS");
    }
}
