//! The read-only look-ups of [`AuthorizeNetGateway`]: which transactions the
//! processor made for an order.
//!
//! - `transactions_of`: getTransactionListForCustomerRequest, scoped to the
//!   order's customer profile and payment profile;
//! - `unsettled_transaction_of`: getUnsettledTransactionListRequest, the
//!   whole account.
//!
//! Both sort newest first and read every page (`config.list_page_size` per
//! page, 1000 by default). Newest first makes offset paging safe while new
//! transactions arrive: they push older entries onto the next page, so an
//! entry may be seen twice (ids are de-duplicated) but is never skipped.

use crate::AuthorizeNetGateway;
use crate::mapping::{CallKind, code_only};
use crate::replies::TransactionSummary;
use crate::requests::*;
use ordercore_domain::model::{Money, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{OrderTransaction, PaymentError, TransactionState};
use serde::Serialize;
use std::collections::HashSet;
use std::ops::ControlFlow;

/// Pages read at most per look-up (100 000 transactions at the default page
/// size); beyond it the look-up fails rather than answer from a partial list.
pub const MAX_LIST_PAGES: u32 = 100;

/// Statuses of a hold or a charge that a void still cancels.
const LIVE_STATUSES: [&str; 4] = [
    "authorizedPendingCapture",
    "capturedPendingSettlement",
    "FDSPendingReview",
    "FDSAuthorizedPendingReview",
];

impl AuthorizeNetGateway {
    /// Every transaction on `profile` whose invoiceNumber is `order_id`,
    /// newest first.
    pub(crate) async fn transactions_of(
        &self,
        order_id: OrderId,
        profile: &StoredPaymentProfile,
    ) -> Result<Vec<OrderTransaction>, PaymentError> {
        let invoice = order_id.to_string();
        let mut found = Vec::new();
        self.each_page(
            "getTransactionListForCustomerRequest",
            order_id,
            |paging| CustomerListEnvelope {
                request: CustomerListRequest {
                    merchant_authentication: self.auth(),
                    customer_profile_id: &profile.customer_profile_id,
                    customer_payment_profile_id: &profile.payment_profile_id,
                    sorting: newest_first(),
                    paging,
                },
            },
            |t| {
                if t.invoice_number.as_deref() == Some(invoice.as_str()) && on_profile(t, profile) {
                    found.push(order_transaction(t));
                }
                ControlFlow::Continue(())
            },
        )
        .await?;
        Ok(found)
    }

    /// The newest live transaction whose invoiceNumber is `order_id` among
    /// all unsettled transactions of the account.
    pub(crate) async fn unsettled_transaction_of(
        &self,
        order_id: OrderId,
    ) -> Result<Option<String>, PaymentError> {
        let invoice = order_id.to_string();
        let mut found = None;
        self.each_page(
            "getUnsettledTransactionListRequest",
            order_id,
            |paging| UnsettledListEnvelope {
                request: UnsettledListRequest {
                    merchant_authentication: self.auth(),
                    sorting: newest_first(),
                    paging,
                },
            },
            |t| {
                if t.invoice_number.as_deref() == Some(invoice.as_str())
                    && LIVE_STATUSES.contains(&t.transaction_status.as_str())
                {
                    found = Some(t.trans_id.clone());
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            },
        )
        .await?;
        Ok(found)
    }

    /// Sends `body(paging)` for pages 1, 2, … and hands each new transaction
    /// to `visit` until it breaks, a page comes back short or empty, or
    /// `totalNumInResultSet` transactions were paged through.
    async fn each_page<T: Serialize>(
        &self,
        call: &'static str,
        order_id: OrderId,
        body: impl Fn(Paging) -> T,
        mut visit: impl FnMut(&TransactionSummary) -> ControlFlow<()>,
    ) -> Result<(), PaymentError> {
        let limit = self.config().list_page_size.max(1);
        let mut seen = HashSet::new();
        for offset in 1..=MAX_LIST_PAGES {
            let request = body(Paging { limit, offset });
            let reply = self
                .call(call, CallKind::Other, Some(order_id), &request)
                .await?
                .reply;
            let transactions = reply.transactions.unwrap_or_default();
            for t in &transactions {
                if seen.insert(t.trans_id.clone()) && visit(t).is_break() {
                    return Ok(());
                }
            }
            let paged = u64::from(offset) * u64::from(limit);
            let short = transactions.len() < limit as usize;
            if short || reply.total_num_in_result_set.is_some_and(|n| paged >= n) {
                return Ok(());
            }
        }
        Err(PaymentError::External {
            code: None,
            detail: format!("the processor's list has more than {MAX_LIST_PAGES} pages"),
        })
    }
}

fn newest_first() -> Sorting {
    Sorting {
        order_by: "submitTimeUTC",
        order_descending: true,
    }
}

/// An entry that names a profile must name ours (the request already
/// scopes the list; this guards against an unscoped answer).
fn on_profile(t: &TransactionSummary, profile: &StoredPaymentProfile) -> bool {
    t.profile.as_ref().is_none_or(|p| {
        p.customer_profile_id.as_deref() == Some(profile.customer_profile_id.as_str())
            && p.customer_payment_profile_id
                .as_deref()
                .is_none_or(|id| id == profile.payment_profile_id)
    })
}

fn order_transaction(t: &TransactionSummary) -> OrderTransaction {
    OrderTransaction {
        transaction_id: t.trans_id.clone(),
        state: state_of(&t.transaction_status),
        status: code_only(&t.transaction_status).unwrap_or_default(),
        amount: t.settle_amount.as_ref().and_then(amount),
    }
}

/// `transactionStatus` → what is left to do about it. Statuses whose
/// meaning for a void we are not sure of (underReview, approvedReview,
/// pendingFinalSettlement, refunds, chargebacks, …) are `Unknown`.
pub fn state_of(status: &str) -> TransactionState {
    match status {
        "authorizedPendingCapture" | "FDSPendingReview" | "FDSAuthorizedPendingReview" => {
            TransactionState::Authorized
        }
        "capturedPendingSettlement" => TransactionState::CapturedPendingSettlement,
        "settledSuccessfully" | "pendingSettlement" | "updatingSettlement" => {
            TransactionState::Settled
        }
        "voided" => TransactionState::Voided,
        "declined" | "expired" | "failedReview" | "communicationError" | "generalError" => {
            TransactionState::Refused
        }
        _ => TransactionState::Unknown,
    }
}

/// `settleAmount`, a JSON number (or a numeric string) of dollars.
fn amount(value: &serde_json::Value) -> Option<Money> {
    let dollars = match value {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    let cents = (dollars * 100.0).round();
    if !cents.is_finite() || !(0.0..=1e15).contains(&cents) {
        return None;
    }
    Money::from_cents(cents as i64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_group_by_what_is_left_to_do() {
        assert_eq!(
            state_of("authorizedPendingCapture"),
            TransactionState::Authorized
        );
        assert_eq!(
            state_of("capturedPendingSettlement"),
            TransactionState::CapturedPendingSettlement
        );
        assert_eq!(state_of("settledSuccessfully"), TransactionState::Settled);
        assert_eq!(state_of("voided"), TransactionState::Voided);
        assert_eq!(state_of("declined"), TransactionState::Refused);
        assert_eq!(state_of("chargeback"), TransactionState::Unknown);
        for live in LIVE_STATUSES {
            assert!(matches!(
                state_of(live),
                TransactionState::Authorized | TransactionState::CapturedPendingSettlement
            ));
        }
    }

    #[test]
    fn settle_amounts_are_read_as_cents() {
        let cents = |v: serde_json::Value| amount(&v).map(Money::cents);
        assert_eq!(cents(serde_json::json!(123.45)), Some(12345));
        assert_eq!(cents(serde_json::json!(0.1)), Some(10));
        assert_eq!(cents(serde_json::json!("10.00")), Some(1000));
        assert_eq!(cents(serde_json::json!(-1)), None);
        assert_eq!(cents(serde_json::json!(null)), None);
    }
}
