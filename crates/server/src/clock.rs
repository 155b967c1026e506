//! The real clock behind the domain's [`Clock`] port.

use chrono::{DateTime, Utc};
use ordercore_domain::ports::Clock;

/// Wall-clock time, UTC.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
