//! Application services: what the HTTP layer (and the workers) call. Each
//! takes its ports in its constructor and returns a typed error whose variants
//! are the outcomes of contract §4; the HTTP crate maps each variant to its slug.
//!
//! One module per resource, named as in [`crate::ports`] and [`crate::rules`];
//! every public name is re-exported here, flat.

mod catalog;
mod events;
mod identity;
mod notifications;
mod orders;
mod outbox;
mod payment_methods;
mod payments;
mod promotions;
mod registry;

pub use catalog::ListServices;
pub use events::{
    CreatedWebhookEndpoint, DeliverWebhooks, ManageWebhooks, WebhookPolicy, WebhookReport,
};
pub use identity::{
    AuthError, Authenticate, CreateSession, CreateSessionError, CreatedSession, DestroySession,
    IdentityPorts, Principal, PrincipalKind, RegisterClient, RegisterClientError, Registration,
};
pub use notifications::{
    HandleNotification, HandleNotificationError, ListNotifications, NotificationStep, Notifier,
};
pub use orders::{
    DIRECT_SEND_GRACE, ListOrders, OrderLookupError, OrderRequest, PaymentMode, ReadOrder,
    ReconcilePayments, ReconcilePolicy, ReconcileReport, SearchOrders, SubmitOrder,
    SubmitOrderError, SubmitOrderPorts, SweepPendingPayments, SweepReport, UndoError, Undone,
};
pub use outbox::{DeliverOutbox, DeliveryReport, FIRST_RETRY, ListDeliveries, RetryPolicy};
pub use payment_methods::{
    AddPaymentMethod, AddPaymentMethodError, ListPaymentMethods, NewCard, PaymentMethodLookupError,
    RemovePaymentMethod,
};
pub use payments::{
    CapturePayment, ExpiryWatchReport, PaymentActionError, VoidPayment, WatchAuthorizationExpiry,
};
pub use promotions::{PromotionQuote, ValidatePromotion, ValidatePromotionError};
pub use registry::{KillSwitchError, KillSwitches};
