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

use crate::log::call_outcome;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordercore_domain::model::{CardDetails, CardExpiry, Money, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{
    Approval, CaptureRequest, Clock, CustomerProfileRequest, OrderTransaction, PaymentError,
    PaymentGateway, TransactionRequest,
};
use ordercore_domain::rules::payment_methods::luhn_valid;
use profile_id::{SimulatedPaymentProfile, customer_profile_id, is_customer_profile_id};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
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
    at: DateTime<Utc>,
    /// The profile charged, for `find_order_transactions`.
    profile: StoredPaymentProfile,
}

#[derive(Debug)]
struct State {
    last_id: i64,
    /// Keyed by transaction id; ids increase, so this is creation order.
    transactions: BTreeMap<i64, SimTransaction>,
    /// Transaction ids per order, for `find_unsettled_transaction`.
    by_order: HashMap<OrderId, Vec<i64>>,
    /// Captured, charged or voided transactions, by the time they finished.
    finished: VecDeque<(DateTime<Utc>, i64)>,
    /// Duplicate window: payment profile id → amount → time of the latest
    /// approval.
    recent: HashMap<String, HashMap<Money, DateTime<Utc>>>,
    /// The approvals in `recent`, oldest first, to expire them.
    recent_queue: VecDeque<(DateTime<Utc>, String, Money)>,
    max_transactions: usize,
    deleted_profiles: HashSet<String>,
}

impl State {
    fn new(max_transactions: usize) -> State {
        State {
            last_id: 0,
            transactions: BTreeMap::new(),
            by_order: HashMap::new(),
            finished: VecDeque::new(),
            recent: HashMap::new(),
            recent_queue: VecDeque::new(),
            max_transactions: max_transactions.max(1),
            deleted_profiles: HashSet::new(),
        }
    }

    /// Whether an approval on `pp_id` for `amount` happened less than
    /// [`DUPLICATE_WINDOW`] before `now`.
    fn is_duplicate(&self, pp_id: &str, amount: Money, now: DateTime<Utc>) -> bool {
        self.recent
            .get(pp_id)
            .and_then(|amounts| amounts.get(&amount))
            .is_some_and(|at| now.signed_duration_since(*at) < DUPLICATE_WINDOW)
    }

    fn remember_approval(&mut self, pp_id: &str, amount: Money, now: DateTime<Utc>) {
        let latest = self
            .recent
            .entry(pp_id.to_string())
            .or_default()
            .entry(amount)
            .or_insert(now);
        *latest = (*latest).max(now);
        self.recent_queue
            .push_back((now, pp_id.to_string(), amount));
    }

    /// Drops what can no longer matter at `now` and enforces the limit.
    fn forget_old(&mut self, now: DateTime<Utc>) {
        while let Some((at, _, _)) = self.recent_queue.front() {
            if now.signed_duration_since(*at) < DUPLICATE_WINDOW {
                break;
            }
            if let Some((_, pp_id, amount)) = self.recent_queue.pop_front() {
                self.expire_approval(&pp_id, amount, now);
            }
        }
        while let Some(&(at, id)) = self.finished.front() {
            let over_limit = self.transactions.len() > self.max_transactions
                || self.finished.len() > self.max_transactions;
            if !over_limit && now.signed_duration_since(at) < FINISHED_RETENTION {
                break;
            }
            self.finished.pop_front();
            self.forget(id);
        }
        while self.transactions.len() > self.max_transactions {
            match self.transactions.keys().next().copied() {
                Some(id) => self.forget(id),
                None => break,
            }
        }
    }

    /// Removes the window entry unless a later approval renewed it.
    fn expire_approval(&mut self, pp_id: &str, amount: Money, now: DateTime<Utc>) {
        let Some(amounts) = self.recent.get_mut(pp_id) else {
            return;
        };
        if amounts
            .get(&amount)
            .is_some_and(|at| now.signed_duration_since(*at) >= DUPLICATE_WINDOW)
        {
            amounts.remove(&amount);
        }
        if amounts.is_empty() {
            self.recent.remove(pp_id);
        }
    }

    fn insert(&mut self, id: i64, transaction: SimTransaction) {
        self.by_order
            .entry(transaction.order_id)
            .or_default()
            .push(id);
        if transaction.state == TxState::Captured {
            self.finished.push_back((transaction.at, id));
        }
        self.transactions.insert(id, transaction);
    }

    fn forget(&mut self, id: i64) {
        let Some(tx) = self.transactions.remove(&id) else {
            return;
        };
        if let Some(ids) = self.by_order.get_mut(&tx.order_id) {
            ids.retain(|&other| other != id);
            if ids.is_empty() {
                self.by_order.remove(&tx.order_id);
            }
        }
    }

    /// The transaction for an id as the processor wrote it (canonical
    /// decimal); anything else is unknown.
    fn transaction_mut(&mut self, transaction_id: &str) -> Option<&mut SimTransaction> {
        let id = transaction_id
            .parse::<i64>()
            .ok()
            .filter(|id| id.to_string() == transaction_id)?;
        self.transactions.get_mut(&id)
    }

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

    fn transact(
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

    fn do_capture(&self, request: &CaptureRequest) -> Result<Approval, PaymentError> {
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

    fn do_void(&self, transaction_id: &str) -> Result<(), PaymentError> {
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

/// Queues a transaction that was just captured or voided for forgetting.
fn finish(state: &mut State, transaction_id: &str, now: DateTime<Utc>) {
    if let Ok(id) = transaction_id.parse::<i64>() {
        state.finished.push_back((now, id));
        state.forget_old(now);
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
