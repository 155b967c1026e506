//! Failure throttles: failed authentications per client address (checked in
//! step 5 before the token is looked up) and failed log-ins per account
//! (checked before `sessions/create` runs).
//!
//! A log-in attempt is counted when it starts — so that parallel guesses at
//! one account cannot all slip past the check — and taken back when it
//! turns out not to be a failure. A successful log-in forgets its account's
//! failures, and only its own account's.
//!
//! Authentications per address are only checked before the look-up and
//! counted once they failed: one address (an office behind one NAT, a
//! balancer without a trusted `X-Forwarded-For`) may carry any number of
//! valid requests at once. A parallel flood of bogus tokens gets at most
//! its own concurrency past the limit before every request is refused.

use super::auth::{self, Authenticated};
use super::rate_limit::exceeded;
use super::windows::Windows;
use crate::envelope::ApiError;
use crate::routes::RouteDef;
use crate::slug::Slug;
use crate::state::AppState;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// At most `limit` failures per key in one window.
pub struct FailureThrottle {
    limit: u32,
    windows: Windows,
    message: &'static str,
}

/// One attempt, counted until it is known not to be a failure.
#[must_use = "finish the attempt with failed, not_failed or succeeded"]
pub struct Attempt {
    key: String,
}

impl FailureThrottle {
    /// `message` is the answer's; it must not depend on whether the key
    /// names something that exists.
    pub fn new(limit: u32, window: Duration, max_keys: usize, message: &'static str) -> Self {
        FailureThrottle {
            limit,
            windows: Windows::new(window, max_keys),
            message,
        }
    }

    /// Counts an attempt for `key` at `now`; `rate-limit-exceeded` once
    /// `limit` failures (attempts in flight included) are in the window.
    pub fn begin_at(&self, key: String, now: Instant) -> Result<Attempt, ApiError> {
        match self.windows.take(&key, self.limit, now) {
            Ok(()) => Ok(Attempt { key }),
            Err(left) => Err(exceeded(self.message, left)),
        }
    }

    /// [`Self::begin_at`] now.
    pub fn begin(&self, key: String) -> Result<Attempt, ApiError> {
        self.begin_at(key, Instant::now())
    }

    /// Refuses `key` once `limit` failures are in the window, without
    /// counting anything.
    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), ApiError> {
        self.windows
            .check(key, self.limit, now)
            .map_err(|left| exceeded(self.message, left))
    }

    /// Counts one failure of `key` at `now` (past the limit it stays at it).
    pub fn record_failure_at(&self, key: &str, now: Instant) {
        let _ = self.windows.take(key, self.limit, now);
    }

    /// The attempt failed: it stays counted.
    pub fn failed(&self, attempt: Attempt) {
        drop(attempt);
    }

    /// The attempt was not a failure: it is taken back.
    pub fn not_failed(&self, attempt: Attempt) {
        self.windows.give_back(&attempt.key);
    }

    /// The attempt succeeded: the key's failures are forgotten.
    pub fn succeeded(&self, attempt: Attempt) {
        self.windows.forget(&attempt.key);
    }
}

/// Step 5 behind the per-address failure throttle: a request whose token
/// would be looked up is refused without a look-up once its address has
/// too many `invalid-token` answers in the window.
pub async fn authenticate(
    state: &AppState,
    client: &str,
    route: &RouteDef,
    params: &Map<String, Value>,
) -> Result<Authenticated, ApiError> {
    if auth::checked_token(route, params)?.is_none() {
        return Ok(Authenticated::default());
    }
    state.auth_failures.check_at(client, Instant::now())?;
    let result = auth::authenticate(&state.usecases.authenticate, route, params).await;
    if matches!(&result, Err(e) if e.slug == Slug::InvalidToken) {
        state
            .auth_failures
            .record_failure_at(client, Instant::now());
    }
    result
}

/// The per-account key of a log-in: the e-mail trimmed and lower-cased,
/// hashed (fixed size, and no address held in memory).
pub fn login_key(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("login:{hex}")
}

/// Before `sessions/create` runs: counts an attempt for its e-mail.
/// Decided from the e-mail alone, before any look-up, so the answer and
/// its time are the same whether or not the account exists.
pub fn begin_login(
    state: &AppState,
    route: &RouteDef,
    params: &Map<String, Value>,
) -> Result<Option<Attempt>, ApiError> {
    if (route.resource, route.action) != ("sessions", "create") {
        return Ok(None);
    }
    let Some(email) = params.get("email").and_then(Value::as_str) else {
        return Ok(None);
    };
    state.login_failures.begin(login_key(email)).map(Some)
}

