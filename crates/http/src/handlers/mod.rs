//! Step 9: each route's call of its use case, and the rendering of its
//! result. Params arrive validated against the route's definitions; what
//! needs the domain's parsers (cards, e-mails, `json` params) is parsed here,
//! every problem reported with its dotted path.

mod identity;
mod orders;
mod other;

use crate::envelope::{ApiError, Success};
use crate::errors::crash;
use crate::json_params::FieldErrors;
use crate::pipeline::auth::Acting;
use crate::routes::RouteDef;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use ordercore_domain::ports::Page;
use ordercore_domain::rules::ordering::Actor;
use ordercore_domain::usecases::Principal;
use serde_json::{Map, Value};

/// A request that passed steps 1–8.
pub struct ApiRequest {
    pub route: &'static RouteDef,
    /// Validated and normalised.
    pub params: Map<String, Value>,
    pub principal: Option<Principal>,
    pub acting: Acting,
    pub now: DateTime<Utc>,
}

impl ApiRequest {
    /// The actor of a role-restricted route (step 6 guarantees one).
    fn actor(&self) -> Result<&Actor, ApiError> {
        self.acting
            .actor
            .as_ref()
            .ok_or_else(|| crash(&format!("{} reached without an actor", self.route.path())))
    }

    fn page(&self) -> Page {
        let d = Page::default();
        let get = |k: &str, default: u32| {
            self.params
                .get(k)
                .and_then(Value::as_i64)
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(default)
        };
        Page {
            page: get("page", d.page),
            per_page: get("per_page", d.per_page),
        }
    }
}

/// Route-specific checks that belong to step 8 (parsing of `json` params),
/// so that their problems are listed with the generic ones. When a
/// submission already has problems, the use case's resolution problems
/// (unknown services, client, card) are added too: one answer lists them all.
pub async fn check_params(
    state: &AppState,
    route: &RouteDef,
    params: &Map<String, Value>,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
    errs: &mut FieldErrors,
) -> Result<(), ApiError> {
    if route.resource == "orders" && route.action.ends_with("_submit") {
        orders::check_order_json(params, now, errs);
        if let (false, Some(actor)) = (errs.is_empty(), actor) {
            orders::add_resolution_problems(state, params, actor, errs).await?;
        }
    }
    Ok(())
}

/// Runs the route's use case.
pub async fn dispatch(state: &AppState, req: ApiRequest) -> Result<Success, ApiError> {
    match (req.route.resource, req.route.action) {
        ("sessions", "create") => identity::create_session(state, &req).await,
        ("sessions", "destroy") => identity::destroy_session(state, &req).await,
        ("users", "client_register") => identity::register_client(state, &req).await,
        ("payment_methods", "create") => other::add_payment_method(state, &req).await,
        ("payment_methods", "index") => other::list_payment_methods(state, &req).await,
        ("payment_methods", "destroy") => other::remove_payment_method(state, &req).await,
        ("services", "index") => other::list_services(state, &req).await,
        ("promotions", "validate") => other::validate_promotion(state, &req).await,
        ("orders", "authorize_and_submit" | "pay_and_submit") => orders::submit(state, &req).await,
        ("orders", "read") => orders::read(state, &req).await,
        ("orders", "index") => orders::index(state, &req).await,
        ("payments", "capture") => other::capture(state, &req).await,
        ("payments", "void") => other::void(state, &req).await,
        ("notifications", "index") => other::notifications(state, &req).await,
        _ => Err(crash(&format!("no handler for {}", req.route.path()))),
    }
}
