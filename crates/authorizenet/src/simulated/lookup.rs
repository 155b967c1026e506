//! `find_order_transactions` of the simulated processor: what
//! getTransactionListForCustomer would list for one order and profile.

use super::{SimulatedGateway, TxState};
use ordercore_domain::model::{OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{OrderTransaction, TransactionState};

impl SimulatedGateway {
    /// The order's remembered transactions on `profile`, newest first, with
    /// the status Authorize.net would show (`authorizedPendingCapture`,
    /// `capturedPendingSettlement`, `voided`).
    pub(super) fn order_transactions(
        &self,
        order_id: OrderId,
        profile: &StoredPaymentProfile,
    ) -> Vec<OrderTransaction> {
        let state = self.state_at(self.clock.now());
        let mut ids: Vec<i64> = state.by_order.get(&order_id).cloned().unwrap_or_default();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.into_iter()
            .filter_map(|id| {
                let tx = state.transactions.get(&id)?;
                if &tx.profile != profile {
                    return None;
                }
                let (state, status) = match tx.state {
                    TxState::Authorized => {
                        (TransactionState::Authorized, "authorizedPendingCapture")
                    }
                    TxState::Captured => (
                        TransactionState::CapturedPendingSettlement,
                        "capturedPendingSettlement",
                    ),
                    TxState::Voided => (TransactionState::Voided, "voided"),
                };
                Some(OrderTransaction {
                    transaction_id: id.to_string(),
                    state,
                    status: status.to_string(),
                    amount: Some(tx.amount),
                })
            })
            .collect()
    }
}
