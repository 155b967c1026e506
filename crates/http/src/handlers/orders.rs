//! orders/authorize_and_submit, orders/pay_and_submit, orders/read,
//! orders/index.

use super::{ApiRequest, Paging};
use crate::envelope::{ApiError, Success};
use crate::errors::{self, crash};
use crate::json_params::{FieldErrors, JsonObject};
use crate::params::ParamsExt;
use crate::property_json::{parse_property_access, parse_property_info};
use crate::state::AppState;
use crate::views::{self, OrderView};
use chrono::{DateTime, Utc};
use ordercore_domain::model::{
    AppointmentWindow, ClientId, OrderId, PaymentMethodId, PropertyAccess, PropertyInfo, ServiceId,
};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{OrderRequest, PaymentMode};
use serde::Deserialize;
use serde_json::{Map, Value};

/// `{ "id": integer }`: a reference to a record.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IdRef {
    pub id: i64,
}

/// One of `add_on_services`.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct AddOnRef {
    pub id: i64,
    pub quantity: Option<i64>,
}

/// The client and services of an order (`promotions/validate`'s `order`).
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct OrderServices {
    pub client: Option<IdRef>,
    pub primary_service: IdRef,
    pub add_on_services: Option<Vec<AddOnRef>>,
}

/// The `order` of the submitting routes.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct OrderParams {
    pub client: Option<IdRef>,
    pub primary_service: IdRef,
    pub add_on_services: Option<Vec<AddOnRef>>,
    pub property_info: Value,
    pub property_access: Value,
    pub appointments: Value,
}

/// orders/authorize_and_submit, orders/pay_and_submit.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct SubmitParams {
    pub view: Option<String>,
    pub payment_method_id: Option<i64>,
    pub promotion_code: Option<String>,
    pub order: OrderParams,
}

/// orders/read.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ReadParams {
    pub view: Option<String>,
    pub id: i64,
}

/// orders/index.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IndexParams {
    pub view: Option<String>,
    #[serde(flatten)]
    pub paging: Paging,
}

/// At most this many preferred appointment windows.
pub const MAX_APPOINTMENTS: usize = 3;

/// `order.appointments`: 1 to 3 windows, each valid at `now`.
fn parse_appointments(
    value: &Value,
    now: DateTime<Utc>,
    errs: &mut FieldErrors,
) -> Option<Vec<AppointmentWindow>> {
    const PATH: &str = "order.appointments";
    let Value::Array(items) = value else {
        errs.invalid(PATH, "must be an array of windows");
        return None;
    };
    if items.is_empty() || items.len() > MAX_APPOINTMENTS {
        errs.invalid(PATH, format!("must hold 1 to {MAX_APPOINTMENTS} windows"));
        return None;
    }
    let before = errs.0.len();
    let mut windows = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("{PATH}[{i}]");
        let Some(obj) = JsonObject::new(item, &path, errs) else {
            continue;
        };
        let instant = |key: &str, errs: &mut FieldErrors| {
            obj.parsed(
                key,
                true,
                |s| {
                    DateTime::parse_from_rfc3339(s)
                        .map(|t| t.to_utc())
                        .map_err(|_| {
                            ordercore_domain::model::InvalidValue::new(
                                "must be an RFC 3339 date-time",
                            )
                        })
                },
                errs,
            )
        };
        let (Some(starts), Some(ends)) = (instant("starts_at", errs), instant("ends_at", errs))
        else {
            continue;
        };
        match AppointmentWindow::new(starts, ends, now) {
            Ok(w) => windows.push(w),
            Err(e) => errs.invalid(path, e.reason),
        }
    }
    (errs.0.len() == before).then_some(windows)
}

type OrderJson = (PropertyInfo, PropertyAccess, Vec<AppointmentWindow>);

/// Parses the `json` fields of `order` (`property_info`, `property_access`,
/// `appointments`), adding every problem to `errs`.
fn parse_order_json(
    [info, access, appointments]: [Option<&Value>; 3],
    now: DateTime<Utc>,
    errs: &mut FieldErrors,
) -> Option<OrderJson> {
    let info = info.and_then(|v| {
        parse_property_info(v)
            .map_err(|e| errs.extend_prefixed("order.property_info", e))
            .ok()
    });
    let access = access.and_then(|v| {
        parse_property_access(v)
            .map_err(|e| errs.extend_prefixed("order.property_access", e))
            .ok()
    });
    let appointments = appointments.and_then(|v| parse_appointments(v, now, errs));
    Some((info?, access?, appointments?))
}

/// Step 8 for the submitting routes: the `json` fields of `order`.
pub fn check_order_json(params: &Map<String, Value>, now: DateTime<Utc>, errs: &mut FieldErrors) {
    if let Some(order) = params.obj_of("order") {
        let json = ["property_info", "property_access", "appointments"].map(|k| order.get(k));
        parse_order_json(json, now, errs);
    }
}

/// Step 8 for a submission that already has problems: what resolving its
/// references would also find, so that one answer lists every problem.
pub async fn add_resolution_problems(
    state: &AppState,
    params: &Map<String, Value>,
    actor: &Actor,
    errs: &mut FieldErrors,
) -> Result<(), ApiError> {
    let Some(order) = params.obj_of("order") else {
        return Ok(());
    };
    // Add-on problems are reported by index: when an add-on id was
    // unreadable, the readable ones would shift, so only the primary is
    // resolved then.
    let listed = order
        .get("add_on_services")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ids = map_service_ids(order).map(|(primary, add_ons)| {
        let add_ons = if add_ons.len() == listed {
            add_ons
        } else {
            Vec::new()
        };
        (primary, add_ons)
    });
    let problems = state
        .usecases
        .submit_order
        .resolution_problems(
            actor,
            order
                .obj_of("client")
                .and_then(|c| c.int_of("id"))
                .map(ClientId),
            ids.as_ref().map(|(p, a)| (*p, a.as_slice())),
            params.int_of("payment_method_id").map(PaymentMethodId),
        )
        .await
        .map_err(|u| crash(&u))?;
    errs.extend_domain(problems);
    Ok(())
}

