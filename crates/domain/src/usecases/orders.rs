//! Order use cases: read and list orders ([`ReadOrder`], [`ListOrders`]),
//! submit them with their payment ([`SubmitOrder`], contract §7), look up
//! and undo unknown payment outcomes ([`ReconcilePayments`]), and hand the
//! orders a crash left in `pending_payment` to that same worker
//! ([`SweepPendingPayments`]), so one code path undoes what the processor
//! did.

mod read;
mod reconcile;
pub(crate) mod resolve;
mod submit;
mod sweep;
mod undo;

pub use read::{ListOrders, OrderLookupError, ReadOrder, SearchOrders};
pub use reconcile::{ReconcilePayments, ReconcilePolicy, ReconcileReport};
pub use submit::{
    DIRECT_SEND_GRACE, OrderRequest, PaymentMode, SubmitOrder, SubmitOrderError, SubmitOrderPorts,
};
pub use sweep::{SweepPendingPayments, SweepReport};
pub use undo::{UndoError, Undone};
