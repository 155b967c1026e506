//! `payments/capture` and `payments/void`, and the watch that warns staff
//! before an authorization expires ([`WatchAuthorizationExpiry`]).

mod expiry;

pub use expiry::{ExpiryWatchReport, WatchAuthorizationExpiry};

use crate::Unexpected;
use crate::model::{
    NotificationContext, NotificationKind, Order, Payment, PaymentId, PaymentStatus, Severity,
};
use crate::ports::{CaptureRequest, Clock, OrderRepository, PaymentError, PaymentGateway};
use crate::rules::orders::Actor;
use crate::rules::payments::{authorization_expired, authorization_expires_at};
use crate::usecases::Notifier;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Why a capture or void did not happen (or its outcome is unknown).
#[derive(Debug, thiserror::Error)]
pub enum PaymentActionError {
    /// → `invalid-param` on `id`: unknown, or not visible to the requester.
    #[error("no payment with this id")]
    NotFound,
    /// → `invalid-param` on `id`: capture of a payment that is not an open
    /// authorization, also one another capture or void has claimed.
    #[error("this payment is not an open authorization")]
    NotCapturable,
    /// → `order-not-cancelable`: also a payment another capture or void has
    /// claimed.
    #[error("this payment is not an open authorization and cannot be voided")]
    NotCancelable,
    /// → `authorization-expired`: capture of an authorization 30 days old
    /// or older (contract §4); refused before the processor is called and
    /// without claiming the payment, which stays `authorized` (a void still
    /// releases it).
    #[error("the authorization expired at {expired_at}")]
    AuthorizationExpired { expired_at: DateTime<Utc> },
    /// The processor refused or failed; mapped as in contract §9.
    #[error(transparent)]
    Payment(PaymentError),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// What capture and void share: find an open authorization the actor may
/// act on, claim it (`authorized` → `capturing`/`voiding`, a conditional
/// update: of concurrent callers only one wins, so only one reaches the
/// processor), ask the processor, then settle the claim.
struct OpenAuthorization {
    orders: Arc<dyn OrderRepository>,
    gateway: Arc<dyn PaymentGateway>,
    clock: Arc<dyn Clock>,
    notifier: Notifier,
}

/// One action on an open authorization: its claim and where it settles.
#[derive(Clone, Copy)]
struct Move {
    claim: PaymentStatus,
    to: PaymentStatus,
}

impl OpenAuthorization {
    /// The payment and its order, claimed for `step`; `not_open` when the
    /// payment is not an authorization in place (also when another caller
    /// claimed it first). Unknown and not-visible look the same. `refuse`
    /// sees the open authorization and the clock's instant before it is
    /// claimed: an error from it is the answer, and nothing is claimed.
    async fn claim(
        &self,
        actor: &Actor,
        id: PaymentId,
        step: Move,
        not_open: PaymentActionError,
        refuse: fn(&Payment, DateTime<Utc>) -> Result<(), PaymentActionError>,
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
        let now = self.clock.now();
        refuse(&payment, now)?;
        let won = self
            .orders
            .transition_payment(payment.id, PaymentStatus::Authorized, step.claim, now)
            .await
            .map_err(Unexpected::from)?;
        if !won {
            return Err(not_open);
        }
        Ok((payment, order))
    }

    /// Settles the claim after the processor's `answer`: success moves it to
    /// `step.to` and returns the order as stored now; a refusal gives the
    /// claim back (`authorized`); an unknown outcome leaves it claimed, so
    /// nobody acts on the payment until staff, told by a notification,
    /// reconcile it with the processor.
    async fn settle<T>(
        &self,
        payment: &Payment,
        step: Move,
        order: Order,
        answer: Result<T, PaymentError>,
    ) -> Result<Order, PaymentActionError> {
        let (to, refusal) = match answer {
            Ok(_) => (step.to, None),
            Err(e @ PaymentError::OutcomeUnknown { .. }) => {
                self.tell_staff(payment, step, "the processor did not say what it did")
                    .await;
                return Err(PaymentActionError::Payment(e));
            }
            Err(e) => (PaymentStatus::Authorized, Some(e)),
        };
        let moved = self
            .orders
            .transition_payment(payment.id, step.claim, to, self.clock.now())
            .await;
        if !matches!(moved, Ok(true)) {
            // The claim is ours: only a failing store leaves it in place.
            self.tell_staff(payment, step, "its outcome could not be recorded")
                .await;
            return Err(Unexpected::new(format!(
                "payment {}: the processor answered but {} → {} was not recorded ({})",
                payment.id,
                step.claim.as_str(),
                to.as_str(),
                match moved {
                    Err(e) => e.to_string(),
                    Ok(_) => "the claim was gone".to_string(),
                }
            ))
            .into());
        }
        if let Some(e) = refusal {
            return Err(PaymentActionError::Payment(e));
        }
        Ok(self
            .orders
            .find(order.id)
            .await
            .map_err(Unexpected::from)?
            .unwrap_or(order))
    }

