//! The documented example of a route: a request that works against a
//! freshly seeded demo database (`ordercore seed --demo`: its application
//! tokens, ids and codes) and the answer it gets. The pages and the OpenAPI
//! document show it; the HTTP test suite sends every route's example and
//! checks the answer's status and shape, so an example cannot drift.

use crate::slug::Slug;
use chrono::{Datelike, Utc};
use serde_json::{Value, json};

/// What must hold before a route's example is sent, besides the demo data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    /// Nothing: the demo data alone.
    DemoData,
    /// A session of `client@example.com` in `planoorder` whose token is the
    /// example's `token` (a real one comes from `sessions/create`).
    ClientSession,
    /// The order placed by the example of `orders/authorize_and_submit`
    /// (order 1, with the authorized payment 1).
    AuthorizedOrder,
    /// The same order placed while the confirmation e-mail could not be
    /// sent (its answer is `mandrill-email-failed`, and staff are notified).
    FailedConfirmation,
    /// The endpoint added by the example of `webhooks/create` (endpoint 1).
    WebhookEndpoint,
}

impl Given {
    /// The sentence the documentation page shows.
    pub fn describe(self) -> &'static str {
        match self {
            Given::DemoData => "Works on a freshly seeded demo database (`ordercore seed --demo`).",
            Given::ClientSession => {
                "Works on a freshly seeded demo database, with `token` replaced by a session token of `client@example.com` (from `sessions/create`)."
            }
            Given::AuthorizedOrder => {
                "Works on a freshly seeded demo database after the example of `orders/authorize_and_submit` (order 1, payment 1)."
            }
            Given::FailedConfirmation => {
                "Works on a freshly seeded demo database after the example of `orders/authorize_and_submit` answered `mandrill-email-failed` (its confirmation e-mail could not be sent)."
            }
            Given::WebhookEndpoint => {
                "Works on a freshly seeded demo database after the example of `webhooks/create` (endpoint 1)."
            }
        }
    }
}

/// A documented call of a route and its answer.
#[derive(Debug)]
pub struct Example {
    pub given: Given,
    /// The body as a JSON object; a sensitive route is sent the base64 of it.
    pub request: Value,
    /// The answer's status (its HTTP code is the slug's).
    pub status: Slug,
    /// The answer's `message`.
    pub message: String,
    /// The answer's `data`: its values are representative, its keys and
    /// types are those of the real answer.
    pub data: Value,
}

impl Example {
    /// A successful answer with `message` and `data`.
    pub fn success(given: Given, request: Value, message: &str, data: Value) -> Example {
        Example {
            given,
            request,
            status: Slug::ActionSuccessful,
            message: message.to_string(),
            data,
        }
    }

    /// The answer as the client receives it (without `session`).
    pub fn response(&self) -> Value {
        json!({"status": self.status.as_str(), "message": self.message, "data": self.data})
    }
}

/// The demo application token of `planox2`, which acts as an employee.
pub const STAFF_TOKEN: &str = "demo-planox2-application-token";

/// A year that is always ahead: appointment windows must be in the future.
pub fn next_year() -> i32 {
    Utc::now().year() + 1
}

/// A card expiry year that is always valid (the demo card's).
pub fn card_year() -> i32 {
    Utc::now().year() + 4
}

/// The `order` of the submitting examples: client 1 (`client@example.com`),
/// the primary service `photos` (1) and the add-on `floor_plan` (2).
pub fn order_request() -> Value {
    let y = next_year();
    json!({
        "client": {"id": 1},
        "primary_service": {"id": 1},
        "add_on_services": [{"id": 2, "quantity": 1}],
        "property_info": {
            "address": {"street": "1 Main St", "city": "Denver", "state": "CO", "postal_code": "80202"},
            "property_type": "single_family",
            "bedrooms": 3
        },
        "property_access": {"vacant": true, "method_of_access": "lockbox_code", "access_code": "4321", "lockbox_location": "front door"},
        "appointments": [{"starts_at": format!("{y}-06-01T14:00:00Z"), "ends_at": format!("{y}-06-01T16:00:00Z")}]
    })
}

/// The token of [`Given::ClientSession`]: stands for a session token from
/// `sessions/create`.
pub const SESSION_TOKEN: &str = "session-token-from-sessions-create";

/// The body of the submitting examples: staff order for client 1 with the
/// demo card (payment method 1) and the demo promotion.
pub fn submit_request() -> Value {
    json!({
        "token": STAFF_TOKEN,
        "payment_method_id": 1,
        "promotion_code": "WELCOME10",
        "order": order_request()
    })
}

/// An instant this year, as the views write them.
pub fn instant(rest: &str) -> String {
    format!("{}-{rest}", Utc::now().year())
}

