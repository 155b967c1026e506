//! `ordercore webhooks add|list|remove` and `ordercore events replay`
//! (docs/webhooks.md). The signing secret is printed once, by `add`.

use super::CommandError;
use crate::cli::{EventsAction, WebhooksAction};
use crate::config::Config;
use crate::{data_key, database, wiring};
use ordercore_domain::model::{EventId, EventKind, WebhookEndpoint, WebhookEndpointId, WebhookUrl};
use ordercore_domain::usecases::ManageWebhooks;
use std::sync::Arc;

/// The management use case on the migrated database, sealing with the data key.
async fn manage(config: &Config) -> Result<ManageWebhooks, CommandError> {
    let cipher = data_key::data_cipher(config)?;
    let store = database::open_migrated(config)
        .await?
        .with_cipher(Arc::new(cipher));
    Ok(wiring::manage_webhooks(&store))
}

/// `kind,kind` → the kinds; an unknown name is an error listing the known ones.
pub fn parse_kinds(raw: &str) -> Result<Vec<EventKind>, String> {
    let mut kinds = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let kind = EventKind::parse(name).ok_or_else(|| {
            let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
            format!(
                "unknown event kind {name:?}; the kinds are {}",
                known.join(", ")
            )
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err("name at least one event kind, or leave --events out for all".into());
    }
    Ok(kinds)
}

fn kinds_text(e: &WebhookEndpoint) -> String {
    match &e.events {
        None => "*".into(),
        Some(k) => k.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","),
    }
}

pub async fn webhooks(config: &Config, action: WebhooksAction) -> Result<(), CommandError> {
    match action {
        WebhooksAction::Add { url, events } => {
            let url =
                WebhookUrl::parse(&url).map_err(|e| CommandError::Failed(format!("--url: {e}")))?;
            let events = events
                .as_deref()
                .map(parse_kinds)
                .transpose()
                .map_err(|e| CommandError::Failed(format!("--events: {e}")))?;
            let created = manage(config)
                .await?
                .create(url, events)
                .await
                .map_err(CommandError::failed)?;
            tracing::info!(
                webhook.endpoint_id = created.endpoint.id.0,
                "webhook endpoint added by operator"
            );
            out!("endpoint {}", created.endpoint.id.0);
            out!("secret {}", created.secret.expose());
            out!("(the secret is shown this once: keep it to verify signatures)");
        }
        WebhooksAction::List => {
            let list = manage(config)
                .await?
                .list()
                .await
                .map_err(CommandError::failed)?;
            if list.is_empty() {
                out!("no webhook endpoints");
            }
            for e in list {
                out!(
                    "{:<6} {:<9} {:<40} {}",
                    e.id.0,
                    if e.enabled { "enabled" } else { "DISABLED" },
                    e.url,
                    kinds_text(&e)
                );
            }
        }
        WebhooksAction::Remove { id } => {
            if !manage(config)
                .await?
                .remove(WebhookEndpointId(id))
                .await
                .map_err(CommandError::failed)?
            {
                return Err(CommandError::Failed(format!(
                    "there is no webhook endpoint {id} (see `ordercore webhooks list`)"
                )));
            }
            out!("endpoint {id} removed");
        }
    }
    Ok(())
}

pub async fn events(config: &Config, action: EventsAction) -> Result<(), CommandError> {
    let EventsAction::Replay { endpoint, since } = action;
    let n = manage(config)
        .await?
        .replay(WebhookEndpointId(endpoint), EventId(since))
        .await
        .map_err(CommandError::failed)?
        .ok_or_else(|| {
            CommandError::Failed(format!(
                "there is no webhook endpoint {endpoint} (see `ordercore webhooks list`)"
            ))
        })?;
    out!("{n} event(s) from {since} on scheduled for endpoint {endpoint}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_parsed_and_checked() {
        assert_eq!(
            parse_kinds("order.submitted, payment.captured,order.submitted").unwrap(),
            [EventKind::OrderSubmitted, EventKind::PaymentCaptured]
        );
        assert!(
            parse_kinds("order.shipped")
                .unwrap_err()
                .contains("order.submitted")
        );
        assert!(parse_kinds(" , ").is_err());
    }
}
