//! payment_methods/create, payment_methods/index, payment_methods/destroy.

use super::ApiRequest;
use crate::envelope::{ApiError, Success};
use crate::errors;
use crate::json_params::FieldErrors;
use crate::state::AppState;
use crate::views;
use ordercore_domain::model::{
    CardDetails, CardExpiry, CardNumber, ClientId, Cvc, PaymentMethodId,
};
use ordercore_domain::usecases::NewCard;
use serde::Deserialize;
use serde_json::Value;

/// payment_methods/create's `payment_method`. No `Debug`: it holds the card
/// number and CVC.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct CardParams {
    pub name_on_card: String,
    pub card_number: String,
    pub cvc: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub street: String,
    pub street2: Option<String>,
    pub city: String,
    pub province_iso: String,
    pub postal_code: String,
    pub name: Option<String>,
    pub default: Option<bool>,
}

/// payment_methods/create.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct CreateParams {
    pub client_id: Option<i64>,
    pub payment_method: CardParams,
}

/// payment_methods/index.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IndexParams {
    pub client_id: Option<i64>,
}

/// payment_methods/destroy.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct DestroyParams {
    pub id: i64,
}

/// The card of `payment_method`, parsed by the domain's constructors.
fn card(pm: CardParams) -> Result<NewCard, ApiError> {
    let mut errs = FieldErrors::default();
    let path = |k: &str| format!("payment_method.{k}");
    let number = CardNumber::parse(&pm.card_number)
        .map_err(|e| errs.invalid(path("card_number"), e.reason))
        .ok();
    let cvc = Cvc::parse(&pm.cvc)
        .map_err(|e| errs.invalid(path("cvc"), e.reason))
        .ok();
    let expiry = CardExpiry::new(pm.exp_month, pm.exp_year)
        .map_err(|e| errs.invalid(path("exp_month"), e.reason))
        .ok();
    let (Some(number), Some(cvc), Some(expiry)) = (number, cvc, expiry) else {
        return Err(ApiError::from_field_errors(errs));
    };
    Ok(NewCard {
        card: CardDetails {
            name_on_card: pm.name_on_card,
            number,
            cvc,
            expiry,
            street: pm.street,
            street2: pm.street2,
            city: pm.city,
            province_iso: pm.province_iso.to_lowercase(),
            postal_code: pm.postal_code,
        },
        name: pm.name,
        is_default: pm.default.unwrap_or(false),
    })
}

/// payment_methods/create.
pub async fn add_payment_method(
    state: &AppState,
    req: &ApiRequest,
    p: CreateParams,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let new = card(p.payment_method)?;
    let client = p.client_id.map(ClientId);
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

/// payment_methods/index.
pub async fn list_payment_methods(
    state: &AppState,
    req: &ApiRequest,
    p: IndexParams,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let client = p.client_id.map(ClientId);
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

/// payment_methods/destroy.
pub async fn remove_payment_method(
    state: &AppState,
    req: &ApiRequest,
    p: DestroyParams,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let (method, processor) = state
        .usecases
        .remove_payment_method
        .run(actor, PaymentMethodId(p.id))
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
