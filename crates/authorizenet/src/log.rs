//! One log line per processor call: the call, the order, the outcome and the
//! processor's codes (HTTP status, resultCode, message code, responseCode,
//! errorCode, transId). Never the transaction key, a card number or a CVC —
//! none of those reach this module — and never the processor's free text
//! (message texts, errorText, bodies), which can echo request data: errors
//! carry only codes and our own words (see [`crate::mapping`]).

use crate::mapping::{code_only, error_code, outcome_name};
use crate::replies::ReplyCodes;
use ordercore_domain::model::OrderId;
use ordercore_domain::ports::{Approval, PaymentError};

/// Logs the outcome of `call` (e.g. `authOnlyTransaction`) for `order_id`
/// without reply codes (the simulated processor has no wire reply).
pub(crate) fn call_outcome(
    gateway: &'static str,
    call: &'static str,
    order_id: Option<OrderId>,
    outcome: Result<Option<&Approval>, &PaymentError>,
) {
    call_outcome_with_codes(gateway, call, order_id, outcome, &ReplyCodes::default());
}

/// Logs the outcome of `call` for `order_id` with the codes the reply
/// carried (default when there was no reply).
pub(crate) fn call_outcome_with_codes(
    gateway: &'static str,
    call: &'static str,
    order_id: Option<OrderId>,
    outcome: Result<Option<&Approval>, &PaymentError>,
    codes: &ReplyCodes,
) {
    let name = outcome_name(&outcome);
    let order = order_id.map(|o| o.0);
    let transaction_id = match outcome {
        Ok(Some(approval)) => code_only(&approval.transaction_id),
        _ => codes.trans_id.clone(),
    };
    let error_code = match outcome {
        Err(error) => error_code(error)
            .and_then(code_only)
            .or_else(|| codes.error_code.clone())
            .or_else(|| codes.message_code.clone()),
        Ok(_) => None,
    };
    let http_status = codes.http_status;
    let result_code = codes.result_code.as_deref();
    let message_code = codes.message_code.as_deref();
    let response_code = codes.response_code.as_deref();
    let transaction_id = transaction_id.as_deref();
    let error_code = error_code.as_deref();
    match outcome {
        Ok(_) => tracing::info!(
            payment.gateway = gateway,
            payment.call = call,
            order.id = order,
            payment.outcome = name,
            payment.http_status = http_status,
            payment.result_code = result_code,
            payment.message_code = message_code,
            payment.response_code = response_code,
            payment.transaction_id = transaction_id,
            "payment processor call succeeded"
        ),
        Err(error @ PaymentError::OutcomeUnknown { .. }) => tracing::error!(
            payment.gateway = gateway,
            payment.call = call,
            order.id = order,
            payment.outcome = name,
            payment.http_status = http_status,
            payment.result_code = result_code,
            payment.message_code = message_code,
            payment.response_code = response_code,
            payment.error_code = error_code,
            payment.transaction_id = transaction_id,
            error = %error,
            "payment processor call outcome unknown; reconcile with the processor"
        ),
        Err(error) => tracing::warn!(
            payment.gateway = gateway,
            payment.call = call,
            order.id = order,
            payment.outcome = name,
            payment.http_status = http_status,
            payment.result_code = result_code,
            payment.message_code = message_code,
            payment.response_code = response_code,
            payment.error_code = error_code,
            payment.transaction_id = transaction_id,
            error = %error,
            "payment processor call refused"
        ),
    }
}
