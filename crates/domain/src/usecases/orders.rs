//! Order use cases: read and list orders ([`ReadOrder`], [`ListOrders`]),
//! submit them with their payment ([`SubmitOrder`], contract §7), and sweep
//! the ones a crash left in `pending_payment` ([`SweepPendingPayments`]).

mod read;
pub(crate) mod resolve;
mod submit;
mod sweep;

pub use read::{ListOrders, OrderLookupError, ReadOrder};
pub use submit::{
    DIRECT_SEND_GRACE, OrderRequest, PaymentMode, SubmitOrder, SubmitOrderError, SubmitOrderPorts,
};
pub use sweep::{SweepPendingPayments, SweepReport};
