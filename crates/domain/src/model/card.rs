use super::{InvalidValue, Secret};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

/// A card number: digits only (spaces and dashes removed), 13 to 19 long.
/// Whether it passes the Luhn check is a rule (`rules::payment_methods::luhn_valid`), so
/// that a mistyped number gets `card-number-invalid`, not `invalid-param`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardNumber(Secret<String>);

impl CardNumber {
    pub fn parse(raw: &str) -> Result<CardNumber, InvalidValue> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !(13..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new("must be 13 to 19 digits"));
        }
        Ok(CardNumber(Secret::new(digits)))
    }

    /// The full number, for the one call that sends it to the processor.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    pub fn last4(&self) -> String {
        let d = self.0.expose();
        d[d.len() - 4..].to_string()
    }

    pub fn brand(&self) -> CardBrand {
        CardBrand::from_number(self.0.expose())
    }
}

/// A card verification code: 3 or 4 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cvc(Secret<String>);

impl Cvc {
    pub fn parse(raw: &str) -> Result<Cvc, InvalidValue> {
        let s = raw.trim();
        if !(3..=4).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new("must be 3 or 4 digits"));
        }
        Ok(Cvc(Secret::new(s.to_string())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// A card's expiry month. A card is valid through the last day of that month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardExpiry {
    pub month: u32,
    pub year: i32,
}

impl CardExpiry {
    pub fn new(month: i64, year: i64) -> Result<CardExpiry, InvalidValue> {
        if !(1..=12).contains(&month) {
            return Err(InvalidValue::new("must be a month from 1 to 12"));
        }
        if !(1000..=9999).contains(&year) {
            return Err(InvalidValue::new("must be a 4-digit year"));
        }
        Ok(CardExpiry {
            month: month as u32,
            year: year as i32,
        })
    }

    /// True once the month of expiry is over (in UTC).
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        (self.year, self.month) < (now.year(), now.month())
    }

    /// `YYYY-MM`, the form Authorize.net takes.
    pub fn to_processor_format(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// Card networks, guessed from the number's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    DinersClub,
    Unknown,
}

impl CardBrand {
    pub fn from_number(digits: &str) -> CardBrand {
        let prefix = |n: usize| {
            digits
                .get(..n)
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0)
        };
        match () {
            _ if digits.starts_with('4') => CardBrand::Visa,
            _ if (51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4)) => {
                CardBrand::Mastercard
            }
            _ if matches!(prefix(2), 34 | 37) => CardBrand::Amex,
            _ if prefix(4) == 6011 || prefix(2) == 65 || (644..=649).contains(&prefix(3)) => {
                CardBrand::Discover
            }
            _ if (3528..=3589).contains(&prefix(4)) => CardBrand::Jcb,
            _ if matches!(prefix(2), 36 | 38) || (300..=305).contains(&prefix(3)) => {
                CardBrand::DinersClub
            }
            _ => CardBrand::Unknown,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
            CardBrand::Jcb => "jcb",
            CardBrand::DinersClub => "diners_club",
            CardBrand::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> CardBrand {
        match s {
            "visa" => CardBrand::Visa,
            "mastercard" => CardBrand::Mastercard,
            "amex" => CardBrand::Amex,
            "discover" => CardBrand::Discover,
            "jcb" => CardBrand::Jcb,
            "diners_club" => CardBrand::DinersClub,
            _ => CardBrand::Unknown,
        }
    }
}

/// Everything needed to create a processor payment profile. Holds the card
/// number and CVC as secrets; nothing here is ever stored by ordercore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDetails {
    pub name_on_card: String,
    pub number: CardNumber,
    pub cvc: Cvc,
    pub expiry: CardExpiry,
    pub street: String,
    pub street2: Option<String>,
    pub city: String,
    /// ISO 3166-2 subdivision, e.g. `us_co`.
    pub province_iso: String,
    pub postal_code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_number_is_secret_and_normalised() {
        let n = CardNumber::parse("4111 1111-1111 1111").unwrap();
        assert_eq!(n.expose(), "4111111111111111");
        assert_eq!(n.last4(), "1111");
        assert!(!format!("{n:?}").contains("4111"));
        assert!(CardNumber::parse("4111").is_err());
        assert!(CardNumber::parse("4111x11111111111").is_err());
    }

    #[test]
    fn brands() {
        assert_eq!(CardBrand::from_number("4007000000027"), CardBrand::Visa);
        assert_eq!(
            CardBrand::from_number("5424000000000015"),
            CardBrand::Mastercard
        );
        assert_eq!(CardBrand::from_number("370000000000002"), CardBrand::Amex);
        assert_eq!(
            CardBrand::from_number("6011000000000012"),
            CardBrand::Discover
        );
        assert_eq!(
            CardBrand::from_number("3088000000000017"),
            CardBrand::Unknown
        );
    }

    #[test]
    fn expiry_runs_through_the_month() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let e = CardExpiry::new(3, 2026).unwrap();
        assert!(!e.is_expired_at(at("2026-03-31T23:59:59Z")));
        assert!(e.is_expired_at(at("2026-04-01T00:00:00Z")));
        assert!(CardExpiry::new(13, 2026).is_err());
        assert!(CardExpiry::new(1, 26).is_err());
        assert_eq!(e.to_processor_format(), "2026-03");
    }
}
