//! Promotion eligibility, in contract §7 step 3's order.

use crate::model::{Client, Promotion};
use chrono::{DateTime, Utc};

/// Why a promotion cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Ineligible {
    /// Unknown, inactive, outside its dates, exhausted, or for another
    /// designation → `invalid-promotion`. The reason is for the message.
    #[error("the promotion code is not valid: {0}")]
    Invalid(InvalidReason),
    /// This client already used it → `promotion-expended`.
    #[error("this client has already used this promotion code")]
    Expended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidReason {
    Unknown,
    Inactive,
    NotStarted,
    Ended,
    Exhausted,
    OtherDesignation,
}

impl std::fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InvalidReason::Unknown => "no such code",
            InvalidReason::Inactive => "it is not active",
            InvalidReason::NotStarted => "it has not started yet",
            InvalidReason::Ended => "it has ended",
            InvalidReason::Exhausted => "it has been used up",
            InvalidReason::OtherDesignation => "it is not offered to this client",
        })
    }
}

/// Checks `promotion` (None = unknown code) for `client` at `now`.
/// `starts_at` is inclusive, `ends_at` exclusive.
pub fn check_eligibility(
    promotion: Option<&Promotion>,
    client: &Client,
    already_redeemed_by_client: bool,
    now: DateTime<Utc>,
) -> Result<(), Ineligible> {
    use InvalidReason::*;
    let invalid = |r| Err(Ineligible::Invalid(r));
    let Some(p) = promotion else {
        return invalid(Unknown);
    };
    if !p.active {
        return invalid(Inactive);
    }
    if p.starts_at.is_some_and(|s| now < s) {
        return invalid(NotStarted);
    }
    if p.ends_at.is_some_and(|e| now >= e) {
        return invalid(Ended);
    }
    if p.max_redemptions.is_some_and(|max| p.redemptions >= max) {
        return invalid(Exhausted);
    }
    if let Some(d) = &p.designation
        && client.designation.as_deref().map(str::to_lowercase) != Some(d.to_lowercase())
    {
        return invalid(OtherDesignation);
    }
    if already_redeemed_by_client {
        return Err(Ineligible::Expended);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn promo() -> Promotion {
        Promotion {
            id: PromotionId(1),
            code: "SPRING".into(),
            discount: Discount::Percent { basis_points: 1000 },
            active: true,
            starts_at: Some(now()),
            ends_at: Some(now() + Duration::days(1)),
            designation: None,
            max_redemptions: Some(2),
            redemptions: 1,
        }
    }

    fn client(designation: Option<&str>) -> Client {
        Client {
            id: ClientId(7),
            user_id: UserId(7),
            email: Email::parse("a@b.co").unwrap(),
            first_name: "A".into(),
            last_name: "B".into(),
            phone: None,
            company_name: None,
            designation: designation.map(str::to_string),
            billing: Billing::Card,
            customer_profile_id: None,
        }
    }

    fn check(
        p: &Promotion,
        c: &Client,
        redeemed: bool,
        at: DateTime<Utc>,
    ) -> Result<(), Ineligible> {
        check_eligibility(Some(p), c, redeemed, at)
    }

    #[test]
    fn each_reason_in_order() {
        let c = client(None);
        assert_eq!(
            check_eligibility(None, &c, false, now()),
            Err(Ineligible::Invalid(InvalidReason::Unknown))
        );
        let p = Promotion {
            active: false,
            ..promo()
        };
        assert_eq!(
            check(&p, &c, true, now()),
            Err(Ineligible::Invalid(InvalidReason::Inactive))
        );
        let p = Promotion {
            redemptions: 2,
            ..promo()
        };
        assert_eq!(
            check(&p, &c, false, now()),
            Err(Ineligible::Invalid(InvalidReason::Exhausted))
        );
        let p = Promotion {
            designation: Some("broker".into()),
            ..promo()
        };
        assert_eq!(
            check(&p, &c, false, now()),
            Err(Ineligible::Invalid(InvalidReason::OtherDesignation))
        );
        assert_eq!(check(&p, &client(Some("Broker")), false, now()), Ok(()));
        assert_eq!(check(&promo(), &c, true, now()), Err(Ineligible::Expended));
        assert_eq!(check(&promo(), &c, false, now()), Ok(()));
    }

    #[test]
    fn start_is_inclusive_end_is_exclusive() {
        let c = client(None);
        let p = promo();
        assert_eq!(
            check(&p, &c, false, now() - Duration::seconds(1)),
            Err(Ineligible::Invalid(InvalidReason::NotStarted))
        );
        assert_eq!(check(&p, &c, false, now()), Ok(()));
        let end = now() + Duration::days(1);
        assert_eq!(check(&p, &c, false, end - Duration::seconds(1)), Ok(()));
        assert_eq!(
            check(&p, &c, false, end),
            Err(Ineligible::Invalid(InvalidReason::Ended))
        );
    }

    #[test]
    fn unlimited_when_no_max() {
        let p = Promotion {
            max_redemptions: None,
            redemptions: 10_000,
            ..promo()
        };
        assert_eq!(check(&p, &client(None), false, now()), Ok(()));
    }
}
