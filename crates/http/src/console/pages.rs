//! Rendering: the templates, the frame every page shares, redirects and the
//! refusal and error pages.

use super::session::Staff;
use crate::slug::Slug;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;
use std::sync::LazyLock;

const TEMPLATES: [(&str, &str); 8] = [
    (
        "console/base.html",
        include_str!("../../templates/console/base.html"),
    ),
    (
        "console/login.html",
        include_str!("../../templates/console/login.html"),
    ),
    (
        "console/refused.html",
        include_str!("../../templates/console/refused.html"),
    ),
    (
        "console/notifications.html",
        include_str!("../../templates/console/notifications.html"),
    ),
    (
        "console/notification_table.html",
        include_str!("../../templates/console/notification_table.html"),
    ),
    (
        "console/orders.html",
        include_str!("../../templates/console/orders.html"),
    ),
    (
        "console/order.html",
        include_str!("../../templates/console/order.html"),
    ),
    (
        "console/switches.html",
        include_str!("../../templates/console/switches.html"),
    ),
];

const STYLESHEET: &str = include_str!("../../templates/console/console.css");

/// The templates, parsed once. Names end in `.html`, so minijinja escapes
/// every value it prints (its default for such names).
static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "console template does not parse");
        }
    }
    env
});

/// A problem shown at the top of a page: the API's slug and message when
/// a use case refused.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Problem {
    pub slug: Option<&'static str>,
    pub message: String,
}

impl Problem {
    pub fn text(message: impl Into<String>) -> Problem {
        Problem {
            slug: None,
            message: message.into(),
        }
    }

    pub fn api(slug: Slug, message: impl Into<String>) -> Problem {
        Problem {
            slug: Some(slug.as_str()),
            message: message.into(),
        }
    }
}

/// What every page shows around its content.
#[derive(Debug, Default, Serialize)]
pub(super) struct Frame {
    pub title: String,
    pub section: &'static str,
    /// The logged-in employee's e-mail; `None` on the log-in and refusal pages.
    pub staff: Option<String>,
    pub unresolved: u64,
    pub csrf: String,
    pub notice: Option<&'static str>,
    pub problem: Option<Problem>,
}

impl Frame {
    /// The frame of a page seen by `staff`.
    pub fn of(staff: &Staff, title: impl Into<String>, section: &'static str) -> Frame {
        Frame {
            title: title.into(),
            section,
            staff: Some(staff.user.email.as_str().to_string()),
            unresolved: staff.unresolved,
            csrf: staff.csrf.clone(),
            ..Frame::default()
        }
    }
}

/// Renders `template` with `frame` and the page's own `values`.
pub(super) fn render(
    status: StatusCode,
    template: &str,
    frame: &Frame,
    values: Value,
) -> HttpResponse {
    let ctx = context! { ..Value::from(Serde(frame)), ..values };
    match ENV.get_template(template).and_then(|t| t.render(ctx)) {
        Ok(html) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(html),
        Err(e) => {
            tracing::error!(template, error = %e, "console page could not be rendered");
            HttpResponse::InternalServerError()
                .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body("The page could not be rendered.\n")
        }
    }
}

/// `303 See Other` to `to` (after a form, and to the log-in page).
pub(super) fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

/// A refusal page (403 for a role or a CSRF token, 404 for an unknown id…).
pub(super) fn refused(
    status: StatusCode,
    title: &str,
    reason: &str,
    staff: Option<&Staff>,
) -> HttpResponse {
    let frame = match staff {
        Some(s) => Frame::of(s, title, ""),
        None => Frame {
            title: title.to_string(),
            ..Frame::default()
        },
    };
    let (next, next_label) = match staff {
        Some(_) => ("/console/notifications", "Back to the notifications"),
        None => ("/console/login", "To the log-in page"),
    };
    render(
        status,
        "console/refused.html",
        &frame,
        context! { reason, next, next_label },
    )
}

/// A use case failed unexpectedly: logged, and a page that says so.
pub(super) fn crash(error: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %error, "console: unexpected failure");
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The request could not be completed; it has been logged. Try again later.",
        None,
    )
}

/// `/console`: the notifications tab (or the log-in page, from there).
pub(super) async fn index() -> HttpResponse {
    redirect("/console/notifications")
}

pub(super) async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .body(STYLESHEET)
}

pub(super) async fn not_found() -> HttpResponse {
    refused(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no console page here.",
        None,
    )
}

/// A timestamp as pages show it: UTC, to the second.
pub(super) fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The fixed notice of `?done=…` (never the query's text itself).
pub(super) fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "acknowledged" => "Notification acknowledged.",
        "resolved" => "Notification resolved.",
        "captured" => "Payment captured.",
        "voided" => "Payment voided; the order is cancelled.",
        "switched" => "Switch changed.",
        _ => return None,
    })
}
