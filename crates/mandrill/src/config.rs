use ordercore_domain::model::{Email, Secret};
use std::time::Duration;

/// Where and as whom the Mandrill mailer sends.
///
/// `Debug` is safe to log: the API key is a [`Secret`] and prints `[redacted]`.
#[derive(Debug, Clone)]
pub struct MandrillConfig {
    /// API base URL without a trailing slash; `messages/send.json` is appended.
    pub endpoint: String,
    pub api_key: Secret<String>,
    pub from_email: Email,
    pub from_name: String,
    /// Optional `Reply-To` header for the confirmation e-mails.
    pub reply_to: Option<Email>,
    /// Whole-request timeout, applied to every call.
    pub timeout: Duration,
    /// TCP/TLS connect timeout; applied by [`MandrillConfig::http_client`]
    /// (a `reqwest::Client` built elsewhere keeps its own).
    pub connect_timeout: Duration,
}

impl MandrillConfig {
    pub const DEFAULT_ENDPOINT: &'static str = "https://mandrillapp.com/api/1.0";
    pub const DEFAULT_FROM_NAME: &'static str = "ordercore";
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

    /// A configuration with the production endpoint and default timeouts.
    pub fn new(api_key: Secret<String>, from_email: Email) -> MandrillConfig {
        MandrillConfig {
            endpoint: Self::DEFAULT_ENDPOINT.to_string(),
            api_key,
            from_email,
            from_name: Self::DEFAULT_FROM_NAME.to_string(),
            reply_to: None,
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// The URL of `messages/send.json` under [`endpoint`](Self::endpoint),
    /// tolerating a trailing slash.
    pub fn send_url(&self) -> String {
        format!("{}/messages/send.json", self.endpoint.trim_end_matches('/'))
    }

    /// A `reqwest::Client` with this configuration's connect and request
    /// timeouts, for callers that do not share a client with other adapters.
    pub fn http_client(&self) -> Result<reqwest::Client, reqwest::Error> {
        reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_print_does_not_contain_the_key() {
        let config = MandrillConfig::new(
            Secret::new("md-SuperSecretKey123".to_string()),
            Email::parse("orders@example.com").unwrap(),
        );
        let printed = format!("{config:?} {config:#?}");
        assert!(!printed.contains("SuperSecretKey"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn defaults_and_send_url() {
        let mut config = MandrillConfig::new(
            Secret::new("k".to_string()),
            Email::parse("orders@example.com").unwrap(),
        );
        assert_eq!(
            config.send_url(),
            "https://mandrillapp.com/api/1.0/messages/send.json"
        );
        assert_eq!(config.timeout, Duration::from_secs(10));
        config.endpoint = "http://127.0.0.1:9/api/".into();
        assert_eq!(
            config.send_url(),
            "http://127.0.0.1:9/api/messages/send.json"
        );
    }
}
