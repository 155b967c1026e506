//! The `simulated` payment processor: the `PaymentGateway` port in memory,
//! answering deterministically like the Authorize.net sandbox (SPEC §9).
//! It is what `make run` uses; no card is ever charged.
//!
//! Rules, checked in this order:
//!
//! | call | rule | answer |
//! |---|---|---|
//! | create payment profile | customer profile id not `sim-cust-<n>` | `External` E00040 |
//! | create payment profile | card number fails Luhn | `CardNumberInvalid` "6" |
//! | create payment profile | expiry month over | `CardExpired` (8) |
//! | create payment profile | otherwise (every Luhn-valid number, sandbox test cards included) | a self-describing id (see [`profile_id`]) |
//! | authorize / charge | profile ids not in the simulator's format, or deleted | `External` E00040 "record not found" |
//! | authorize / charge | an approved transaction on the same payment profile with the same amount less than 120 s ago | `Duplicate` (11) |
//! | authorize / charge | expiry month over | `CardExpired` (8) |
//! | authorize / charge | billing postal code 46282 | `Declined` "2" |
//! | authorize / charge | otherwise | `Approval` with a new, increasing transaction id |
//! | capture | unknown transaction | `Failed` "16" |
//! | capture | voided | `Failed` "310" |
//! | capture | a charge, or already captured | `Failed` "311" |
//! | capture | amount above the authorization | `Failed` "47" |
//! | void | unknown transaction | `Failed` "16" |
//! | void | already voided | `Failed` "310" |
//! | void | captured or charged | `Failed` "311" |
//! | find unsettled | | newest transaction of the order not voided |
//!
//! Only approved transactions open a duplicate window, so a declined attempt
//! can be retried at once. Postal code 46282 is accepted when the card is
//! stored (the sandbox's `testMode` validation does not reach the bank) and
//! declines at authorization, as in the sandbox.
//!
//! Transactions live in memory and are lost at restart (a capture or void of
//! a transaction made before a restart answers error 16); payment profiles
//! survive a restart because their ids carry what the rules need.

pub mod profile_id;

