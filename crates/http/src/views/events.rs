//! Events and webhook endpoints (docs/webhooks.md).

use super::timestamp;
use ordercore_domain::model::{Event, WebhookEndpoint};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// `{created_at, data, id, kind}`: an event as the pull feed shows it and
/// as a webhook delivery's body carries it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EventJson {
    pub created_at: String,
    /// The resource in its `default` view as it was at the event.
    pub data: Value,
    pub id: i64,
    pub kind: &'static str,
}

impl EventJson {
    pub fn new(e: &Event) -> Self {
        EventJson {
            created_at: timestamp(e.created_at),
            data: serde_json::from_str(&e.data).unwrap_or(Value::Null),
            id: e.id.0,
            kind: e.kind.as_str(),
        }
    }
}

/// `{created_at, disabled_at, enabled, events, failing_since, id, url}`;
/// `events` is `null` for every kind; `secret` only in the answer of
/// `webhooks/create`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WebhookEndpointJson<'a> {
    pub created_at: String,
    pub disabled_at: Option<String>,
    pub enabled: bool,
    pub events: Option<Vec<&'static str>>,
    pub failing_since: Option<String>,
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<&'a str>,
    pub url: &'a str,
}

impl<'a> WebhookEndpointJson<'a> {
    pub fn new(e: &'a WebhookEndpoint, secret: Option<&'a str>) -> Self {
        WebhookEndpointJson {
            created_at: timestamp(e.created_at),
            disabled_at: e.disabled_at.map(timestamp),
            enabled: e.enabled,
            events: e
                .events
                .as_ref()
                .map(|k| k.iter().map(|k| k.as_str()).collect()),
            failing_since: e.failing_since.map(timestamp),
            id: e.id.0,
            secret,
            url: &e.url,
        }
    }
}
