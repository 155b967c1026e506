//! `payments/capture` and `payments/void`.

use crate::Unexpected;
use crate::model::{Order, Payment, PaymentId, PaymentStatus};
use crate::ports::{CaptureRequest, Clock, OrderRepository, PaymentError, PaymentGateway};
use crate::rules::orders::Actor;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum PaymentActionError {
    /// → `invalid-param` on `id`: unknown, or not visible to the requester.
    #[error("no payment with this id")]
    NotFound,
    /// → `invalid-param` on `id`: capture of a payment that is not an open
    /// authorization.
    #[error("this payment is not an open authorization")]
    NotCapturable,
    /// → `order-not-cancelable`
    #[error("this payment is not an open authorization and cannot be voided")]
    NotCancelable,
    /// The processor refused or failed; mapped as in contract §9.
    #[error(transparent)]
    Payment(PaymentError),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// What capture and void share: find an open authorization the actor may
/// act on, ask the processor, then move the payment with a conditional update.
struct OpenAuthorization {
    orders: Arc<dyn OrderRepository>,
    gateway: Arc<dyn PaymentGateway>,
    clock: Arc<dyn Clock>,
}

impl OpenAuthorization {
    /// The payment and its order; `not_open` when the payment is not an
    /// authorization in place. Unknown and not-visible look the same.
    async fn load(
        &self,
        actor: &Actor,
        id: PaymentId,
        not_open: PaymentActionError,
    ) -> Result<(Payment, Order), PaymentActionError> {
        let payment = self
            .orders
            .find_payment(id)
            .await
            .map_err(Unexpected::from)?
            .ok_or(PaymentActionError::NotFound)?;
        let order = self
            .orders
            .find(payment.order_id)
            .await
            .map_err(Unexpected::from)?
            .filter(|o| actor.may_act_for(o.client.id))
            .ok_or(PaymentActionError::NotFound)?;
        if payment.status != PaymentStatus::Authorized {
            return Err(not_open);
        }
        Ok((payment, order))
    }

    /// Records the processor's success as `authorized → to` and returns the
    /// order as stored now. If the payment changed meanwhile, the processor
    /// has already acted, so this is an internal error, not a user's one.
    async fn record(
        &self,
        payment: &Payment,
        to: PaymentStatus,
        order: Order,
    ) -> Result<Order, PaymentActionError> {
        let changed = self
            .orders
            .transition_payment(payment.id, PaymentStatus::Authorized, to, self.clock.now())
            .await
            .map_err(Unexpected::from)?;
        if !changed {
            return Err(Unexpected::new(format!(
                "payment {} changed while the processor made it {}",
                payment.id,
                to.as_str()
            ))
            .into());
        }
        Ok(self
            .orders
            .find(order.id)
            .await
            .map_err(Unexpected::from)?
            .unwrap_or(order))
    }
}

/// Staff capture an authorized payment (`priorAuthCaptureTransaction`).
pub struct CapturePayment(OpenAuthorization);

impl CapturePayment {
    pub fn new(
        orders: Arc<dyn OrderRepository>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self(OpenAuthorization {
            orders,
            gateway,
            clock,
        })
    }

    /// Returns the order with the captured payment.
    pub async fn run(&self, actor: &Actor, id: PaymentId) -> Result<Order, PaymentActionError> {
        let (payment, order) = self
            .0
            .load(actor, id, PaymentActionError::NotCapturable)
            .await?;
        let request = CaptureRequest {
            order_id: order.id,
            transaction_id: payment.transaction_id.clone(),
            amount: payment.amount,
        };
        self.0
            .gateway
            .capture(&request)
            .await
            .map_err(PaymentActionError::Payment)?;
        self.0
            .record(&payment, PaymentStatus::Captured, order)
            .await
    }
}

/// Voids an authorized payment; the order becomes `cancelled`. Staff may void
/// any; a client its own order's, while no appointment is confirmed (this
/// version has no confirmed appointments yet, so while the payment is an
/// open authorization).
pub struct VoidPayment(OpenAuthorization);

impl VoidPayment {
    pub fn new(
        orders: Arc<dyn OrderRepository>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self(OpenAuthorization {
            orders,
            gateway,
            clock,
        })
    }

    pub async fn run(&self, actor: &Actor, id: PaymentId) -> Result<Order, PaymentActionError> {
        let (payment, order) = self
            .0
            .load(actor, id, PaymentActionError::NotCancelable)
            .await?;
        self.0
            .gateway
            .void(order.id, &payment.transaction_id)
            .await
            .map_err(PaymentActionError::Payment)?;
        self.0.record(&payment, PaymentStatus::Voided, order).await
    }
}
