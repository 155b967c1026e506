//! Payments: the card processor (Authorize.Net) that authorizes, captures
//! and voids, and keeps the card data so ordercore never stores it.

use crate::model::{CardDetails, ClientId, Email, Money, OrderId, StoredPaymentProfile};
use async_trait::async_trait;

/// What the processor needs to create a customer profile (once per client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerProfileRequest {
    pub client_id: ClientId,
    pub email: Email,
    pub description: String,
}

/// An authorization or a charge against a stored payment profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRequest {
    /// Our order id: the processor's `refId` and invoice number.
    pub order_id: OrderId,
    pub amount: Money,
    pub profile: StoredPaymentProfile,
}

/// A capture of an earlier authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRequest {
    pub order_id: OrderId,
    pub transaction_id: String,
    pub amount: Money,
}

/// The processor approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub transaction_id: String,
    pub auth_code: Option<String>,
    /// responseCode 4: approved but held for review (contract §9).
    pub held_for_review: bool,
}

/// Where a transaction listed by the processor stands: its
/// `transactionStatus`, grouped by what is left to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionState {
    /// A hold (also one held for fraud review): a void releases it, a capture
    /// takes it.
    Authorized,
    /// Captured or charged, not settled yet: a void still cancels it.
    CapturedPendingSettlement,
    /// Money moved: only a refund undoes it.
    Settled,
    /// Voided: nothing is held.
    Voided,
    /// Declined, expired or failed: nothing was held or moved.
    Refused,
    /// A status we do not act on (refund, chargeback, settlement error, …):
    /// a person must look.
    Unknown,
}

/// One transaction the processor made for one of our orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderTransaction {
    pub transaction_id: String,
    pub state: TransactionState,
    /// The processor's status code (e.g. `authorizedPendingCapture`), for staff.
    pub status: String,
    /// The amount authorized or captured, when the processor gave one.
    pub amount: Option<Money>,
}

/// Every way a processor call can fail, one variant per row of contract §9. The
/// codes are the processor's, kept for staff; never card data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// responseCode 2 (incl. AVS/CVV declines) → `declined-payment`.
    #[error("the card was declined (error {error_code:?})")]
    Declined { error_code: Option<String> },
    /// error 6 or 37 → `card-number-invalid`.
    #[error("the processor says the card number is invalid (error {error_code})")]
    CardNumberInvalid { error_code: String },
    /// error 8 → `card-expired`.
    #[error("the processor says the card is expired")]
    CardExpired,
    /// error 11 → `duplicate-payment`. An earlier identical attempt may have
    /// gone through.
    #[error("the processor flagged a duplicate transaction")]
    Duplicate,
    /// Any other responseCode 3 → `failed-payment`.
    #[error("the processor returned an error for the transaction (error {error_code:?})")]
    Failed { error_code: Option<String> },
    /// E00007/E00008 with no transaction → `invalid-payment-processor-api-keys`.
    #[error("the processor rejected our API credentials ({code})")]
    InvalidCredentials { code: String },
    /// Any other processor error, HTTP error or unreadable reply →
    /// `external-application-error`. `code` is the processor's (E000xx) when
    /// it gave one. `detail` is not part of the text of the error (which
    /// reaches logs and staff notifications): only codes and our own words
    /// do, since a processor's free text can echo request data.
    #[error("the payment processor failed (code {code:?})")]
    External {
        code: Option<String>,
        detail: String,
    },
    /// The request was sent but the reply does not say what the processor
    /// did (timeout, connection lost, HTTP 5xx, unreadable reply to a
    /// money-moving call): it may have acted, so this must be reconciled,
    /// never treated as a refusal → `external-application-error` + notification.
    /// `detail` is left out of its text, like `External`'s.
    #[error("the payment processor did not say what it did")]
    OutcomeUnknown { detail: String },
}

/// The payment processor (Authorize.net, or the simulated sandbox).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// The customer profile id for a client; when the processor already has
    /// one for this client (E00039) its id is returned.
    async fn create_customer_profile(
        &self,
        request: &CustomerProfileRequest,
    ) -> Result<String, PaymentError>;
    /// Stores and validates a card under a customer profile; returns the
    /// payment profile id. Card refusals map as in contract §9.
    async fn create_payment_profile(
        &self,
        customer_profile_id: &str,
        card: &CardDetails,
    ) -> Result<String, PaymentError>;
    async fn delete_payment_profile(
        &self,
        profile: &StoredPaymentProfile,
    ) -> Result<(), PaymentError>;
    /// `authOnlyTransaction`: places a hold.
    async fn authorize(&self, request: &TransactionRequest) -> Result<Approval, PaymentError>;
    /// `authCaptureTransaction`: charges at once.
    async fn charge(&self, request: &TransactionRequest) -> Result<Approval, PaymentError>;
    /// `priorAuthCaptureTransaction`.
    async fn capture(&self, request: &CaptureRequest) -> Result<Approval, PaymentError>;
    /// `voidTransaction` of an unsettled transaction.
    async fn void(&self, order_id: OrderId, transaction_id: &str) -> Result<(), PaymentError>;
    /// The id of the newest live (voidable) unsettled transaction made for
    /// `order_id`, if any, searching every unsettled transaction of the
    /// account (all pages): how the sweeper finds a hold whose order never
    /// recorded it. Prefer [`PaymentGateway::find_order_transactions`] when
    /// the order's payment profile is known.
    async fn find_unsettled_transaction(
        &self,
        order_id: OrderId,
    ) -> Result<Option<String>, PaymentError>;
    /// Every transaction the processor lists on `profile` (customer profile
    /// and payment profile) whose invoice number is `order_id`, newest
    /// first, in any state (voided and settled included), read through all
    /// pages. Read-only: safe to repeat. `Ok(vec![])` means the processor
    /// lists none; an `Err` means we do not know and must never be read as
    /// "none". A request sent moments ago may still be in flight at the
    /// processor, so look again later before concluding that nothing
    /// happened.
    async fn find_order_transactions(
        &self,
        order_id: OrderId,
        profile: &StoredPaymentProfile,
    ) -> Result<Vec<OrderTransaction>, PaymentError>;
}

#[cfg(test)]
mod tests {
    use super::PaymentError;

    /// The text of a payment error (logged, stored in notifications) holds
    /// codes and our words, never the free text the adapter saw.
    #[test]
    fn the_text_of_a_payment_error_never_holds_its_detail() {
        let echoed = "card 4111111111111111 cvc 123";
        for e in [
            PaymentError::External {
                code: Some("E00027".into()),
                detail: echoed.into(),
            },
            PaymentError::OutcomeUnknown {
                detail: echoed.into(),
            },
        ] {
            let text = e.to_string();
            assert!(!text.contains("4111"), "{text}");
            assert!(!text.contains("cvc"), "{text}");
        }
        let coded = PaymentError::External {
            code: Some("E00027".into()),
            detail: echoed.into(),
        };
        assert!(coded.to_string().contains("E00027"));
    }
}
