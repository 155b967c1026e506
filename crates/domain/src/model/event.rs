//! Events: what changed, recorded in the transaction of the change
//! (docs/webhooks.md). The payload is built here, from the domain values, as
//! plain serde structs the store serialises: the `default` view of the
//! resource as it was at the change, never an access code. Members are
//! declared in alphabetical order, as the HTTP views are, so an event's
//! `data` has the bytes of the resource's `default` view.

use super::{Order, OrderId, OrderLine, Payment};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// The kinds of event; each name is stable and part of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    OrderSubmitted,
    OrderPaymentFailed,
    OrderCancelled,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentVoided,
    EmailFailed,
    /// Emitted by the authorization-expiry watch.
    PaymentAuthorizationExpiring,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [EventKind; 8] = [
        EventKind::OrderSubmitted,
        EventKind::OrderPaymentFailed,
        EventKind::OrderCancelled,
        EventKind::PaymentAuthorized,
        EventKind::PaymentCaptured,
        EventKind::PaymentVoided,
        EventKind::EmailFailed,
        EventKind::PaymentAuthorizationExpiring,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::OrderSubmitted => "order.submitted",
            EventKind::OrderPaymentFailed => "order.payment_failed",
            EventKind::OrderCancelled => "order.cancelled",
            EventKind::PaymentAuthorized => "payment.authorized",
            EventKind::PaymentCaptured => "payment.captured",
            EventKind::PaymentVoided => "payment.voided",
            EventKind::EmailFailed => "email.failed",
            EventKind::PaymentAuthorizationExpiring => "payment.authorization_expiring",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A priced order line, as in the order views.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinePayload {
    pub id: i64,
    pub name: String,
    pub quantity: u32,
    pub slug: String,
    pub total_cents: Option<i64>,
    pub unit_price_cents: i64,
}

impl LinePayload {
    fn new(l: &OrderLine) -> Self {
        LinePayload {
            id: l.service_id.0,
            name: l.name.clone(),
            quantity: l.quantity,
            slug: l.slug.clone(),
            total_cents: l.total().map(|m| m.cents()),
            unit_price_cents: l.unit_price.cents(),
        }
    }
}

/// A payment in its view: `{amount_cents, brand, id, kind, last4, status,
/// transaction_id}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentView {
    pub amount_cents: i64,
    pub brand: &'static str,
    pub id: i64,
    pub kind: &'static str,
    pub last4: String,
    pub status: &'static str,
    pub transaction_id: String,
}

