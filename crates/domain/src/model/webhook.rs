//! Webhook endpoints: where events are delivered (docs/webhooks.md).

use super::{EventKind, InvalidValue, Secret, WebhookEndpointId};
use chrono::{DateTime, Utc};

/// An endpoint URL: `http://` or `https://`, no spaces, at most 2000 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<WebhookUrl, InvalidValue> {
        let raw = raw.trim();
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or_else(|| InvalidValue::new("must start with http:// or https://"))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(InvalidValue::new("must name a host"));
        }
        if raw.len() > 2000 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidValue::new(
                "must be at most 2000 characters without spaces",
            ));
        }
        Ok(WebhookUrl(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An endpoint about to be recorded. `events` = `None` subscribes to every
/// kind (including kinds added later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookEndpoint {
    pub url: WebhookUrl,
    pub events: Option<Vec<EventKind>>,
    /// `whsec_…`: stored sealed, shown once.
    pub secret: Secret<String>,
}

/// A recorded endpoint (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    pub url: String,
    pub events: Option<Vec<EventKind>>,
    pub enabled: bool,
    /// Start of the current run of failed attempts, if any.
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl WebhookEndpoint {
    /// Whether events of `kind` go to this endpoint.
    pub fn wants(&self, kind: EventKind) -> bool {
        self.events.as_ref().is_none_or(|k| k.contains(&kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(WebhookUrl::parse("https://example.test/hook").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9/x").is_ok());
        for bad in [
            "ftp://x",
            "example.test",
            "https://",
            "https:///x",
            "http://a b",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
