use super::InvalidValue;
use serde::{Deserialize, Serialize};

/// A US postal code: five digits, or ZIP+4 (`12345-6789`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(raw: &str) -> Result<PostalCode, InvalidValue> {
        let s = raw.trim();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let ok = match s.split_once('-') {
            None => digits(s, 5),
            Some((five, four)) => digits(five, 5) && digits(four, 4),
        };
        if ok {
            Ok(PostalCode(s.to_string()))
        } else {
            Err(InvalidValue::new("must be 5 digits or ZIP+4 (12345-6789)"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PostalCode {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PostalCode::parse(&s)
    }
}

impl From<PostalCode> for String {
    fn from(p: PostalCode) -> String {
        p.0
    }
}

const STATES: [&str; 56] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
];

/// A two-letter US state (or DC and the territories), upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UsState(String);

impl UsState {
    pub fn parse(raw: &str) -> Result<UsState, InvalidValue> {
        let s = raw.trim().to_ascii_uppercase();
        if STATES.contains(&s.as_str()) {
            Ok(UsState(s))
        } else {
            Err(InvalidValue::new("must be a two-letter US state code"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UsState {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        UsState::parse(&s)
    }
}

impl From<UsState> for String {
    fn from(s: UsState) -> String {
        s.0
    }
}

/// A property's street address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street2: Option<String>,
    pub city: String,
    pub state: UsState,
    pub postal_code: PostalCode,
}

impl Address {
    /// One line for e-mails and logs-free displays: `1 Main St, Denver, CO 80202`.
    pub fn one_line(&self) -> String {
        let street2 = self
            .street2
            .as_deref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        format!(
            "{}{}, {}, {} {}",
            self.street,
            street2,
            self.city,
            self.state.as_str(),
            self.postal_code.as_str()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes() {
        assert!(PostalCode::parse("80202").is_ok());
        assert!(PostalCode::parse("80202-1234").is_ok());
        for bad in [
            "8020",
            "802021",
            "80202-123",
            "8020a",
            "80202-",
            "-1234",
            "",
        ] {
            assert!(PostalCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn states() {
        assert_eq!(UsState::parse("co").unwrap().as_str(), "CO");
        assert!(UsState::parse("XX").is_err());
        assert!(UsState::parse("Colorado").is_err());
    }
}
