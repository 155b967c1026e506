//! One log line per processor call: the call, the order, the outcome and the
//! processor's codes. Never the transaction key, a card number or a CVC —
//! none of those reach this module.

use crate::mapping::{error_code, outcome_name};
use ordercore_domain::model::OrderId;
use ordercore_domain::ports::{Approval, PaymentError};

/// Logs the outcome of `call` (e.g. `authOnlyTransaction`) for `order_id`.
pub(crate) fn call_outcome(
    gateway: &'static str,
    call: &'static str,
    order_id: Option<OrderId>,
    outcome: Result<Option<&Approval>, &PaymentError>,
) {
    let name = outcome_name(&outcome);
    let order = order_id.map(|o| o.0);
    match outcome {
        Ok(approval) => tracing::info!(
            payment.gateway = gateway,
            payment.call = call,
            order.id = order,
            payment.outcome = name,
            payment.transaction_id = approval.map(|a| a.transaction_id.as_str()),
            "payment processor call succeeded"
        ),
        Err(error @ PaymentError::OutcomeUnknown { .. }) => tracing::error!(
            payment.gateway = gateway,
            payment.call = call,
            order.id = order,
            payment.outcome = name,
            error = %error,
            "payment processor call outcome unknown; reconcile with the processor"
        ),
        Err(error) => tracing::warn!(
            payment.gateway = gateway,
            payment.call = call,
            order.id = order,
            payment.outcome = name,
            payment.error_code = error_code(error),
            error = %error,
            "payment processor call refused"
        ),
    }
}
