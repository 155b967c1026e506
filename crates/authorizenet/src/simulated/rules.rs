//! The simulator's rules for each money-moving call (authorize or charge, capture, void,
//! storing a card) and the errors it answers with.

use super::profile_id::{SimulatedPaymentProfile, is_customer_profile_id};
use super::state::{SimTransaction, TxKind, TxState, finish};
use super::{DECLINING_POSTAL_CODE, SimulatedGateway};
use ordercore_domain::model::CardDetails;
use ordercore_domain::ports::{Approval, CaptureRequest, PaymentError, TransactionRequest};
use ordercore_domain::rules::payment_methods::luhn_valid;

impl SimulatedGateway {
    pub(super) fn transact(
        &self,
        kind: TxKind,
        request: &TransactionRequest,
    ) -> Result<Approval, PaymentError> {
        let now = self.clock.now();
        let pp_id = &request.profile.payment_profile_id;
        let mut state = self.state_at(now);
        let profile = SimulatedPaymentProfile::parse(pp_id)
            .filter(|_| is_customer_profile_id(&request.profile.customer_profile_id))
            .filter(|_| !state.deleted_profiles.contains(pp_id))
            .ok_or_else(record_not_found)?;
        if state.is_duplicate(pp_id, request.amount, now) {
            return Err(PaymentError::Duplicate);
        }
        if profile.expiry.is_expired_at(now) {
            return Err(PaymentError::CardExpired);
        }
        if profile.postal_code.starts_with(DECLINING_POSTAL_CODE) {
            return Err(PaymentError::Declined {
                error_code: Some("2".to_string()),
            });
        }
        let id = state.next_id(now);
        let auth_code = format!("SIM{:03}", id.rem_euclid(1000));
        let transaction = SimTransaction {
            order_id: request.order_id,
            kind,
            state: match kind {
                TxKind::Authorization => TxState::Authorized,
                TxKind::Charge => TxState::Captured,
            },
            amount: request.amount,
            auth_code: auth_code.clone(),
            at: now,
            profile: request.profile.clone(),
        };
        state.insert(id, transaction);
        state.remember_approval(pp_id, request.amount, now);
        state.forget_old(now);
        Ok(Approval {
            transaction_id: id.to_string(),
            auth_code: Some(auth_code),
            held_for_review: false,
        })
    }

    pub(super) fn do_capture(&self, request: &CaptureRequest) -> Result<Approval, PaymentError> {
        let now = self.clock.now();
        let mut state = self.state_at(now);
        let tx = state
            .transaction_mut(&request.transaction_id)
            .ok_or_else(|| failed("16"))?;
        match (tx.kind, tx.state) {
            (_, TxState::Voided) => Err(failed("310")),
            (TxKind::Charge, _) | (_, TxState::Captured) => Err(failed("311")),
            _ if request.amount > tx.amount => Err(failed("47")),
            (TxKind::Authorization, TxState::Authorized) => {
                tx.state = TxState::Captured;
                let approval = Approval {
                    transaction_id: request.transaction_id.clone(),
                    auth_code: Some(tx.auth_code.clone()),
                    held_for_review: false,
                };
                finish(&mut state, &request.transaction_id, now);
                Ok(approval)
            }
        }
    }

    pub(super) fn do_void(&self, transaction_id: &str) -> Result<(), PaymentError> {
        let now = self.clock.now();
        let mut state = self.state_at(now);
        let tx = state
            .transaction_mut(transaction_id)
            .ok_or_else(|| failed("16"))?;
        match tx.state {
            TxState::Voided => Err(failed("310")),
            TxState::Captured => Err(failed("311")),
            TxState::Authorized => {
                tx.state = TxState::Voided;
                finish(&mut state, transaction_id, now);
                Ok(())
            }
        }
    }

    pub(super) fn do_create_payment_profile(
        &self,
        customer_profile_id: &str,
        card: &CardDetails,
    ) -> Result<String, PaymentError> {
        if !is_customer_profile_id(customer_profile_id) {
            return Err(record_not_found());
        }
        if !luhn_valid(card.number.expose()) {
            return Err(PaymentError::CardNumberInvalid {
                error_code: "6".to_string(),
            });
        }
        let now = self.clock.now();
        if card.expiry.is_expired_at(now) {
            return Err(PaymentError::CardExpired);
        }
        let n = self.state().next_id(now);
        Ok(SimulatedPaymentProfile {
            postal_code: card.postal_code.clone(),
            expiry: card.expiry,
            last4: card.number.last4(),
            n: n.unsigned_abs(),
        }
        .id())
    }
}

pub(super) fn record_not_found() -> PaymentError {
    PaymentError::External {
        code: Some("E00040".to_string()),
        detail: "record not found".to_string(),
    }
}

pub(super) fn failed(code: &str) -> PaymentError {
    PaymentError::Failed {
        error_code: Some(code.to_string()),
    }
}