/// A session of `client@example.com` as `data` shows it; `token` only in
/// the answer that created it.
pub fn session(with_token: bool) -> Value {
    let mut s = json!({
        "application": "planoorder",
        "created_at": instant("05-20T10:00:00Z"),
        "expires_at": instant("05-23T10:00:00Z"),
        "last_used_at": instant("05-20T10:00:00Z"),
        "remember_me": false,
        "user": {"id": 1, "email": "client@example.com", "roles": ["client"]}
    });
    if with_token {
        s["token"] = json!("kX9v2mQ4bN7wR1tY8uI3oP6aS5dF0gH2jK4lZ7xC9vB");
    }
    s
}

/// The demo card (payment method 1) as `data` shows it.
pub fn demo_card() -> Value {
    json!({
        "id": 1, "name": "Visa ending in 1111", "brand": "visa", "last4": "1111",
        "exp_month": 12, "exp_year": card_year(), "default": true
    })
}

/// The active services of the demo catalogue, as `services/index` lists them.
pub fn services() -> Value {
    json!([
        {"id": 1, "slug": "photos", "name": "Photos", "kind": "primary", "price_cents": 15000},
        {"id": 3, "slug": "3d_tour", "name": "3D tour", "kind": "add_on", "price_cents": 12000},
        {"id": 4, "slug": "drone", "name": "Drone photos", "kind": "add_on", "price_cents": 9000},
        {"id": 2, "slug": "floor_plan", "name": "Floor plan", "kind": "add_on", "price_cents": 5000}
    ])
}

/// The order of [`submit_request`] in the `summary` view.
pub fn order_summary() -> Value {
    json!({
        "id": 1,
        "status": "submitted",
        "client": {"id": 1, "name": "Dana Client"},
        "currency": "USD",
        "subtotal_cents": 20000,
        "discount_cents": 2000,
        "total_cents": 18000,
        "created_at": instant("05-20T10:00:00Z")
    })
}

/// The order of [`submit_request`] in the `default` view, with its payment
/// of `kind` (`authorization`, `charge`) in `payment_status`.
pub fn order(status: &str, kind: &str, payment_status: &str) -> Value {
    let y = next_year();
    let line = |id, slug: &str, name: &str, cents| json!({"id": id, "slug": slug, "name": name, "quantity": 1, "unit_price_cents": cents, "total_cents": cents});
    let mut order = order_summary();
    let more = json!({
        "status": status,
        "primary_service": line(1, "photos", "Photos", 15000),
        "add_on_services": [line(2, "floor_plan", "Floor plan", 5000)],
        "property_info": {
            "address": {"street": "1 Main St", "city": "Denver", "state": "CO", "postal_code": "80202"},
            "property_type": "single_family",
            "square_footage": null, "bedrooms": 3, "bathrooms": null, "price": null,
            "external_property_id": null, "notes": null
        },
        "property_access": {
            "vacant": true, "method_of_access": "lockbox_code", "lockbox_location": "front door",
            "onsite_contact_name": null, "onsite_contact_email": null, "onsite_contact_phone": null
        },
        "appointments": [{"starts_at": format!("{y}-06-01T14:00:00Z"), "ends_at": format!("{y}-06-01T16:00:00Z")}],
        "promotion": {"code": "WELCOME10", "discount_cents": 2000},
        "payment": {
            "id": 1, "kind": kind, "status": payment_status, "amount_cents": 18000,
            "brand": "visa", "last4": "1111", "transaction_id": "60012345678"
        }
    });
    if let (Some(o), Value::Object(more)) = (order.as_object_mut(), more) {
        o.extend(more);
    }
    order
}

/// The endpoint of the `webhooks/create` example; `secret` only in that
/// route's answer.
pub fn webhook_endpoint(with_secret: bool) -> Value {
    let mut e = json!({
        "id": 1,
        "url": "https://hooks.example.com/ordercore",
        "events": ["order.submitted", "payment.captured"],
        "enabled": true,
        "failing_since": null,
        "disabled_at": null,
        "created_at": instant("05-20T10:00:00Z")
    });
    if with_secret {
        e["secret"] = json!("whsec_kX9v2mQ4bN7wR1tY8uI3oP6aS5dF0gH2jK4lZ7xC9vB");
    }
    e
}

/// The second event of the order of [`submit_request`]: its authorization.
pub fn payment_event() -> Value {
    json!({
        "id": 2,
        "kind": "payment.authorized",
        "created_at": instant("05-20T10:00:00Z"),
        "data": {
            "id": 1, "order_id": 1, "kind": "authorization", "status": "authorized",
            "amount_cents": 18000, "brand": "visa", "last4": "1111",
            "transaction_id": "60012345678"
        }
    })
}
