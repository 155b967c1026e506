//! Fixed-window counters per key, in bounded memory, failing closed.
//!
//! Each key counts from its first use for one window; the next use after
//! the window starts a new one. At most `max_keys` keys are held: when a new
//! key finds the map full, expired windows are dropped, and if that is not
//! enough a tenth of the map is evicted, lowest counts first — so a flood of
//! distinct keys (each seen once) pushes out its own kind, not the keys that
//! are being limited. A poisoned lock refuses every request.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

/// Counters of one limit (one window length, one memory bound).
pub struct Windows {
    window: Duration,
    max_keys: usize,
    entries: Mutex<HashMap<String, Window>>,
}

impl Windows {
    /// `max_keys` is at least 1.
    pub fn new(window: Duration, max_keys: usize) -> Self {
        Windows {
            window,
            max_keys: max_keys.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The window length.
    pub fn window(&self) -> Duration {
        self.window
    }

    fn lock(&self) -> Option<MutexGuard<'_, HashMap<String, Window>>> {
        match self.entries.lock() {
            Ok(g) => Some(g),
            Err(_) => {
                tracing::error!("a rate limiter's lock is poisoned; refusing requests");
                None
            }
        }
    }

    /// Counts one use of `key` at `now` unless `limit` uses were already
    /// counted in its window. `Err` = refused, with the time until the
    /// window ends (the whole window when the lock is poisoned).
    pub fn take(&self, key: &str, limit: u32, now: Instant) -> Result<(), Duration> {
        self.use_window(key, limit, now)
    }

    /// Whether `key` is still under `limit` at `now`, without counting a use.
    /// A key with no window is under it, and none is made for it: valid
    /// traffic takes no room in the map.
    pub fn check(&self, key: &str, limit: u32, now: Instant) -> Result<(), Duration> {
        let Some(entries) = self.lock() else {
            return Err(self.window);
        };
        match entries.get(key) {
            Some(w) => {
                let age = now.saturating_duration_since(w.start);
                if age < self.window && w.count >= limit {
                    Err(self.window - age)
                } else {
                    Ok(())
                }
            }
            None => Ok(()),
        }
    }

    fn use_window(&self, key: &str, limit: u32, now: Instant) -> Result<(), Duration> {
        let Some(mut entries) = self.lock() else {
            return Err(self.window);
        };
        if !entries.contains_key(key) && entries.len() >= self.max_keys {
            self.make_room(&mut entries, now);
        }
        let w = entries.entry(key.to_string()).or_insert(Window {
            start: now,
            count: 0,
        });
        let age = now.saturating_duration_since(w.start);
        if age >= self.window {
            *w = Window {
                start: now,
                count: 0,
            };
        }
        if w.count >= limit {
            return Err(self.window.saturating_sub(age.min(self.window)));
        }
        w.count += 1;
        Ok(())
    }

    /// Takes back one use of `key` (an attempt that turned out not to count).
    pub fn give_back(&self, key: &str) {
        if let Some(mut entries) = self.lock()
            && let Some(w) = entries.get_mut(key)
        {
            w.count = w.count.saturating_sub(1);
        }
    }

    /// Forgets `key`'s window.
    pub fn forget(&self, key: &str) {
        if let Some(mut entries) = self.lock() {
            entries.remove(key);
        }
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.lock().map_or(0, |e| e.len())
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn make_room(&self, entries: &mut HashMap<String, Window>, now: Instant) {
        entries.retain(|_, w| now.saturating_duration_since(w.start) < self.window);
        let target = self.max_keys - (self.max_keys / 10).max(1);
        if entries.len() <= target {
            return;
        }
        let excess = entries.len() - target;
        let mut counts: Vec<u32> = entries.values().map(|w| w.count).collect();
        let threshold = *counts.select_nth_unstable(excess - 1).1;
        // Fewer than `excess` counts are below the threshold; the rest of
        // the excess comes from keys at it.
        let mut removed = 0;
        entries.retain(|_, w| {
            let drop = w.count < threshold;
            removed += usize::from(drop);
            !drop
        });
        entries.retain(|_, w| {
            let drop = removed < excess && w.count == threshold;
            removed += usize::from(drop);
            !drop
        });
    }

    /// Poisons the lock, as a panic while holding it would.
    #[cfg(test)]
    pub(crate) fn poison(&self) {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = self.entries.lock();
            panic!("poisoning the limiter for a test");
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn counts_per_key_and_window() {
        let w = Windows::new(MIN, 100);
        let t = Instant::now();
        assert!(w.take("a", 2, t).is_ok());
        assert!(w.take("a", 2, t).is_ok());
        assert_eq!(
            w.take("a", 2, t + Duration::from_secs(10)),
            Err(Duration::from_secs(50))
        );
        assert!(w.take("b", 2, t).is_ok());
        assert!(w.take("a", 2, t + MIN).is_ok());
    }

    #[test]
    fn give_back_and_forget() {
        let w = Windows::new(MIN, 100);
        let t = Instant::now();
        assert!(w.take("a", 1, t).is_ok());
        assert!(w.take("a", 1, t).is_err());
        w.give_back("a");
        assert!(w.take("a", 1, t).is_ok());
        w.forget("a");
        assert!(w.take("a", 1, t).is_ok());
        assert!(w.take("a", 1, t).is_err());
    }

    #[test]
    fn a_flood_of_distinct_keys_stays_bounded_and_keeps_the_limited_keys() {
        let w = Windows::new(MIN, 1_000);
        let t = Instant::now();
        for _ in 0..5 {
            assert!(w.take("victim", 5, t).is_ok());
        }
        assert!(w.take("victim", 5, t).is_err());
        for i in 0..20_000 {
            let _ = w.take(&format!("flood-{i}"), 5, t + Duration::from_secs(1));
            assert!(w.len() <= 1_000);
        }
        assert!(w.len() > 800, "eviction removes a tenth, not everything");
        assert!(w.take("victim", 5, t + Duration::from_secs(2)).is_err());
    }

    #[test]
    fn expired_windows_go_first() {
        let w = Windows::new(MIN, 10);
        let t = Instant::now();
        for i in 0..10 {
            w.take(&format!("old-{i}"), 5, t).unwrap();
        }
        w.take("new", 5, t + MIN).unwrap();
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn a_poisoned_lock_refuses() {
        let w = Windows::new(MIN, 10);
        let t = Instant::now();
        w.poison();
        assert_eq!(w.take("a", 100, t), Err(MIN));
        w.give_back("a");
        w.forget("a");
        assert_eq!(w.take("b", 100, t), Err(MIN));
    }
}
