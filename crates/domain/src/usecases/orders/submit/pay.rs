//! Steps 4–6 of order submission: the card's expiry, the order recorded
//! `pending_payment` first, the processor, then finalize or release.

use super::{PaymentMode, SubmitOrder, SubmitOrderError, conflict_is_expended};
use crate::Unexpected;
use crate::crash_points::crash_point;
use crate::model::{
    NewOrder, NewPayment, NotificationContext, NotificationKind, Order, PaymentKind, PaymentMethod,
    PaymentStatus, Severity,
};
use crate::ports::{ClaimedKey, NewOutboxEmail, PaymentError, TransactionRequest};

impl SubmitOrder {
    /// Steps 4–6: expiry, record first, processor, finalize (or release).
    pub(super) async fn pay(
        &self,
        mode: PaymentMode,
        new: &NewOrder,
        method: &PaymentMethod,
        email: &NewOutboxEmail,
        key: Option<&ClaimedKey>,
    ) -> Result<(Order, crate::model::OutboxId), SubmitOrderError> {
        if method.expiry.is_expired_at(self.clock.now()) {
            return Err(SubmitOrderError::CardExpired);
        }
        let pending = self
            .orders
            .create_pending(new, self.clock.now())
            .await
            .map_err(conflict_is_expended)?;
        // Once the processor may act, the key belongs to this order: a retry
        // is answered from the order, never sent to the processor again.
        if let Some(key) = key {
            self.bind_key(key, pending.id).await?;
        }
        crash_point!("submit.after_pending");
        let request = TransactionRequest {
            order_id: pending.id,
            amount: new.pricing.total,
            profile: method.profile.clone(),
        };
        let outcome = match mode {
            PaymentMode::Authorize => self.gateway.authorize(&request).await,
            PaymentMode::Charge => self.gateway.charge(&request).await,
        };
        let approval = match outcome {
            Ok(a) => a,
            Err(PaymentError::OutcomeUnknown { .. }) => {
                // The processor may hold money: keep the order pending with
                // its reservation and have it looked up soon. If this write
                // fails the order is still pending, and the sweeper hands it
                // to the reconcile worker later.
                let now = self.clock.now();
                let _ = self
                    .orders
                    .schedule_reconciliation(pending.id, now + self.first_look_up, now)
                    .await;
                return Err(SubmitOrderError::PaymentOutcomeUnknown { order: pending.id });
            }
            Err(e) => {
                // If this write fails the order stays pending and the sweeper
                // hands it to the reconcile worker, which fails it; the caller still learns the processor's answer.
                let _ = self
                    .orders
                    .mark_payment_failed(pending.id, self.clock.now())
                    .await;
                self.notify_payment_problem(pending.id, &e).await;
                return Err(SubmitOrderError::Payment(e));
            }
        };
        crash_point!("submit.after_approval");
        if approval.held_for_review {
            self.notifier
                .notify(
                    NotificationKind::HeldForReview,
                    Severity::Warning,
                    format!(
                        "The payment of order {} is held for review by the processor.",
                        pending.id
                    ),
                    NotificationContext {
                        transaction_id: Some(approval.transaction_id.clone()),
                        ..NotificationContext::order(pending.id)
                    },
                )
                .await;
        }
        let payment = NewPayment {
            kind: match mode {
                PaymentMode::Authorize => PaymentKind::Authorization,
                PaymentMode::Charge => PaymentKind::Charge,
            },
            status: match (approval.held_for_review, mode) {
                (true, _) => PaymentStatus::HeldForReview,
                (false, PaymentMode::Authorize) => PaymentStatus::Authorized,
                (false, PaymentMode::Charge) => PaymentStatus::Captured,
            },
            amount: new.pricing.total,
            transaction_id: approval.transaction_id.clone(),
            auth_code: approval.auth_code.clone(),
            brand: method.brand,
            last4: method.last4.clone(),
            payment_method_id: method.id,
        };
        let finalized = self
            .orders
            .finalize_payment(&pending, &payment, email, self.clock.now())
            .await;
        let failure = match finalized {
            Ok(Some(done)) => return Ok(done),
            Ok(None) => "the order was no longer pending when its payment came back".to_string(),
            Err(e) => format!("recording the payment failed: {e}"),
        };
        // No money may move without an order that records it: undo the hold.
        let voided = self
            .gateway
            .void(pending.id, &approval.transaction_id)
            .await;
        match &voided {
            // The hold is gone: the order failed like any refused payment, and
            // its promotion redemption is released now rather than when the
            // reconcile worker reaches it (a retry would otherwise get
            // `promotion-expended`). A no-op when the order is no longer
            // pending; if it fails, the sweeper hands the order to the
            // reconcile worker, which releases it later.
            Ok(()) => {
                let _ = self
                    .orders
                    .mark_payment_failed(pending.id, self.clock.now())
                    .await;
            }
            // The hold remains: leave the order pending and have the
            // reconcile worker look it up and void it soon (the sweeper hands
            // it over if that cannot be recorded), and tell staff now.
            Err(void_error) => {
                let now = self.clock.now();
                let _ = self
                    .orders
                    .schedule_reconciliation(pending.id, now + self.first_look_up, now)
                    .await;
                self.notifier
                .notify(
                    NotificationKind::PaymentVoidFailed,
                    Severity::Critical,
                    format!(
                        "Order {} could not be recorded and its payment could not be voided: void it at the processor.",
                        pending.id
                    ),
                    NotificationContext {
                        error: Some(void_error.to_string()),
                        transaction_id: Some(approval.transaction_id.clone()),
                        ..NotificationContext::order(pending.id)
                    },
                )
                .await;
            }
        }
        Err(Unexpected::new(format!(
            "order {}: {failure}; void {}",
            pending.id,
            if voided.is_ok() {
                "succeeded"
            } else {
                "failed"
            }
        ))
        .into())
    }

    /// Binds the request's key to its pending order. Without the binding
    /// the processor is not called: the order fails (its promotion use is
    /// released) and the request crashes, which frees the unbound key.
    async fn bind_key(
        &self,
        key: &ClaimedKey,
        order: crate::model::OrderId,
    ) -> Result<(), SubmitOrderError> {
        let bound = match &self.keys {
            Some(keys) => keys.bind_order(&key.scope, &key.key, order).await,
            None => Ok(false),
        };
        let problem = match bound {
            Ok(true) => return Ok(()),
            Ok(false) => "its idempotency key is no longer claimed".to_string(),
            Err(e) => format!("its idempotency key could not be bound: {e}"),
        };
        let _ = self
            .orders
            .mark_payment_failed(order, self.clock.now())
            .await;
        Err(Unexpected::new(format!(
            "order {order}: {problem}; the processor was not called"
        ))
        .into())
    }

    /// Staff must hear of outcomes they have to act on.
    async fn notify_payment_problem(&self, order_id: crate::model::OrderId, e: &PaymentError) {
        let (kind, severity, message) = match e {
            PaymentError::InvalidCredentials { .. } => (
                NotificationKind::InvalidPaymentProcessorApiKeys,
                Severity::Critical,
                "The payment processor rejected our API credentials.".to_string(),
            ),
            _ => return,
        };
        self.notifier
            .notify(
                kind,
                severity,
                message,
                NotificationContext::order(order_id),
            )
            .await;
    }
}
