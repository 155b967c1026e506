//! Step 9: each route's call of its use case, and the rendering of its
//! result. One module per resource, named as in the other layers.
//!
//! A handler is an `async fn(&AppState, &ApiRequest, P)` where `P` is the
//! route's params struct (`#[derive(Deserialize)]`): the params validated
//! and normalised by step 8 deserialize into it, so a handler never looks a
//! param up by name. The route table names the handler ([`Handler::new`]);
//! what needs the domain's parsers (cards, e-mails, `json` params) is parsed
//! in the handler, every problem reported with its dotted path.

pub mod catalog;
pub mod events;
pub mod identity;
pub mod notifications;
pub mod orders;
pub mod payment_methods;
pub mod payments;
pub mod promotions;
pub mod webhooks;

use crate::envelope::{ApiError, Success};
use crate::errors::crash;
use crate::json_params::FieldErrors;
use crate::pipeline::auth::{Acting, OrderRead};
use crate::routes::RouteDef;
use crate::state::AppState;
use crate::views::SessionView;
use chrono::{DateTime, Utc};
use ordercore_domain::ports::Page;
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::Principal;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

/// A request that passed steps 1–8. Its params are not here: they reach
/// the handler as its route's typed params struct.
pub struct ApiRequest {
    pub route: &'static RouteDef,
    pub principal: Option<Principal>,
    pub acting: Acting,
    /// The view of the envelope's `session` member (a pipeline param).
    pub session_view: SessionView,
    pub now: DateTime<Utc>,
    /// The `Idempotency-Key` claimed for this request, if any: the
    /// submitting routes bind it to their order before paying.
    pub idempotency: Option<ordercore_domain::ports::ClaimedKey>,
    /// The order step 5 read with the session, on a route that asks for it.
    pub order_read: Option<OrderRead>,
}

impl ApiRequest {
    /// The actor of a role-restricted route (step 6 guarantees one).
    fn actor(&self) -> Result<&Actor, ApiError> {
        self.acting
            .actor
            .as_ref()
            .ok_or_else(|| crash(&format!("{} reached without an actor", self.route.path())))
    }
}

/// The params struct of a route whose handler reads none of its params
/// (sessions/destroy, services/index: only the pipeline's).
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct NoParams {}

/// The `page` and `per_page` params of a listing route.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Paging {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl Paging {
    /// The page asked for; the domain's default for what is absent.
    fn page(&self) -> Page {
        let d = Page::default();
        let get =
            |v: Option<i64>, default: u32| v.and_then(|i| u32::try_from(i).ok()).unwrap_or(default);
        Page {
            page: get(self.page, d.page),
            per_page: get(self.per_page, d.per_page),
        }
    }
}

/// A route-specific part of step 8 (parsing of `json` params, and for a
/// submission that already has problems, what resolving its references would
/// also find), run on the validated params so that its problems are listed
/// with the generic ones: one answer lists them all.
pub type Check = for<'a> fn(
    &'a AppState,
    &'a Map<String, Value>,
    Option<&'a Actor>,
    DateTime<Utc>,
    &'a mut FieldErrors,
) -> CheckFuture<'a>;

/// The future of a [`Check`].
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<(), ApiError>> + 'a>>;

/// What a route's params struct must be. In tests it must also serialize,
/// so that the table-versus-struct test can compare both ways.
#[cfg(not(test))]
pub trait Params: DeserializeOwned + 'static {}
#[cfg(not(test))]
impl<T: DeserializeOwned + 'static> Params for T {}
/// What a route's params struct must be. In tests it must also serialize,
/// so that the table-versus-struct test can compare both ways.
#[cfg(test)]
pub trait Params: DeserializeOwned + serde::Serialize + 'static {}
#[cfg(test)]
impl<T: DeserializeOwned + serde::Serialize + 'static> Params for T {}

/// The future a handler returns, boxed once its params type is erased.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<Success, ApiError>> + 'a>>;

