//! How to reach Authorize.net: endpoint, credentials, timeouts, validation mode.

use ordercore_domain::model::Secret;
use std::fmt;
use std::time::Duration;

/// The sandbox endpoint of the JSON API.
pub const SANDBOX_URL: &str = "https://apitest.authorize.net/xml/v1/request.api";
/// The production endpoint of the JSON API.
pub const PRODUCTION_URL: &str = "https://api.authorize.net/xml/v1/request.api";

/// Default request timeout (contract §9: every call has a timeout, default 20 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// Default time allowed to open the TCP/TLS connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Sandbox,
    Production,
    /// Any URL, e.g. a local stub server in tests. Used as is (full path).
    Url(String),
}

/// An endpoint setting that is neither `sandbox`, `production` nor an http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEndpoint(pub String);

impl fmt::Display for InvalidEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "payment endpoint {:?} is not `sandbox`, `production` or an http(s) URL",
            self.0
        )
    }
}

impl std::error::Error for InvalidEndpoint {}

impl Endpoint {
    /// Parses `ORDERCORE_AUTHORIZENET_ENDPOINT`: `sandbox`, `production`
    /// (case-insensitive) or an `http://` / `https://` URL.
    pub fn parse(raw: &str) -> Result<Endpoint, InvalidEndpoint> {
        let s = raw.trim();
        match s.to_ascii_lowercase().as_str() {
            "sandbox" => Ok(Endpoint::Sandbox),
            "production" => Ok(Endpoint::Production),
            lower if lower.starts_with("http://") || lower.starts_with("https://") => {
                Ok(Endpoint::Url(s.to_string()))
            }
            _ => Err(InvalidEndpoint(raw.to_string())),
        }
    }

    /// The URL every request is POSTed to.
    pub fn url(&self) -> &str {
        match self {
            Endpoint::Sandbox => SANDBOX_URL,
            Endpoint::Production => PRODUCTION_URL,
            Endpoint::Url(url) => url,
        }
    }
}

/// How Authorize.net checks a card when a payment profile is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationMode {
    /// A $0 (or $0.01) authorization against the card network.
    LiveMode,
    /// Field checks only: what the sandbox supports.
    TestMode,
}

impl ValidationMode {
    /// The schema's enumeration value.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationMode::LiveMode => "liveMode",
            ValidationMode::TestMode => "testMode",
        }
    }

    /// `testMode` for the sandbox, `liveMode` for production and URLs
    /// (contract §8, payment_methods/create).
    pub fn default_for(endpoint: &Endpoint) -> ValidationMode {
        match endpoint {
            Endpoint::Sandbox => ValidationMode::TestMode,
            Endpoint::Production | Endpoint::Url(_) => ValidationMode::LiveMode,
        }
    }
}

/// Everything the adapter needs. `Debug` never shows the transaction key.
#[derive(Debug, Clone)]
pub struct AuthorizeNetConfig {
    pub endpoint: Endpoint,
    /// The API login id (`merchantAuthentication.name`).
    pub login_id: String,
    /// `merchantAuthentication.transactionKey`; redacted in `Debug`.
    pub transaction_key: Secret<String>,
    /// Whole-request timeout, applied to every call.
    pub timeout: Duration,
    /// Connection set-up timeout; applies to clients built by
    /// [`crate::AuthorizeNetGateway::http_client`].
    pub connect_timeout: Duration,
    pub validation_mode: ValidationMode,
    /// Transactions per page of the list calls (getUnsettledTransactionList,
    /// getTransactionListForCustomer): 1–1000, default 1000 (the API's
    /// maximum). Every page is read whatever the size.
    pub list_page_size: u32,
}

/// The list calls' largest page.
pub const MAX_LIST_PAGE_SIZE: u32 = 1000;

impl AuthorizeNetConfig {
    /// A config with the default timeouts and the endpoint's default validation mode.
    pub fn new(
        endpoint: Endpoint,
        login_id: impl Into<String>,
        transaction_key: Secret<String>,
    ) -> AuthorizeNetConfig {
        let validation_mode = ValidationMode::default_for(&endpoint);
        AuthorizeNetConfig {
            endpoint,
            login_id: login_id.into(),
            transaction_key,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            validation_mode,
            list_page_size: MAX_LIST_PAGE_SIZE,
        }
    }

    /// Smaller pages for the list calls (tests), clamped to 1–1000.
    pub fn with_list_page_size(mut self, size: u32) -> AuthorizeNetConfig {
        self.list_page_size = size.clamp(1, MAX_LIST_PAGE_SIZE);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> AuthorizeNetConfig {
        self.timeout = timeout;
        self
    }

    pub fn with_connect_timeout(mut self, timeout: Duration) -> AuthorizeNetConfig {
        self.connect_timeout = timeout;
        self
    }

    pub fn with_validation_mode(mut self, mode: ValidationMode) -> AuthorizeNetConfig {
        self.validation_mode = mode;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_endpoints() {
        assert_eq!(Endpoint::parse("sandbox").unwrap(), Endpoint::Sandbox);
        assert_eq!(
            Endpoint::parse(" Production ").unwrap(),
            Endpoint::Production
        );
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:9/x").unwrap(),
            Endpoint::Url("http://127.0.0.1:9/x".into())
        );
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("").is_err());
        assert_eq!(Endpoint::Sandbox.url(), SANDBOX_URL);
        assert_eq!(Endpoint::Production.url(), PRODUCTION_URL);
    }

    #[test]
    fn defaults() {
        let c = AuthorizeNetConfig::new(Endpoint::Sandbox, "login", Secret::new("k".into()));
        assert_eq!(c.timeout, Duration::from_secs(20));
        assert_eq!(c.validation_mode, ValidationMode::TestMode);
        assert_eq!(c.list_page_size, 1000);
        assert_eq!(c.clone().with_list_page_size(0).list_page_size, 1);
        assert_eq!(c.with_list_page_size(5000).list_page_size, 1000);
        let c = AuthorizeNetConfig::new(Endpoint::Production, "login", Secret::new("k".into()));
        assert_eq!(c.validation_mode, ValidationMode::LiveMode);
    }
}
