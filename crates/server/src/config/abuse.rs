//! The settings of the HTTP layer's abuse limits and of the idempotency
//! fingerprint, checked and turned into the values `ordercore_http` takes.

use super::layers::Merged;
use super::settings::Settings;
use super::{ConfigError, at_least};
use ordercore_http::idempotency::FingerprintKey;
use ordercore_http::pipeline::client_addr::{Cidr, parse_cidrs};
use std::time::Duration;

/// Rate limits, throttles, trusted proxies and the fingerprint key.
#[derive(Debug, Clone)]
pub struct AbuseConfig {
    pub rate_limit_max_keys: usize,
    pub trusted_proxies: Vec<Cidr>,
    pub auth_failures_per_address: u32,
    pub auth_failure_window: Duration,
    pub login_failures_per_account: u32,
    pub login_failure_window: Duration,
    /// `None`: a random key per process (stored fingerprints of another
    /// process then answer `idempotency-key-conflict`, never a second run).
    pub fingerprint_key: Option<FingerprintKey>,
}

/// Checks the abuse settings, naming the setting of any bad value (never the
/// value of the fingerprint key).
pub(super) fn abuse(m: &Merged, s: &Settings) -> Result<AbuseConfig, ConfigError> {
    let trusted_proxies =
        parse_cidrs(&s.trusted_proxies).map_err(|r| m.error("trusted_proxies", r))?;
    let fingerprint_key = match &s.fingerprint_key {
        Some(k) if !k.0.trim().is_empty() => {
            Some(FingerprintKey::from_base64(&k.0).map_err(|r| m.error("fingerprint_key", r))?)
        }
        _ => None,
    };
    let secs = |key, n| at_least(m, key, n, 1).map(Duration::from_secs);
    Ok(AbuseConfig {
        rate_limit_max_keys: usize::try_from(at_least(
            m,
            "rate_limit_max_keys",
            s.rate_limit_max_keys,
            100,
        )?)
        .unwrap_or(usize::MAX),
        trusted_proxies,
        auth_failures_per_address: at_least(
            m,
            "auth_failures_per_address",
            s.auth_failures_per_address,
            1,
        )?,
        auth_failure_window: secs("auth_failure_window_secs", s.auth_failure_window_secs)?,
        login_failures_per_account: at_least(
            m,
            "login_failures_per_account",
            s.login_failures_per_account,
            1,
        )?,
        login_failure_window: secs("login_failure_window_secs", s.login_failure_window_secs)?,
        fingerprint_key,
    })
}
