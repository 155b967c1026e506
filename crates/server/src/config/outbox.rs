//! The outbox worker's timing settings, checked against the mailer's timeout
//! so that no e-mail is sent twice by design: the worker leaves a new
//! confirmation to its request for longer than that request can take, and a
//! pass keeps its claimed e-mails for longer than the pass can take; and a
//! sent mark waits in memory for less time than either.

use super::layers::Merged;
use super::settings::Settings;
use super::{ConfigError, at_least};
use std::time::Duration;

/// The checked values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OutboxTiming {
    pub batch: u32,
    pub lease: Duration,
    pub direct_send_grace: Duration,
    pub mark_interval: Duration,
}

/// Checks `outbox_batch_size`, `outbox_lease_secs` and
/// `outbox_direct_send_grace_ms` against `mandrill_timeout_secs`, and
/// `outbox_mark_interval_ms` against the grace and the lease.
pub(super) fn outbox_timing(m: &Merged, s: &Settings) -> Result<OutboxTiming, ConfigError> {
    let batch = at_least(m, "outbox_batch_size", s.outbox_batch_size, 1)?;
    let longest_pass = s.mandrill_timeout_secs.saturating_mul(u64::from(batch));
    if s.outbox_lease_secs <= longest_pass {
        return Err(m.error(
            "outbox_lease_secs",
            format!(
                "must be longer than a whole outbox pass, ORDERCORE_OUTBOX_BATCH_SIZE ({batch}) \
                 × ORDERCORE_MANDRILL_TIMEOUT_SECS ({}) = {longest_pass} s, or another pass \
                 could send an e-mail this one is still sending",
                s.mandrill_timeout_secs
            ),
        ));
    }
    let grace_ms = s.outbox_direct_send_grace_ms;
    if grace_ms <= s.mandrill_timeout_secs.saturating_mul(1000) {
        return Err(m.error(
            "outbox_direct_send_grace_ms",
            format!(
                "must be longer than the mailer timeout \
                 (ORDERCORE_MANDRILL_TIMEOUT_SECS = {}), or the worker could send a \
                 confirmation the request is still sending",
                s.mandrill_timeout_secs
            ),
        ));
    }
    let mark_ms = at_least(m, "outbox_mark_interval_ms", s.outbox_mark_interval_ms, 10)?;
    let shortest = grace_ms.min(s.outbox_lease_secs.saturating_mul(1000));
    if mark_ms >= shortest {
        return Err(m.error(
            "outbox_mark_interval_ms",
            format!(
                "must be shorter than ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS and \
                 ORDERCORE_OUTBOX_LEASE_SECS ({shortest} ms), or another instance could \
                 send an e-mail again whose sent mark is still waiting to be written"
            ),
        ));
    }
    Ok(OutboxTiming {
        batch,
        lease: Duration::from_secs(s.outbox_lease_secs),
        direct_send_grace: Duration::from_millis(grace_ms),
        mark_interval: Duration::from_millis(mark_ms),
    })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::env;
    use std::time::Duration;

    #[test]
    fn the_defaults_leave_a_minute_to_the_request_and_five_to_a_pass() {
        let c = Config::from_layers(None, &env(&[])).unwrap();
        assert_eq!(c.workers.outbox_direct_send_grace, Duration::from_secs(60));
        assert_eq!(c.workers.outbox_lease, Duration::from_secs(300));
        let c = Config::from_layers(
            None,
            &env(&[
                ("ORDERCORE_MANDRILL_TIMEOUT_SECS", "1"),
                ("ORDERCORE_OUTBOX_BATCH_SIZE", "4"),
                ("ORDERCORE_OUTBOX_LEASE_SECS", "5"),
                ("ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS", "1500"),
            ]),
        )
        .unwrap();
        assert_eq!(c.workers.outbox_lease, Duration::from_secs(5));
        assert_eq!(
            c.workers.outbox_direct_send_grace,
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn the_grace_must_outlast_the_mailer_timeout() {
        let e = Config::from_layers(
            None,
            &env(&[("ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS", "10000")]),
        )
        .unwrap_err();
        assert_eq!(e.setting, "ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS");
        assert!(e.reason.contains("mailer timeout"), "{e}");
    }

    #[test]
    fn the_lease_must_outlast_a_whole_pass() {
        // 20 e-mails × 10 s: a pass may take 200 s.
        let e =
            Config::from_layers(None, &env(&[("ORDERCORE_OUTBOX_LEASE_SECS", "200")])).unwrap_err();
        assert_eq!(e.setting, "ORDERCORE_OUTBOX_LEASE_SECS");
        assert!(e.reason.contains("whole outbox pass"), "{e}");
        let c = Config::from_layers(
            None,
            &env(&[
                ("ORDERCORE_OUTBOX_LEASE_SECS", "200"),
                ("ORDERCORE_OUTBOX_BATCH_SIZE", "19"),
            ]),
        )
        .unwrap();
        assert_eq!(c.workers.outbox_batch, 19);
    }

    #[test]
    fn a_sent_mark_waits_less_than_the_grace_and_the_lease() {
        let c = Config::from_layers(None, &env(&[])).unwrap();
        assert_eq!(c.workers.outbox_mark_interval, Duration::from_millis(100));
        let timing = |mark: &str| {
            Config::from_layers(
                None,
                &env(&[
                    ("ORDERCORE_MANDRILL_TIMEOUT_SECS", "1"),
                    ("ORDERCORE_OUTBOX_BATCH_SIZE", "1"),
                    ("ORDERCORE_OUTBOX_LEASE_SECS", "2"),
                    ("ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS", "3000"),
                    ("ORDERCORE_OUTBOX_MARK_INTERVAL_MS", mark),
                ]),
            )
        };
        assert_eq!(
            timing("1999").unwrap().workers.outbox_mark_interval,
            Duration::from_millis(1999)
        );
        let e = timing("2000").unwrap_err();
        assert_eq!(e.setting, "ORDERCORE_OUTBOX_MARK_INTERVAL_MS");
        assert!(
            e.reason.contains("2000 ms"),
            "the lease is the shorter: {e}"
        );
        let e = Config::from_layers(
            None,
            &env(&[
                ("ORDERCORE_MANDRILL_TIMEOUT_SECS", "1"),
                ("ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS", "1500"),
                ("ORDERCORE_OUTBOX_MARK_INTERVAL_MS", "1500"),
            ]),
        )
        .unwrap_err();
        assert!(
            e.reason.contains("1500 ms"),
            "the grace is the shorter: {e}"
        );
    }
}
