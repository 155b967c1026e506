//! Self-describing processor ids of the simulated gateway.
//!
//! The simulation keeps transactions in memory, but stored cards must keep
//! working after a restart (seed data, a long-running demo). So a payment
//! profile id carries everything the transaction rules need:
//!
//! ```text
//! sim-pp-<postal>-<yyyymm>-<last4>-<n>     e.g. sim-pp-80202-203012-1111-1
//! sim-cust-<client id>                     e.g. sim-cust-42
//! ```
//!
//! - `postal`: the billing postal code, upper-cased, with everything but
//!   letters and digits removed (`80202-1234` → `802021234`), 1–10 characters;
//!   `00000` when it has none;
//! - `yyyymm`: the card's expiry (year, month);
//! - `last4`: the card's last four digits;
//! - `n`: any number that makes the id unique (the simulator uses a
//!   clock-based counter, seed data may use 1, 2, …).

use ordercore_domain::model::{CardExpiry, ClientId};

const PAYMENT_PREFIX: &str = "sim-pp-";
const CUSTOMER_PREFIX: &str = "sim-cust-";

/// What a simulated payment profile id says about its card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedPaymentProfile {
    pub postal_code: String,
    pub expiry: CardExpiry,
    pub last4: String,
    pub n: u64,
}

impl SimulatedPaymentProfile {
    /// The id, in the format of the module documentation.
    pub fn id(&self) -> String {
        format!(
            "{PAYMENT_PREFIX}{}-{:04}{:02}-{}-{}",
            normalise_postal(&self.postal_code),
            self.expiry.year,
            self.expiry.month,
            self.last4,
            self.n
        )
    }

    /// Reads an id; `None` for anything not in the format (the simulator
    /// answers E00040, record not found).
    pub fn parse(id: &str) -> Option<SimulatedPaymentProfile> {
        let rest = id.strip_prefix(PAYMENT_PREFIX)?;
        let parts: Vec<&str> = rest.split('-').collect();
        let [postal, yyyymm, last4, n] = parts.as_slice() else {
            return None;
        };
        let postal_ok = (1..=10).contains(&postal.len())
            && postal
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if !postal_ok || !digits(yyyymm, 6) || !digits(last4, 4) {
            return None;
        }
        let year: i64 = yyyymm[..4].parse().ok()?;
        let month: i64 = yyyymm[4..].parse().ok()?;
        let expiry = CardExpiry::new(month, year).ok()?;
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(SimulatedPaymentProfile {
            postal_code: (*postal).to_string(),
            expiry,
            last4: (*last4).to_string(),
            n: n.parse().ok()?,
        })
    }
}

/// `sim-cust-<client id>`.
pub fn customer_profile_id(client_id: ClientId) -> String {
    format!("{CUSTOMER_PREFIX}{}", client_id.0)
}

/// True for `sim-cust-<digits>`.
pub fn is_customer_profile_id(id: &str) -> bool {
    id.strip_prefix(CUSTOMER_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Upper-case letters and digits only, at most 10; `00000` when empty.
pub fn normalise_postal(raw: &str) -> String {
    let s: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .take(10)
        .collect();
    if s.is_empty() { "00000".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let p = SimulatedPaymentProfile {
            postal_code: "80202-1234".into(),
            expiry: CardExpiry::new(3, 2031).unwrap(),
            last4: "1111".into(),
            n: 7,
        };
        assert_eq!(p.id(), "sim-pp-802021234-203103-1111-7");
        let back = SimulatedPaymentProfile::parse(&p.id()).unwrap();
        assert_eq!(back.postal_code, "802021234");
        assert_eq!(back.expiry, p.expiry);
        assert_eq!(back.n, 7);
    }

    #[test]
    fn refuses_other_ids() {
        for bad in [
            "28821903",
            "sim-pp-80202-203113-1111-1",
            "sim-pp-80202-2031-1111-1",
            "sim-pp-80202-203101-111-1",
            "sim-pp-80202-203101-1111-",
            "sim-pp--203101-1111-1",
            "sim-pp-80202-203101-1111-1-2",
        ] {
            assert!(SimulatedPaymentProfile::parse(bad).is_none(), "{bad}");
        }
        assert!(is_customer_profile_id("sim-cust-42"));
        assert!(!is_customer_profile_id("sim-cust-"));
        assert!(!is_customer_profile_id("31390172"));
    }
}
