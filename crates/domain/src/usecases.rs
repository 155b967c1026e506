//! Application services: what the HTTP layer (and the workers) call. Each
//! takes its ports in its constructor and returns a typed error whose variants
//! are the outcomes of contract §4; the HTTP crate maps each variant to its slug.

mod auth;
mod catalog;
mod notify;
mod orders;
mod outbox;
mod payment_methods;
mod payments;
mod promotions;
mod register;
mod submit_order;
mod sweeper;

pub use auth::{
    AuthError, Authenticate, CreateSession, CreateSessionError, CreatedSession, DestroySession,
    IdentityPorts, Principal, PrincipalKind,
};
pub use catalog::ListServices;
pub use notify::{ListNotifications, Notifier};
pub use orders::{ListOrders, OrderLookupError, ReadOrder};
pub use outbox::{DeliverOutbox, DeliveryReport, FIRST_RETRY, RetryPolicy};
pub use payment_methods::{
    AddPaymentMethod, AddPaymentMethodError, ListPaymentMethods, NewCard, PaymentMethodLookupError,
    RemovePaymentMethod,
};
pub use payments::{CapturePayment, PaymentActionError, VoidPayment};
pub use promotions::{PromotionQuote, ValidatePromotion, ValidatePromotionError};
pub use register::{RegisterClient, RegisterClientError, Registration};
pub use submit_order::{
    OrderRequest, PaymentMode, SubmitOrder, SubmitOrderError, SubmitOrderPorts,
};
pub use sweeper::{SweepPendingPayments, SweepReport};