/// `(primary, [(add-on, quantity)])` read from a partly valid `order`
/// (step 8 runs before the typed params exist).
fn map_service_ids(order: &Map<String, Value>) -> Option<(ServiceId, Vec<(ServiceId, u32)>)> {
    let primary = order.obj_of("primary_service")?.int_of("id")?;
    let add_ons = order
        .get("add_on_services")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|a| {
                    let quantity = a.int_of("quantity").unwrap_or(1);
                    Some((ServiceId(a.int_of("id")?), u32::try_from(quantity).ok()?))
                })
                .collect()
        })
        .unwrap_or_default();
    Some((ServiceId(primary), add_ons))
}

/// The `view` param of an order route (`default` when absent).
fn view(view: Option<&str>) -> OrderView {
    view.and_then(OrderView::parse)
        .unwrap_or(OrderView::Default)
}

/// `(primary, [(add-on, quantity)])` of an order.
pub fn service_ids(
    primary_service: &IdRef,
    add_on_services: Option<&[AddOnRef]>,
) -> (ServiceId, Vec<(ServiceId, u32)>) {
    let add_ons = add_on_services
        .map(|items| {
            items
                .iter()
                .filter_map(|a| {
                    let quantity = a.quantity.unwrap_or(1);
                    Some((ServiceId(a.id), u32::try_from(quantity).ok()?))
                })
                .collect()
        })
        .unwrap_or_default();
    (ServiceId(primary_service.id), add_ons)
}

/// `order.client.id`, when given.
pub fn client_id(client: Option<&IdRef>) -> Option<ClientId> {
    client.map(|c| ClientId(c.id))
}

/// orders/authorize_and_submit: an authorization hold on the card.
pub async fn authorize_and_submit(
    state: &AppState,
    req: &ApiRequest,
    p: SubmitParams,
) -> Result<Success, ApiError> {
    submit(state, req, p, PaymentMode::Authorize).await
}

/// orders/pay_and_submit: the card is charged at once.
pub async fn pay_and_submit(
    state: &AppState,
    req: &ApiRequest,
    p: SubmitParams,
) -> Result<Success, ApiError> {
    submit(state, req, p, PaymentMode::Charge).await
}

async fn submit(
    state: &AppState,
    req: &ApiRequest,
    p: SubmitParams,
    mode: PaymentMode,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let order = &p.order;
    let mut errs = FieldErrors::default();
    let json = [
        &order.property_info,
        &order.property_access,
        &order.appointments,
    ]
    .map(Some);
    let parsed = parse_order_json(json, req.now, &mut errs);
    let (primary, add_ons) = service_ids(&order.primary_service, order.add_on_services.as_deref());
    let Some((info, access, appointments)) = parsed else {
        return Err(ApiError::from_field_errors(errs));
    };
    let request = OrderRequest {
        client_id: client_id(order.client.as_ref()),
        primary_service_id: primary,
        add_ons,
        property_info: info,
        property_access: access,
        appointments,
        payment_method_id: p.payment_method_id.map(PaymentMethodId),
        promotion_code: p.promotion_code,
        idempotency: req.idempotency.clone(),
    };
    let view = view(p.view.as_deref());
    let placed = state
        .usecases
        .submit_order
        .run(mode, actor, request)
        .await
        .map_err(|e| errors::submit_order(e, view))?;
    Ok(Success::new(
        format!("Order {} submitted.", placed.id),
        views::order(&placed, view),
    ))
}

/// orders/read.
pub async fn read(state: &AppState, req: &ApiRequest, p: ReadParams) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let id = p.id;
    let order = state
        .usecases
        .read_order
        .run(actor, OrderId(id))
        .await
        .map_err(errors::order_lookup)?;
    Ok(Success::new(
        format!("Order {}.", order.id),
        views::order(&order, view(p.view.as_deref())),
    ))
}

/// orders/index.
pub async fn index(
    state: &AppState,
    req: &ApiRequest,
    p: IndexParams,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let orders = state
        .usecases
        .list_orders
        .run(actor, p.paging.page())
        .await
        .map_err(|u| crash(&u))?;
    let view = view(p.view.as_deref());
    let data: Vec<Value> = orders.iter().map(|o| views::order(o, view)).collect();
    Ok(Success::new(
        format!("{} orders.", data.len()),
        Value::Array(data),
    ))
}

/// Step 8 of the submitting routes: the `json` fields of `order`, and when
/// there are problems already, the resolution problems as well.
pub fn check_submission<'a>(
    state: &'a AppState,
    params: &'a Map<String, Value>,
    actor: Option<&'a Actor>,
    now: DateTime<Utc>,
    errs: &'a mut FieldErrors,
) -> super::CheckFuture<'a> {
    Box::pin(async move {
        check_order_json(params, now, errs);
        if let (false, Some(actor)) = (errs.is_empty(), actor) {
            add_resolution_problems(state, params, actor, errs).await?;
        }
        Ok(())
    })
}
