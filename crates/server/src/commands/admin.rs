//! Operator commands: the route and service kill switches and the
//! notifications list. They act on the shared database, so one command
//! switches a route off on every instance (within the route cache TTL).

use super::CommandError;
use crate::cli::{NotificationAction, SwitchAction};
use crate::config::Config;
use crate::database;
use ordercore_domain::model::Notification;
use ordercore_domain::ports::{NotificationRepository, Page, RouteRegistry};
use ordercore_domain::usecases::{KillSwitchError, KillSwitches};
use ordercore_store::Store;
use std::sync::Arc;

/// Connects and makes sure every route of this build has a registry record,
/// so a route can be switched off before the first `serve`.
async fn registry(config: &Config) -> Result<Store, CommandError> {
    let store = database::open_migrated(config).await?;
    store
        .register(&ordercore_http::routes::registry_pairs())
        .await
        .map_err(CommandError::failed)?;
    Ok(store)
}

fn yes_no(deployed: bool) -> &'static str {
    if deployed { "deployed" } else { "DISABLED" }
}

pub async fn routes(config: &Config, action: SwitchAction) -> Result<(), CommandError> {
    let store = registry(config).await?;
    match action {
        SwitchAction::List => {
            let routes = store.list_routes().await.map_err(CommandError::failed)?;
            out!(
                "{:<36} {:<18} {:<9} SERVICE STATE",
                "ROUTE",
                "SERVICE",
                "STATE"
            );
            for r in routes {
                let (service, service_state) = match &r.service {
                    Some(s) => (s.name.as_str(), yes_no(s.deployed)),
                    None => ("(missing)", "MISSING"),
                };
                out!(
                    "{:<36} {:<18} {:<9} {}",
                    r.route,
                    service,
                    yes_no(r.deployed),
                    service_state
                );
            }
        }
        SwitchAction::Enable { name } => switch_route(&store, &name, true).await?,
        SwitchAction::Disable { name } => switch_route(&store, &name, false).await?,
    }
    Ok(())
}

/// The switches through the use case the staff console also uses.
fn switches(store: &Store) -> KillSwitches {
    KillSwitches::new(Arc::new(store.clone()))
}

async fn switch_route(store: &Store, name: &str, deployed: bool) -> Result<(), CommandError> {
    match switches(store).set_route(name, deployed).await {
        Ok(()) => {}
        Err(KillSwitchError::Unknown(..)) => {
            return Err(CommandError::Failed(format!(
                "there is no route named {name:?} (see `ordercore routes list`)"
            )));
        }
        Err(KillSwitchError::Unexpected(e)) => return Err(CommandError::failed(e)),
    }
    tracing::warn!(route = name, deployed, "route switched by operator");
    out!("route {name} is now {}", yes_no(deployed));
    Ok(())
}

pub async fn services(config: &Config, action: SwitchAction) -> Result<(), CommandError> {
    let store = registry(config).await?;
    match action {
        SwitchAction::List => {
            let services = store.list_services().await.map_err(CommandError::failed)?;
            out!("{:<18} STATE", "SERVICE");
            for s in services {
                out!("{:<18} {}", s.name, yes_no(s.deployed));
            }
        }
        SwitchAction::Enable { name } => switch_service(&store, &name, true).await?,
        SwitchAction::Disable { name } => switch_service(&store, &name, false).await?,
    }
    Ok(())
}

async fn switch_service(store: &Store, name: &str, deployed: bool) -> Result<(), CommandError> {
    match switches(store).set_service(name, deployed).await {
        Ok(()) => {}
        Err(KillSwitchError::Unknown(..)) => {
            return Err(CommandError::Failed(format!(
                "there is no API service named {name:?} (see `ordercore services list`)"
            )));
        }
        Err(KillSwitchError::Unexpected(e)) => return Err(CommandError::failed(e)),
    }
    tracing::warn!(service = name, deployed, "API service switched by operator");
    out!("service {name} is now {}", yes_no(deployed));
    Ok(())
}

pub async fn notifications(
    config: &Config,
    action: NotificationAction,
) -> Result<(), CommandError> {
    let NotificationAction::List { limit, json } = action;
    let store = database::open_migrated(config).await?;
    let page = Page {
        page: 1,
        per_page: limit.clamp(1, Page::MAX_PER_PAGE),
    };
    let list = store.list(page).await.map_err(CommandError::failed)?;
    if json {
        for n in &list {
            out!("{}", notification_json(n));
        }
        return Ok(());
    }
    if list.is_empty() {
        out!("no notifications");
    }
    for n in &list {
        out!(
            "#{} {} [{}] {}{}\n    {}\n    {}",
            n.id.0,
            n.created_at.to_rfc3339(),
            n.severity.as_str(),
            n.kind.as_str(),
            if n.resolved_at.is_some() {
                " (resolved)"
            } else {
                ""
            },
            n.message,
            serde_json::to_string(&n.context).unwrap_or_default()
        );
    }
    Ok(())
}

/// The contract §7 notification shape.
fn notification_json(n: &Notification) -> serde_json::Value {
    serde_json::json!({
        "id": n.id.0,
        "kind": n.kind.as_str(),
        "severity": n.severity.as_str(),
        "message": n.message,
        "context": n.context,
        "created_at": n.created_at.to_rfc3339(),
        "resolved_at": n.resolved_at.map(|t| t.to_rfc3339()),
    })
}
