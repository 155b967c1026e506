//! Prices in integer cents (contract §7 step 2–3).

use crate::model::{Discount, Money, OrderLine, Pricing};

/// The amounts overflowed `i64` cents: refused as an invalid order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the order total is too large")]
pub struct PriceOverflow;

/// subtotal = primary price + Σ add-on price × quantity.
pub fn subtotal(primary: &OrderLine, add_ons: &[OrderLine]) -> Result<Money, PriceOverflow> {
    std::iter::once(primary)
        .chain(add_ons)
        .try_fold(Money::ZERO, |acc, line| {
            line.total().and_then(|t| acc.checked_add(t))
        })
        .ok_or(PriceOverflow)
}

/// The discount a promotion gives on `subtotal`: a percentage in basis points
/// rounded to the nearest cent (halves up), or a fixed amount; never more than
/// the subtotal.
pub fn discount(subtotal: Money, discount: Discount) -> Money {
    let raw = match discount {
        Discount::Percent { basis_points } => {
            let numerator = i128::from(subtotal.cents()) * i128::from(basis_points);
            // Round half up: add half of the divisor before dividing.
            let cents = (numerator + 5_000) / 10_000;
            i64::try_from(cents).unwrap_or(i64::MAX)
        }
        Discount::Amount(m) => m.cents(),
    };
    Money::from_cents(raw.min(subtotal.cents())).unwrap_or(Money::ZERO)
}

/// The three figures of an order.
pub fn price(subtotal: Money, discount: Money) -> Pricing {
    let discount = discount.min(subtotal);
    Pricing {
        subtotal,
        discount,
        total: subtotal.saturating_sub(discount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceId;

    fn m(c: i64) -> Money {
        Money::from_cents(c).unwrap()
    }

    fn line(price: i64, qty: u32) -> OrderLine {
        OrderLine {
            service_id: ServiceId(1),
            slug: "s".into(),
            name: "S".into(),
            quantity: qty,
            unit_price: m(price),
        }
    }

    #[test]
    fn subtotal_sums_lines_times_quantity() {
        assert_eq!(
            subtotal(&line(15000, 1), &[line(2500, 3), line(999, 2)]).unwrap(),
            m(15000 + 7500 + 1998)
        );
        assert_eq!(
            subtotal(&line(i64::MAX, 1), &[line(1, 1)]),
            Err(PriceOverflow)
        );
    }

    #[test]
    fn percent_rounds_halves_up() {
        // 12.5 % of 1.00 = 12.5 cents → 13.
        assert_eq!(
            discount(m(100), Discount::Percent { basis_points: 1250 }),
            m(13)
        );
        // 12.49 cents → 12.
        assert_eq!(
            discount(m(100), Discount::Percent { basis_points: 1249 }),
            m(12)
        );
        assert_eq!(
            discount(m(999), Discount::Percent { basis_points: 1000 }),
            m(100)
        );
    }

    #[test]
    fn full_discount_and_caps() {
        assert_eq!(
            discount(
                m(12345),
                Discount::Percent {
                    basis_points: 10_000
                }
            ),
            m(12345)
        );
        assert_eq!(
            discount(
                m(12345),
                Discount::Percent {
                    basis_points: 20_000
                }
            ),
            m(12345)
        );
        assert_eq!(discount(m(500), Discount::Amount(m(2000))), m(500));
        let p = price(m(500), m(500));
        assert_eq!(
            (p.subtotal, p.discount, p.total),
            (m(500), m(500), Money::ZERO)
        );
    }
}
