//! Rendering domain values to the JSON shapes of contract §7 ("Order views",
//! "Other resource shapes"). Field names here are part of the contract.

use crate::model::{
    Client, Notification, Order, OrderLine, Payment, PaymentMethod, Service, Session, User,
    UserRoles,
};
use crate::rules::session;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The views of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderView {
    Summary,
    Default,
    /// Adds `property_access.access_code`; never used for e-mails or logs.
    Full,
}

impl OrderView {
    pub const NAMES: [&'static str; 3] = ["default", "summary", "full"];

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

fn line(l: &OrderLine) -> Value {
    json!({
        "id": l.service_id,
        "slug": l.slug,
        "name": l.name,
        "quantity": l.quantity,
        "unit_price_cents": l.unit_price.cents(),
        "total_cents": l.total().map(|m| m.cents()),
    })
}

/// `{id, kind, status, amount_cents, brand, last4, transaction_id}`.
pub fn payment(p: &Payment) -> Value {
    json!({
        "id": p.id,
        "kind": p.kind.as_str(),
        "status": p.status.as_str(),
        "amount_cents": p.amount.cents(),
        "brand": p.brand.as_str(),
        "last4": p.last4,
        "transaction_id": p.transaction_id,
    })
}

/// An order in one of its views.
pub fn order(o: &Order, view: OrderView) -> Value {
    let mut v = json!({
        "id": o.id,
        "status": o.status.as_str(),
        "client": { "id": o.client.id, "name": o.client.name },
        "subtotal_cents": o.pricing.subtotal.cents(),
        "discount_cents": o.pricing.discount.cents(),
        "total_cents": o.pricing.total.cents(),
        "currency": "USD",
        "created_at": timestamp(o.created_at),
    });
    if view == OrderView::Summary {
        return v;
    }
    let extra = json!({
        "primary_service": line(&o.primary_service),
        "add_on_services": o.add_on_services.iter().map(line).collect::<Vec<_>>(),
        "property_info": o.property_info,
        "property_access": o.property_access.to_json(view == OrderView::Full),
        "appointments": o.appointments.iter().map(|w| json!({
            "starts_at": timestamp(w.starts_at()),
            "ends_at": timestamp(w.ends_at()),
        })).collect::<Vec<_>>(),
        "promotion": o.promotion.as_ref().map(|p| json!({
            "code": p.code,
            "discount_cents": p.discount.cents(),
        })),
        "payment": o.payment.as_ref().map(payment),
    });
    if let (Value::Object(base), Value::Object(more)) = (&mut v, extra) {
        base.extend(more);
    }
    v
}

/// `{id, slug, name, kind, price_cents}`.
pub fn service(s: &Service) -> Value {
    json!({
        "id": s.id,
        "slug": s.slug,
        "name": s.name,
        "kind": s.kind.as_str(),
        "price_cents": s.price.cents(),
    })
}

/// `{id, name, brand, last4, exp_month, exp_year, default}`.
pub fn payment_method(p: &PaymentMethod) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "brand": p.brand.as_str(),
        "last4": p.last4,
        "exp_month": p.expiry.month,
        "exp_year": p.expiry.year,
        "default": p.is_default,
    })
}

/// `{id, email, first_name, last_name, designation, billing}`.
pub fn client(c: &Client) -> Value {
    json!({
        "id": c.id,
        "email": c.email.as_str(),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "designation": c.designation,
        "billing": c.billing.as_str(),
    })
}

/// `{id, kind, severity, message, context, created_at, resolved_at}`.
pub fn notification(n: &Notification) -> Value {
    json!({
        "id": n.id,
        "kind": n.kind,
        "severity": n.severity.as_str(),
        "message": n.message,
        "context": n.context,
        "created_at": timestamp(n.created_at),
        "resolved_at": n.resolved_at.map(timestamp),
    })
}

/// The views of the envelope's `session` member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionView {
    Default,
    Minimal,
}

impl SessionView {
    pub const NAMES: [&'static str; 2] = ["default", "minimal"];

    pub fn parse(s: &str) -> Option<SessionView> {
        match s {
            "default" => Some(SessionView::Default),
            "minimal" => Some(SessionView::Minimal),
            _ => None,
        }
    }
}

/// A session. `token` is only given by `sessions/create` and
/// `users/client_register`, the one time it exists in clear.
pub fn session(
    s: &Session,
    user: &User,
    roles: &UserRoles,
    token: Option<&str>,
    view: SessionView,
) -> Value {
    let mut v = json!({
        "created_at": timestamp(s.created_at),
        "last_used_at": timestamp(s.last_used_at),
        "expires_at": session::expires_at(s).map(timestamp),
        "remember_me": s.remember_me,
        "application": s.application.as_str(),
        "user": { "id": user.id, "email": user.email.as_str(), "roles": roles.names() },
    });
    if view == SessionView::Minimal {
        v = json!({
            "expires_at": v["expires_at"].clone(),
            "application": s.application.as_str(),
            "user": { "id": user.id },
        });
    }
    if let Some(t) = token {
        v["token"] = json!(t);
    }
    v
}
