//! The request pipeline of contract §3, in order. Each step is a plain function
//! in a submodule, returning the [`ApiError`] it fails with; [`run`] chains
//! them and [`api`] is the actix handler around it (metrics, panics).

pub mod auth;
pub mod client_addr;
pub mod identify;
pub mod rate_limit;
pub mod steps;
pub mod throttle;
pub mod windows;

use crate::envelope::{ApiError, Outcome, json_response};
use crate::errors::crash;
use crate::handlers::{self, ApiRequest};
use crate::idempotency::{self, Start};
use crate::json_params::FieldErrors;
use crate::params;
use crate::slug::Slug;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Instant;
use tracing::Instrument as _;

/// How a request ended: the route label and slug for metrics, and the answer.
pub struct Answer {
    pub route: String,
    pub slug: Slug,
    pub response: HttpResponse,
}

impl Answer {
    fn outcome(route: &str, outcome: Outcome) -> Answer {
        Answer {
            route: route.to_string(),
            slug: outcome.slug,
            response: outcome.into_response(),
        }
    }

    fn error(route: &str, e: ApiError) -> Answer {
        Answer::outcome(route, Outcome::error(e))
    }
}

/// A panic's message, for the log.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// `POST /api/v1/{resource}/{action}` (and every other method on it).
pub async fn api(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let started = Instant::now();
    let (resource, action) = path.into_inner();
    let answer = AssertUnwindSafe(run(&req, &resource, &action, payload, &state))
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| Answer::error("unknown", crash(&panic_message(&*panic))));
    let elapsed = started.elapsed();
    state.metrics.observe_request(
        &answer.route,
        answer.slug.as_str(),
        answer.response.status().as_u16(),
        elapsed,
    );
    tracing::info!(
        http.route = %answer.route,
        http.status_code = answer.response.status().as_u16(),
        status = answer.slug.as_str(),
        latency_ms = elapsed.as_millis() as u64,
        "api request answered"
    );
    answer.response
}

/// Any request outside the API routes: `route-non-existent`.
pub async fn not_found(state: web::Data<AppState>) -> HttpResponse {
    let e = ApiError::new(
        Slug::RouteNonExistent,
        "There is no such route; every route is POST /api/v1/<resource>/<action>, documented at /documentation.",
    );
    let response = Outcome::error(e).into_response();
    state.metrics.observe_request(
        "unknown",
        Slug::RouteNonExistent.as_str(),
        response.status().as_u16(),
        std::time::Duration::ZERO,
    );
    response
}

