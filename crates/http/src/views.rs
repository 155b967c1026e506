//! Rendering domain values to the JSON shapes of SPEC §7 ("Order views",
//! "Other resource shapes"). Field names here are part of the contract.
//!
//! Each shape is a typed `Serialize` struct. The members of every struct are
//! declared in alphabetical order: that is the order of the bytes on the wire
//! (the answers were first built as `serde_json` maps, which sort their keys),
//! and the snapshot tests pin it. Members that a view leaves out are
//! `Option`s skipped when `None`; members that are `null` on the wire are
//! `Option`s inside them.

use chrono::{DateTime, SecondsFormat, Utc};
use ordercore_domain::model::{
    Address, Client, Notification, NotificationContext, Order, OrderLine, Payment, PaymentMethod,
    PropertyAccess, PropertyInfo, Service,
};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

mod events;
mod session;
pub use events::*;
pub use session::*;

/// The views of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderView {
    Summary,
    Default,
    /// Adds `property_access.access_code`; never used for e-mails or logs.
    Full,
}

impl OrderView {
    /// The accepted values of the `view` param, in the documented order.
    pub const NAMES: [&'static str; 3] = ["default", "summary", "full"];

    /// The view named `s`; `None` for any other text.
    pub fn parse(s: &str) -> Option<OrderView> {
        match s {
            "summary" => Some(OrderView::Summary),
            "default" => Some(OrderView::Default),
            "full" => Some(OrderView::Full),
            _ => None,
        }
    }
}

/// RFC 3339 with seconds and `Z`, the one timestamp format of every response.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A view struct as a JSON value. Serialising these structs cannot fail
/// (no maps with non-string keys, no failing `Serialize` impls).
pub(crate) fn value(v: impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A priced order line.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LineJson<'a> {
    pub id: i64,
    pub name: &'a str,
    pub quantity: u32,
    pub slug: &'a str,
    pub total_cents: Option<i64>,
    pub unit_price_cents: i64,
}

impl<'a> LineJson<'a> {
    fn new(l: &'a OrderLine) -> Self {
        LineJson {
            id: l.service_id.0,
            name: &l.name,
            quantity: l.quantity,
            slug: &l.slug,
            total_cents: l.total().map(|m| m.cents()),
            unit_price_cents: l.unit_price.cents(),
        }
    }
}

/// `{amount_cents, brand, id, kind, last4, status, transaction_id}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PaymentJson<'a> {
    pub amount_cents: i64,
    pub brand: &'static str,
    pub id: i64,
    pub kind: &'static str,
    pub last4: &'a str,
    pub status: &'static str,
    pub transaction_id: &'a str,
}

impl<'a> PaymentJson<'a> {
    /// The shape of one payment.
    pub fn new(p: &'a Payment) -> Self {
        PaymentJson {
            amount_cents: p.amount.cents(),
            brand: p.brand.as_str(),
            id: p.id.0,
            kind: p.kind.as_str(),
            last4: &p.last4,
            status: p.status.as_str(),
            transaction_id: &p.transaction_id,
        }
    }
}

/// `{amount_cents, brand, id, kind, last4, status, transaction_id}`.
pub fn payment(p: &Payment) -> Value {
    value(PaymentJson::new(p))
}

/// `order.client`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ClientRefJson<'a> {
    pub id: i64,
    pub name: &'a str,
}

/// One preferred appointment window.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WindowJson {
    pub ends_at: String,
    pub starts_at: String,
}

/// `order.promotion`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PromotionJson<'a> {
    pub code: &'a str,
    pub discount_cents: i64,
}

/// `property_info.address`; `street2` only when given.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AddressJson<'a> {
    pub city: &'a str,
    pub postal_code: &'a str,
    pub state: &'a str,
    pub street: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street2: Option<&'a str>,
}

impl<'a> AddressJson<'a> {
    fn new(a: &'a Address) -> Self {
        AddressJson {
            city: &a.city,
            postal_code: a.postal_code.as_str(),
            state: a.state.as_str(),
            street: &a.street,
            street2: a.street2.as_deref(),
        }
    }
}

/// `order.property_info`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PropertyInfoJson<'a> {
    pub address: AddressJson<'a>,
    pub bathrooms: Option<u64>,
    pub bedrooms: Option<u64>,
    pub external_property_id: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub price: Option<u64>,
    pub property_type: Option<&'static str>,
    pub square_footage: Option<u64>,
}

impl<'a> PropertyInfoJson<'a> {
    fn new(p: &'a PropertyInfo) -> Self {
        PropertyInfoJson {
            address: AddressJson::new(&p.address),
            bathrooms: p.bathrooms,
            bedrooms: p.bedrooms,
            external_property_id: p.external_property_id.as_deref(),
            notes: p.notes.as_deref(),
            price: p.price,
            property_type: p.property_type.map(|t| t.as_str()),
            square_footage: p.square_footage,
        }
    }
}

/// `order.property_access`; `access_code` only in the `full` view (and then
/// `null` when there is none).
#[derive(Debug, Serialize, JsonSchema)]
pub struct PropertyAccessJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_code: Option<Option<&'a str>>,
    pub lockbox_location: Option<&'a str>,
    pub method_of_access: &'static str,
    pub onsite_contact_email: Option<&'a str>,
    pub onsite_contact_name: Option<&'a str>,
    pub onsite_contact_phone: Option<&'a str>,
    pub vacant: bool,
}

