//! How long an authorization (a hold placed by `authOnlyTransaction`) can
//! be captured, and when staff are warned that it is running out.
//!
//! Authorize.net lets an authorization be captured for 30 days; after that
//! it has expired and only a new authorization takes the money. ordercore
//! counts the age of an authorization from the moment its payment row was
//! recorded (the processor's approval, `Payment::created_at`).

use chrono::{DateTime, Duration, Utc};

/// Days an authorization can be captured (Authorize.net's limit).
pub const AUTHORIZATION_LIFETIME_DAYS: i64 = 30;

/// The default of `ORDERCORE_AUTH_EXPIRY_WARN_DAYS`: staff are warned this many
/// days after the authorization, 5 days before it expires.
pub const DEFAULT_EXPIRY_WARN_DAYS: u32 = 25;

/// The warning must come while the authorization can still be captured, and
/// not on the day it was made: `1..=29`.
pub const EXPIRY_WARN_DAYS_RANGE: std::ops::RangeInclusive<u32> =
    1..=(AUTHORIZATION_LIFETIME_DAYS as u32 - 1);

/// How long an authorization can be captured.
pub fn authorization_lifetime() -> Duration {
    Duration::days(AUTHORIZATION_LIFETIME_DAYS)
}

/// When an authorization made at `authorized_at` expires: from this instant
/// on, a capture is refused (`authorization-expired`, contract §4).
pub fn authorization_expires_at(authorized_at: DateTime<Utc>) -> DateTime<Utc> {
    authorized_at + authorization_lifetime()
}

/// Whether an authorization made at `authorized_at` has expired at `now`:
/// it is exactly 30 days old or older (`now - authorized_at >= 30 days`).
pub fn authorization_expired(authorized_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= authorization_expires_at(authorized_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn an_authorization_expires_at_exactly_thirty_days() {
        let authorized = at("2026-06-01T12:00:00Z");
        let expiry = at("2026-07-01T12:00:00Z");
        assert_eq!(authorization_expires_at(authorized), expiry);
        assert!(!authorization_expired(
            authorized,
            expiry - Duration::microseconds(1)
        ));
        assert!(authorization_expired(authorized, expiry));
        assert!(authorization_expired(
            authorized,
            expiry + Duration::days(1)
        ));
        // A clock behind the row (another instance's) is not expired.
        assert!(!authorization_expired(
            authorized,
            authorized - Duration::hours(1)
        ));
    }

    #[test]
    fn the_warning_comes_before_the_expiry() {
        assert_eq!(EXPIRY_WARN_DAYS_RANGE, 1..=29);
        assert!(EXPIRY_WARN_DAYS_RANGE.contains(&DEFAULT_EXPIRY_WARN_DAYS));
    }
}
