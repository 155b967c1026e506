//! The kill switches: routes and API services with their `deployed` flags,
//! switched through the same records as `ordercore routes` and
//! `ordercore services`.

use super::pages::{Frame, crash, notice, redirect, refused, render};
use super::session::{staff, staff_posting};
use super::{Reply, State, reply};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::context;
use ordercore_domain::usecases::KillSwitchError;
use serde::Deserialize;

fn state_name(deployed: bool) -> &'static str {
    if deployed { "deployed" } else { "DISABLED" }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /console/switches`.
pub async fn list(req: HttpRequest, state: State, q: web::Query<ListQuery>) -> HttpResponse {
    reply(list_page(&req, &state, q.done.as_deref()).await)
}

async fn list_page(req: &HttpRequest, state: &AppState, done: Option<&str>) -> Reply {
    let staff = staff(req, state).await?;
    let switches = &state.kill_switches;
    let routes = switches.routes().await.map_err(|e| crash(&e))?;
    let services = switches.services().await.map_err(|e| crash(&e))?;
    let mut frame = Frame::of(&staff, "Kill switches", "switches");
    frame.notice = notice(done);
    let routes: Vec<_> = routes
        .iter()
        .map(|r| {
            context! {
                name => r.route.clone(),
                service => r.service.as_ref().map_or("(missing)", |s| s.name.as_str()),
                deployed => r.deployed,
                state => state_name(r.deployed),
            }
        })
        .collect();
    let services: Vec<_> = services
        .iter()
        .map(|s| context! { name => s.name.clone(), deployed => s.deployed, state => state_name(s.deployed) })
        .collect();
    Ok(render(
        StatusCode::OK,
        "console/switches.html",
        &frame,
        context! { routes, services },
    ))
}

#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    deployed: String,
}

/// `POST /console/switches`: `kind` `route` or `service`, its `name`, and
/// `deployed` `true` or `false`.
pub async fn switch(req: HttpRequest, state: State, form: web::Form<SwitchForm>) -> HttpResponse {
    reply(switch_one(&req, &state, form.into_inner()).await)
}

async fn switch_one(req: &HttpRequest, state: &AppState, form: SwitchForm) -> Reply {
    let staff = staff_posting(req, state, &form.csrf).await?;
    let bad = |reason: &str| refused(StatusCode::BAD_REQUEST, "Refused", reason, Some(&staff));
    let deployed = match form.deployed.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(bad("A switch is turned to true or false.")),
    };
    let switches = &state.kill_switches;
    let result = match form.kind.as_str() {
        "route" => switches.set_route(&form.name, deployed).await,
        "service" => switches.set_service(&form.name, deployed).await,
        _ => return Err(bad("A switch is a route or an API service.")),
    };
    match result {
        Ok(()) => {
            tracing::warn!(
                kind = form.kind.as_str(),
                name = form.name.as_str(),
                deployed,
                user = staff.user.id.0,
                "kill switch changed from the console"
            );
            Ok(redirect("/console/switches?done=switched"))
        }
        Err(KillSwitchError::Unknown(..)) => Err(refused(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no route or API service with this name.",
            Some(&staff),
        )),
        Err(KillSwitchError::Unexpected(u)) => Err(crash(&u)),
    }
}
