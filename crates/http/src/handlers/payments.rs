//! payments/capture, payments/void.

use super::ApiRequest;
use crate::envelope::{ApiError, Success};
use crate::errors;
use crate::state::AppState;
use crate::views::{self, OrderView};
use ordercore_domain::model::PaymentId;
use serde::Deserialize;

/// payments/capture, payments/void: our payment id.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct PaymentParams {
    pub id: i64,
}

/// payments/capture.
pub async fn capture(
    state: &AppState,
    req: &ApiRequest,
    p: PaymentParams,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let order = state
        .usecases
        .capture_payment
        .run(actor, PaymentId(p.id))
        .await
        .map_err(errors::payment_action)?;
    Ok(Success::new(
        format!("Payment of order {} captured.", order.id),
        views::order(&order, OrderView::Default),
    ))
}

/// payments/void.
pub async fn void(
    state: &AppState,
    req: &ApiRequest,
    p: PaymentParams,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let order = state
        .usecases
        .void_payment
        .run(actor, PaymentId(p.id))
        .await
        .map_err(errors::payment_action)?;
    Ok(Success::new(
        format!("Payment voided; order {} is cancelled.", order.id),
        views::order(&order, OrderView::Default),
    ))
}
