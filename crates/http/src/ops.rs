//! Operational endpoints and the documentation routes.

use crate::state::AppState;
use crate::{conventions, docs};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(json!({"status": "ok"}).to_string())
}

/// `GET /readyz`: the readiness check (the database) passes.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.readiness.check().await {
        Ok(()) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .body(json!({"status": "ready"}).to_string()),
        Err(reason) => {
            tracing::warn!(reason = %reason, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .body(json!({"status": "not-ready"}).to_string())
        }
    }
}

/// `GET /metrics`.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    state.metrics.refresh().await;
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/plain; version=0.0.4"))
        .body(state.metrics.render())
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, conventions::DOCUMENTATION_CACHE))
        .body(docs::OPENAPI_JSON.as_str())
}

fn html(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, conventions::DOCUMENTATION_CACHE))
        .body(body)
}

/// `GET /documentation`.
pub async fn documentation_index() -> HttpResponse {
    html(docs::INDEX_PAGE.as_str())
}

/// `GET /documentation/api/v1/{resource}/{action}`.
pub async fn documentation_route(path: web::Path<(String, String)>) -> HttpResponse {
    let (resource, action) = path.into_inner();
    match docs::ROUTE_PAGES.get(&format!("{resource}/{action}")) {
        Some(page) => html(page),
        None => page_not_found().await,
    }
}

/// `GET /`: the documentation (308, so that a client keeps the method).
pub async fn to_documentation() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/documentation"))
        .finish()
}

/// Any path outside `/api/v1/` that is not a page: 404, pointing to the
/// documentation (paths under `/api/v1/` answer the contract's
/// `route-non-existent` instead).
pub async fn page_not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body(
            "Not found. The API is POST /api/v1/<resource>/<action>; \
             every route is documented at /documentation.\n",
        )
}
