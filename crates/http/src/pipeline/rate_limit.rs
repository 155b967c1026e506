//! Step 7: requests per token per minute, in memory (fixed one-minute
//! windows per key).

use crate::envelope::ApiError;
use crate::slug::Slug;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// Counts requests per key in one-minute windows.
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request for `key` at `now`; over the limit →
    /// `rate-limit-exceeded` with the seconds until the window ends.
    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), ApiError> {
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(());
        };
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 <= self.per_minute {
            return Ok(());
        }
        let left = WINDOW.saturating_sub(now.duration_since(entry.0));
        let mut e = ApiError::new(
            Slug::RateLimitExceeded,
            format!(
                "Too many requests: at most {} a minute for one token.",
                self.per_minute
            ),
        );
        e.retry_after = Some(left.as_secs().max(1));
        Err(e)
    }

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
}
