//! Identity rules: session validity at an instant (contract §6).

use crate::model::Session;
use chrono::{DateTime, Duration, Utc};

/// A session older than this is expired (unless `remember_me`).
pub const MAX_AGE: Duration = Duration::days(7);
/// A session unused for this long is expired (unless `remember_me`).
pub const MAX_IDLE: Duration = Duration::hours(72);
/// `last_used_at` is refreshed at most this often, so reads stay reads.
pub const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// Revoked sessions are expired. Otherwise, unless `remember_me`, a session
/// expires when it is *more than* 7 days old or idle *more than* 72 hours:
/// at exactly 7 days / 72 hours it is still valid.
pub fn is_expired(session: &Session, now: DateTime<Utc>) -> bool {
    if session.revoked_at.is_some() {
        return true;
    }
    if session.remember_me {
        return false;
    }
    now - session.created_at > MAX_AGE || now - session.last_used_at > MAX_IDLE
}

/// When the session will expire if left unused from now, `None` for remember-me.
pub fn expires_at(session: &Session) -> Option<DateTime<Utc>> {
    if session.remember_me {
        return None;
    }
    Some((session.created_at + MAX_AGE).min(session.last_used_at + MAX_IDLE))
}

/// Whether using the session at `now` should refresh `last_used_at`.
pub fn needs_touch(session: &Session, now: DateTime<Utc>) -> bool {
    now - session.last_used_at >= TOUCH_INTERVAL
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ApplicationSlug, SessionId, UserId};

    fn session(created: DateTime<Utc>, used: DateTime<Utc>, remember: bool) -> Session {
        Session {
            id: SessionId(1),
            user_id: UserId(1),
            application: ApplicationSlug::Planoorder,
            created_at: created,
            last_used_at: used,
            remember_me: remember,
            revoked_at: None,
        }
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn age_boundary_is_exactly_seven_days() {
        let now = t0() + Duration::days(7);
        let s = session(t0(), now, false);
        assert!(!is_expired(&s, now));
        assert!(is_expired(&s, now + Duration::seconds(1)));
    }

    #[test]
    fn idle_boundary_is_exactly_72_hours() {
        let used = t0() + Duration::hours(1);
        let s = session(t0(), used, false);
        assert!(!is_expired(&s, used + Duration::hours(72)));
        assert!(is_expired(
            &s,
            used + Duration::hours(72) + Duration::seconds(1)
        ));
    }

    #[test]
    fn remember_me_never_ages_but_revocation_wins() {
        let mut s = session(t0(), t0(), true);
        assert!(!is_expired(&s, t0() + Duration::days(400)));
        assert_eq!(expires_at(&s), None);
        s.revoked_at = Some(t0());
        assert!(is_expired(&s, t0()));
    }

    #[test]
    fn expiry_is_the_earlier_limit_and_touch_is_throttled() {
        let s = session(t0(), t0() + Duration::days(6), false);
        assert_eq!(expires_at(&s), Some(t0() + Duration::days(7)));
        let s = session(t0(), t0(), false);
        assert_eq!(expires_at(&s), Some(t0() + Duration::hours(72)));
        assert!(!needs_touch(&s, t0() + Duration::seconds(59)));
        assert!(needs_touch(&s, t0() + Duration::seconds(60)));
    }
}
