//! Identifiers as newtypes, so an order id cannot be passed where a client id
//! is expected. All are database integer keys.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    /// A user (log-in identity).
    UserId,
    /// A client record (the agent who orders).
    ClientId,
    /// A catalogue service.
    ServiceId,
    /// A promotion.
    PromotionId,
    /// A stored payment method.
    PaymentMethodId,
    /// An order; also the processor `refId`.
    OrderId,
    /// A payment (authorization or capture) of an order.
    PaymentId,
    /// A session.
    SessionId,
    /// An application record.
    ApplicationId,
    /// A notification shown to staff.
    NotificationId,
    /// An e-mail outbox message.
    OutboxId,
    /// An event (increasing: a later event has a larger id).
    EventId,
    /// A webhook endpoint.
    WebhookEndpointId,
    /// One event's delivery to one webhook endpoint.
    WebhookDeliveryId,
);
