//! `payments/capture` and `payments/void`.

use crate::Unexpected;
use crate::model::{Order, PaymentId, PaymentStatus};
use crate::ports::{CaptureRequest, Clock, OrderRepository, PaymentError, PaymentGateway};
use crate::rules::ordering::Actor;
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
    /// The processor refused or failed; mapped as in SPEC §9.
    #[error(transparent)]
    Payment(PaymentError),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Staff capture an authorized payment (`priorAuthCaptureTransaction`).
pub struct CapturePayment {
    orders: Arc<dyn OrderRepository>,
    gateway: Arc<dyn PaymentGateway>,
    clock: Arc<dyn Clock>,
}

impl CapturePayment {
    pub fn new(
        orders: Arc<dyn OrderRepository>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            orders,
            gateway,
            clock,
        }
    }

    /// Returns the order with the captured payment.
    pub async fn run(&self, actor: &Actor, id: PaymentId) -> Result<Order, PaymentActionError> {
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
            .ok_or(PaymentActionError::NotFound)?;
        if !actor.may_act_for(order.client.id) {
            return Err(PaymentActionError::NotFound);
        }
        if payment.status != PaymentStatus::Authorized {
            return Err(PaymentActionError::NotCapturable);
        }
        let request = CaptureRequest {
            order_id: order.id,
            transaction_id: payment.transaction_id.clone(),
            amount: payment.amount,
        };
        self.gateway
            .capture(&request)
            .await
            .map_err(PaymentActionError::Payment)?;
        let changed = self
            .orders
            .transition_payment(
                id,
                PaymentStatus::Authorized,
                PaymentStatus::Captured,
                self.clock.now(),
            )
            .await
            .map_err(Unexpected::from)?;
        if !changed {
            return Err(
                Unexpected(format!("payment {id} changed while it was being captured")).into(),
            );
        }
        reload(&*self.orders, order).await
    }
}

/// Voids an authorized payment; the order becomes `cancelled`. Staff may void
/// any; a client its own order's, while no appointment is confirmed (this
/// version has no confirmed appointments yet, so while the payment is an
/// open authorization).
pub struct VoidPayment {
    orders: Arc<dyn OrderRepository>,
    gateway: Arc<dyn PaymentGateway>,
    clock: Arc<dyn Clock>,
}

impl VoidPayment {
    pub fn new(
        orders: Arc<dyn OrderRepository>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            orders,
            gateway,
            clock,
        }
    }

    pub async fn run(&self, actor: &Actor, id: PaymentId) -> Result<Order, PaymentActionError> {
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
            .ok_or(PaymentActionError::NotFound)?;
        if !actor.may_act_for(order.client.id) {
            return Err(PaymentActionError::NotFound);
        }
        if payment.status != PaymentStatus::Authorized {
            return Err(PaymentActionError::NotCancelable);
        }
        self.gateway
            .void(order.id, &payment.transaction_id)
            .await
            .map_err(PaymentActionError::Payment)?;
        let changed = self
            .orders
            .transition_payment(
                id,
                PaymentStatus::Authorized,
                PaymentStatus::Voided,
                self.clock.now(),
            )
            .await
            .map_err(Unexpected::from)?;
        if !changed {
            return Err(PaymentActionError::NotCancelable);
        }
        reload(&*self.orders, order).await
    }
}

async fn reload(orders: &dyn OrderRepository, order: Order) -> Result<Order, PaymentActionError> {
    Ok(orders
        .find(order.id)
        .await
        .map_err(Unexpected::from)?
        .unwrap_or(order))
}
