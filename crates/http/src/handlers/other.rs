//! payment_methods/*, services/index, promotions/validate, payments/*,
//! notifications/index.

use super::ApiRequest;
use super::orders::{client_id, service_ids};
use crate::envelope::{ApiError, Success};
use crate::errors::{self, crash};
use crate::json_params::FieldErrors;
use crate::params::ParamsExt;
use crate::state::AppState;
use crate::views::{self, OrderView};
use ordercore_domain::model::{
    CardDetails, CardExpiry, CardNumber, ClientId, Cvc, Discount, PaymentId, PaymentMethodId,
};
use ordercore_domain::usecases::NewCard;
use serde_json::{Map, Value, json};

fn id(req: &ApiRequest) -> Result<i64, ApiError> {
    req.params
        .int_of("id")
        .ok_or_else(|| ApiError::missing_param("id"))
}

/// The card of `payment_method`, parsed by the domain's constructors.
fn card(pm: &Map<String, Value>) -> Result<NewCard, ApiError> {
    let mut errs = FieldErrors::default();
    let text = |k: &str| pm.str_of(k).unwrap_or_default().to_string();
    let path = |k: &str| format!("payment_method.{k}");
    let number = CardNumber::parse(&text("card_number"))
        .map_err(|e| errs.invalid(path("card_number"), e.reason))
        .ok();
    let cvc = Cvc::parse(&text("cvc"))
        .map_err(|e| errs.invalid(path("cvc"), e.reason))
        .ok();
    let expiry = CardExpiry::new(
        pm.int_of("exp_month").unwrap_or(0),
        pm.int_of("exp_year").unwrap_or(0),
    )
    .map_err(|e| errs.invalid(path("exp_month"), e.reason))
    .ok();
    let (Some(number), Some(cvc), Some(expiry)) = (number, cvc, expiry) else {
        return Err(ApiError::from_field_errors(errs));
    };
    Ok(NewCard {
        card: CardDetails {
            name_on_card: text("name_on_card"),
            number,
            cvc,
            expiry,
            street: text("street"),
            street2: pm.str_of("street2").map(str::to_string),
            city: text("city"),
            province_iso: text("province_iso").to_lowercase(),
            postal_code: text("postal_code"),
        },
        name: pm.str_of("name").map(str::to_string),
        is_default: pm.bool_of("default").unwrap_or(false),
    })
}

pub async fn add_payment_method(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let pm = req
        .params
        .obj_of("payment_method")
        .ok_or_else(|| ApiError::missing_param("payment_method"))?;
    let new = card(pm)?;
    let client = req.params.int_of("client_id").map(ClientId);
    let method = state
        .usecases
        .add_payment_method
        .run(actor, client, new)
        .await
        .map_err(errors::add_payment_method)?;
    Ok(Success::new(
        "Payment method added.",
        views::payment_method(&method),
    ))
}

pub async fn list_payment_methods(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let client = req.params.int_of("client_id").map(ClientId);
    let methods = state
        .usecases
        .list_payment_methods
        .run(actor, client)
        .await
        .map_err(errors::payment_method_lookup)?;
    let data: Vec<Value> = methods.iter().map(views::payment_method).collect();
    Ok(Success::new(
        format!("{} payment methods.", data.len()),
        Value::Array(data),
    ))
}

pub async fn remove_payment_method(
    state: &AppState,
    req: &ApiRequest,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let (method, processor) = state
        .usecases
        .remove_payment_method
        .run(actor, PaymentMethodId(id(req)?))
        .await
        .map_err(errors::payment_method_lookup)?;
    if let Err(e) = processor {
        // The card is deactivated here either way; the profile is left to staff.
        tracing::warn!(payment_method.id = %method.id, payment.error = %e, "could not delete the processor payment profile");
    }
    Ok(Success::new(
        "Payment method removed.",
        views::payment_method(&method),
    ))
}

pub async fn list_services(state: &AppState, _req: &ApiRequest) -> Result<Success, ApiError> {
    let services = state
        .usecases
        .list_services
        .run()
        .await
        .map_err(|e| crash(&e))?;
    let data: Vec<Value> = services.iter().map(views::service).collect();
    Ok(Success::new(
        format!("{} services.", data.len()),
        Value::Array(data),
    ))
}

pub async fn validate_promotion(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let code = req.params.str_of("promotion_code").unwrap_or_default();
    let order = req.params.obj_of("order");
    let quote = state
        .usecases
        .validate_promotion
        .run(
            actor,
            code,
            order.and_then(client_id),
            order.and_then(service_ids),
        )
        .await
        .map_err(errors::validate_promotion)?;
    let (kind, value) = match quote.promotion.discount {
        Discount::Percent { basis_points } => ("percent", i64::from(basis_points)),
        Discount::Amount(m) => ("amount", m.cents()),
    };
    let data = json!({
        "code": quote.promotion.code,
        "kind": kind,
        "value": value,
        "subtotal_cents": quote.pricing.map(|p| p.subtotal.cents()),
        "discount_cents": quote.pricing.map(|p| p.discount.cents()),
        "total_cents": quote.pricing.map(|p| p.total.cents()),
    });
    Ok(Success::new(
        format!("The promotion code {} is valid.", quote.promotion.code),
        data,
    ))
}

pub async fn capture(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let order = state
        .usecases
        .capture_payment
        .run(actor, PaymentId(id(req)?))
        .await
        .map_err(errors::payment_action)?;
    Ok(Success::new(
        format!("Payment of order {} captured.", order.id),
        views::order(&order, OrderView::Default),
    ))
}

pub async fn void(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let order = state
        .usecases
        .void_payment
        .run(actor, PaymentId(id(req)?))
        .await
        .map_err(errors::payment_action)?;
    Ok(Success::new(
        format!("Payment voided; order {} is cancelled.", order.id),
        views::order(&order, OrderView::Default),
    ))
}

pub async fn notifications(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let list = state
        .usecases
        .list_notifications
        .run(req.page())
        .await
        .map_err(|e| crash(&e))?;
    let data: Vec<Value> = list.iter().map(views::notification).collect();
    Ok(Success::new(
        format!("{} notifications.", data.len()),
        Value::Array(data),
    ))
}
