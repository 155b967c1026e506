//! "Find what the processor did for this order and undo it": the reconcile
//! worker's one code path for an order whose payment was never recorded (an
//! unknown outcome, or a crash between the processor call and finalizing,
//! which the sweeper hands over).

use crate::StoreError;
use crate::model::{Order, StoredPaymentProfile};
use crate::ports::{
    OrderTransaction, PaymentError, PaymentGateway, PaymentMethodRepository, TransactionState,
};
use std::sync::Arc;

/// What undoing an order's payments found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Undone {
    /// Live holds and unsettled charges found and voided, by transaction id.
    pub voided: Vec<String>,
    /// Transactions a void cannot undo (settled: only a refund can; or a
    /// state we do not act on): a person must look.
    pub needs_person: Vec<OrderTransaction>,
}

/// Why undoing stopped: nothing can be concluded, try again later.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("the look-up at the processor failed: {0}")]
    LookUp(PaymentError),
    #[error("the void of transaction {transaction_id} failed: {error}")]
    Void {
        transaction_id: String,
        error: PaymentError,
    },
    #[error("the order's card could not be read: {0}")]
    Store(StoreError),
}

/// Looks an order's transactions up at the processor (scoped to the card's
/// payment profile) and voids every live one.
#[derive(Clone)]
pub(crate) struct ProcessorUndo {
    pub(crate) gateway: Arc<dyn PaymentGateway>,
    pub(crate) methods: Arc<dyn PaymentMethodRepository>,
}

impl ProcessorUndo {
    /// Voids every authorization and unsettled charge the processor lists
    /// for `order`, and reports what it cannot undo. Safe to repeat: a
    /// voided transaction is listed as voided next time. Stops at the first
    /// failed call.
    pub(crate) async fn undo(&self, order: &Order) -> Result<Undone, UndoError> {
        let transactions = match self.profile(order).await? {
            Some(profile) => self
                .gateway
                .find_order_transactions(order.id, &profile)
                .await
                .map_err(UndoError::LookUp)?,
            // No card to scope the look-up to (removed since): the scan of
            // every unsettled transaction finds a live one all the same.
            None => self
                .gateway
                .find_unsettled_transaction(order.id)
                .await
                .map_err(UndoError::LookUp)?
                .map(|id| OrderTransaction {
                    transaction_id: id,
                    state: TransactionState::Authorized,
                    status: "unsettled".into(),
                    amount: None,
                })
                .into_iter()
                .collect(),
        };
        let mut undone = Undone::default();
        for tx in transactions {
            match tx.state {
                TransactionState::Authorized | TransactionState::CapturedPendingSettlement => {
                    self.gateway
                        .void(order.id, &tx.transaction_id)
                        .await
                        .map_err(|error| UndoError::Void {
                            transaction_id: tx.transaction_id.clone(),
                            error,
                        })?;
                    undone.voided.push(tx.transaction_id);
                }
                TransactionState::Voided | TransactionState::Refused => {}
                TransactionState::Settled | TransactionState::Unknown => {
                    undone.needs_person.push(tx);
                }
            }
        }
        Ok(undone)
    }

    /// The processor profile of the order's card, if it still has one.
    async fn profile(&self, order: &Order) -> Result<Option<StoredPaymentProfile>, UndoError> {
        let Some(id) = order.payment_method_id else {
            return Ok(None);
        };
        let method = self.methods.find(id).await.map_err(UndoError::Store)?;
        Ok(method.map(|m| m.profile))
    }
}
