//! The notifications tab: newest first, filtered by kind and severity,
//! acknowledged and resolved with who and when.

use super::pages::{Frame, crash, notice, redirect, refused, render, when};
use super::session::{staff, staff_posting};
use super::{Reply, State, reply};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::value::Serde;
use minijinja::{Value, context};
use ordercore_domain::model::{
    Notification, NotificationFilter, NotificationId, NotificationKind, Severity, UserId,
};
use ordercore_domain::ports::Page;
use ordercore_domain::usecases::{HandleNotificationError, NotificationStep};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest list a page shows.
pub(super) const PAGE_SIZE: u32 = 100;

/// One row of a notification table.
#[derive(Debug, Serialize)]
pub(super) struct NotificationRow {
    id: i64,
    created_at: String,
    severity: &'static str,
    kind: &'static str,
    message: String,
    error: Option<String>,
    order_id: Option<i64>,
    acknowledged_at: Option<String>,
    acknowledged_by: Option<String>,
    resolved_at: Option<String>,
    resolved_by: Option<String>,
}

/// The rows of `list`, with the e-mails of the staff who handled them.
pub(super) async fn rows(
    state: &AppState,
    list: Vec<Notification>,
) -> Result<Vec<NotificationRow>, HttpResponse> {
    let ids: Vec<UserId> = list
        .iter()
        .flat_map(|n| [n.acknowledged_by, n.resolved_by])
        .flatten()
        .collect();
    let names: HashMap<UserId, String> = state
        .usecases
        .handle_notification
        .staff(&ids)
        .await
        .map_err(|e| crash(&e))?
        .into_iter()
        .map(|u| (u.id, u.email.as_str().to_string()))
        .collect();
    let who = |id: Option<UserId>| {
        id.map(|id| {
            names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("user {id}"))
        })
    };
    Ok(list
        .into_iter()
        .map(|n| NotificationRow {
            id: n.id.0,
            created_at: when(n.created_at),
            severity: n.severity.as_str(),
            kind: n.kind.as_str(),
            message: n.message,
            error: n.context.error,
            order_id: n.context.order_id.map(|o| o.0),
            acknowledged_at: n.acknowledged_at.map(when),
            acknowledged_by: who(n.acknowledged_by),
            resolved_at: n.resolved_at.map(when),
            resolved_by: who(n.resolved_by),
        })
        .collect())
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    show: String,
    #[serde(default)]
    done: Option<String>,
}

fn severity(s: &str) -> Option<Severity> {
    [Severity::Info, Severity::Warning, Severity::Critical]
        .into_iter()
        .find(|v| v.as_str() == s)
}

/// `GET /console/notifications`.
pub async fn list(req: HttpRequest, state: State, q: web::Query<ListQuery>) -> HttpResponse {
    reply(list_page(&req, &state, q.into_inner()).await)
}

async fn list_page(req: &HttpRequest, state: &AppState, q: ListQuery) -> Reply {
    let staff = staff(req, state).await?;
    let filter = NotificationFilter {
        kind: NotificationKind::parse(&q.kind),
        severity: severity(&q.severity),
        order_id: None,
        include_resolved: q.show == "all",
    };
    let list = first_page(state, &filter).await?;
    let notifications = rows(state, list).await?;
    let mut frame = Frame::of(&staff, "Notifications", "notifications");
    frame.notice = notice(q.done.as_deref());
    let back = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("");
    Ok(render(
        StatusCode::OK,
        "console/notifications.html",
        &frame,
        context! {
            notifications => Serde(notifications),
            back,
            kinds => NotificationKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            severities => ["info", "warning", "critical"],
            filter => context! {
                kind => filter.kind.map(|k| k.as_str()),
                severity => filter.severity.map(|s| s.as_str()),
                all => filter.include_resolved,
            },
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    back: String,
}

/// Where to go after a step: the page the form was on when it is a console
/// page (never another site), else the notifications tab; with `done`.
fn back_to(back: &str, done: &str) -> String {
    let safe = back.starts_with("/console/")
        && !back.contains("//")
        && !back.contains('\\')
        && back.chars().all(|c| c.is_ascii_graphic());
    let base = if safe { back } else { "/console/notifications" };
    let path = base.split('?').next().unwrap_or(base);
    let mut kept: Vec<&str> = base
        .split_once('?')
        .map(|(_, q)| q.split('&').filter(|p| !p.starts_with("done=")).collect())
        .unwrap_or_default();
    let done = format!("done={done}");
    kept.push(&done);
    format!("{path}?{}", kept.join("&"))
}

/// `POST /console/notifications/{id}/{acknowledge|resolve}`.
pub async fn handle(
    req: HttpRequest,
    state: State,
    path: web::Path<(i64, String)>,
    form: web::Form<StepForm>,
) -> HttpResponse {
    reply(handle_step(&req, &state, path.into_inner(), form.into_inner()).await)
}

async fn handle_step(
    req: &HttpRequest,
    state: &AppState,
    (id, step): (i64, String),
    form: StepForm,
) -> Reply {
    let staff = staff_posting(req, state, &form.csrf).await?;
    let (step, done) = match step.as_str() {
        "acknowledge" => (NotificationStep::Acknowledge, "acknowledged"),
        "resolve" => (NotificationStep::Resolve, "resolved"),
        _ => {
            return Err(refused(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no such action on a notification.",
                Some(&staff),
            ));
        }
    };
    match state
        .usecases
        .handle_notification
        .run(&staff.user, NotificationId(id), step)
        .await
    {
        Ok(n) => {
            tracing::info!(
                notification = n.id.0,
                user = staff.user.id.0,
                step = done,
                "notification handled from the console"
            );
            Ok(redirect(&back_to(&form.back, done)))
        }
        Err(HandleNotificationError::NotFound) => Err(refused(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no notification with this id.",
            Some(&staff),
        )),
        Err(HandleNotificationError::Unexpected(u)) => Err(crash(&u)),
    }
}

/// The first page (newest first) of the notifications `filter` selects.
async fn first_page(
    state: &AppState,
    filter: &NotificationFilter,
) -> Result<Vec<ordercore_domain::model::Notification>, HttpResponse> {
    state
        .usecases
        .list_notifications
        .filtered(
            filter,
            Page {
                page: 1,
                per_page: PAGE_SIZE,
            },
        )
        .await
        .map_err(|e| crash(&e))
}

/// The rows of the notifications about one order, resolved ones too.
pub(super) async fn of_order(
    state: &AppState,
    order: ordercore_domain::model::OrderId,
) -> Result<Value, HttpResponse> {
    let filter = NotificationFilter {
        order_id: Some(order),
        include_resolved: true,
        ..NotificationFilter::default()
    };
    let list = first_page(state, &filter).await?;
    Ok(Value::from(Serde(rows(state, list).await?)))
}

#[cfg(test)]
mod tests {
    use super::back_to;

    #[test]
    fn back_stays_in_the_console() {
        assert_eq!(
            back_to(
                "/console/notifications?kind=held-for-review&done=resolved",
                "acknowledged"
            ),
            "/console/notifications?kind=held-for-review&done=acknowledged"
        );
        assert_eq!(
            back_to("/console/orders/7", "resolved"),
            "/console/orders/7?done=resolved"
        );
        for evil in [
            "https://evil.example/",
            "//evil.example/console/",
            "/console//evil",
            "/other",
        ] {
            assert_eq!(
                back_to(evil, "resolved"),
                "/console/notifications?done=resolved"
            );
        }
    }
}