use crate::log::call_outcome;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordercore_domain::model::{CardDetails, CardExpiry, Money, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{
    Approval, CaptureRequest, Clock, CustomerProfileRequest, PaymentError, PaymentGateway,
    TransactionRequest,
};
use ordercore_domain::rules::card::luhn_valid;
use profile_id::{SimulatedPaymentProfile, customer_profile_id, is_customer_profile_id};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

const GATEWAY: &str = "simulated";

/// The billing postal code the sandbox declines (responseCode 2).
pub const DECLINING_POSTAL_CODE: &str = "46282";

/// The sandbox's duplicate window.
pub const DUPLICATE_WINDOW: chrono::TimeDelta = chrono::TimeDelta::seconds(120);

/// Authorize.net's sandbox test card numbers; all approve here (as does
/// any other number passing the Luhn check).
pub const SANDBOX_TEST_CARDS: [&str; 9] = [
    "4111111111111111",
    "4007000000027",
    "4012888818888",
    "5424000000000015",
    "2223000010309703",
    "370000000000002",
    "6011000000000012",
    "3088000000000017",
    "38000000000006",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxKind {
    Authorization,
    Charge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxState {
    Authorized,
    Captured,
    Voided,
}

#[derive(Debug, Clone)]
struct SimTransaction {
    order_id: OrderId,
    kind: TxKind,
    state: TxState,
    amount: Money,
    auth_code: String,
    payment_profile_id: String,
    at: DateTime<Utc>,
    /// Creation order, to find the newest.
    seq: u64,
}

#[derive(Debug, Default)]
struct State {
    last_id: i64,
    seq: u64,
    transactions: HashMap<String, SimTransaction>,
    deleted_profiles: HashSet<String>,
}

impl State {
    /// Unique and increasing: the clock's milliseconds, or one more than the
    /// last id. Starting from the clock keeps ids increasing across restarts.
    fn next_id(&mut self, now: DateTime<Utc>) -> i64 {
        self.last_id = (self.last_id + 1).max(now.timestamp_millis());
        self.last_id
    }
}

/// The in-memory processor. Cheap to share behind an `Arc`.
pub struct SimulatedGateway {
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

impl std::fmt::Debug for SimulatedGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedGateway").finish_non_exhaustive()
    }
}

impl SimulatedGateway {
    /// Logs (warn) that payments are simulated and kept in memory.
    pub fn new(clock: Arc<dyn Clock>) -> SimulatedGateway {
        tracing::warn!(
            payment.gateway = GATEWAY,
            "payments are simulated: no card is charged; simulated transactions are kept in memory and lost at restart"
        );
        SimulatedGateway {
            clock,
            state: Mutex::new(State::default()),
        }
    }

    /// A payment profile id the simulator accepts, for seed data: e.g.
    /// `payment_profile_id_for("80202", 2030, 12, "1111", 1)` =
    /// `sim-pp-80202-203012-1111-1`. `None` when the month or year is out of
    /// range or `last4` is not four digits.
    pub fn payment_profile_id_for(
        postal_code: &str,
        exp_year: i32,
        exp_month: u32,
        last4: &str,
        n: u64,
    ) -> Option<String> {
        let expiry = CardExpiry::new(i64::from(exp_month), i64::from(exp_year)).ok()?;
        if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(
            SimulatedPaymentProfile {
                postal_code: postal_code.to_string(),
                expiry,
                last4: last4.to_string(),
                n,
            }
            .id(),
        )
    }

    /// The customer profile id the simulator gives a client: `sim-cust-<id>`.
    pub fn customer_profile_id_for(client_id: ordercore_domain::model::ClientId) -> String {
        customer_profile_id(client_id)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every
        // update is a single insert or field write), so keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn transact(
        &self,
        kind: TxKind,
        request: &TransactionRequest,
    ) -> Result<Approval, PaymentError> {
        let now = self.clock.now();
        let pp_id = &request.profile.payment_profile_id;
        let mut state = self.state();
        let profile = SimulatedPaymentProfile::parse(pp_id)
            .filter(|_| is_customer_profile_id(&request.profile.customer_profile_id))
            .filter(|_| !state.deleted_profiles.contains(pp_id))
            .ok_or_else(record_not_found)?;
        let duplicate = state.transactions.values().any(|t| {
            &t.payment_profile_id == pp_id
                && t.amount == request.amount
                && now.signed_duration_since(t.at) < DUPLICATE_WINDOW
        });
        if duplicate {
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
        state.seq += 1;
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
            payment_profile_id: pp_id.clone(),
            at: now,
            seq: state.seq,
        };
        state.transactions.insert(id.to_string(), transaction);
        Ok(Approval {
            transaction_id: id.to_string(),
            auth_code: Some(auth_code),
            held_for_review: false,
        })
    }

    fn do_capture(&self, request: &CaptureRequest) -> Result<Approval, PaymentError> {
        let mut state = self.state();
        let tx = state
            .transactions
            .get_mut(&request.transaction_id)
            .ok_or_else(|| failed("16"))?;
        match (tx.kind, tx.state) {
            (_, TxState::Voided) => Err(failed("310")),
            (TxKind::Charge, _) | (_, TxState::Captured) => Err(failed("311")),
            _ if request.amount > tx.amount => Err(failed("47")),
            (TxKind::Authorization, TxState::Authorized) => {
                tx.state = TxState::Captured;
                Ok(Approval {
                    transaction_id: request.transaction_id.clone(),
                    auth_code: Some(tx.auth_code.clone()),
                    held_for_review: false,
                })
            }
        }
    }

    fn do_void(&self, transaction_id: &str) -> Result<(), PaymentError> {
        let mut state = self.state();
        let tx = state
            .transactions
            .get_mut(transaction_id)
            .ok_or_else(|| failed("16"))?;
        match tx.state {
            TxState::Voided => Err(failed("310")),
            TxState::Captured => Err(failed("311")),
            TxState::Authorized => {
                tx.state = TxState::Voided;
                Ok(())
            }
        }
    }

    fn do_create_payment_profile(
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

#[async_trait]
impl PaymentGateway for SimulatedGateway {
    /// Always `sim-cust-<client id>`: creating it twice gives the same id,
    /// as E00039 does at Authorize.net.
    async fn create_customer_profile(
        &self,
        request: &CustomerProfileRequest,
    ) -> Result<String, PaymentError> {
        let id = customer_profile_id(request.client_id);
        call_outcome(GATEWAY, "createCustomerProfileRequest", None, Ok(None));
        Ok(id)
    }

    async fn create_payment_profile(
        &self,
        customer_profile_id: &str,
        card: &CardDetails,
    ) -> Result<String, PaymentError> {
        let result = self.do_create_payment_profile(customer_profile_id, card);
        call_outcome(
            GATEWAY,
            "createCustomerPaymentProfileRequest",
            None,
            result.as_ref().map(|_| None),
        );
        result
    }

    /// Forgets the payment profile: later transactions on it answer E00040.
    async fn delete_payment_profile(
        &self,
        profile: &StoredPaymentProfile,
    ) -> Result<(), PaymentError> {
        let result = if SimulatedPaymentProfile::parse(&profile.payment_profile_id).is_some()
            && is_customer_profile_id(&profile.customer_profile_id)
            && self
                .state()
                .deleted_profiles
                .insert(profile.payment_profile_id.clone())
        {
            Ok(())
        } else {
            Err(record_not_found())
        };
        call_outcome(
            GATEWAY,
            "deleteCustomerPaymentProfileRequest",
            None,
            result.as_ref().map(|_| None),
        );
        result
    }

    async fn authorize(&self, request: &TransactionRequest) -> Result<Approval, PaymentError> {
        let result = self.transact(TxKind::Authorization, request);
        call_outcome(
            GATEWAY,
            "authOnlyTransaction",
            Some(request.order_id),
            result.as_ref().map(Some),
        );
        result
    }

    async fn charge(&self, request: &TransactionRequest) -> Result<Approval, PaymentError> {
        let result = self.transact(TxKind::Charge, request);
        call_outcome(
            GATEWAY,
            "authCaptureTransaction",
            Some(request.order_id),
            result.as_ref().map(Some),
        );
        result
    }

    async fn capture(&self, request: &CaptureRequest) -> Result<Approval, PaymentError> {
        let result = self.do_capture(request);
        call_outcome(
            GATEWAY,
            "priorAuthCaptureTransaction",
            Some(request.order_id),
            result.as_ref().map(Some),
        );
        result
    }

    async fn void(&self, order_id: OrderId, transaction_id: &str) -> Result<(), PaymentError> {
        let result = self.do_void(transaction_id);
        call_outcome(
            GATEWAY,
            "voidTransaction",
            Some(order_id),
            result.as_ref().map(|_| None),
        );
        result
    }

    async fn find_unsettled_transaction(
        &self,
        order_id: OrderId,
    ) -> Result<Option<String>, PaymentError> {
        let found = self
            .state()
            .transactions
            .iter()
            .filter(|(_, t)| t.order_id == order_id && t.state != TxState::Voided)
            .max_by_key(|(_, t)| t.seq)
            .map(|(id, _)| id.clone());
        call_outcome(
            GATEWAY,
            "getUnsettledTransactionListRequest",
            Some(order_id),
            Ok(None),
        );
        Ok(found)
    }
}

fn record_not_found() -> PaymentError {
    PaymentError::External {
        code: Some("E00040".to_string()),
        detail: "record not found".to_string(),
    }
}

fn failed(code: &str) -> PaymentError {
    PaymentError::Failed {
        error_code: Some(code.to_string()),
    }
}
