//! The staff console (`/console`): server-rendered HTML pages from which
//! employees act on notifications, orders and the kill switches. It is not
//! an API route: it does not go through the pipeline or the route table, but
//! it calls the same use cases the API calls, so the same rules give the
//! same answers. See docs/console.md.
//!
//! Every page is rendered from the minijinja templates under
//! `templates/console/` (auto-escaping on: every value is escaped), needs
//! no JavaScript, and carries the headers of [`headers`].

mod notifications;
mod orders;
mod pages;
mod session;
mod switches;

use crate::state::AppState;
use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{Error, HttpResponse, web};
use std::future::Future;

pub use session::{LOGIN_COOKIE, SESSION_COOKIE};

/// What every console answer carries: no caching (pages show personal data),
/// a policy that runs nothing but our own files (no inline script or style,
/// no framing, forms post only to us).
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Mounts `/console` and its pages on `cfg`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/console")
            .wrap_fn(headers)
            .route("", web::get().to(pages::index))
            .route("/", web::get().to(pages::index))
            .route("/console.css", web::get().to(pages::stylesheet))
            .route("/login", web::get().to(session::login_page))
            .route("/login", web::post().to(session::log_in))
            .route("/logout", web::post().to(session::log_out))
            .route("/notifications", web::get().to(notifications::list))
            .route(
                "/notifications/{id}/{step}",
                web::post().to(notifications::handle),
            )
            .route("/orders", web::get().to(orders::search))
            .route("/orders/{id}", web::get().to(orders::show))
            .route("/orders/{id}/{action}", web::post().to(orders::act))
            .route("/switches", web::get().to(switches::list))
            .route("/switches", web::post().to(switches::switch))
            .default_service(web::to(pages::not_found)),
    );
}

/// The console's headers (see [`CONTENT_SECURITY_POLICY`]).
fn headers<S>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<BoxBody>, Error>> + use<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error>,
{
    let call = srv.call(req);
    async move {
        let mut res = call.await?;
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        Ok(res)
    }
}

/// The state every handler reads.
type State = web::Data<AppState>;

/// A page or a redirect: handlers return this either way.
type Reply = Result<HttpResponse, HttpResponse>;

/// Collapses a [`Reply`].
fn reply(r: Reply) -> HttpResponse {
    r.unwrap_or_else(|e| e)
}
