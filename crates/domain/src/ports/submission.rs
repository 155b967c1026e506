//! What an order submission reads before it prices, in one look-up.

use crate::StoreError;
use crate::model::{Client, ClientId, PaymentMethod, PaymentMethodId, Promotion};
use async_trait::async_trait;

/// The records an order submission needs about its client: the client, the
/// requested payment method and the requested promotion, read together.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubmissionContext {
    /// `None`: no client has this id.
    pub client: Option<Client>,
    /// The payment method with the requested id, whoever's it is and active
    /// or not (the use case checks both); `None` when none was requested or
    /// none has this id.
    pub method: Option<PaymentMethod>,
    /// The promotion with the requested code and whether this client has
    /// redeemed it. Its use count is filled in only when it has a cap (the
    /// only rule that reads it); an uncapped one shows 0.
    pub promotion: Option<(Promotion, bool)>,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SubmissionReads: Send + Sync {
    /// The client `client`, the payment method `method` and the promotion
    /// whose normalized code is `promotion_code`, in one look-up.
    async fn submission_context(
        &self,
        client: ClientId,
        method: Option<PaymentMethodId>,
        promotion_code: Option<String>,
    ) -> Result<SubmissionContext, StoreError>;
}