/// An `async fn(&AppState, &ApiRequest, P) -> Result<Success, ApiError>`.
pub trait HandlerFn<'a, P>: Send + Sync + 'static {
    /// The handler's future, borrowing the state and the request.
    type Fut: Future<Output = Result<Success, ApiError>> + 'a;
    /// Runs the handler.
    fn call(&self, state: &'a AppState, req: &'a ApiRequest, params: P) -> Self::Fut;
}

impl<'a, P, F, Fut> HandlerFn<'a, P> for F
where
    F: Fn(&'a AppState, &'a ApiRequest, P) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Success, ApiError>> + 'a,
{
    type Fut = Fut;
    fn call(&self, state: &'a AppState, req: &'a ApiRequest, params: P) -> Fut {
        self(state, req, params)
    }
}

/// A handler with its params type erased, so that routes of different
/// params fit in one table.
trait Erased: Send + Sync {
    fn run<'a>(
        &'a self,
        state: &'a AppState,
        req: &'a ApiRequest,
        params: Map<String, Value>,
    ) -> HandlerFuture<'a>;
    #[cfg(test)]
    fn round_trip(&self, params: Map<String, Value>) -> Result<Value, String>;
}

struct Typed<P, H> {
    handler: H,
    params: PhantomData<fn() -> P>,
}

impl<P: Params, H: for<'a> HandlerFn<'a, P>> Erased for Typed<P, H> {
    fn run<'a>(
        &'a self,
        state: &'a AppState,
        req: &'a ApiRequest,
        params: Map<String, Value>,
    ) -> HandlerFuture<'a> {
        match serde_json::from_value::<P>(Value::Object(params)) {
            Ok(p) => Box::pin(self.handler.call(state, req, p)),
            Err(e) => {
                let cause = format!(
                    "the validated params of {} do not fit {}: {}",
                    req.route.path(),
                    std::any::type_name::<P>(),
                    redact_quoted(&e.to_string())
                );
                Box::pin(std::future::ready(Err(crash(&cause))))
            }
        }
    }

    #[cfg(test)]
    fn round_trip(&self, params: Map<String, Value>) -> Result<Value, String> {
        let p: P = serde_json::from_value(Value::Object(params)).map_err(|e| e.to_string())?;
        serde_json::to_value(p).map_err(|e| e.to_string())
    }
}

/// serde's messages quote the offending value, which may be a secret.
fn redact_quoted(message: &str) -> String {
    message
        .split('"')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { "…" } else { part })
        .collect::<Vec<_>>()
        .join("\"")
}

/// A route's handler together with its params struct: the required
/// `handler` field of every [`RouteDef`], so a route without a handler does
/// not compile.
pub struct Handler {
    erased: Box<dyn Erased>,
    params_type: &'static str,
}

impl Handler {
    /// Wraps `handler`; its params struct `P` is taken from its signature.
    pub fn new<P: Params, H: for<'a> HandlerFn<'a, P>>(handler: H) -> Handler {
        Handler {
            erased: Box::new(Typed {
                handler,
                params: PhantomData,
            }),
            params_type: std::any::type_name::<P>(),
        }
    }

    /// Deserializes `params` (validated by step 8) into the route's params
    /// struct and runs the handler; a params struct that does not fit is an
    /// `application-crash` with its reason logged.
    pub fn run<'a>(
        &'a self,
        state: &'a AppState,
        req: &'a ApiRequest,
        params: Map<String, Value>,
    ) -> HandlerFuture<'a> {
        self.erased.run(state, req, params)
    }

    /// `params` through the params struct and back to JSON (tests only).
    #[cfg(test)]
    pub fn round_trip(&self, params: Map<String, Value>) -> Result<Value, String> {
        self.erased.round_trip(params)
    }
}

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handler<{}>", self.params_type)
    }
}

/// Runs the route's handler with the request's validated params.
pub async fn dispatch(
    state: &AppState,
    req: ApiRequest,
    params: Map<String, Value>,
) -> Result<Success, ApiError> {
    req.route.handler.run(state, &req, params).await
}

#[cfg(test)]
mod tests;