    /// A payment left claimed needs a person: the processor may have moved
    /// money our rows do not show.
    async fn tell_staff(&self, payment: &Payment, step: Move, why: &str) {
        self.notifier
            .notify(
                NotificationKind::PaymentOutcomeUnknown,
                Severity::Critical,
                format!(
                    "Payment {} of order {} is left {}: {why}. Reconcile it with the processor.",
                    payment.id,
                    payment.order_id,
                    step.claim.as_str()
                ),
                NotificationContext::order(payment.order_id),
            )
            .await;
    }
}

/// Staff capture an authorized payment (`priorAuthCaptureTransaction`).
pub struct CapturePayment(OpenAuthorization);

impl CapturePayment {
    /// `notifier` tells staff about a payment left claimed (unknown outcome).
    pub fn new(
        orders: Arc<dyn OrderRepository>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
        notifier: Notifier,
    ) -> Self {
        Self(OpenAuthorization {
            orders,
            gateway,
            clock,
            notifier,
        })
    }

    /// Returns the order with the captured payment. Claims it first, so a
    /// concurrent void or capture of it gets `NotCapturable`. An
    /// authorization 30 days old or older is refused with
    /// `AuthorizationExpired` before anything is claimed or the processor is
    /// called: the processor would refuse it anyway.
    pub async fn run(&self, actor: &Actor, id: PaymentId) -> Result<Order, PaymentActionError> {
        let step = Move {
            claim: PaymentStatus::Capturing,
            to: PaymentStatus::Captured,
        };
        let (payment, order) = self
            .0
            .claim(
                actor,
                id,
                step,
                PaymentActionError::NotCapturable,
                |p, now| {
                    if authorization_expired(p.created_at, now) {
                        return Err(PaymentActionError::AuthorizationExpired {
                            expired_at: authorization_expires_at(p.created_at),
                        });
                    }
                    Ok(())
                },
            )
            .await?;
        let request = CaptureRequest {
            order_id: order.id,
            transaction_id: payment.transaction_id.clone(),
            amount: payment.amount,
        };
        let answer = self.0.gateway.capture(&request).await;
        self.0.settle(&payment, step, order, answer).await
    }
}

/// Voids an authorized payment; the order becomes `cancelled`. Staff may void
/// any; a client its own order's, while no appointment is confirmed (this
/// version has no confirmed appointments yet, so while the payment is an
/// open authorization).
pub struct VoidPayment(OpenAuthorization);

impl VoidPayment {
    /// `notifier` tells staff about a payment left claimed (unknown outcome).
    pub fn new(
        orders: Arc<dyn OrderRepository>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
        notifier: Notifier,
    ) -> Self {
        Self(OpenAuthorization {
            orders,
            gateway,
            clock,
            notifier,
        })
    }

    /// Returns the cancelled order. Claims the payment first, so a
    /// concurrent capture or void of it gets `NotCancelable`.
    pub async fn run(&self, actor: &Actor, id: PaymentId) -> Result<Order, PaymentActionError> {
        let step = Move {
            claim: PaymentStatus::Voiding,
            to: PaymentStatus::Voided,
        };
        let (payment, order) = self
            .0
            .claim(
                actor,
                id,
                step,
                PaymentActionError::NotCancelable,
                |_, _| Ok(()),
            )
            .await?;
        let answer = self.0.gateway.void(order.id, &payment.transaction_id).await;
        self.0.settle(&payment, step, order, answer).await
    }
}
