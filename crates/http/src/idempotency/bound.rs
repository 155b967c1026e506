//! The answer to a retry whose key is bound to an order with no stored
//! answer (the first request crashed after the processor may have acted,
//! its process died, or its answer could not be stored): the order's
//! settled state decides, and nothing is sent to the processor again
//! (contract §7, Idempotency-Key).

use crate::envelope::{ApiError, Success};
use crate::errors::{self, crash};
use crate::state::AppState;
use crate::views::{self, OrderView};
use ordercore_domain::model::{OrderId, OrderStatus};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::OrderLookupError;
use serde_json::{Map, Value};

/// A submitted (or since cancelled) order is answered as the original
/// success would have been, in the request's view; a pending or failed one
/// with the `external-application-error` answer that names it.
pub async fn answer(
    state: &AppState,
    actor: Option<&Actor>,
    params: &Map<String, Value>,
    order: OrderId,
) -> Result<Success, ApiError> {
    let actor =
        actor.ok_or_else(|| crash(&format!("key bound to order {order} without an actor")))?;
    let order = match state.usecases.read_order.run(actor, order).await {
        Ok(o) => o,
        Err(OrderLookupError::NotFound) => {
            return Err(crash(&format!(
                "idempotency key bound to order {order}, which its caller cannot read"
            )));
        }
        Err(OrderLookupError::Unexpected(u)) => return Err(crash(&u)),
    };
    match order.status {
        OrderStatus::Submitted | OrderStatus::Cancelled => {
            let view = params
                .get("view")
                .and_then(Value::as_str)
                .and_then(OrderView::parse)
                .unwrap_or(OrderView::Default);
            // The words of the submitting routes' success.
            Ok(Success::new(
                format!("Order {} submitted.", order.id),
                views::order(&order, view),
            ))
        }
        OrderStatus::PendingPayment | OrderStatus::PaymentFailed => {
            Err(errors::outcome_unknown(order.id, order.status))
        }
    }
}
