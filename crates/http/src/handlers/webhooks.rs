//! webhooks/create, webhooks/index, webhooks/destroy (docs/webhooks.md).

use super::ApiRequest;
use crate::envelope::{ApiError, Success};
use crate::errors::crash;
use crate::state::AppState;
use crate::views::{WebhookEndpointJson, value};
use ordercore_domain::model::{EventKind, WebhookEndpointId, WebhookUrl};
use serde::Deserialize;
use serde_json::Value;

/// webhooks/create.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct CreateParams {
    pub url: String,
    pub events: Option<String>,
}

/// `kind,kind`: each a known kind; none named is refused.
fn kinds(raw: &str) -> Result<Vec<EventKind>, ApiError> {
    let mut out = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let kind = EventKind::parse(name).ok_or_else(|| {
            ApiError::invalid_param("events", format!("unknown event kind {name:?}"))
        })?;
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    if out.is_empty() {
        return Err(ApiError::invalid_param(
            "events",
            "name at least one event kind, or leave it out for every kind",
        ));
    }
    Ok(out)
}

/// Records an endpoint; the answer carries its signing secret, this once.
pub async fn create(
    state: &AppState,
    _req: &ApiRequest,
    p: CreateParams,
) -> Result<Success, ApiError> {
    let url = WebhookUrl::parse(&p.url).map_err(|e| ApiError::invalid_param("url", e.reason))?;
    let events = p.events.as_deref().map(kinds).transpose()?;
    let created = state
        .usecases
        .manage_webhooks
        .create(url, events)
        .await
        .map_err(|e| crash(&e))?;
    tracing::info!(
        webhook.endpoint_id = created.endpoint.id.0,
        "webhook endpoint created"
    );
    Ok(Success::new(
        format!(
            "Webhook endpoint {} created; its secret is shown this once.",
            created.endpoint.id
        ),
        value(WebhookEndpointJson::new(
            &created.endpoint,
            Some(created.secret.expose()),
        )),
    ))
}

/// Every endpoint, oldest first (never a secret).
pub async fn index(
    state: &AppState,
    _req: &ApiRequest,
    _p: super::NoParams,
) -> Result<Success, ApiError> {
    let list = state
        .usecases
        .manage_webhooks
        .list()
        .await
        .map_err(|e| crash(&e))?;
    let data: Vec<Value> = list
        .iter()
        .map(|e| value(WebhookEndpointJson::new(e, None)))
        .collect();
    Ok(Success::new(
        format!("{} webhook endpoints.", data.len()),
        Value::Array(data),
    ))
}

/// webhooks/destroy.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct DestroyParams {
    pub id: i64,
}

/// Removes an endpoint: nothing more is delivered to it.
pub async fn destroy(
    state: &AppState,
    _req: &ApiRequest,
    p: DestroyParams,
) -> Result<Success, ApiError> {
    let removed = state
        .usecases
        .manage_webhooks
        .remove(WebhookEndpointId(p.id))
        .await
        .map_err(|e| crash(&e))?;
    if !removed {
        return Err(ApiError::invalid_param(
            "id",
            "no webhook endpoint with this id",
        ));
    }
    Ok(Success::new(
        format!("Webhook endpoint {} removed.", p.id),
        Value::Null,
    ))
}
