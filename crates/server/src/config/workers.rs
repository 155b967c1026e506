//! The background workers' settings, checked: intervals, batch sizes, the
//! pending-payment age against the processor timeout, the outbox timing and
//! the reconcile schedule.

use super::layers::Merged;
use super::settings::Settings;
use super::{ConfigError, MAX_PENDING_AGE_SECS, WorkerConfig, at_least, outbox, reconcile};
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
    })
}