impl<'a> PropertyAccessJson<'a> {
    /// The access shape, with the access code only when `with_code`.
    pub fn new(a: &'a PropertyAccess, with_code: bool) -> Self {
        PropertyAccessJson {
            access_code: with_code.then(|| a.access_code.as_ref().map(|c| c.expose().as_str())),
            lockbox_location: a.lockbox_location.as_deref(),
            method_of_access: a.method.as_str(),
            onsite_contact_email: a.onsite_contact_email.as_ref().map(|e| e.as_str()),
            onsite_contact_name: a.onsite_contact_name.as_deref(),
            onsite_contact_phone: a.onsite_contact_phone.as_deref(),
            vacant: a.vacant,
        }
    }
}

/// An order in one of its views. The `summary` view leaves out every
/// `Option` member below that is skipped when `None`; `payment` and
/// `promotion` are `null` in the other views when absent.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OrderJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_on_services: Option<Vec<LineJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointments: Option<Vec<WindowJson>>,
    pub client: ClientRefJson<'a>,
    pub created_at: String,
    pub currency: &'static str,
    pub discount_cents: i64,
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Option<PaymentJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_service: Option<LineJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion: Option<Option<PromotionJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_access: Option<PropertyAccessJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_info: Option<PropertyInfoJson<'a>>,
    pub status: &'static str,
    pub subtotal_cents: i64,
    pub total_cents: i64,
}

impl<'a> OrderJson<'a> {
    /// The order in `view`.
    pub fn new(o: &'a Order, view: OrderView) -> Self {
        let detailed = view != OrderView::Summary;
        OrderJson {
            add_on_services: detailed
                .then(|| o.add_on_services.iter().map(LineJson::new).collect()),
            appointments: detailed.then(|| {
                o.appointments
                    .iter()
                    .map(|w| WindowJson {
                        ends_at: timestamp(w.ends_at()),
                        starts_at: timestamp(w.starts_at()),
                    })
                    .collect()
            }),
            client: ClientRefJson {
                id: o.client.id.0,
                name: &o.client.name,
            },
            created_at: timestamp(o.created_at),
            currency: "USD",
            discount_cents: o.pricing.discount.cents(),
            id: o.id.0,
            payment: detailed.then(|| o.payment.as_ref().map(PaymentJson::new)),
            primary_service: detailed.then(|| LineJson::new(&o.primary_service)),
            promotion: detailed.then(|| {
                o.promotion.as_ref().map(|p| PromotionJson {
                    code: &p.code,
                    discount_cents: p.discount.cents(),
                })
            }),
            property_access: detailed
                .then(|| PropertyAccessJson::new(&o.property_access, view == OrderView::Full)),
            property_info: detailed.then(|| PropertyInfoJson::new(&o.property_info)),
            status: o.status.as_str(),
            subtotal_cents: o.pricing.subtotal.cents(),
            total_cents: o.pricing.total.cents(),
        }
    }
}

/// An order in one of its views.
pub fn order(o: &Order, view: OrderView) -> Value {
    value(OrderJson::new(o, view))
}

/// `{id, kind, name, price_cents, slug}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ServiceJson<'a> {
    pub id: i64,
    pub kind: &'static str,
    pub name: &'a str,
    pub price_cents: i64,
    pub slug: &'a str,
}

/// `{id, kind, name, price_cents, slug}`.
pub fn service(s: &Service) -> Value {
    value(ServiceJson {
        id: s.id.0,
        kind: s.kind.as_str(),
        name: &s.name,
        price_cents: s.price.cents(),
        slug: &s.slug,
    })
}

/// `{brand, default, exp_month, exp_year, id, last4, name}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PaymentMethodJson<'a> {
    pub brand: &'static str,
    pub default: bool,
    pub exp_month: u32,
    pub exp_year: i32,
    pub id: i64,
    pub last4: &'a str,
    pub name: &'a str,
}

/// `{brand, default, exp_month, exp_year, id, last4, name}`.
pub fn payment_method(p: &PaymentMethod) -> Value {
    value(PaymentMethodJson {
        brand: p.brand.as_str(),
        default: p.is_default,
        exp_month: p.expiry.month,
        exp_year: p.expiry.year,
        id: p.id.0,
        last4: &p.last4,
        name: &p.name,
    })
}

/// `{billing, designation, email, first_name, id, last_name}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ClientJson<'a> {
    pub billing: &'static str,
    pub designation: Option<&'a str>,
    pub email: &'a str,
    pub first_name: &'a str,
    pub id: i64,
    pub last_name: &'a str,
}

/// `{billing, designation, email, first_name, id, last_name}`.
pub fn client(c: &Client) -> Value {
    value(ClientJson {
        billing: c.billing.as_str(),
        designation: c.designation.as_deref(),
        email: c.email.as_str(),
        first_name: &c.first_name,
        id: c.id.0,
        last_name: &c.last_name,
    })
}

/// `{context, created_at, id, kind, message, resolved_at, severity}`;
/// `context` is the domain's typed context, absent members left out.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NotificationJson<'a> {
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub context: &'a NotificationContext,
    pub created_at: String,
    pub id: i64,
    pub kind: &'static str,
    pub message: &'a str,
    pub resolved_at: Option<String>,
    pub severity: &'static str,
}

/// `{context, created_at, id, kind, message, resolved_at, severity}`.
pub fn notification(n: &Notification) -> Value {
    value(NotificationJson {
        context: &n.context,
        created_at: timestamp(n.created_at),
        id: n.id.0,
        kind: n.kind.as_str(),
        message: &n.message,
        resolved_at: n.resolved_at.map(timestamp),
        severity: n.severity.as_str(),
    })
}