impl PaymentView {
    pub fn new(p: &Payment) -> Self {
        PaymentView {
            amount_cents: p.amount.cents(),
            brand: p.brand.as_str(),
            id: p.id.0,
            kind: p.kind.as_str(),
            last4: p.last4.clone(),
            status: p.status.as_str(),
            transaction_id: p.transaction_id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientRefPayload {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowPayload {
    pub ends_at: String,
    pub starts_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromotionPayload {
    pub code: String,
    pub discount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressPayload {
    pub city: String,
    pub postal_code: String,
    pub state: String,
    pub street: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street2: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyInfoPayload {
    pub address: AddressPayload,
    pub bathrooms: Option<u64>,
    pub bedrooms: Option<u64>,
    pub external_property_id: Option<String>,
    pub notes: Option<String>,
    pub price: Option<u64>,
    pub property_type: Option<&'static str>,
    pub square_footage: Option<u64>,
}

/// `order.property_access` of the `default` view: no `access_code` member
/// at all (the type has none, so it cannot leak into an event).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyAccessPayload {
    pub lockbox_location: Option<String>,
    pub method_of_access: &'static str,
    pub onsite_contact_email: Option<String>,
    pub onsite_contact_name: Option<String>,
    pub onsite_contact_phone: Option<String>,
    pub vacant: bool,
}

/// An order in its `default` view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderView {
    pub add_on_services: Vec<LinePayload>,
    pub appointments: Vec<WindowPayload>,
    pub client: ClientRefPayload,
    pub created_at: String,
    pub currency: &'static str,
    pub discount_cents: i64,
    pub id: i64,
    pub payment: Option<PaymentView>,
    pub primary_service: LinePayload,
    pub promotion: Option<PromotionPayload>,
    pub property_access: PropertyAccessPayload,
    pub property_info: PropertyInfoPayload,
    pub status: &'static str,
    pub subtotal_cents: i64,
    pub total_cents: i64,
}

impl OrderView {
    pub fn new(o: &Order) -> Self {
        let a = &o.property_access;
        let p = &o.property_info;
        OrderView {
            add_on_services: o.add_on_services.iter().map(LinePayload::new).collect(),
            appointments: o
                .appointments
                .iter()
                .map(|w| WindowPayload {
                    ends_at: timestamp(w.ends_at()),
                    starts_at: timestamp(w.starts_at()),
                })
                .collect(),
            client: ClientRefPayload {
                id: o.client.id.0,
                name: o.client.name.clone(),
            },
            created_at: timestamp(o.created_at),
            currency: "USD",
            discount_cents: o.pricing.discount.cents(),
            id: o.id.0,
            payment: o.payment.as_ref().map(PaymentView::new),
            primary_service: LinePayload::new(&o.primary_service),
            promotion: o.promotion.as_ref().map(|p| PromotionPayload {
                code: p.code.clone(),
                discount_cents: p.discount.cents(),
            }),
            property_access: PropertyAccessPayload {
                lockbox_location: a.lockbox_location.clone(),
                method_of_access: a.method.as_str(),
                onsite_contact_email: a.onsite_contact_email.as_ref().map(|e| e.as_str().into()),
                onsite_contact_name: a.onsite_contact_name.clone(),
                onsite_contact_phone: a.onsite_contact_phone.clone(),
                vacant: a.vacant,
            },
            property_info: PropertyInfoPayload {
                address: AddressPayload {
                    city: p.address.city.clone(),
                    postal_code: p.address.postal_code.as_str().into(),
                    state: p.address.state.as_str().into(),
                    street: p.address.street.clone(),
                    street2: p.address.street2.clone(),
                },
                bathrooms: p.bathrooms,
                bedrooms: p.bedrooms,
                external_property_id: p.external_property_id.clone(),
                notes: p.notes.clone(),
                price: p.price,
                property_type: p.property_type.map(|t| t.as_str()),
                square_footage: p.square_footage,
            },
            status: o.status.as_str(),
            subtotal_cents: o.pricing.subtotal.cents(),
            total_cents: o.pricing.total.cents(),
        }
    }
}

/// `payment.*` events: the payment in its view, with the order it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentEventData {
    pub amount_cents: i64,
    pub brand: &'static str,
    pub id: i64,
    pub kind: &'static str,
    pub last4: String,
    pub order_id: i64,
    pub status: &'static str,
    pub transaction_id: String,
}

impl PaymentEventData {
    pub fn new(p: &Payment) -> Self {
        PaymentEventData {
            amount_cents: p.amount.cents(),
            brand: p.brand.as_str(),
            id: p.id.0,
            kind: p.kind.as_str(),
            last4: p.last4.clone(),
            order_id: p.order_id.0,
            status: p.status.as_str(),
            transaction_id: p.transaction_id.clone(),
        }
    }
}

/// `email.failed`: the confirmation e-mail of an order was given up on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailFailedData {
    pub error: String,
    pub order_id: i64,
}

/// An event's `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EventData {
    Order(Box<OrderView>),
    Payment(PaymentEventData),
    EmailFailed(EmailFailedData),
}

/// An event about to be recorded, in the transaction of its change.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    /// The order the event is about: events of one order are delivered in
    /// order.
    pub order_id: Option<OrderId>,
    pub data: EventData,
}

impl NewEvent {
    /// An `order.*` event: the order as it is now.
    pub fn order(kind: EventKind, order: &Order) -> Self {
        NewEvent {
            kind,
            order_id: Some(order.id),
            data: EventData::Order(Box::new(OrderView::new(order))),
        }
    }

    /// A `payment.*` event: the payment as it is now.
    pub fn payment(kind: EventKind, payment: &Payment) -> Self {
        NewEvent {
            kind,
            order_id: Some(payment.order_id),
            data: EventData::Payment(PaymentEventData::new(payment)),
        }
    }

    /// `email.failed` for the confirmation of `order`.
    pub fn email_failed(order: OrderId, error: &str) -> Self {
        NewEvent {
            kind: EventKind::EmailFailed,
            order_id: Some(order),
            data: EventData::EmailFailed(EmailFailedData {
                error: error.to_string(),
                order_id: order.0,
            }),
        }
    }
}

/// A recorded event; `data` is its stored JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: super::EventId,
    pub kind: EventKind,
    pub order_id: Option<OrderId>,
    pub data: String,
    pub created_at: DateTime<Utc>,
}
