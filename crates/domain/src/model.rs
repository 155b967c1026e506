//! Plain domain values. Constructors parse and refuse bad input, so a value that
//! exists is valid.

mod address;
mod appointment;
mod card;
mod email;
mod event;
mod field;
mod identity;
mod ids;
mod money;
mod notification;
mod order;
mod payment;
mod promotion;
mod property;
mod secret;
mod service;
mod webhook;

pub use address::{Address, PostalCode, UsState};
pub use appointment::AppointmentWindow;
pub use card::{CardBrand, CardDetails, CardExpiry, CardNumber, Cvc};
pub use email::Email;
pub use event::{
    AddressPayload, ClientRefPayload, EmailFailedData, Event, EventData, EventKind, LinePayload,
    NewEvent, OrderView, PaymentEventData, PaymentView, PromotionPayload, PropertyAccessPayload,
    PropertyInfoPayload, WindowPayload,
};
pub use field::{Field, FieldError, FieldErrors};
pub use identity::{
    Application, ApplicationSlug, Billing, Client, ClientProfile, Role, Session, User, UserAccount,
    UserRoles,
};
pub use ids::*;
pub use money::Money;
pub use notification::{
    NewNotification, Notification, NotificationContext, NotificationFilter, NotificationKind,
    Severity,
};
pub use order::{AppliedPromotion, ClientRef, NewOrder, Order, OrderLine, OrderStatus, Pricing};
pub use payment::{
    NewPayment, Payment, PaymentKind, PaymentMethod, PaymentStatus, StoredPaymentProfile,
};
pub use promotion::{Discount, Promotion};
pub use property::{AccessMethod, PropertyAccess, PropertyInfo, PropertyType};
pub use secret::Secret;
pub use service::{Service, ServiceKind};
pub use webhook::{NewWebhookEndpoint, WebhookEndpoint, WebhookUrl};

/// A value refused by a constructor: `reason` is a plain phrase for the
/// `errors[].reason` of an `invalid-param` answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct InvalidValue {
    pub reason: String,
}

impl InvalidValue {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}
