//! The simulator's memory: the transactions it remembers, the duplicate window, and the
//! rules that forget old entries so the state stays bounded.

use super::{DUPLICATE_WINDOW, FINISHED_RETENTION};
use chrono::{DateTime, Utc};
use ordercore_domain::model::{Money, OrderId, StoredPaymentProfile};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxKind {
    Authorization,
    Charge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxState {
    Authorized,
    Captured,
    Voided,
}

#[derive(Debug, Clone)]
pub(super) struct SimTransaction {
    pub(super) order_id: OrderId,
    pub(super) kind: TxKind,
    pub(super) state: TxState,
    pub(super) amount: Money,
    pub(super) auth_code: String,
    pub(super) at: DateTime<Utc>,
    /// The profile charged, for `find_order_transactions`.
    pub(super) profile: StoredPaymentProfile,
}

#[derive(Debug)]
pub(super) struct State {
    pub(super) last_id: i64,
    /// Keyed by transaction id; ids increase, so this is creation order.
    pub(super) transactions: BTreeMap<i64, SimTransaction>,
    /// Transaction ids per order, for `find_unsettled_transaction`.
    pub(super) by_order: HashMap<OrderId, Vec<i64>>,
    /// Captured, charged or voided transactions, by the time they finished.
    pub(super) finished: VecDeque<(DateTime<Utc>, i64)>,
    /// Duplicate window: payment profile id → amount → time of the latest
    /// approval.
    pub(super) recent: HashMap<String, HashMap<Money, DateTime<Utc>>>,
    /// The approvals in `recent`, oldest first, to expire them.
    pub(super) recent_queue: VecDeque<(DateTime<Utc>, String, Money)>,
    pub(super) max_transactions: usize,
    pub(super) deleted_profiles: HashSet<String>,
}

impl State {
    pub(super) fn new(max_transactions: usize) -> State {
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
    pub(super) fn is_duplicate(&self, pp_id: &str, amount: Money, now: DateTime<Utc>) -> bool {
        self.recent
            .get(pp_id)
            .and_then(|amounts| amounts.get(&amount))
            .is_some_and(|at| now.signed_duration_since(*at) < DUPLICATE_WINDOW)
    }

    pub(super) fn remember_approval(&mut self, pp_id: &str, amount: Money, now: DateTime<Utc>) {
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
    pub(super) fn forget_old(&mut self, now: DateTime<Utc>) {
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
    pub(super) fn expire_approval(&mut self, pp_id: &str, amount: Money, now: DateTime<Utc>) {
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

    pub(super) fn insert(&mut self, id: i64, transaction: SimTransaction) {
        self.by_order
            .entry(transaction.order_id)
            .or_default()
            .push(id);
        if transaction.state == TxState::Captured {
            self.finished.push_back((transaction.at, id));
        }
        self.transactions.insert(id, transaction);
    }

    pub(super) fn forget(&mut self, id: i64) {
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
    pub(super) fn transaction_mut(&mut self, transaction_id: &str) -> Option<&mut SimTransaction> {
        let id = transaction_id
            .parse::<i64>()
            .ok()
            .filter(|id| id.to_string() == transaction_id)?;
        self.transactions.get_mut(&id)
    }

    /// Unique and increasing: the clock's milliseconds, or one more than the
    /// last id. Starting from the clock keeps ids increasing across restarts.
    pub(super) fn next_id(&mut self, now: DateTime<Utc>) -> i64 {
        self.last_id = (self.last_id + 1).max(now.timestamp_millis());
        self.last_id
    }
}

/// Queues a transaction that was just captured or voided for forgetting.
pub(super) fn finish(state: &mut State, transaction_id: &str, now: DateTime<Utc>) {
    if let Ok(id) = transaction_id.parse::<i64>() {
        state.finished.push_back((now, id));
        state.forget_old(now);
    }
}
