//! The [`WebhookSender`] adapter: `POST` of an event as JSON, signed with
//! the endpoint's secret (docs/webhooks.md), with one timeout for the whole
//! call so a dead receiver holds a worker at most that long.

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use ordercore_domain::model::Event;
use ordercore_domain::ports::{DueDelivery, SendFailure, WebhookSender};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Ordercore-Signature";

/// The body of a delivery: `{created_at, data, id, kind}`.
pub fn body(event: &Event) -> String {
    let data: serde_json::Value =
        serde_json::from_str(&event.data).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "created_at": event.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "data": data,
        "id": event.id.0,
        "kind": event.kind.as_str(),
    })
    .to_string()
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under secret>`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    // HMAC takes a key of any length, so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

/// Sends deliveries with reqwest. The HTTP client (and with it the TLS
/// trust store, some 100 ms of work and a few MiB) is built on the first
/// delivery, not at start-up: most instances never send one.
#[derive(Debug, Clone)]
pub struct HttpWebhookSender {
    timeout: Duration,
    client: Arc<OnceCell<reqwest::Client>>,
}

impl HttpWebhookSender {
    /// A sender whose every call ends after `timeout` (connect included).
    pub fn new(timeout: Duration) -> Self {
        HttpWebhookSender {
            timeout,
            client: Arc::new(OnceCell::new()),
        }
    }

    async fn client(&self) -> Result<&reqwest::Client, SendFailure> {
        let timeout = self.timeout;
        self.client
            .get_or_try_init(|| async move {
                let built = tokio::task::spawn_blocking(move || {
                    reqwest::Client::builder()
                        .timeout(timeout)
                        .connect_timeout(timeout)
                        .redirect(reqwest::redirect::Policy::none())
                        .user_agent(concat!("ordercore-webhooks/", env!("CARGO_PKG_VERSION")))
                        .build()
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
                built.map_err(|e| {
                    tracing::error!(error = %e, "cannot build the webhook HTTP client");
                    SendFailure {
                        status: None,
                        message: "client".into(),
                    }
                })
            })
            .await
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn send(&self, d: &DueDelivery, now: DateTime<Utc>) -> Result<(), SendFailure> {
        let client = self.client().await?;
        let body = body(&d.event);
        let sig = signature(d.secret.expose(), now.timestamp(), &body);
        let answer = client
            .post(&d.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, sig)
            .header("Ordercore-Event-Id", d.event.id.0.to_string())
            .body(body)
            .send()
            .await
            .map_err(|e| SendFailure {
                status: None,
                message: if e.is_timeout() {
                    "timeout".into()
                } else if e.is_connect() {
                    "connect".into()
                } else {
                    "request".into()
                },
            })?;
        let status = answer.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SendFailure {
                status: Some(status.as_u16()),
                message: format!("http {}", status.as_u16()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body() {
        // Computed independently (Python's hmac module).
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"id":1}"#),
            "t=1700000000,v1=2f441ba4b3b2d50d28a9ab9d9fd8880376ecd1eb5d0435401553f5d8d0a5dcf8"
        );
        assert_ne!(
            signature("whsec_test", 1_700_000_001, r#"{"id":1}"#),
            signature("whsec_test", 1_700_000_000, r#"{"id":1}"#)
        );
    }
}
