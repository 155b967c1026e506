//! promotions/validate.

use super::ApiRequest;
use super::orders::{OrderServices, client_id, service_ids};
use crate::envelope::{ApiError, Success};
use crate::errors;
use crate::state::AppState;
use ordercore_domain::model::Discount;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// promotions/validate.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ValidateParams {
    pub promotion_code: String,
    pub order: Option<OrderServices>,
}

/// The `data` of promotions/validate: the promotion and, when `order` was
/// given, the order's prices with it (`null` otherwise). Members in
/// alphabetical order, as every view.
#[derive(Debug, Serialize, JsonSchema)]
pub struct QuoteJson<'a> {
    pub code: &'a str,
    pub discount_cents: Option<i64>,
    /// `percent` (then `value` is in basis points) or `amount` (cents).
    pub kind: &'static str,
    pub subtotal_cents: Option<i64>,
    pub total_cents: Option<i64>,
    pub value: i64,
}

/// promotions/validate.
pub async fn validate_promotion(
    state: &AppState,
    req: &ApiRequest,
    p: ValidateParams,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let code = p.promotion_code.as_str();
    let order = p.order.as_ref();
    let quote = state
        .usecases
        .validate_promotion
        .run(
            actor,
            code,
            order.and_then(|o| client_id(o.client.as_ref())),
            order.map(|o| service_ids(&o.primary_service, o.add_on_services.as_deref())),
        )
        .await
        .map_err(errors::validate_promotion)?;
    let (kind, value) = match quote.promotion.discount {
        Discount::Percent { basis_points } => ("percent", i64::from(basis_points)),
        Discount::Amount(m) => ("amount", m.cents()),
    };
    let data = crate::views::value(QuoteJson {
        code: &quote.promotion.code,
        discount_cents: quote.pricing.map(|p| p.discount.cents()),
        kind,
        subtotal_cents: quote.pricing.map(|p| p.subtotal.cents()),
        total_cents: quote.pricing.map(|p| p.total.cents()),
        value,
    });
    Ok(Success::new(
        format!("The promotion code {} is valid.", quote.promotion.code),
        data,
    ))
}
