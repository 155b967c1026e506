//! ordercore-http: the actix-web front end. The request pipeline of contract §3,
//! every route of contract §7–§8, and documentation generated from the same route
//! table that validates requests.
//!
//! The server builds an [`AppState`] from its adapters and use cases and
//! mounts [`configure`] (or uses [`app`]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod console;
pub mod conventions;
pub mod docs;
pub mod envelope;
pub mod errors;
mod handlers;
pub mod idempotency;
pub mod json_params;
pub mod metrics;
pub mod ops;
pub mod params;
pub mod pipeline;
pub mod property_json;
pub mod routes;
pub mod slug;
pub mod state;
pub mod views;

pub use envelope::{ApiError, Envelope};
pub use metrics::{MeteredGateway, MeteredMailer, Metrics};
pub use slug::Slug;
pub use state::{AlwaysReady, AppState, DomainPorts, HttpConfig, HttpPorts, Readiness, UseCases};

use actix_web::{App, web};

/// Mounts every route on `cfg`: the API, the documentation (`/` leads
/// there), the operational endpoints, `route-non-existent` for every other
/// path under `/api/v1/`, and a 404 pointing to the documentation for the
/// rest.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    let max_body = state.config.max_body_bytes;
    cfg.app_data(state)
        .app_data(web::PayloadConfig::new(max_body))
        .route("/healthz", web::get().to(ops::healthz))
        .route("/readyz", web::get().to(ops::readyz))
        .route("/metrics", web::get().to(ops::metrics))
        .route("/api/v1/openapi.json", web::get().to(ops::openapi))
        .route("/", web::get().to(ops::to_documentation))
        .route("/documentation", web::get().to(ops::documentation_index))
        .route("/documentation/", web::get().to(ops::documentation_index))
        .route(
            "/documentation/api/v1/{resource}/{action}",
            web::get().to(ops::documentation_route),
        )
        .route(
            "/api/v1/{resource}/{action}",
            web::route().to(pipeline::api),
        )
        .route("/api/v1/{rest:.*}", web::route().to(pipeline::not_found))
        .configure(console::configure)
        .default_service(web::to(ops::page_not_found));
}

/// The whole application, for the server binary and tests: [`configure`]
/// behind the [`conventions`] middleware (request id, caching headers).
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap_fn(conventions::wrap)
        .configure(|cfg| configure(cfg, state))
}
