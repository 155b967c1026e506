//! orders/authorize_and_submit, orders/pay_and_submit, orders/read,
//! orders/index.

use super::ApiRequest;
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
use ordercore_domain::rules::ordering::Actor;
use ordercore_domain::usecases::{OrderRequest, PaymentMode};
use serde_json::{Map, Value};

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

/// Parses the `json` fields of `order`, adding every problem to `errs`.
fn parse_order_json(
    order: &Map<String, Value>,
    now: DateTime<Utc>,
    errs: &mut FieldErrors,
) -> Option<OrderJson> {
    let info = order.get("property_info").and_then(|v| {
        parse_property_info(v)
            .map_err(|e| errs.extend_prefixed("order.property_info", e))
            .ok()
    });
    let access = order.get("property_access").and_then(|v| {
        parse_property_access(v)
            .map_err(|e| errs.extend_prefixed("order.property_access", e))
            .ok()
    });
    let appointments = order
        .get("appointments")
        .and_then(|v| parse_appointments(v, now, errs));
    Some((info?, access?, appointments?))
}

/// Step 8 for the submitting routes: the `json` fields of `order`.
pub fn check_order_json(params: &Map<String, Value>, now: DateTime<Utc>, errs: &mut FieldErrors) {
    if let Some(order) = params.obj_of("order") {
        parse_order_json(order, now, errs);
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
    let ids = service_ids(order).map(|(primary, add_ons)| {
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
            client_id(order),
            ids.as_ref().map(|(p, a)| (*p, a.as_slice())),
            params.int_of("payment_method_id").map(PaymentMethodId),
        )
        .await
        .map_err(|u| crash(&u))?;
    errs.extend_domain(problems);
    Ok(())
}

fn view(req: &ApiRequest) -> OrderView {
    req.params
        .str_of("view")
        .and_then(OrderView::parse)
        .unwrap_or(OrderView::Default)
}

/// `(primary, [(add-on, quantity)])` from a validated `order`.
pub fn service_ids(order: &Map<String, Value>) -> Option<(ServiceId, Vec<(ServiceId, u32)>)> {
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

/// `order.client.id`, when given.
pub fn client_id(order: &Map<String, Value>) -> Option<ClientId> {
    order
        .obj_of("client")
        .and_then(|c| c.int_of("id"))
        .map(ClientId)
}

pub async fn submit(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let order = req
        .params
        .obj_of("order")
        .ok_or_else(|| ApiError::missing_param("order"))?;
    let mut errs = FieldErrors::default();
    let parsed = parse_order_json(order, req.now, &mut errs);
    let ids = service_ids(order);
    let (Some((info, access, appointments)), Some((primary, add_ons))) = (parsed, ids) else {
        return Err(ApiError::from_field_errors(errs));
    };
    let request = OrderRequest {
        client_id: client_id(order),
        primary_service_id: primary,
        add_ons,
        property_info: info,
        property_access: access,
        appointments,
        payment_method_id: req.params.int_of("payment_method_id").map(PaymentMethodId),
        promotion_code: req.params.str_of("promotion_code").map(str::to_string),
    };
    let mode = if req.route.action == "pay_and_submit" {
        PaymentMode::Charge
    } else {
        PaymentMode::Authorize
    };
    let view = view(req);
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

pub async fn read(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let id = req
        .params
        .int_of("id")
        .ok_or_else(|| ApiError::missing_param("id"))?;
    let order = state
        .usecases
        .read_order
        .run(actor, OrderId(id))
        .await
        .map_err(errors::order_lookup)?;
    Ok(Success::new(
        format!("Order {}.", order.id),
        views::order(&order, view(req)),
    ))
}

pub async fn index(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let orders = state
        .usecases
        .list_orders
        .run(actor, req.page())
        .await
        .map_err(|u| crash(&u))?;
    let view = view(req);
    let data: Vec<Value> = orders.iter().map(|o| views::order(o, view)).collect();
    Ok(Success::new(
        format!("{} orders.", data.len()),
        Value::Array(data),
    ))
}
