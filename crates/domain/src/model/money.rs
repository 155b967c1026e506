use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of US dollars in integer cents. Never negative.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    /// Refuses negative amounts.
    pub fn from_cents(cents: i64) -> Result<Money, super::InvalidValue> {
        if cents < 0 {
            return Err(super::InvalidValue::new("must not be negative"));
        }
        Ok(Money(cents))
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `None` on overflow.
    pub fn checked_mul(self, quantity: u32) -> Option<Money> {
        self.0.checked_mul(i64::from(quantity)).map(Money)
    }

    /// Subtraction that stops at zero.
    pub fn saturating_sub(self, other: Money) -> Money {
        Money((self.0 - other.0).max(0))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The amount as the processor expects it: dollars with two decimals.
    pub fn to_decimal_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.to_decimal_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_negative_and_formats_dollars() {
        assert!(Money::from_cents(-1).is_err());
        assert_eq!(
            Money::from_cents(12345).unwrap().to_decimal_string(),
            "123.45"
        );
        assert_eq!(Money::from_cents(5).unwrap().to_decimal_string(), "0.05");
        assert_eq!(
            Money::from_cents(5).unwrap().saturating_sub(Money(9)),
            Money::ZERO
        );
    }
}
