//! Step 8 of the submitting routes: the `json` fields of `order` parsed
//! (the handler parses them the same way), and, when the body already has
//! problems, what resolving its references would also find.

use super::{AddOnRef, IdRef, OrderJsonParams, service_ids};
use crate::envelope::ApiError;
use crate::errors::crash;
use crate::json_params::{FieldErrors, JsonObject};
use crate::params::ParamsExt;
use crate::property_json::{parse_property_access, parse_property_info};
use crate::routes::MAX_APPOINTMENTS;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use ordercore_domain::model::{
    AppointmentWindow, ClientId, PaymentMethodId, PropertyAccess, PropertyInfo, ServiceId,
};
use ordercore_domain::rules::orders::Actor;
use serde::Deserialize;
use serde_json::{Map, Value};

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
pub(super) fn parse_order_json(
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
    let Some(order) = params.get("order").filter(|o| o.is_object()) else {
        return;
    };
    // Every field is an optional `Value`: an object always deserializes.
    if let Ok(json) = OrderJsonParams::deserialize(order) {
        parse_order_json(json.fields(), now, errs);
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
/// (step 8 runs before the typed params exist): the references that are
/// readable, through [`service_ids`].
fn map_service_ids(order: &Map<String, Value>) -> Option<(ServiceId, Vec<(ServiceId, u32)>)> {
    let primary = IdRef {
        id: order.obj_of("primary_service")?.int_of("id")?,
    };
    let add_ons: Option<Vec<AddOnRef>> = order
        .get("add_on_services")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|a| {
                    Some(AddOnRef {
                        id: a.int_of("id")?,
                        quantity: Some(a.int_of("quantity").unwrap_or(1)),
                    })
                })
                .collect()
        });
    Some(service_ids(&primary, add_ons.as_deref()))
}

/// Step 8 of the submitting routes: the `json` fields of `order`, and when
/// there are problems already, the resolution problems as well.
pub fn check_submission<'a>(
    state: &'a AppState,
    params: &'a Map<String, Value>,
    actor: Option<&'a Actor>,
    now: DateTime<Utc>,
    errs: &'a mut FieldErrors,
) -> crate::handlers::CheckFuture<'a> {
    Box::pin(async move {
        check_order_json(params, now, errs);
        if let (false, Some(actor)) = (errs.is_empty(), actor) {
            add_resolution_problems(state, params, actor, errs).await?;
        }
        Ok(())
    })
}