/// After `sessions/create`: wrong credentials stay counted, a log-in
/// (whose password was right) forgets the account's failures, anything
/// else is taken back.
pub fn finish_login(state: &AppState, attempt: Option<Attempt>, slug: Slug) {
    let Some(attempt) = attempt else { return };
    let t = &state.login_failures;
    match slug {
        Slug::InvalidPassword | Slug::EmailNotFound | Slug::UserHasNoPassword => t.failed(attempt),
        Slug::ActionSuccessful | Slug::UserRequiresRole => t.succeeded(attempt),
        _ => t.not_failed(attempt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(limit: u32) -> FailureThrottle {
        FailureThrottle::new(limit, Duration::from_secs(900), 1_000, "Too many.")
    }

    #[test]
    fn failures_are_limited_per_key_until_the_window_ends() {
        let t = throttle(3);
        let now = Instant::now();
        for _ in 0..3 {
            t.failed(t.begin_at("a".into(), now).unwrap());
        }
        let e = t
            .begin_at("a".into(), now + Duration::from_secs(300))
            .err()
            .unwrap();
        assert_eq!(e.slug, Slug::RateLimitExceeded);
        assert_eq!(e.retry_after, Some(600));
        assert!(t.begin_at("b".into(), now).is_ok());
        assert!(
            t.begin_at("a".into(), now + Duration::from_secs(900))
                .is_ok()
        );
    }

    #[test]
    fn checks_count_nothing_and_only_recorded_failures_refuse() {
        let t = throttle(2);
        let now = Instant::now();
        for _ in 0..50 {
            assert!(t.check_at("a", now).is_ok(), "a check is not a failure");
        }
        t.record_failure_at("a", now);
        assert!(t.check_at("a", now).is_ok());
        t.record_failure_at("a", now);
        let e = t.check_at("a", now).err().unwrap();
        assert_eq!(e.slug, Slug::RateLimitExceeded);
        assert!(t.check_at("b", now).is_ok(), "per key");
        assert!(t.check_at("a", now + Duration::from_secs(900)).is_ok());
        for i in 0..50 {
            assert!(t.check_at(&format!("valid-{i}"), now).is_ok());
        }
        assert_eq!(
            t.windows.len(),
            1,
            "a check makes no window: only \"a\" failed"
        );
    }

    #[test]
    fn attempts_in_flight_count_and_non_failures_are_taken_back() {
        let t = throttle(2);
        let now = Instant::now();
        let a = t.begin_at("a".into(), now).unwrap();
        let b = t.begin_at("a".into(), now).unwrap();
        assert!(t.begin_at("a".into(), now).is_err(), "two in flight");
        t.not_failed(a);
        t.not_failed(b);
        for _ in 0..10 {
            t.not_failed(t.begin_at("a".into(), now).unwrap());
        }
        t.failed(t.begin_at("a".into(), now).unwrap());
        t.succeeded(t.begin_at("a".into(), now).unwrap());
        t.failed(t.begin_at("a".into(), now).unwrap());
        t.failed(t.begin_at("a".into(), now).unwrap());
        assert!(t.begin_at("a".into(), now).is_err());
    }

    #[test]
    fn login_keys_ignore_case_and_spaces_and_hide_the_address() {
        let k = login_key(" Dana@Example.com ");
        assert_eq!(k, login_key("dana@example.com"));
        assert_ne!(k, login_key("dana@example.org"));
        assert!(!k.contains("example"));
        assert_eq!(k.len(), "login:".len() + 64);
    }

    #[test]
    fn the_per_account_answer_is_the_same_for_known_and_unknown_accounts() {
        // The throttle never looks the account up: the refusal for an
        // e-mail nobody has equals the refusal for a real one.
        let t = throttle(2);
        let now = Instant::now();
        let refusal = |email: &str| {
            for _ in 0..2 {
                t.failed(t.begin_at(login_key(email), now).unwrap());
            }
            let e = t.begin_at(login_key(email), now).err().unwrap();
            (e.slug, e.message, e.retry_after)
        };
        assert_eq!(refusal("client@example.com"), refusal("nobody@example.com"));
    }
}
