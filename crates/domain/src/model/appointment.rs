use super::InvalidValue;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A preferred appointment window: starts in the future, ends after it starts,
/// at most 12 hours long. The instant "now" is an argument so the rule is pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentWindow {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

impl AppointmentWindow {
    pub const MAX_LENGTH_HOURS: i64 = 12;

    pub fn new(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<AppointmentWindow, InvalidValue> {
        if starts_at <= now {
            return Err(InvalidValue::new("starts_at must be in the future"));
        }
        if ends_at <= starts_at {
            return Err(InvalidValue::new("ends_at must be after starts_at"));
        }
        if ends_at - starts_at > Duration::hours(Self::MAX_LENGTH_HOURS) {
            return Err(InvalidValue::new("a window may be at most 12 hours long"));
        }
        Ok(AppointmentWindow { starts_at, ends_at })
    }

    /// Rebuilds a stored window without the "future" check (it was checked
    /// when the order was placed).
    pub fn from_stored(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> AppointmentWindow {
        AppointmentWindow { starts_at, ends_at }
    }

    pub fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }

    pub fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_rules_at_their_boundaries() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let h = Duration::hours;
        assert!(
            AppointmentWindow::new(now, now + h(1), now).is_err(),
            "starts now"
        );
        assert!(
            AppointmentWindow::new(now + h(2), now + h(2), now).is_err(),
            "empty"
        );
        assert!(
            AppointmentWindow::new(now + h(2), now + h(1), now).is_err(),
            "reversed"
        );
        assert!(
            AppointmentWindow::new(now + h(1), now + h(13), now).is_ok(),
            "exactly 12h"
        );
        assert!(
            AppointmentWindow::new(now + h(1), now + h(13) + Duration::seconds(1), now).is_err(),
            "over 12h"
        );
    }
}
