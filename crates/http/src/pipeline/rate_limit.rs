//! Step 7: requests per token (per client address on public routes) per
//! minute, in memory and per process (fixed one-minute windows per key, in
//! bounded memory; see [`super::windows`]).

use super::windows::Windows;
use crate::envelope::ApiError;
use crate::slug::Slug;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// The keys held when no bound is given (see `HttpConfig::rate_limit_max_keys`).
pub const DEFAULT_MAX_KEYS: usize = 100_000;

/// Counts requests per key in one-minute windows.
pub struct RateLimiter {
    per_minute: u32,
    windows: Windows,
}

/// `rate-limit-exceeded` with `Retry-After` = `left` in whole seconds (at
/// least 1).
pub fn exceeded(message: impl Into<String>, left: Duration) -> ApiError {
    let mut e = ApiError::new(Slug::RateLimitExceeded, message);
    e.retry_after = Some(left.as_secs().max(1));
    e
}

impl RateLimiter {
    /// A limiter holding at most [`DEFAULT_MAX_KEYS`] keys.
    pub fn new(per_minute: u32) -> Self {
        Self::bounded(per_minute, DEFAULT_MAX_KEYS)
    }

    /// A limiter holding at most `max_keys` keys.
    pub fn bounded(per_minute: u32, max_keys: usize) -> Self {
        RateLimiter {
            per_minute,
            windows: Windows::new(WINDOW, max_keys),
        }
    }

    /// Counts one request for `key` at `now`; over the limit (or with a
    /// poisoned lock) → `rate-limit-exceeded` with the seconds until the
    /// window ends.
    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), ApiError> {
        self.windows
            .take(key, self.per_minute, now)
            .map_err(|left| {
                exceeded(
                    format!(
                        "Too many requests: at most {} a minute for one token.",
                        self.per_minute
                    ),
                    left,
                )
            })
    }

    /// [`Self::check_at`] now.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        self.check_at(key, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_per_key_and_window() {
        let l = RateLimiter::new(2);
        let t = Instant::now();
        assert!(l.check_at("a", t).is_ok());
        assert!(l.check_at("a", t).is_ok());
        let e = l.check_at("a", t + Duration::from_secs(10)).unwrap_err();
        assert_eq!(e.slug, Slug::RateLimitExceeded);
        assert_eq!(e.retry_after, Some(50));
        assert!(l.check_at("b", t).is_ok());
        assert!(l.check_at("a", t + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn a_poisoned_lock_answers_rate_limit_exceeded() {
        let l = RateLimiter::new(1_000);
        l.windows.poison();
        let e = l.check("token:x").unwrap_err();
        assert_eq!(e.slug, Slug::RateLimitExceeded);
        assert_eq!(e.retry_after, Some(60));
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_distinct_keys() {
        let l = RateLimiter::bounded(5, 500);
        let t = Instant::now();
        for i in 0..10_000 {
            assert!(
                l.check_at(&format!("addr:10.0.{}.{}", i / 256, i % 256), t)
                    .is_ok()
            );
        }
        assert!(l.windows.len() <= 500);
    }
}