fn header_str(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Steps 1 to 10 for one request.
pub async fn run(
    req: &HttpRequest,
    resource: &str,
    action: &str,
    payload: web::Payload,
    state: &web::Data<AppState>,
) -> Answer {
    // 1. Route exists.
    let route = match steps::route_exists(req.method(), resource, action) {
        Ok(r) => r,
        Err(e) => return Answer::error("unknown", e),
    };
    let label = route.path();
    macro_rules! step {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => return Answer::error(&label, e),
            }
        };
    }
    // 2. Identify the route. 3. Content type. 4. Decode.
    step!(state.registry.identify(route).await);
    step!(steps::content_type(
        route,
        header_str(req, header::CONTENT_TYPE)
    ));
    let body = step!(
        steps::read_body(
            header_str(req, header::CONTENT_LENGTH),
            payload,
            state.config.max_body_bytes
        )
        .await
    );
    let raw = step!(steps::decode(route, &body));
    // 5. Authenticate (refused without a look-up for an address with too
    // many failed authentications).
    let client = client_addr::client_key(client_addr::client_address(
        req.peer_addr().map(|a| a.ip()),
        req.headers(),
        &state.config.trusted_proxies,
    ));
    let auth::Authenticated {
        principal,
        order: order_read,
    } = step!(throttle::authenticate(state, &client, route, &raw).await);
    let session_view = auth::session_view(&raw);
    let session = auth::session_json(principal.as_ref(), session_view);
    macro_rules! step_s {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => {
                    return Answer::outcome(
                        &label,
                        Outcome::error(e).with_session(session.clone()),
                    );
                }
            }
        };
    }
    step_s!(auth::require_role_record(route, principal.as_ref()));
    // 6. Application and role.
    let acting = step_s!(auth::application_and_role(route, principal.as_ref(), &raw));
    // 7. Rate limit, per authenticated token (per client address on public
    // routes, so that varying an unchecked token buys nothing).
    let token = step_s!(auth::token_param(&raw)).map(|t| state.tokens.digest(t));
    let limit_key = match (&token, &principal) {
        (Some(digest), Some(_)) => format!("token:{digest}"),
        _ => client,
    };
    step_s!(state.limiter.check(&limit_key));
    // 8. Parameters.
    let now = state.clock.now();
    let mut errs = FieldErrors::default();
    let params = params::validate(&route.params, &raw, "", &mut errs);
    if let Some(check) = route.check {
        step_s!(check(state, &params, acting.actor.as_ref(), now, &mut errs).await);
    }
    if !errs.is_empty() {
        step_s!(Err(ApiError::from_field_errors(errs)));
    }
    // Log-in: failures per account (before any key is claimed).
    let login = step_s!(throttle::begin_login(state, route, &params));
    // Idempotency-Key, on the routes that honour it.
    let claim = if route.idempotent {
        let key = step_s!(idempotency::key_from_header(
            req.headers().get(idempotency::HEADER).map(|v| v.as_bytes())
        ));
        match key {
            None => None,
            Some(key) => {
                // Scoped to the principal, not the token: the same user
                // after a new log-in is deduplicated (contract §7).
                let scope_id = idempotency::principal_scope(principal.as_ref(), &limit_key);
                let request = idempotency::Request {
                    scope_id: &scope_id,
                    route,
                    params: &params,
                };
                match step_s!(
                    idempotency::start(
                        &*state.idempotency,
                        &state.config.fingerprint_key,
                        request,
                        key,
                        now
                    )
                    .await
                ) {
                    Start::Run(claim) => Some(claim),
                    Start::Replay { slug, body } => {
                        return Answer {
                            route: label,
                            slug,
                            response: json_response(slug.http_status().as_u16(), body, None),
                        };
                    }
                    Start::Bound(order) => {
                        let answered = idempotency::bound::answer(
                            state,
                            acting.actor.as_ref(),
                            &params,
                            order,
                        )
                        .await;
                        return Answer::outcome(
                            &label,
                            Outcome::from_result(answered).with_session(session),
                        );
                    }
                }
            }
        }
    } else {
        None
    };
    // 9. The use case (10: a panic in it is an application-crash). It runs
    // in its own task, so that a caller hanging up cannot stop a payment
    // half-way or leave an idempotency key claimed.
    let request = ApiRequest {
        route,
        principal,
        acting,
        session_view,
        now,
        idempotency: claim.clone(),
        order_read,
    };
    // The task carries the request's span, so that the use case's and the
    // store's log lines (an application-crash's error id too) name the
    // request id.
    let task_state = state.clone();
    let task = actix_web::rt::spawn(
        async move {
            let result = AssertUnwindSafe(handlers::dispatch(&task_state, request, params))
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| Err(crash(&panic_message(&*panic))));
            let outcome = Outcome::from_result(result).with_session(session);
            throttle::finish_login(&task_state, login, outcome.slug);
            if let Some(claim) = &claim {
                idempotency::finish(&*task_state.idempotency, claim, &outcome).await;
            }
            outcome
        }
        .instrument(tracing::Span::current()),
    );
    let outcome = task
        .await
        .unwrap_or_else(|e| Outcome::error(crash(&format!("the use case task failed: {e}"))));
    Answer::outcome(&label, outcome)
}
