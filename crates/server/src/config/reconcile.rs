//! The reconcile worker's lease, checked against the processor's timeout:
//! an order claimed by a pass is left alone for longer than its look-up and
//! void can take, and a pass that died leaves it due again after the lease.

use super::ConfigError;
use super::layers::Merged;
use super::settings::Settings;
use std::time::Duration;

/// Checks `reconcile_lease_secs` against `authorizenet_timeout_secs`.
pub(super) fn lease(m: &Merged, s: &Settings) -> Result<Duration, ConfigError> {
    let one_order = s.authorizenet_timeout_secs.saturating_mul(2);
    if s.reconcile_lease_secs <= one_order {
        return Err(m.error(
            "reconcile_lease_secs",
            format!(
                "must be longer than a look-up and a void, 2 × \
                 ORDERCORE_AUTHORIZENET_TIMEOUT_SECS ({}) = {one_order} s, or another \
                 pass could undo an order this one is still undoing",
                s.authorizenet_timeout_secs
            ),
        ));
    }
    Ok(Duration::from_secs(s.reconcile_lease_secs))
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::env;
    use std::time::Duration;

    #[test]
    fn the_lease_defaults_to_five_minutes_and_may_be_shorter_than_the_default() {
        let c = Config::from_layers(None, &env(&[])).unwrap();
        assert_eq!(c.workers.reconcile_lease, Duration::from_secs(300));
        let c = Config::from_layers(
            None,
            &env(&[
                ("ORDERCORE_AUTHORIZENET_TIMEOUT_SECS", "2"),
                ("ORDERCORE_RECONCILE_LEASE_SECS", "5"),
            ]),
        )
        .unwrap();
        assert_eq!(c.workers.reconcile_lease, Duration::from_secs(5));
    }

    #[test]
    fn the_lease_must_outlast_a_look_up_and_a_void() {
        let e = Config::from_layers(
            None,
            &env(&[
                ("ORDERCORE_AUTHORIZENET_TIMEOUT_SECS", "2"),
                ("ORDERCORE_RECONCILE_LEASE_SECS", "4"),
            ]),
        )
        .unwrap_err();
        assert_eq!(e.setting, "ORDERCORE_RECONCILE_LEASE_SECS");
        assert!(e.reason.contains("a look-up and a void"), "{e}");
    }
}
