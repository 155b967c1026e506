//! The `simulated` payment processor: the `PaymentGateway` port in memory,
//! answering deterministically like the Authorize.net sandbox (contract §9).
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
//! | find order transactions | | the order's remembered transactions on that profile, newest first |
//!
//! Only approved transactions open a duplicate window, so a declined attempt
//! can be retried at once. Postal code 46282 is accepted when the card is
//! stored (the sandbox's `testMode` validation does not reach the bank) and
//! declines at authorization, as in the sandbox.
//!
//! Transactions live in memory and are lost at restart (a capture or void of
//! a transaction made before a restart answers error 16); payment profiles
//! survive a restart because their ids carry what the rules need.
//!
//! Memory stays bounded over a long run:
//! - the duplicate window is indexed by (payment profile id, amount), and
//!   entries are dropped once they are [`DUPLICATE_WINDOW`] old;
//! - a captured, charged or voided transaction is forgotten
//!   [`FINISHED_RETENTION`] after it was captured, charged or voided (the
//!   processor settles daily; a settled transaction is no longer unsettled);
//! - at most [`MAX_TRACKED_TRANSACTIONS`] transactions are kept (see
//!   [`SimulatedGateway::with_transaction_limit`]); beyond it the oldest
//!   finished transaction is forgotten first, then the oldest authorization.
//!
//! A capture or void of a forgotten transaction answers error 16, as after a
//! restart, and `find_unsettled_transaction` no longer returns it.

mod lookup;
pub mod profile_id;
mod rules;
mod state;

use crate::log::call_outcome;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordercore_domain::model::{CardDetails, CardExpiry, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{
    Approval, CaptureRequest, Clock, CustomerProfileRequest, OrderTransaction, PaymentError,
    PaymentGateway, TransactionRequest,
};
use profile_id::{SimulatedPaymentProfile, customer_profile_id, is_customer_profile_id};
use rules::record_not_found;
use state::{State, TxKind, TxState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

const GATEWAY: &str = "simulated";

/// The billing postal code the sandbox declines (responseCode 2).
pub const DECLINING_POSTAL_CODE: &str = "46282";

/// The sandbox's duplicate window.
pub const DUPLICATE_WINDOW: chrono::TimeDelta = chrono::TimeDelta::seconds(120);

/// How long a captured, charged or voided transaction is remembered after it
/// was captured, charged or voided.
pub const FINISHED_RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The most transactions [`SimulatedGateway::new`] remembers (a few tens of
/// megabytes at most).
pub const MAX_TRACKED_TRANSACTIONS: usize = 100_000;

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
        SimulatedGateway::with_transaction_limit(clock, MAX_TRACKED_TRANSACTIONS)
    }

    /// As [`SimulatedGateway::new`], remembering at most `limit` transactions
    /// (at least one).
    pub fn with_transaction_limit(clock: Arc<dyn Clock>, limit: usize) -> SimulatedGateway {
        tracing::warn!(
            payment.gateway = GATEWAY,
            "payments are simulated: no card is charged; simulated transactions are kept in memory and lost at restart"
        );
        SimulatedGateway {
            clock,
            state: Mutex::new(State::new(limit)),
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

    /// The state with what no longer matters at `now` dropped.
    fn state_at(&self, now: DateTime<Utc>) -> MutexGuard<'_, State> {
        let mut state = self.state();
        state.forget_old(now);
        state
    }

    /// How many transactions are remembered (for tests).
    #[doc(hidden)]
    pub fn tracked_transactions(&self) -> usize {
        self.state().transactions.len()
    }

    /// How many (payment profile, amount) pairs are in the duplicate window
    /// index (for tests).
    #[doc(hidden)]
    pub fn tracked_duplicate_windows(&self) -> usize {
        self.state().recent.values().map(HashMap::len).sum()
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
        let found = {
            let state = self.state_at(self.clock.now());
            state
                .by_order
                .get(&order_id)
                .into_iter()
                .flatten()
                .filter(|id| {
                    state
                        .transactions
                        .get(id)
                        .is_some_and(|t| t.state != TxState::Voided)
                })
                .max()
                .map(i64::to_string)
        };
        call_outcome(
            GATEWAY,
            "getUnsettledTransactionListRequest",
            Some(order_id),
            Ok(None),
        );
        Ok(found)
    }

    /// The order's remembered transactions on `profile`, newest first
    /// (voided and captured included; forgotten ones are not listed).
    async fn find_order_transactions(
        &self,
        order_id: OrderId,
        profile: &StoredPaymentProfile,
    ) -> Result<Vec<OrderTransaction>, PaymentError> {
        let found = self.order_transactions(order_id, profile);
        call_outcome(
            GATEWAY,
            "getTransactionListForCustomerRequest",
            Some(order_id),
            Ok(None),
        );
        Ok(found)
    }
}
